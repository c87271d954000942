package httpapi_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/devstack/samtemplate"
	"github.com/assentis/mycrm/internal/httpapi"
)

type httpFunction struct {
	logicalID, folder string
	routes            []string // "GET /contacts"
	authorizers       []string
	policies          []map[string]json.RawMessage
}

func parseTemplate(t *testing.T) *samtemplate.Template {
	t.Helper()
	tpl, err := samtemplate.ParseTemplate("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// readTemplate lists the functions with an HTTP route, by folder.
func readTemplate(t *testing.T) []httpFunction {
	t.Helper()
	var out []httpFunction
	for _, fn := range parseTemplate(t).Functions {
		if len(fn.Routes) == 0 {
			continue
		}
		f := httpFunction{logicalID: fn.LogicalID, folder: fn.Folder}
		if len(fn.Policies) > 0 {
			if err := json.Unmarshal(fn.Policies, &f.policies); err != nil {
				t.Fatalf("%s: policies: %v", fn.LogicalID, err)
			}
		}
		for _, r := range fn.Routes {
			f.routes = append(f.routes, r.Key())
			f.authorizers = append(f.authorizers, r.Authorizer)
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].folder < out[j].folder })
	return out
}

func TestHandlersMatchTemplate(t *testing.T) {
	fns := readTemplate(t)
	handlers := httpapi.Handlers()
	var inTemplate []string
	for _, f := range fns {
		inTemplate = append(inTemplate, f.folder)
		maker, ok := handlers[f.folder]
		if !ok {
			t.Errorf("%s (%s): no maker in httpapi.Handlers()", f.folder, f.logicalID)
			continue
		}
		main, err := os.ReadFile(filepath.Join("../../functions", f.folder, "main.go"))
		if err != nil {
			t.Errorf("%s: CodeUri folder without main.go: %v", f.folder, err)
			continue
		}
		name := runtime.FuncForPC(reflect.ValueOf(maker).Pointer()).Name()
		name = name[strings.LastIndex(name, ".")+1:]
		if !strings.Contains(string(main), "httpapi."+name+"(") {
			t.Errorf("functions/%s/main.go does not wire httpapi.%s", f.folder, name)
		}
	}
	for folder := range handlers {
		if !slices.Contains(inTemplate, folder) {
			t.Errorf("Handlers() has %q, which template.yaml does not declare", folder)
		}
	}
}

// The MIA CRM routes of DESIGN §3 (issue 2), with their authorizer.
var crmRoutes = map[string]string{
	"GET /config":                       "",
	"POST /contacts":                    "MiaAuthorizer",
	"GET /contacts":                     "MiaAuthorizer",
	"GET /contacts/{contactId}":         "MiaAuthorizer",
	"PATCH /contacts/{contactId}":       "MiaAuthorizer",
	"POST /entreprises":                 "MiaAuthorizer",
	"GET /entreprises":                  "MiaAuthorizer",
	"GET /entreprises/{entrepriseId}":   "MiaAuthorizer",
	"PATCH /entreprises/{entrepriseId}": "MiaAuthorizer",
	"GET /produits":                     "MiaAuthorizer",
	"POST /affaires":                    "MiaAuthorizer",
	"GET /affaires":                     "MiaAuthorizer",
	"GET /affaires/{affaireId}":         "MiaAuthorizer",
	"PATCH /affaires/{affaireId}":       "MiaAuthorizer",
	"POST /admin/produits":              "MiaAuthorizer",
	"PATCH /admin/produits/{produitId}": "MiaAuthorizer",
}

func TestCRMRoutesAndPolicies(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range readTemplate(t) {
		crm := false
		for i, r := range f.routes {
			want, ok := crmRoutes[r]
			if !ok {
				continue
			}
			crm, seen[r] = true, true
			if f.authorizers[i] != want {
				t.Errorf("%s: authorizer %q, want %q", r, f.authorizers[i], want)
			}
		}
		for _, p := range f.policies {
			for name, v := range p {
				// SAM's DynamoDB policy templates also grant Scan, batch writes and PartiQL.
				if strings.HasPrefix(name, "DynamoDB") {
					t.Errorf("%s: %s %s, want !Ref TableReadAccess or TableWriteAccess", f.folder, name, v)
				}
				if !crm {
					continue
				}
				// CRM functions touch nothing but the table, and GETs only read it.
				read := strings.HasPrefix(f.routes[0], "GET ")
				switch ref := string(v); {
				case name == "Ref" && ref == `"TableReadAccess"`:
				case name == "Ref" && ref == `"TableWriteAccess"` && !read:
				default:
					t.Errorf("%s: policy %s %s not allowed (read-only route: %v)", f.folder, name, v, read)
				}
			}
		}
		if crm && f.folder != "get-config" && len(f.policies) == 0 {
			t.Errorf("%s: no table policy", f.folder)
		}
	}
	for r := range crmRoutes {
		if !seen[r] {
			t.Errorf("route %s missing from template.yaml", r)
		}
	}
}

// TestTableAccessPolicies: the two table policies every function uses allow
// exactly the operations internal/dynamo issues, on the Table and its indexes.
func TestTableAccessPolicies(t *testing.T) {
	tpl := parseTemplate(t)
	read := []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}
	write := []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"}
	for id, want := range map[string][]string{"TableReadAccess": read, "TableWriteAccess": slices.Concat(read, write)} {
		if typ := tpl.Resources[id]; typ != "AWS::IAM::ManagedPolicy" {
			t.Fatalf("%s: missing or not a managed policy (%q)", id, typ)
		}
		var got []string
		for _, st := range tpl.ManagedPolicies[id] {
			if st.Effect != "Allow" {
				t.Errorf("%s: effect %q", id, st.Effect)
			}
			var actions []string
			var resources []json.RawMessage
			if err := json.Unmarshal(st.Action, &actions); err != nil {
				t.Fatalf("%s: actions %s: %v", id, st.Action, err)
			}
			if err := json.Unmarshal(st.Resource, &resources); err != nil {
				t.Fatalf("%s: resources %s: %v", id, st.Resource, err)
			}
			got = append(got, actions...)
			for _, res := range resources {
				var c bytes.Buffer
				if err := json.Compact(&c, res); err != nil {
					t.Fatal(err)
				}
				if s := c.String(); s != `{"Fn::GetAtt":"Table.Arn"}` && s != `{"Fn::Sub":"${Table.Arn}/index/*"}` {
					t.Errorf("%s: resource %s, want only the Table and its indexes", id, s)
				}
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: actions %v, want %v", id, got, want)
		}
	}
}
