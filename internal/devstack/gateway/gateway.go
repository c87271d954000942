// Package gateway is MyCRM's local API Gateway, development tooling. It
// serves template.yaml (the one source of truth for routes, authorizers and
// stream consumers, read by package samtemplate), verifies
// JWTs against the local user pools as an HTTP API JWT authorizer does, builds
// the real events.APIGatewayV2HTTPRequest of each request and invokes the
// route's function in-process through aws-lambda-go-api-proxy, exactly as the
// Lambda would. It also polls the table's DynamoDB stream and invokes the
// stream consumers with events.DynamoDBEvent batches, with the event source
// mapping's retry semantics. It serves /openapi.json and the web client too.
package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/assentis/mycrm/internal/devstack/samtemplate"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/golang-jwt/jwt/v5"
)

// MaxBodyBytes is API Gateway's payload limit (10 MB); larger requests get 413.
const MaxBodyBytes = 10 << 20

// AccountID is the account id the local events carry.
const AccountID = "000000000000"

// Config is what the gateway serves and how.
type Config struct {
	// Template is the parsed template.yaml.
	Template *samtemplate.Template
	// Handlers are the HTTP functions by folder, built from internal/routes.
	// A route whose function has no handler answers 500 (and says so in the log).
	Handlers map[string]http.Handler
	// Consumers are the stream consumers by folder; a stream event whose
	// function is missing is not polled.
	Consumers map[string]Consumer
	// Objects are the S3-event functions by folder (ObjectCreated delivers to them).
	Objects map[string]ObjectHandler
	// OnObjectFailure receives the S3 events a function gave up on.
	OnObjectFailure func(context.Context, ObjectFailure)
	// Refs are the physical ids of the template's resources, by logical id
	// (what !Ref gives in the cloud): user pool ids, app client ids, table names.
	Refs map[string]string
	// Region of the local stack (awsRegion of stream records, issuers).
	Region string
	// CognitoEndpoint, when set, makes a pool's issuer <endpoint>/<poolId>
	// (cognito-local); otherwise the template's issuer is used.
	CognitoEndpoint string
	// AllowedOrigins replace the template's CorsConfiguration.AllowOrigins.
	AllowedOrigins []string
	// OpenAPI is served at GET /openapi.json when not nil.
	OpenAPI []byte
	// WebDir is served at / (with the SPA's index.html for page navigations)
	// when it exists.
	WebDir string

	// Streams reads the table streams; nil disables stream polling.
	Streams StreamsAPI
	// StartingPosition, when set (LATEST or TRIM_HORIZON), replaces every stream
	// event's StartingPosition: LATEST on a restart with persisted data avoids
	// replaying history.
	StartingPosition string
	// PollInterval between GetRecords calls on an idle stream (100 ms if zero).
	PollInterval time.Duration
	// RetryDelay is the base delay before retrying a failed batch (100 ms if
	// zero, doubling up to 2 s; negative for none).
	RetryDelay time.Duration
	// OnFailure receives the records a consumer gave up on (the local
	// stand-in of the on-failure destination); they are logged either way.
	OnFailure func(context.Context, StreamFailure)

	// Jobs are the scheduled functions by folder (jobs.Job), fired by
	// StartSchedules on time and by POST /_local/schedules/<folder> on demand.
	Jobs map[string]Job

	// Clock, when set, is the services' clock, moved by /_local/clock.
	Clock *Clock

	// Log receives one line per request and every problem (never tokens).
	Log *slog.Logger
}

// Gateway is the local API Gateway; it is an http.Handler.
type Gateway struct {
	cfg    Config
	log    *slog.Logger
	routes []*route
	auth   *verifier
	// authorizers are the issuer and audiences of each JWT authorizer, by name.
	authorizers map[string]jwtAuthorizer

	sched schedules

	streamsMu sync.Mutex
	mappings  []*mapping
	cancel    context.CancelFunc
	wg        sync.WaitGroup

	objects objects
}

type jwtAuthorizer struct {
	issuer    string
	audiences []string
}

type route struct {
	samtemplate.Route
	fn      samtemplate.Function
	segs    []segment
	rank    string
	adapter *httpadapter.HandlerAdapterV2
}

type segment struct {
	lit    string
	param  string
	greedy bool
}

// New builds a gateway. It fails when the template routes to an authorizer
// whose pool or audience cannot be resolved from cfg.Refs.
func New(cfg Config) (*Gateway, error) {
	if cfg.Template == nil {
		return nil, errors.New("gateway: no template")
	}
	g := &Gateway{cfg: cfg, log: cfg.Log, auth: &verifier{client: http.DefaultClient, now: time.Now}}
	if g.log == nil {
		g.log = slog.Default()
	}
	g.authorizers = map[string]jwtAuthorizer{}
	for name, a := range cfg.Template.Authorizers {
		iss, err := g.issuer(a)
		if err != nil {
			return nil, fmt.Errorf("gateway: authorizer %s: %w", name, err)
		}
		aud, err := g.audiences(a)
		if err != nil {
			return nil, fmt.Errorf("gateway: authorizer %s: %w", name, err)
		}
		g.authorizers[name] = jwtAuthorizer{issuer: iss, audiences: aud}
	}
	var missing []string
	for _, f := range cfg.Template.Functions {
		for _, r := range f.Routes {
			rt := &route{Route: r, fn: f}
			for _, s := range strings.Split(strings.TrimPrefix(r.Path, "/"), "/") {
				switch {
				case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}"):
					rt.segs = append(rt.segs, segment{param: s[1 : len(s)-2], greedy: true})
					rt.rank += "2"
				case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
					rt.segs = append(rt.segs, segment{param: s[1 : len(s)-1]})
					rt.rank += "1"
				default:
					rt.segs = append(rt.segs, segment{lit: s})
					rt.rank += "0"
				}
			}
			if h, ok := cfg.Handlers[f.Folder]; ok && h != nil {
				rt.adapter = httpadapter.NewV2(h)
			} else {
				missing = append(missing, f.Folder)
			}
			g.routes = append(g.routes, rt)
		}
	}
	if len(missing) > 0 {
		g.log.Warn("gateway: routes without a handler answer 500", "functions", strings.Join(missing, ","))
	}
	return g, nil
}

// issuer is the expected iss of the authorizer's pool.
func (g *Gateway) issuer(a samtemplate.Authorizer) (string, error) {
	poolID := g.cfg.Refs[a.UserPool]
	if poolID == "" {
		return "", fmt.Errorf("no physical id for user pool %s", a.UserPool)
	}
	if g.cfg.CognitoEndpoint != "" {
		return strings.TrimRight(g.cfg.CognitoEndpoint, "/") + "/" + poolID, nil
	}
	vars := map[string]string{"AWS::Region": g.cfg.Region}
	for k, v := range g.cfg.Refs {
		vars[k] = v
	}
	return samtemplate.Sub(a.Issuer, vars), nil
}

func (g *Gateway) audiences(a samtemplate.Authorizer) ([]string, error) {
	var out []string
	for _, id := range a.Audience {
		if v, ok := g.cfg.Refs[id]; ok {
			out = append(out, v)
		} else if _, isResource := g.cfg.Template.Resources[id]; isResource {
			return nil, fmt.Errorf("no physical id for audience %s", id)
		} else {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no audience")
	}
	return out, nil
}

// match finds the most specific route for method and the escaped path.
func (g *Gateway) match(method, escapedPath string) (best *route, params map[string]string) {
	parts := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	bestRank := ""
	for _, rt := range g.routes {
		if rt.Method != method && rt.Method != "ANY" {
			continue
		}
		p, ok := rt.matchPath(parts)
		if !ok {
			continue
		}
		rank := rt.rank
		if rt.Method == "ANY" {
			rank += "9"
		}
		if best == nil || rank < bestRank {
			best, bestRank, params = rt, rank, p
		}
	}
	return best, params
}

func (rt *route) matchPath(parts []string) (map[string]string, bool) {
	var params map[string]string
	for i, s := range rt.segs {
		if s.greedy {
			if i >= len(parts) {
				return nil, false
			}
			v, err := url.PathUnescape(strings.Join(parts[i:], "/"))
			if err != nil || v == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s.param] = v
			return params, true
		}
		if i >= len(parts) {
			return nil, false
		}
		if s.param == "" {
			if parts[i] != s.lit {
				return nil, false
			}
			continue
		}
		v, err := url.PathUnescape(parts[i])
		if err != nil || v == "" {
			return nil, false
		}
		if params == nil {
			params = map[string]string{}
		}
		params[s.param] = v
	}
	if len(parts) != len(rt.segs) {
		return nil, false
	}
	return params, true
}

// ServeHTTP answers like API Gateway: preflight, route, authorizer, function.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	route := g.serve(rec, r)
	g.log.Info("api", "method", r.Method, "path", r.URL.Path, "route", route, "status", rec.status, "ms", time.Since(start).Milliseconds())
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// serve handles the request and returns what served it, for the log.
func (g *Gateway) serve(w http.ResponseWriter, r *http.Request) string {
	if r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != "" && g.cfg.Template.Cors != nil {
		g.preflight(w, r)
		return "preflight"
	}
	g.corsHeaders(w, r)
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.Path == "/openapi.json" && g.cfg.OpenAPI != nil {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "openapi.json", time.Time{}, bytes.NewReader(g.cfg.OpenAPI))
		return "openapi"
	}
	if r.URL.Path == ClockPath && g.cfg.Clock != nil {
		g.serveClock(w, r)
		return "clock"
	}
	if strings.HasPrefix(r.URL.Path, SchedulesPath) && g.cfg.Jobs != nil {
		g.serveFire(w, r)
		return "schedule"
	}
	if isNavigation(r) && g.serveWeb(w, r, true) {
		return "web"
	}
	rt, params := g.match(r.Method, r.URL.EscapedPath())
	if rt == nil {
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && g.serveWeb(w, r, false) {
			return "web"
		}
		writeMessage(w, http.StatusNotFound, "Not Found")
		return "-"
	}
	g.invoke(w, r, rt, params)
	return rt.Key()
}

// isNavigation tells a browser page load (which the web client handles, even
// on an API path such as /contacts) from an API call.
func isNavigation(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		strings.Contains(r.Header.Get("Accept"), "text/html") &&
		r.Header.Get("Authorization") == ""
}

// serveWeb serves a file of WebDir, or its index.html when spa is set.
func (g *Gateway) serveWeb(w http.ResponseWriter, r *http.Request, spa bool) bool {
	dir := g.cfg.WebDir
	if dir == "" {
		return false
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return false
	}
	name := path.Clean("/" + r.URL.Path)
	if name != "/" {
		file := filepath.Join(dir, filepath.FromSlash(name))
		if fi, err := os.Stat(file); err == nil && !fi.IsDir() {
			if strings.HasPrefix(name, "/assets/") {
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			}
			http.ServeFile(w, r, file)
			return true
		}
	}
	if !spa && name != "/" {
		return false
	}
	index := filepath.Join(dir, "index.html")
	f, err := os.Open(index)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "index.html", fi.ModTime(), f)
	return true
}

func writeMessage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"message":%q}`, msg)
}

func (g *Gateway) originAllowed(origin string) bool {
	c := g.cfg.Template.Cors
	if c == nil || origin == "" {
		return false
	}
	allowed := g.cfg.AllowedOrigins
	if allowed == nil {
		allowed = c.AllowOrigins
	}
	for _, o := range allowed {
		if o == "*" || strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	return false
}

// corsHeaders adds API Gateway's CORS headers to a (non-preflight) response.
func (g *Gateway) corsHeaders(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if !g.originAllowed(origin) {
		return
	}
	c := g.cfg.Template.Cors
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	if c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
}

func (g *Gateway) preflight(w http.ResponseWriter, r *http.Request) {
	c := g.cfg.Template.Cors
	origin := r.Header.Get("Origin")
	method := strings.ToUpper(r.Header.Get("Access-Control-Request-Method"))
	h := w.Header()
	h.Add("Vary", "Origin")
	if g.originAllowed(origin) && (contains(c.AllowMethods, method) || contains(c.AllowMethods, "*")) {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
		if len(c.AllowHeaders) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
		}
		if c.MaxAge > 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
		}
		if c.AllowCredentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

// invoke authorizes the request, builds the event, calls the function and
// writes its response.
func (g *Gateway) invoke(w http.ResponseWriter, r *http.Request, rt *route, params map[string]string) {
	now := time.Now()
	var claims jwt.MapClaims
	if rt.Authorizer != "" {
		a := g.authorizers[rt.Authorizer]
		token := bearer(r.Header.Get("Authorization"))
		if token == "" {
			writeMessage(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		c, err := g.auth.verify(r.Context(), token, a.issuer, a.audiences)
		if err != nil {
			g.log.Info("authorizer refused the token", "authorizer", rt.Authorizer, "route", rt.Key(), "reason", err.Error())
			writeMessage(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		claims = c
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return
	}
	if len(body) > MaxBodyBytes {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	if rt.adapter == nil {
		g.log.Error("no handler for function", "function", rt.fn.Folder, "route", rt.Key())
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	reqID := newRequestID()
	ev := BuildRequest(r, rt.Route, params, body, claims, reqID, now)

	ctx, cancel := context.WithTimeout(r.Context(), time.Duration(rt.fn.Timeout)*time.Second)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       reqID,
		InvokedFunctionArn: "arn:aws:lambda:" + g.cfg.Region + ":" + AccountID + ":function:" + rt.fn.LogicalID,
	})
	resp, err := callHandler(ctx, rt.adapter, ev)
	if err != nil {
		g.log.Error("function failed", "function", rt.fn.Folder, "route", rt.Key(), "requestId", reqID, "err", err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	w.Header().Set("Apigw-Requestid", reqID)
	if err := WriteResponse(w, resp); err != nil {
		g.log.Error("bad function response", "function", rt.fn.Folder, "route", rt.Key(), "err", err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
	}
}

// callHandler runs the function, turning a panic into an error as the Lambda
// runtime would report it.
func callHandler(ctx context.Context, a *httpadapter.HandlerAdapterV2, ev events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return a.ProxyWithContext(ctx, ev)
}

// WriteResponse writes a function's payload 2.0 response as API Gateway does.
func WriteResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) error {
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return fmt.Errorf("decode base64 body: %w", err)
		}
		body = b
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return fmt.Errorf("status code %d", resp.StatusCode)
	}
	h := w.Header()
	for k, v := range resp.Headers {
		if isCORSHeader(k) && h.Get(k) != "" {
			continue // API Gateway's CORS configuration wins over the function's
		}
		h.Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		if isCORSHeader(k) && h.Get(k) != "" {
			continue
		}
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" && len(body) > 0 {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	_, err := w.Write(body)
	return err
}

func isCORSHeader(k string) bool {
	return strings.HasPrefix(strings.ToLower(k), "access-control-")
}

// BuildRequest builds the payload 2.0 event API Gateway sends for r on route
// rt; claims are the verified JWT claims (nil on a public route).
func BuildRequest(r *http.Request, rt samtemplate.Route, params map[string]string, body []byte, claims jwt.MapClaims, requestID string, now time.Time) events.APIGatewayV2HTTPRequest {
	headers := map[string]string{}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			continue
		}
		headers[lk] = strings.Join(vs, ",")
	}
	headers["host"] = r.Host
	if len(body) > 0 {
		headers["content-length"] = strconv.Itoa(len(body))
	}
	sourceIP := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		sourceIP = host
	}
	if xff := headers["x-forwarded-for"]; xff != "" {
		headers["x-forwarded-for"] = xff + ", " + sourceIP
	} else {
		headers["x-forwarded-for"] = sourceIP
	}
	headers["x-forwarded-proto"] = "http"
	if r.TLS != nil {
		headers["x-forwarded-proto"] = "https"
	}
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		headers["x-forwarded-port"] = port
	}

	var cookies []string
	for _, line := range r.Header.Values("Cookie") {
		for _, c := range strings.Split(line, ";") {
			if c = strings.TrimSpace(c); c != "" {
				cookies = append(cookies, c)
			}
		}
	}

	var query map[string]string
	if r.URL.RawQuery != "" {
		if values, err := url.ParseQuery(r.URL.RawQuery); err == nil && len(values) > 0 {
			query = make(map[string]string, len(values))
			for k, vs := range values {
				query[k] = strings.Join(vs, ",")
			}
		}
	}

	domain, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		domain = r.Host
	}
	prefix, _, _ := strings.Cut(domain, ".")

	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              rt.Key(),
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     rt.Key(),
			AccountID:    AccountID,
			Stage:        "$default",
			RequestID:    requestID,
			APIID:        "local",
			DomainName:   domain,
			DomainPrefix: prefix,
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: flattenClaims(claims),
				Scopes: scopes(claims),
			},
		}
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type")) && utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// isText tells the content types API Gateway passes as text; other bodies
// arrive base64-encoded.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return contentType == ""
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/xml", strings.HasSuffix(mt, "+xml"),
		mt == "application/javascript", mt == "application/x-www-form-urlencoded":
		return true
	}
	return false
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	s := hex.EncodeToString(b[:])
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
