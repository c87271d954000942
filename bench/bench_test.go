package main

import (
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestWaves(t *testing.T) {
	t0 := time.Unix(0, 0)
	at := func(op string, from, to int) ddbCall {
		return ddbCall{Op: op, Start: t0.Add(time.Duration(from) * time.Millisecond), End: t0.Add(time.Duration(to) * time.Millisecond)}
	}
	tests := []struct {
		name  string
		calls []ddbCall
		want  string
		trips int
	}{
		{"none", nil, "—", 0},
		{"one", []ddbCall{at("Query", 0, 2)}, "Query", 1},
		{"sequential", []ddbCall{at("GetItem", 0, 2), at("TransactWriteItems", 3, 6)}, "GetItem → TransactWriteItems", 2},
		{"concurrent", []ddbCall{at("Query", 0, 3), at("GetItem", 1, 2)}, "GetItem ∥ Query", 1},
		{"same op twice concurrently", []ddbCall{at("GetItem", 0, 3), at("GetItem", 1, 4)}, "GetItem×2", 1},
		{"out of order", []ddbCall{at("TransactWriteItems", 5, 9), at("GetItem", 0, 1), at("GetItem", 2, 4)}, "GetItem → GetItem → TransactWriteItems", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := opsSummary(tt.calls); got != tt.want {
				t.Errorf("opsSummary = %q, want %q", got, tt.want)
			}
			if got := len(waves(tt.calls)); got != tt.trips {
				t.Errorf("round trips = %d, want %d", got, tt.trips)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	tests := []struct {
		p    float64
		want float64
	}{{50, 5}, {99, 10}, {100, 10}, {0, 1}, {10, 1}, {90, 9}}
	for _, tt := range tests {
		if got := percentile(xs, tt.p); got != tt.want {
			t.Errorf("percentile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile(nil) = %v, want 0", got)
	}
}

func TestReadRoutes(t *testing.T) {
	routes, functions, err := readRoutes(filepath.Join("..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) == 0 {
		t.Fatal("no routes in template.yaml")
	}
	seen := map[string]bool{}
	for _, r := range routes {
		if r.Method == "" || !strings.HasPrefix(r.Path, "/") || r.Function == "" {
			t.Errorf("incomplete route %+v", r)
		}
		if seen[r.Key()] {
			t.Errorf("route %s listed twice", r.Key())
		}
		seen[r.Key()] = true
		if !functions[r.Function] {
			t.Errorf("function %s of %s not marked as an HTTP function", r.Function, r.Key())
		}
	}
	if !seen["GET /config"] {
		t.Errorf("GET /config missing from %v", seen)
	}
}

func TestRequestEvent(t *testing.T) {
	r := Route{Method: "GET", Path: "/contacts/{contactId}", Function: "get-contact", Authorizer: "MiaAuthorizer"}
	ev := requestEvent(r, call{method: "GET", path: "/contacts/01ABC?x=1&y=2"}, map[string]string{"custom:mia_id": "m"})
	if ev.RawPath != "/contacts/01ABC" || ev.RawQueryString != "x=1&y=2" {
		t.Errorf("path %q query %q", ev.RawPath, ev.RawQueryString)
	}
	if got := ev.PathParameters["contactId"]; got != "01ABC" {
		t.Errorf("contactId = %q, want 01ABC", got)
	}
	if got := ev.QueryStringParameters["y"]; got != "2" {
		t.Errorf("y = %q, want 2", got)
	}
	if ev.RouteKey != "GET /contacts/{contactId}" || ev.RequestContext.HTTP.Method != "GET" {
		t.Errorf("route key %q method %q", ev.RouteKey, ev.RequestContext.HTTP.Method)
	}
	if got := ev.RequestContext.Authorizer.JWT.Claims["custom:mia_id"]; got != "m" {
		t.Errorf("claim custom:mia_id = %q, want m", got)
	}
}

func TestAPIEventFillsParameters(t *testing.T) {
	b, err := apiEvent(Route{Method: "PATCH", Path: "/apporteurs/{apporteurId}/x/{y}"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	if want := "/apporteurs/" + placeholderID + "/x/" + placeholderID; ev.RawPath != want {
		t.Errorf("raw path %q, want %q", ev.RawPath, want)
	}
	if ev.PathParameters["apporteurId"] != placeholderID || ev.PathParameters["y"] != placeholderID {
		t.Errorf("path parameters %v", ev.PathParameters)
	}
	if ev.Body != "{}" || ev.Headers["if-match"] == "" || ev.RequestContext.Authorizer != nil {
		t.Errorf("body %q, if-match %q, authorizer %v", ev.Body, ev.Headers["if-match"], ev.RequestContext.Authorizer)
	}
}

func TestTokenClaims(t *testing.T) {
	payload, _ := json.Marshal(map[string]any{"sub": "s", "exp": 1767225600, "cognito:groups": []string{"assentis", "x"}})
	tok := "e30." + base64.RawURLEncoding.EncodeToString(payload) + ".sig"
	got, err := tokenClaims(tok)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"sub": "s", "exp": "1767225600", "cognito:groups": "[assentis x]"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("claim %s = %q, want %q", k, got[k], v)
		}
	}
	if _, err := tokenClaims("not-a-jwt"); err == nil {
		t.Error("tokenClaims(not-a-jwt): want an error")
	}
}

func TestSiren(t *testing.T) {
	for _, n := range []int64{0, 1, 12345678, 98765432, 1234567890123} {
		s := siren(n)
		if _, ok := crm.NormalizeSIREN(s); !ok {
			t.Errorf("siren(%d) = %q: not a valid SIREN", n, s)
		}
	}
}

// The generated tenants hold their contacts', entreprises' and affaires'
// search index as the stream handler writes it: one item per word, keyed
// under the MIA by dynamo's builders, and nothing written twice.
func TestOtherGenIndexesWhatItLoads(t *testing.T) {
	seq := 0
	g := &otherGen{seq: &seq, rng: rand.New(rand.NewPCG(1, 2))}
	perMIA := map[string]int{}
	seen := map[string]bool{}
	var words, indexed int
	for range 3 * otherMIAItems {
		it := g.next()
		pk, sk := it["PK"].(*types.AttributeValueMemberS).Value, it["SK"].(*types.AttributeValueMemberS).Value
		if seen[pk+" "+sk] {
			t.Fatalf("item %s %s written twice", pk, sk)
		}
		seen[pk+" "+sk] = true
		perMIA[pk]++
		switch typ := it["type"].(*types.AttributeValueMemberS).Value; {
		case strings.HasPrefix(sk, dynamo.SearchPrefixSK("")):
			words++
			if typ != "mot" {
				t.Errorf("index item %s has type %q", sk, typ)
			}
		case typ == benchType+"contact" || typ == benchType+"entreprise" || typ == benchType+"affaire":
			indexed++
		}
	}
	if len(perMIA) != 3 || seq != 3 {
		t.Fatalf("MIAs %v (seq %d), want 3 of %d items", perMIA, seq, otherMIAItems)
	}
	if words < 3*indexed {
		t.Errorf("%d index items for %d indexed entities: want several words each", words, indexed)
	}
}

func TestCSVRows(t *testing.T) {
	for _, tc := range []struct {
		name       string
		body       string
		first      bool
		rows, cols int
	}{
		{"first chunk: BOM and header", "\uFEFFNom;Prénom\r\nDurand;Élodie\r\nMartin;Paul\r\n", true, 2, 2},
		{"next chunk: rows only", "Durand;Élodie\r\n", false, 1, 2},
		{"quoted cell with a newline and a separator", "\"a;b\nc\";d;e\r\n", false, 1, 3},
		{"empty", "", false, 0, 0},
	} {
		rows, cols, err := csvRows([]byte(tc.body), tc.first)
		if err != nil || rows != tc.rows || cols != tc.cols {
			t.Errorf("%s: %d rows, %d cols, %v; want %d, %d", tc.name, rows, cols, err, tc.rows, tc.cols)
		}
	}
}
