package httpapi_test

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/httpapi"
)

type openAPIDoc struct {
	OpenAPI  string
	Security []map[string][]string
	Paths    map[string]map[string]json.RawMessage
}

type operation struct {
	OperationID string
	Security    *[]map[string][]string
}

// TestOpenAPIMatchesTemplate fails when template.yaml's routes and the
// document's paths and methods disagree, or an operation's security does not
// match the route's authorizer.
func TestOpenAPIMatchesTemplate(t *testing.T) {
	var doc openAPIDoc
	if err := json.Unmarshal(httpapi.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi %q, want 3.1.x", doc.OpenAPI)
	}
	inDoc := map[string]operation{}
	for path, item := range doc.Paths {
		for method, raw := range item {
			if method == "parameters" {
				continue
			}
			var op operation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			inDoc[strings.ToUpper(method)+" "+path] = op
		}
	}
	want := map[string]string{
		"MiaAuthorizer": "miaBearer", "ApporteurAuthorizer": "apporteurBearer", "": "",
	}
	var inTemplate []string
	for _, f := range readTemplate(t) {
		for i, r := range f.routes {
			inTemplate = append(inTemplate, r)
			op, ok := inDoc[r]
			if !ok {
				t.Errorf("%s (%s) is not in openapi.json", r, f.folder)
				continue
			}
			if op.OperationID != f.folder {
				t.Errorf("%s: operationId %q, want %q", r, op.OperationID, f.folder)
			}
			sec := doc.Security
			if op.Security != nil {
				sec = *op.Security
			}
			got := ""
			for _, s := range sec {
				for k := range s {
					got = k
				}
			}
			if w := want[f.authorizers[i]]; got != w {
				t.Errorf("%s: security %q, want %q", r, got, w)
			}
		}
	}
	var extra []string
	for r := range inDoc {
		if !slices.Contains(inTemplate, r) {
			extra = append(extra, r)
		}
	}
	sort.Strings(extra)
	for _, r := range extra {
		t.Errorf("openapi.json has %s, which template.yaml does not route", r)
	}
}
