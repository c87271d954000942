package gateway

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/devstack/samtemplate"
	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/golang-jwt/jwt/v5"
)

// issuerServer serves the JWKS of key for every pool, like cognito-local
// (one key shared by all pools).
func issuerServer(t *testing.T, key *rsa.PrivateKey) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/.well-known/jwks.json") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "CognitoLocal",
			"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
		}}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(t *testing.T, key *rsa.PrivateKey, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = "CognitoLocal"
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// echo answers with what the function received: the request and the
// API Gateway context.
func echo() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
		body, _ := io.ReadAll(r.Body)
		out := map[string]any{
			"ok":       ok,
			"method":   r.Method,
			"path":     r.URL.Path,
			"query":    r.URL.RawQuery,
			"body":     string(body),
			"routeKey": rc.RouteKey,
			"stage":    rc.Stage,
			"cookie":   r.Header.Get("Cookie"),
			"custom":   r.Header.Get("X-Custom"),
		}
		if rc.Authorizer != nil && rc.Authorizer.JWT != nil {
			out["claims"] = rc.Authorizer.JWT.Claims
		}
		if r.URL.Path == "/public" {
			http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
			http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
		}
		if r.URL.Path == "/items/binary" {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte{0xff, 0x00, 0xfe})
			return
		}
		if r.URL.Path == "/items/panic" {
			panic("boom")
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"3"`)
		w.Header().Set("Access-Control-Allow-Origin", "https://evil.test")
		_ = json.NewEncoder(w).Encode(out)
	})
}

type fixture struct {
	gw  *Gateway
	key *rsa.PrivateKey
	iss string // the MIA pool's issuer
}

func newFixture(t *testing.T, webDir string) *fixture {
	t.Helper()
	tpl, err := samtemplate.ParseTemplate("../samtemplate/testdata/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	key := newKey(t)
	srv := issuerServer(t, key)
	gw, err := New(Config{
		Template: tpl,
		Handlers: map[string]http.Handler{"echo": echo(), "new-item": echo()},
		Refs: map[string]string{
			"MiaUserPool": "local_mia", "MiaUserPoolClient": "miaclient",
			"ApporteurUserPool": "local_app", "ApporteurUserPoolClient": "appclient",
			"Table": "mycrm",
		},
		Region:          "eu-west-3",
		CognitoEndpoint: srv.URL,
		AllowedOrigins:  []string{"http://localhost:3000"},
		OpenAPI:         []byte(`{"openapi":"3.1.0"}`),
		WebDir:          webDir,
		Log:             discard(),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &fixture{gw: gw, key: key, iss: srv.URL + "/local_mia"}
}

func (f *fixture) idToken(t *testing.T, change func(jwt.MapClaims)) string {
	t.Helper()
	c := jwt.MapClaims{
		"sub": "u1", "iss": f.iss, "aud": "miaclient", "token_use": "id",
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(),
		"email": "demo@assentis.test", "custom:mia_id": "M1",
		"cognito:groups": []string{"assentis", "staff"}, "email_verified": true,
	}
	if change != nil {
		change(c)
	}
	return sign(t, f.key, c)
}

func (f *fixture) do(t *testing.T, method, target, token string, body io.Reader, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, body)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	f.gw.ServeHTTP(w, r)
	return w
}

func TestAuthorizer(t *testing.T) {
	f := newFixture(t, "")
	other := newKey(t)
	tests := []struct {
		name  string
		token func() string
		want  int
	}{
		{"valid id token", func() string { return f.idToken(t, nil) }, 200},
		{"no token", func() string { return "" }, 401},
		{"garbage", func() string { return "not.a.jwt" }, 401},
		{"bad signature", func() string {
			c := jwt.MapClaims{"sub": "u1", "iss": f.iss, "aud": "miaclient", "token_use": "id", "exp": time.Now().Add(time.Hour).Unix()}
			return sign(t, other, c)
		}, 401},
		{"issuer of the other pool", func() string {
			return f.idToken(t, func(c jwt.MapClaims) {
				c["iss"] = strings.TrimSuffix(f.iss, "local_mia") + "local_app"
				c["aud"] = "appclient"
			})
		}, 401},
		{"wrong audience", func() string { return f.idToken(t, func(c jwt.MapClaims) { c["aud"] = "appclient" }) }, 401},
		{"expired", func() string {
			return f.idToken(t, func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() })
		}, 401},
		{"no exp", func() string { return f.idToken(t, func(c jwt.MapClaims) { delete(c, "exp") }) }, 401},
		{"access token", func() string {
			return f.idToken(t, func(c jwt.MapClaims) { c["token_use"] = "access"; delete(c, "aud"); c["client_id"] = "miaclient" })
		}, 401},
		{"HS256 with the public key as secret", func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": f.iss, "aud": "miaclient", "token_use": "id", "exp": time.Now().Add(time.Hour).Unix()})
			tok.Header["kid"] = "CognitoLocal"
			s, err := tok.SignedString(f.key.PublicKey.N.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, 401},
		{"unknown kid", func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"iss": f.iss, "aud": "miaclient", "token_use": "id", "exp": time.Now().Add(time.Hour).Unix()})
			tok.Header["kid"] = "other"
			s, err := tok.SignedString(f.key)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do(t, "GET", "/items/42", tc.token(), nil, nil)
			if w.Code != tc.want {
				t.Fatalf("status: got %d, want %d (%s)", w.Code, tc.want, w.Body)
			}
			if tc.want == 401 && strings.TrimSpace(w.Body.String()) != `{"message":"Unauthorized"}` {
				t.Errorf("body: got %s", w.Body)
			}
		})
	}

	t.Run("apporteur token on the apporteur route", func(t *testing.T) {
		tok := f.idToken(t, func(c jwt.MapClaims) {
			c["iss"] = strings.TrimSuffix(f.iss, "local_mia") + "local_app"
			c["aud"] = "appclient"
		})
		if w := f.do(t, "GET", "/espace", tok, nil, nil); w.Code != 200 {
			t.Errorf("status: got %d, want 200", w.Code)
		}
		if w := f.do(t, "GET", "/espace", f.idToken(t, nil), nil, nil); w.Code != 401 {
			t.Errorf("MIA token on the apporteur route: got %d, want 401", w.Code)
		}
	})
	t.Run("claims as API Gateway passes them", func(t *testing.T) {
		w := f.do(t, "GET", "/items/42", f.idToken(t, nil), nil, nil)
		var got struct{ Claims map[string]string }
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]string{"custom:mia_id": "M1", "cognito:groups": "[assentis staff]", "email_verified": "true", "iss": f.iss, "aud": "miaclient", "token_use": "id"} {
			if got.Claims[k] != want {
				t.Errorf("claim %s: got %q, want %q", k, got.Claims[k], want)
			}
		}
		if exp := got.Claims["exp"]; len(exp) < 10 || strings.ContainsAny(exp, ".e") {
			t.Errorf("claim exp: got %q, want integer seconds", exp)
		}
	})
}

func TestMatch(t *testing.T) {
	f := newFixture(t, "")
	tests := []struct {
		method, path string
		wantKey      string
		wantParams   map[string]string
	}{
		{"GET", "/items/42", "GET /items/{itemId}", map[string]string{"itemId": "42"}},
		{"GET", "/items/new", "GET /items/new", nil},
		{"GET", "/items/a%20b", "GET /items/{itemId}", map[string]string{"itemId": "a b"}},
		{"POST", "/items", "POST /items", nil},
		{"DELETE", "/files/a/b/c.txt", "ANY /files/{path+}", map[string]string{"path": "a/b/c.txt"}},
		{"GET", "/items", "", nil},
		{"PATCH", "/items/42", "", nil},
		{"GET", "/items/42/", "", nil},
		{"GET", "/items/", "", nil},
		{"GET", "/files", "", nil},
		{"GET", "/nowhere", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			rt, params := f.gw.match(tc.method, tc.path)
			got := ""
			if rt != nil {
				got = rt.Key()
			}
			if got != tc.wantKey || !reflect.DeepEqual(params, tc.wantParams) {
				t.Errorf("got %q %v, want %q %v", got, params, tc.wantKey, tc.wantParams)
			}
		})
	}
}

func TestBuildRequest(t *testing.T) {
	r := httptest.NewRequest("POST", "http://localhost:3000/items?b=2&a=1&a=3", nil)
	r.RemoteAddr = "192.0.2.7:5555"
	r.Header.Set("User-Agent", "test/1")
	r.Header.Add("X-Multi", "one")
	r.Header.Add("X-Multi", "two")
	r.Header.Set("Content-Type", "application/json")
	r.Header.Add("Cookie", "a=1; b=2")
	now := time.Date(2026, 11, 26, 9, 5, 7, 0, time.UTC)
	claims := jwt.MapClaims{"sub": "u1", "cognito:groups": []any{"assentis"}, "exp": json.Number("1800000000"), "scope": "aws.cognito.signin.user.admin"}
	ev := BuildRequest(r, samtemplate.Route{Method: "POST", Path: "/items"}, nil, []byte(`{"x":1}`), claims, "req-1", now)

	want := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       "POST /items",
		RawPath:        "/items",
		RawQueryString: "b=2&a=1&a=3",
		Cookies:        []string{"a=1", "b=2"},
		Headers: map[string]string{
			"user-agent": "test/1", "x-multi": "one,two", "content-type": "application/json",
			"host": "localhost:3000", "content-length": "7", "x-forwarded-for": "192.0.2.7",
			"x-forwarded-proto": "http", "x-forwarded-port": "3000",
		},
		QueryStringParameters: map[string]string{"a": "1,3", "b": "2"},
		Body:                  `{"x":1}`,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: "POST /items", AccountID: AccountID, Stage: "$default", RequestID: "req-1",
			APIID: "local", DomainName: "localhost", DomainPrefix: "localhost",
			Time: "26/Nov/2026:09:05:07 +0000", TimeEpoch: now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: "POST", Path: "/items", Protocol: "HTTP/1.1", SourceIP: "192.0.2.7", UserAgent: "test/1",
			},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
					Claims: map[string]string{"sub": "u1", "cognito:groups": "[assentis]", "exp": "1800000000", "scope": "aws.cognito.signin.user.admin"},
					Scopes: []string{"aws.cognito.signin.user.admin"},
				},
			},
		},
	}
	if !reflect.DeepEqual(ev, want) {
		gb, _ := json.MarshalIndent(ev, "", " ")
		wb, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("got %s\nwant %s", gb, wb)
	}

	t.Run("binary body", func(t *testing.T) {
		r := httptest.NewRequest("POST", "/items", nil)
		r.Header.Set("Content-Type", "application/octet-stream")
		ev := BuildRequest(r, samtemplate.Route{Method: "POST", Path: "/items"}, nil, []byte{0, 1, 2}, nil, "r", now)
		if !ev.IsBase64Encoded || ev.Body != "AAEC" || ev.RequestContext.Authorizer != nil {
			t.Errorf("got body %q base64 %v authorizer %v", ev.Body, ev.IsBase64Encoded, ev.RequestContext.Authorizer)
		}
	})
}

func TestServe(t *testing.T) {
	web := t.TempDir()
	if err := os.WriteFile(filepath.Join(web, "index.html"), []byte("<html>spa</html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(web, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(web, "assets", "app.js"), []byte("console.log(1)"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, web)

	t.Run("function round trip", func(t *testing.T) {
		w := f.do(t, "POST", "/items?q=1", f.idToken(t, nil), strings.NewReader(`{"nom":"Dupont"}`),
			map[string]string{"Content-Type": "application/json", "X-Custom": "v", "Cookie": "s=1", "Origin": "http://localhost:3000"})
		if w.Code != 200 {
			t.Fatalf("status: got %d (%s)", w.Code, w.Body)
		}
		var got map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]any{"ok": true, "method": "POST", "path": "/items", "query": "q=1", "body": `{"nom":"Dupont"}`, "routeKey": "POST /items", "stage": "$default", "cookie": "s=1", "custom": "v"} {
			if got[k] != want {
				t.Errorf("%s: got %v, want %v", k, got[k], want)
			}
		}
		if w.Header().Get("ETag") != `"3"` || w.Header().Get("Apigw-Requestid") == "" {
			t.Errorf("headers: got %v", w.Header())
		}
		if got := w.Header().Get("Access-Control-Allow-Origin"); got != "http://localhost:3000" {
			t.Errorf("allow origin: got %q, want the configured origin (the gateway's CORS wins)", got)
		}
		if got := w.Header().Get("Access-Control-Expose-Headers"); got != "etag" {
			t.Errorf("expose headers: got %q", got)
		}
	})
	t.Run("cookies", func(t *testing.T) {
		w := f.do(t, "GET", "/public", "", nil, nil)
		if got := w.Result().Header.Values("Set-Cookie"); !reflect.DeepEqual(got, []string{"a=1", "b=2"}) {
			t.Errorf("set-cookie: got %v", got)
		}
	})
	t.Run("binary response", func(t *testing.T) {
		w := f.do(t, "GET", "/items/binary", f.idToken(t, nil), nil, nil)
		if w.Code != 201 || w.Body.String() != "\xff\x00\xfe" || w.Header().Get("Content-Type") != "application/octet-stream" {
			t.Errorf("got %d %q %v", w.Code, w.Body, w.Header())
		}
	})
	t.Run("panic is a 500", func(t *testing.T) {
		w := f.do(t, "GET", "/items/panic", f.idToken(t, nil), nil, nil)
		if w.Code != 500 || strings.TrimSpace(w.Body.String()) != `{"message":"Internal Server Error"}` {
			t.Errorf("got %d %s", w.Code, w.Body)
		}
	})
	t.Run("unknown route", func(t *testing.T) {
		w := f.do(t, "DELETE", "/items/1", "", nil, nil)
		if w.Code != 404 || strings.TrimSpace(w.Body.String()) != `{"message":"Not Found"}` {
			t.Errorf("got %d %s", w.Code, w.Body)
		}
	})
	t.Run("body over 10 MB", func(t *testing.T) {
		w := f.do(t, "POST", "/items", f.idToken(t, nil), strings.NewReader(strings.Repeat("a", MaxBodyBytes+1)), nil)
		if w.Code != 413 {
			t.Errorf("got %d", w.Code)
		}
	})
	t.Run("preflight allowed", func(t *testing.T) {
		w := f.do(t, "OPTIONS", "/items/1", "", nil, map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"})
		h := w.Header()
		if w.Code != 204 || h.Get("Access-Control-Allow-Origin") != "http://localhost:3000" ||
			h.Get("Access-Control-Allow-Headers") != "authorization,content-type" || h.Get("Access-Control-Max-Age") != "600" ||
			h.Get("Access-Control-Allow-Methods") != "GET,POST,OPTIONS" {
			t.Errorf("got %d %v", w.Code, h)
		}
	})
	t.Run("preflight from another origin", func(t *testing.T) {
		w := f.do(t, "OPTIONS", "/items", "", nil, map[string]string{"Origin": "https://example.test", "Access-Control-Request-Method": "POST"})
		if w.Code != 204 || w.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("got %d %v (the configured origins replace the template's)", w.Code, w.Header())
		}
	})
	t.Run("openapi", func(t *testing.T) {
		w := f.do(t, "GET", "/openapi.json", "", nil, nil)
		if w.Code != 200 || w.Body.String() != `{"openapi":"3.1.0"}` || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			t.Errorf("got %d %q %v", w.Code, w.Body, w.Header())
		}
	})
	t.Run("page navigation on an API path gets the SPA", func(t *testing.T) {
		w := f.do(t, "GET", "/items/42", "", nil, map[string]string{"Accept": "text/html,application/xhtml+xml"})
		if w.Code != 200 || w.Body.String() != "<html>spa</html>" {
			t.Errorf("got %d %q", w.Code, w.Body)
		}
	})
	t.Run("API call with a token is not a navigation", func(t *testing.T) {
		w := f.do(t, "GET", "/items/42", f.idToken(t, nil), nil, map[string]string{"Accept": "text/html"})
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"routeKey"`) {
			t.Errorf("got %d %q", w.Code, w.Body)
		}
	})
	t.Run("static file", func(t *testing.T) {
		w := f.do(t, "GET", "/assets/app.js", "", nil, nil)
		if w.Code != 200 || w.Body.String() != "console.log(1)" {
			t.Errorf("got %d %q", w.Code, w.Body)
		}
	})
	t.Run("root", func(t *testing.T) {
		w := f.do(t, "GET", "/", "", nil, nil)
		if w.Code != 200 || w.Body.String() != "<html>spa</html>" {
			t.Errorf("got %d %q", w.Code, w.Body)
		}
	})
	t.Run("missing file without html is a 404", func(t *testing.T) {
		w := f.do(t, "GET", "/assets/nope.js", "", nil, nil)
		if w.Code != 404 {
			t.Errorf("got %d %q", w.Code, w.Body)
		}
	})
	t.Run("no web dir", func(t *testing.T) {
		f := newFixture(t, filepath.Join(web, "absent"))
		w := f.do(t, "GET", "/somewhere", "", nil, map[string]string{"Accept": "text/html"})
		if w.Code != 404 {
			t.Errorf("got %d %q", w.Code, w.Body)
		}
	})
}

func TestNewRejectsUnresolvedPools(t *testing.T) {
	tpl, err := samtemplate.ParseTemplate("../samtemplate/testdata/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Template: tpl, Refs: map[string]string{"MiaUserPool": "p"}, Log: discard()}); err == nil {
		t.Errorf("got nil error, want one for the pools and clients without ids")
	}
}

// TestTemplateFilters: every stream filter pattern of template.yaml is one
// the local stream poller understands.
func TestTemplateFilters(t *testing.T) {
	tpl, err := samtemplate.ParseTemplate("../../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range tpl.Streams() {
		for _, p := range s.Filters {
			if _, err := parseFilter(p); err != nil {
				t.Errorf("stream event of %s: %v", s.Function, err)
			}
		}
	}
}
