package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// The contract check (issue 9, item 5): every answer of the suite is
// validated against the OpenAPI document the gateway serves, by kin-openapi
// (its JSON Schema 2020-12 validator for a 3.1 document), so that the
// document cannot drift from what the API really sends.

// contract validates answers against one OpenAPI document.
type contract struct {
	router routers.Router
	// gateway is the schema of the answers API Gateway writes itself,
	// such as the 404 of a route the API does not have.
	gateway *openapi3.Schema
}

// api is the contract of the served document, loaded by TestMain.
var api *contract

// loadContract fetches the document at url, validates it and routes on it.
func loadContract(ctx context.Context, url string) (*contract, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return newContract(b)
}

// newContract loads and validates an OpenAPI document.
func newContract(document []byte) (*contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(document)
	if err != nil {
		return nil, fmt.Errorf("load the document: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("validate the document: %w", err)
	}
	// The document names the port of `make dev`; the suite's stack runs on
	// a free port: route on paths alone.
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route on the document: %w", err)
	}
	gw := doc.Components.Schemas["GatewayMessage"]
	if gw == nil {
		return nil, errors.New("the document has no GatewayMessage schema")
	}
	return &contract{router: router, gateway: gw.Value}, nil
}

// errPreflight marks an answer outside the document: a CORS preflight is
// answered by API Gateway from the template's CorsConfiguration, not by an
// operation.
var errPreflight = errors.New("CORS preflight")

// check validates one answer to req (whose body was reqBody): the operation
// exists, the status is documented for it, and the content type, headers
// and body match that status's response. A request the API accepted (status
// below 400) must also match the operation's parameters and request body:
// the document must not refuse what the API takes. The headers a client
// acts on must be documented where they are sent. The operation's id is
// returned when the route is in the document.
func (c *contract) check(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) (string, error) {
	if req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "" {
		return "", errPreflight
	}
	// Validate a copy: the router and the validators read the request.
	r := req.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := c.router.FindRoute(r)
	if err != nil {
		// API Gateway answers a route that is not in the API itself; the
		// document describes that answer in its GatewayMessage schema.
		if status == http.StatusNotFound && c.isGatewayMessage(header, body) {
			return "", nil
		}
		return "", fmt.Errorf("no operation in the document: %w", err)
	}
	op := route.Operation.OperationID
	responses := route.Operation.Responses
	if responses.Status(status) == nil && responses.Default() == nil {
		return op, fmt.Errorf("status %d is not documented for %s", status, op)
	}
	ctx := context.Background()
	inOpts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}
	inOpts.WithCustomSchemaErrorFunc(schemaReason)
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: inOpts}
	if status < 400 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			return op, fmt.Errorf("accepted request does not match the document: %w", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	opts.WithCustomSchemaErrorFunc(schemaReason)
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: opts}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return op, err
	}
	documented := responses.Status(status)
	if documented == nil {
		documented = responses.Default()
	}
	// ValidateResponse accepts any body for a response documented without
	// content (a 204): such an answer must have none.
	if len(documented.Value.Content) == 0 && len(body) > 0 {
		return op, fmt.Errorf("status %d is documented without a body, got %d bytes", status, len(body))
	}
	// ValidateResponse checks the headers the document lists, not the ones
	// it forgot: those a client acts on must be listed where they are sent.
	for _, h := range contractHeaders {
		if header.Get(h) == "" {
			continue
		}
		if !hasHeader(documented.Value.Headers, h) {
			return op, fmt.Errorf("header %s is sent but not documented for status %d", h, status)
		}
	}
	return op, nil
}

// hasHeader tells whether headers lists name (names are case-insensitive).
func hasHeader(headers openapi3.Headers, name string) bool {
	for k := range headers {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// contractHeaders are the response headers a client acts on: the version
// for If-Match, the new entity's URL, the replay of an idempotent POST.
var contractHeaders = []string{"ETag", "Location", "Idempotent-Replayed"}

// schemaReason words a schema mismatch by its innermost reasons (each
// names the path of the failing value), without the schema and the value
// kin-openapi would print with each: the body checkAnswer prints is enough.
func schemaReason(err *openapi3.SchemaError) string {
	if err.Origin != nil {
		return err.Origin.Error() // the causes, worded by this function too
	}
	return err.Reason
}

// isGatewayMessage tells whether an answer is API Gateway's own.
func (c *contract) isGatewayMessage(header http.Header, body []byte) bool {
	if ct := header.Get("Content-Type"); ct != "application/json" {
		return false
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return false
	}
	return c.gateway.VisitJSON(v, openapi3.EnableJSONSchema2020()) == nil
}

// checkAnswer validates an answer of the suite against the served document,
// failing the test on a mismatch and counting it in the figures.
func checkAnswer(t *testing.T, req *http.Request, reqBody []byte, r response) {
	t.Helper()
	if api == nil || r.Status == 0 {
		return // no stack, or a transport error already reported by send
	}
	op, err := api.check(req, reqBody, r.Status, r.Header, r.Body)
	if errors.Is(err, errPreflight) {
		return
	}
	countAnswer(op, r.Status, err == nil)
	if err != nil {
		t.Errorf("%s %s → %d: the answer does not match openapi.json: %v\nbody: %s",
			req.Method, req.URL.Path, r.Status, err, truncate(r.Body))
	}
}

// TestContractCheckFails feeds the contract check answers that break the
// served document, so that a check that accepts everything cannot pass.
func TestContractCheckFails(t *testing.T) {
	const id = "01JCONTRACT0000000000000000"
	contact := `{"id":"` + id + `","nom":"Durand","prenom":"Ana","statut":"prospect","version":1,` +
		`"createdAt":"2026-01-02T03:04:05Z","updatedAt":"2026-01-02T03:04:05Z","affaires":[]}`
	jsonCT := http.Header{"Content-Type": {"application/json"}}
	entity := http.Header{"Content-Type": {"application/json"}, "Etag": {`"1"`}}
	problemCT := http.Header{"Content-Type": {"application/problem+json"}}
	tests := []struct {
		name         string
		method, path string
		reqBody      string
		status       int
		header       http.Header
		body         string
		want         string // in the error
	}{
		{"unknown field in the body", "GET", "/contacts/" + id, "", 200, entity,
			strings.TrimSuffix(contact, "}") + `,"pirate":1}`, `"/pirate"`},
		{"field of the wrong type", "GET", "/contacts/" + id, "", 200, entity,
			strings.Replace(contact, `"version":1`, `"version":"1"`, 1), "got string, want integer"},
		{"required field missing", "GET", "/contacts/" + id, "", 200, entity,
			strings.Replace(contact, `"nom":"Durand",`, "", 1), "missing property 'nom'"},
		{"problem where JSON is documented", "GET", "/contacts/" + id, "", 200,
			http.Header{"Content-Type": {"application/problem+json"}, "Etag": {`"1"`}}, contact, "Content-Type"},
		{"required header missing", "GET", "/contacts/" + id, "", 200, jsonCT, contact, `"ETag"`},
		{"undocumented status", "GET", "/contacts/" + id, "", 418, problemCT,
			`{"type":"about:blank","title":"x","status":418}`, "status 418 is not documented"},
		{"undocumented route", "GET", "/nulle-part", "", 200, jsonCT, `{}`, "no operation"},
		{"404 of an undocumented route, not the gateway's", "GET", "/nulle-part", "", 404, problemCT,
			`{"type":"about:blank","title":"Introuvable","status":404}`, "no operation"},
		{"undocumented method", "PUT", "/contacts/" + id, "", 200, jsonCT, contact, "no operation"},
		{"accepted request with a field the document refuses", "POST", "/contacts", `{"nom":"Durand","pirate":1}`, 201, jsonCT,
			strings.Replace(contact, `,"affaires":[]`, "", 1), "accepted request does not match"},
		{"header the document does not list", "GET", "/contacts/" + id, "", 200,
			http.Header{"Content-Type": {"application/json"}, "Etag": {`"1"`}, "Location": {"/contacts/" + id}}, contact, "header Location is sent but not documented"},
		{"authorizer's 401 as a problem", "GET", "/contacts", "", 401, problemCT, `{"message":"Unauthorized"}`, "missing properties 'type', 'title', 'status'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, stack.APIURL+tt.path, strings.NewReader(tt.reqBody))
			if err != nil {
				t.Fatal(err)
			}
			if tt.reqBody != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			_, err = api.check(req, []byte(tt.reqBody), tt.status, tt.header, []byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("check: got %v, want an error with %q", err, tt.want)
			} else {
				t.Logf("check: %v", err)
			}
		})
	}
	// The same answer, well formed, passes: the failures above are the
	// mismatches, not the way the check is called.
	req, err := http.NewRequest("GET", stack.APIURL+"/contacts/"+id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.check(req, nil, 200, entity, []byte(contact)); err != nil {
		t.Errorf("check of a valid contact: got %v, want nil", err)
	}
}

// TestContractCheckEmptyBody checks the one rule the check adds to
// ValidateResponse, on a document of its own (the API has no answer without
// a body today): a status documented without content must have no body.
func TestContractCheckEmptyBody(t *testing.T) {
	c, err := newContract([]byte(`{"openapi":"3.1.0","info":{"title":"t","version":"1"},
		"paths":{"/x":{"delete":{"responses":{"204":{"description":"Supprimé"}}}}},
		"components":{"schemas":{"GatewayMessage":{"type":"object"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("DELETE", "http://localhost/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"", "{}"} {
		_, err := c.check(req, nil, 204, http.Header{}, []byte(body))
		if got, want := err != nil, body != ""; got != want {
			t.Errorf("204 with body %q: got error %v, want an error: %v", body, err, want)
		}
	}
}
