package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// placeholderID fills path parameters of the cold-start events: a
// well-formed ULID that names nothing, so reads answer 404 after their
// DynamoDB round trip.
const placeholderID = "01JZZZZZZZZZZZZZZZZZZZZZZZ"

// apiEvent is the API Gateway HTTP API (payload 2.0) event of one route, as
// API Gateway sends it after its JWT authorizer accepted the token whose
// claims are given (nil for a public route).
func apiEvent(r Route, claims map[string]string) ([]byte, error) {
	rawPath := r.Path
	params := map[string]string{}
	for {
		i := strings.IndexByte(rawPath, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rawPath[i:], '}')
		if j < 0 {
			break
		}
		params[rawPath[i+1:i+j]] = placeholderID
		rawPath = rawPath[:i] + placeholderID + rawPath[i+j+1:]
	}
	ev := newEvent(r, rawPath, "", params, claims)
	if r.Method == "POST" || r.Method == "PATCH" {
		// An empty object: the handler's validation answers 400 without
		// writing, so repeated cold starts leave the table as it was.
		ev.Body = "{}"
		if r.Method == "PATCH" {
			ev.Headers["if-match"] = `"1"`
		}
	}
	return json.Marshal(ev)
}

// requestEvent is the event of a concrete request k on route r.
func requestEvent(r Route, k call, claims map[string]string) events.APIGatewayV2HTTPRequest {
	rawPath, rawQuery, _ := strings.Cut(k.path, "?")
	params := map[string]string{}
	segs, tmpl := strings.Split(rawPath, "/"), strings.Split(r.Path, "/")
	for i, t := range tmpl {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") && i < len(segs) {
			params[t[1:len(t)-1]] = segs[i]
		}
	}
	ev := newEvent(r, rawPath, rawQuery, params, claims)
	if rawQuery != "" {
		ev.QueryStringParameters = map[string]string{}
		for _, kv := range strings.Split(rawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			ev.QueryStringParameters[k] = v
		}
	}
	return ev
}

func newEvent(r Route, rawPath, rawQuery string, params, claims map[string]string) events.APIGatewayV2HTTPRequest {
	now := time.Now()
	ev := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       r.Key(),
		RawPath:        rawPath,
		RawQueryString: rawQuery,
		Headers:        map[string]string{"host": "bench.local", "content-type": "application/json", "accept": "application/json"},
		PathParameters: params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:   r.Key(),
			AccountID:  "000000000000",
			Stage:      "$default",
			RequestID:  fmt.Sprintf("bench-%d", now.UnixNano()),
			DomainName: "bench.local",
			APIID:      "bench",
			Time:       now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:  now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      rawPath,
				Protocol:  "HTTP/1.1",
				SourceIP:  "127.0.0.1",
				UserAgent: "mycrm-bench",
			},
		},
	}
	if len(params) == 0 {
		ev.PathParameters = nil
	}
	if claims != nil {
		ev.Headers["authorization"] = "Bearer (verified by the authorizer)"
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
	}
	return ev
}

// streamEvent is an empty DynamoDB stream batch, for stream consumers.
func streamEvent() []byte { return []byte(`{"Records":[]}`) }

// tokenClaims reads the claims of a JWT's payload the way API Gateway hands
// them to a Lambda: every value a string, arrays flattened to "[a b]". The
// signature is not checked: the token comes from our own cognito-local.
func tokenClaims(token string) (map[string]string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			out[k] = v
		case float64:
			out[k] = fmt.Sprintf("%.0f", v)
		case []any:
			s := make([]string, len(v))
			for i, e := range v {
				s[i] = fmt.Sprint(e)
			}
			out[k] = "[" + strings.Join(s, " ") + "]"
		default:
			out[k] = fmt.Sprint(v)
		}
	}
	return out, nil
}
