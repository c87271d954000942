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

	"github.com/assentis/mycrm/internal/httpapi"
	"github.com/awslabs/goformation/v7/intrinsics"
)

// The raw template (intrinsics kept as {"Ref": …}) decoded into what these
// tests check.
type template struct {
	Resources map[string]struct {
		Type       string
		Properties struct {
			CodeUri        string
			Auth           struct{ DefaultAuthorizer string } // on the HttpApi
			Policies       json.RawMessage                    // an object on user pools, a list on functions
			PolicyDocument struct {                           // on managed policies
				Statement []struct {
					Effect   string
					Action   json.RawMessage // a string or a list elsewhere in the template
					Resource json.RawMessage
				}
			}
			Events map[string]struct {
				Type       string
				Properties struct {
					Path   string
					Method string
					Auth   struct{ Authorizer string }
				}
			}
		}
	}
}

type httpFunction struct {
	logicalID, folder string
	routes            []string // "GET /contacts"
	authorizers       []string
	policies          []map[string]json.RawMessage
}

func rawTemplate(t *testing.T) template {
	t.Helper()
	b, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := intrinsics.ProcessYAML(b, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		t.Fatal(err)
	}
	var tpl template
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	return tpl
}

func readTemplate(t *testing.T) []httpFunction {
	t.Helper()
	tpl := rawTemplate(t)
	defaultAuth := ""
	for _, r := range tpl.Resources {
		if r.Type == "AWS::Serverless::HttpApi" {
			defaultAuth = r.Properties.Auth.DefaultAuthorizer
		}
	}
	var out []httpFunction
	for id, r := range tpl.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		f := httpFunction{logicalID: id, folder: filepath.Base(strings.TrimSuffix(r.Properties.CodeUri, "/"))}
		if len(r.Properties.Policies) > 0 {
			if err := json.Unmarshal(r.Properties.Policies, &f.policies); err != nil {
				t.Fatalf("%s: policies: %v", id, err)
			}
		}
		for _, e := range r.Properties.Events {
			if e.Type == "HttpApi" {
				f.routes = append(f.routes, strings.ToUpper(e.Properties.Method)+" "+e.Properties.Path)
				a := e.Properties.Auth.Authorizer
				switch a {
				case "":
					a = defaultAuth
				case "NONE":
					a = ""
				}
				f.authorizers = append(f.authorizers, a)
			}
		}
		if len(f.routes) > 0 {
			out = append(out, f)
		}
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
	tpl := rawTemplate(t)
	read := []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}
	write := []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"}
	for id, want := range map[string][]string{"TableReadAccess": read, "TableWriteAccess": slices.Concat(read, write)} {
		r, ok := tpl.Resources[id]
		if !ok || r.Type != "AWS::IAM::ManagedPolicy" {
			t.Fatalf("%s: missing or not a managed policy (%q)", id, r.Type)
		}
		var got []string
		for _, st := range r.Properties.PolicyDocument.Statement {
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
