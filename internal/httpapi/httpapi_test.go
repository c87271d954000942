package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

const (
	miaIss       = "http://127.0.0.1:9229/local_mia"
	apporteurIss = "http://127.0.0.1:9229/local_apporteur"
)

var testDeps = Deps{Config: Config{MIAIssuer: miaIss, ApporteurIssuer: apporteurIss},
	Log: slog.New(slog.NewTextHandler(io.Discard, nil))}

func miaClaims() map[string]string {
	return map[string]string{"iss": miaIss, "sub": "sub-1", "custom:mia_id": "01HMIA0000000000000000000A", "token_use": "id"}
}

// call invokes h as the Lambda does: through httpadapter, claims in the request context.
func call(t *testing.T, h http.Handler, method, path, body string, headers, claims map[string]string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	req := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RawPath: path, Headers: headers, Body: body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			Stage: "$default", HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
		},
	}
	if claims != nil {
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims}}
	}
	resp, err := httpadapter.NewV2(h).ProxyWithContext(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// fakeContacts is a hand-written store for the plumbing tests. Like the
// store, it records the answer of a create made with an Idempotency-Key and
// returns it as a replay to the next create with that key.
type fakeContacts struct {
	err     error
	got     crm.Contact
	idem    *crm.Idempotency
	created int
	answers map[string][]byte
}

func (f *fakeContacts) CreateContact(_ context.Context, m crm.MIAID, c crm.Contact, idem *crm.Idempotency) (crm.Contact, *crm.Replay, error) {
	f.got, f.idem = c, idem
	if f.err != nil {
		return crm.Contact{}, nil, f.err
	}
	if idem != nil && f.answers[idem.Key] != nil {
		return crm.Contact{}, &crm.Replay{Answer: f.answers[idem.Key]}, nil
	}
	c.ID, c.Version = "01HCONTACT00000000000000AA", 1
	f.created++
	if idem != nil {
		a, err := idem.Answer(c)
		if err != nil {
			return crm.Contact{}, nil, err
		}
		if f.answers == nil {
			f.answers = map[string][]byte{}
		}
		f.answers[idem.Key] = a
	}
	return c, nil, nil
}

func (f *fakeContacts) UpdateContact(_ context.Context, m crm.MIAID, id crm.ContactID, p crm.ContactPatch, ifMatch *int) (crm.Contact, error) {
	if ifMatch != nil && *ifMatch != 3 {
		return crm.Contact{}, crm.Errorf(crm.EPRECONDITION, "périmé")
	}
	return crm.Contact{ID: id, Nom: "X", Version: 4}, f.err
}

type problemBody struct {
	Title, Detail, ExistantID string
	Status                    int
	Errors                    []crm.FieldError
}

func decodeProblem(t *testing.T, resp events.APIGatewayV2HTTPResponse) problemBody {
	t.Helper()
	if ct := resp.Headers["Content-Type"]; !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, body %s", ct, resp.Body)
	}
	var p problemBody
	if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != resp.StatusCode || p.Title == "" || p.Detail == "" {
		t.Errorf("problem %+v for status %d", p, resp.StatusCode)
	}
	return p
}

var jsonCT = map[string]string{"content-type": "application/json"}

func TestCreateContactPlumbing(t *testing.T) {
	big := `{"nom":"` + strings.Repeat("x", maxBody) + `"}`
	tests := []struct {
		name    string
		body    string
		headers map[string]string
		claims  map[string]string
		err     error
		status  int
		champ   string
	}{
		{"created", `{"nom":"Dupont","email":"a@b.fr"}`, jsonCT, miaClaims(), nil, 201, ""},
		{"no token", `{}`, jsonCT, nil, nil, 401, ""},
		{"apporteur pool token", `{}`, jsonCT, map[string]string{"iss": apporteurIss, "sub": "s", "custom:mia_id": "M"}, nil, 401, ""},
		{"access token", `{}`, jsonCT, map[string]string{"iss": miaIss, "sub": "s", "custom:mia_id": "M", "token_use": "access"}, nil, 401, ""},
		{"tenant with #", `{}`, jsonCT, map[string]string{"iss": miaIss, "sub": "s", "custom:mia_id": "M#X"}, nil, 401, ""},
		{"forged context header", `{}`, map[string]string{"content-type": "application/json",
			"x-golambdaproxy-apigw-context": `{"authorizer":{"jwt":{"claims":{"iss":"` + miaIss + `","sub":"s","custom:mia_id":"M"}}}}`}, nil, nil, 401, ""},
		{"no MIA", `{}`, jsonCT, map[string]string{"iss": miaIss, "sub": "s"}, nil, 403, ""},
		{"text body", `{}`, map[string]string{"content-type": "text/plain"}, miaClaims(), nil, 415, ""},
		{"too large", big, jsonCT, miaClaims(), nil, 413, ""},
		{"malformed", `{"nom":`, jsonCT, miaClaims(), nil, 400, ""},
		{"two values", `{}{}`, jsonCT, miaClaims(), nil, 400, ""},
		{"unknown field", `{"nom":"a","id":"x"}`, jsonCT, miaClaims(), nil, 400, "id"},
		{"wrong type", `{"nom":12}`, jsonCT, miaClaims(), nil, 400, "nom"},
		{"bad idempotency key", `{}`, map[string]string{"content-type": "application/json", "idempotency-key": strings.Repeat("k", 200)}, miaClaims(), nil, 400, "Idempotency-Key"},
		{"validation", `{}`, jsonCT, miaClaims(), crm.Invalid(crm.FieldError{Champ: "nom", Message: "Ce champ est obligatoire."}), 400, "nom"},
		{"duplicate", `{"nom":"a"}`, jsonCT, miaClaims(), &crm.Error{Code: crm.ECONFLICT, Message: "Un contact avec cet email existe déjà.", Ref: "01HEXIST"}, 409, ""},
		{"internal", `{"nom":"a"}`, jsonCT, miaClaims(), errors.New("dynamodb: secret table detail"), 500, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeContacts{err: tt.err}
			resp := call(t, route(testDeps, "POST /contacts", MIA, handleCreateContact(f)), "POST", "/contacts", tt.body, tt.headers, tt.claims)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, resp.Body)
			}
			for _, h := range []string{"X-Content-Type-Options", "Cache-Control", "Content-Security-Policy", "Strict-Transport-Security", "Referrer-Policy"} {
				if resp.Headers[h] == "" {
					t.Errorf("missing %s", h)
				}
			}
			if tt.status == 201 {
				if resp.Headers["Location"] != "/contacts/01HCONTACT00000000000000AA" || resp.Headers["Etag"]+resp.Headers["ETag"] != `"1"` {
					t.Errorf("headers %v", resp.Headers)
				}
				// What reached the store is the decoded body, nothing more.
				if f.got.Nom != "Dupont" || f.got.Email != "a@b.fr" || f.got.ID != "" {
					t.Errorf("stored %+v", f.got)
				}
				return
			}
			p := decodeProblem(t, resp)
			if tt.champ != "" && (len(p.Errors) == 0 || p.Errors[0].Champ != tt.champ) {
				t.Errorf("errors %v, want champ %s", p.Errors, tt.champ)
			}
			if tt.status == 409 && p.ExistantID != "01HEXIST" {
				t.Errorf("existantId %q", p.ExistantID)
			}
			if tt.status == 500 && strings.Contains(resp.Body, "secret") {
				t.Errorf("internal detail leaked: %s", resp.Body)
			}
			if tt.status == 401 && resp.Headers["Www-Authenticate"]+resp.Headers["WWW-Authenticate"] == "" {
				t.Errorf("401 without WWW-Authenticate: %v", resp.Headers)
			}
		})
	}
}

func TestIdempotencyKeyHash(t *testing.T) {
	f := &fakeContacts{}
	h := route(testDeps, "POST /contacts", MIA, handleCreateContact(f))
	hdr := map[string]string{"content-type": "application/json", "idempotency-key": "abc"}
	call(t, h, "POST", "/contacts", `{"nom":"A"}`, hdr, miaClaims())
	first := f.idem
	call(t, h, "POST", "/contacts", `{"nom":"B"}`, hdr, miaClaims())
	if first == nil || f.idem == nil || first.Key != "abc" || first.Sub != "sub-1" || first.Hash == f.idem.Hash {
		t.Errorf("idempotency %+v then %+v", first, f.idem)
	}
}

// TestCreateReplay: a store returns a replay as a value (not an error); the
// handler sends the recorded answer again, byte for byte, marked replayed.
func TestCreateReplay(t *testing.T) {
	f := &fakeContacts{}
	h := route(testDeps, "POST /contacts", MIA, handleCreateContact(f))
	hdr := map[string]string{"content-type": "application/json", "idempotency-key": "abc"}
	first := call(t, h, "POST", "/contacts", `{"nom":"A"}`, hdr, miaClaims())
	again := call(t, h, "POST", "/contacts", `{"nom":"A"}`, hdr, miaClaims())
	for _, c := range []struct{ what, got, want string }{
		{"status", fmt.Sprint(again.StatusCode), "201"},
		{"body", again.Body, first.Body},
		{"ETag", again.Headers["Etag"], first.Headers["Etag"]},
		{"Location", again.Headers["Location"], "/contacts/01HCONTACT00000000000000AA"},
		{"Idempotent-Replayed", again.Headers["Idempotent-Replayed"], "true"},
		{"first Idempotent-Replayed", first.Headers["Idempotent-Replayed"], ""},
		{"contacts created", fmt.Sprint(f.created), "1"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.what, c.got, c.want)
		}
	}
}

func TestIfMatch(t *testing.T) {
	h := route(testDeps, "PATCH /contacts/{contactId}", MIA, handleUpdateContact(&fakeContacts{}))
	for _, tt := range []struct {
		ifMatch string
		status  int
	}{{"", 200}, {`"3"`, 200}, {`W/"3"`, 200}, {"*", 200}, {`"2"`, 412}, {"abc", 412}} {
		hdr := map[string]string{"content-type": "application/json", "if-match": tt.ifMatch}
		resp := call(t, h, "PATCH", "/contacts/01HCONTACT00000000000000AA", `{"nom":"X"}`, hdr, miaClaims())
		if resp.StatusCode != tt.status {
			t.Errorf("If-Match %q: %d, want %d (%s)", tt.ifMatch, resp.StatusCode, tt.status, resp.Body)
		}
		if tt.status == 200 && resp.Headers["Etag"]+resp.Headers["ETag"] != `"4"` {
			t.Errorf("ETag %v", resp.Headers)
		}
	}
}

type fakeProduits struct{ called bool }

func (f *fakeProduits) UpdateProduit(_ context.Context, id crm.ProduitID, p crm.ProduitPatch, ifMatch *int) (crm.Produit, error) {
	f.called = true
	return crm.Produit{ID: id, Version: 2}, nil
}

func TestStaffOnly(t *testing.T) {
	for _, tt := range []struct {
		groups string
		status int
	}{{"", 403}, {"[autre]", 403}, {"[assentis]", 200}, {"[autre assentis]", 200}, {"assentis", 200}} {
		f := &fakeProduits{}
		c := miaClaims()
		if tt.groups != "" {
			c["cognito:groups"] = tt.groups
		}
		resp := call(t, route(testDeps, "PATCH /admin/produits/{produitId}", Staff, handleUpdateProduit(f)),
			"PATCH", "/admin/produits/auto", `{"actif":false}`, jsonCT, c)
		if resp.StatusCode != tt.status || f.called != (tt.status == 200) {
			t.Errorf("groups %q: %d (called %v), want %d", tt.groups, resp.StatusCode, f.called, tt.status)
		}
	}
}

func TestListOptionsParsing(t *testing.T) {
	for _, tt := range []struct {
		query string
		limit int
		bad   bool
	}{{"", 0, false}, {"limit=10", 10, false}, {"limit=abc", 0, true}, {"limit=0", -1, false}} {
		r, _ := http.NewRequest("GET", "/contacts?"+tt.query, nil)
		o, err := listOptions(r)
		if (err != nil) != tt.bad || (!tt.bad && o.Limit != tt.limit) {
			t.Errorf("%q: %+v %v", tt.query, o, err)
		}
	}
}

type fakeMIAAccounts struct {
	staff crm.MIAID
	idem  *crm.Idempotency
}

func (f *fakeMIAAccounts) CreateMIAAccount(_ context.Context, n crm.NewMIAAccount, staff crm.MIAID, idem *crm.Idempotency) (crm.MIA, *crm.Replay, error) {
	f.staff, f.idem = staff, idem
	return crm.MIA{ID: "01HMIA0000000000000000000B", Nom: n.Nom, Version: 1}, nil, nil
}

// TestStaffIdempotencyWithoutMIA: a staff account without custom:mia_id still
// has its Idempotency-Key honoured, in the shared staff partition.
func TestStaffIdempotencyWithoutMIA(t *testing.T) {
	f := &fakeMIAAccounts{}
	c := map[string]string{"iss": miaIss, "sub": "staff-1", "token_use": "id", "cognito:groups": "[assentis]"}
	hdr := map[string]string{"content-type": "application/json", "idempotency-key": "k"}
	resp := call(t, route(testDeps, "POST /admin/mias", Staff, handleCreateMIA(f)), "POST", "/admin/mias",
		`{"nom":"Durand","prenom":"Anne","email":"anne@exemple.fr"}`, hdr, c)
	if resp.StatusCode != 201 || f.staff != "assentis" || f.idem == nil || f.idem.Key != "k" {
		t.Errorf("%d %s: staff partition %q, idempotency %+v", resp.StatusCode, resp.Body, f.staff, f.idem)
	}
}
