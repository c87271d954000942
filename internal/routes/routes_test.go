package routes_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/consumers"
	"github.com/assentis/mycrm/internal/devstack/samtemplate"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/assentis/mycrm/internal/files"
	"github.com/assentis/mycrm/internal/httpapi"
	"github.com/assentis/mycrm/internal/jobs"
	"github.com/assentis/mycrm/internal/mail"
	"github.com/assentis/mycrm/internal/phone"
	"github.com/assentis/mycrm/internal/routes"
	"github.com/assentis/mycrm/internal/uploads"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestCheck(t *testing.T) {
	if err := routes.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestGeneratedMains fails when a functions/<folder>/main.go is not what
// `go generate ./internal/routes` writes from the table today, or a folder
// of functions/ has no row.
func TestGeneratedMains(t *testing.T) {
	dirs, err := os.ReadDir("../../functions")
	if err != nil {
		t.Fatal(err)
	}
	folders := routes.Folders()
	for _, d := range dirs {
		if !slices.Contains(folders, d.Name()) {
			t.Errorf("functions/%s: no row in internal/routes", d.Name())
		}
	}
	for _, f := range folders {
		want, err := routes.Main(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("../../functions", f, "main.go"))
		switch {
		case err != nil:
			t.Errorf("functions/%s/main.go: %v: run go generate ./internal/routes", f, err)
		case !bytes.Equal(got, want):
			t.Errorf("functions/%s/main.go is stale: run go generate ./internal/routes", f)
		}
	}
}

type mailer struct{}

func (mailer) Send(context.Context, mail.Message) (string, error) { return "", nil }

// built are the dependencies a main.go builds for clients c.
func built(c routes.Clients) (httpapi.Deps, consumers.Deps) {
	var h httpapi.Deps
	var s consumers.Deps
	if c.Has(routes.Store) {
		h.Store = dynamo.New(nil, "table", []byte("secret"))
		if c.Has(routes.Phone) {
			h.Store.Phone = phone.Normalize
		}
		s.Store, s.Decode = h.Store, dynamo.DecodeImage // the images are in the store's format
	}
	if c.Has(routes.MIAPool) {
		h.MIAAccounts = accounts.NewPool(nil, "mia")
		s.MIAPool = h.MIAAccounts
	}
	if c.Has(routes.ApporteurPool) {
		h.ApporteurAccounts = accounts.NewPool(nil, "apporteur")
		s.ApporteurPool = h.ApporteurAccounts
	}
	if c.Has(routes.Mailer) {
		s.Mailer = mailer{}
	}
	if c.Has(routes.Files) {
		h.Files = files.New(s3.New(s3.Options{Region: "eu-west-3"}), "bucket")
	}
	return h, s
}

// start builds f's maker with the dependencies a main.go builds for clients c.
func start(f routes.Function, c routes.Clients) error {
	h, s := built(c)
	var err error
	switch mk := f.Make.(type) {
	case httpapi.Maker:
		_, err = mk(h)
	case func(consumers.Deps) (consumers.Handler, error):
		_, err = mk(s)
	case jobs.Maker:
		d := jobs.Deps{MIAPool: h.MIAAccounts, ApporteurPool: h.ApporteurAccounts, Mailer: s.Mailer, Files: h.Files}
		if h.Store != nil {
			d.Store = h.Store
		}
		_, err = mk(d)
	case func(uploads.Deps) (uploads.Handler, error):
		var d uploads.Deps
		if h.Store != nil {
			d.Store = h.Store
		}
		if h.Files != nil {
			d.Files = h.Files
		}
		_, err = mk(d)
	default:
		return fmt.Errorf("a maker of type %T", f.Make)
	}
	return err
}

// TestMakersNeedTheirClients: each maker starts with exactly the clients of
// its row, and fails at start without any one of them. A row cannot list a
// client its function does not use (it would link it for nothing) nor miss
// one (the function would not start).
func TestMakersNeedTheirClients(t *testing.T) {
	all := []routes.Clients{routes.Store, routes.MIAPool, routes.ApporteurPool, routes.Phone, routes.Mailer, routes.Files}
	for _, f := range routes.Functions() {
		if err := start(f, f.Clients); err != nil {
			t.Errorf("%s with %v: %v, want it to start", f.Folder, f.Clients, err)
		}
		for _, x := range all {
			if f.Clients.Has(x) {
				if err := start(f, f.Clients&^x); err == nil {
					t.Errorf("%s without %v: started, want a missing dependency (or drop %v from its row)", f.Folder, x, x)
				}
			}
		}
	}
}

// TestLinkedPackages: the phone normaliser's package is linked exactly by
// the functions whose row needs it and nyaruka/phonenumbers (whose init
// decodes every region's metadata) by none, the SES client by
// those that send email, and no function links the SDK's config package
// (STS, SSO, IMDS… initialised for nothing).
func TestLinkedPackages(t *testing.T) {
	if testing.Short() {
		t.Skip("go list of every function")
	}
	for _, f := range routes.Functions() {
		fn, c := f.Folder, f.Clients
		out, err := exec.Command("go", "list", "-deps", "../../functions/"+fn).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", fn, err)
		}
		deps := strings.Fields(string(out))
		if got, want := slices.Contains(deps, "github.com/assentis/mycrm/internal/phone"), c.Has(routes.Phone); got != want {
			t.Errorf("%s links internal/phone: %v, want %v", fn, got, want)
		}
		if slices.Contains(deps, "github.com/nyaruka/phonenumbers") {
			t.Errorf("%s links phonenumbers: only internal/phone's generator and tests may", fn)
		}
		if got, want := slices.Contains(deps, "github.com/aws/aws-sdk-go-v2/service/sesv2"), c.Has(routes.Mailer); got != want {
			t.Errorf("%s links sesv2: %v, want %v", fn, got, want)
		}
		if slices.Contains(deps, "github.com/aws/aws-sdk-go-v2/config") {
			t.Errorf("%s links github.com/aws/aws-sdk-go-v2/config", fn)
		}
	}
}

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
				Statement []statement
			}
			Events map[string]struct {
				Type       string
				Properties struct {
					Path   string
					Method string
					Auth   struct{ Authorizer string }
					Stream json.RawMessage
					Bucket json.RawMessage
					// ScheduleV2
					ScheduleExpression         string
					ScheduleExpressionTimezone string
					Input                      string
				}
			}
		}
	}
}

type statement struct {
	Effect   string
	Action   json.RawMessage // a string or a list
	Resource json.RawMessage // an intrinsic or a list of them
}

func rawTemplate(t *testing.T) template {
	t.Helper()
	var tpl template
	if err := samtemplate.DecodeRaw("../../template.yaml", &tpl); err != nil {
		t.Fatal(err)
	}
	return tpl
}

// function is what template.yaml declares of a function, in the table's terms.
type function struct {
	events []routes.Event
	auth   []string // the authorizer of each route, "" when public
	inputs []string // the Input of each ScheduleV2 event
	grants []string // what its policies grant, sorted: "table-read", "pool:MiaUserPool", "mail"…
}

func templateFunctions(t *testing.T) map[string]function {
	t.Helper()
	tpl := rawTemplate(t)
	defaultAuth := ""
	for _, r := range tpl.Resources {
		if r.Type == "AWS::Serverless::HttpApi" {
			defaultAuth = r.Properties.Auth.DefaultAuthorizer
		}
	}
	out := map[string]function{}
	for id, r := range tpl.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		var f function
		for _, e := range r.Properties.Events {
			ev := routes.Event{Type: e.Type}
			switch e.Type {
			case "HttpApi":
				ev.Route = strings.ToUpper(e.Properties.Method) + " " + e.Properties.Path
				a := e.Properties.Auth.Authorizer
				switch a {
				case "":
					a = defaultAuth
				case "NONE":
					a = ""
				}
				f.auth = append(f.auth, a)
			case "DynamoDB":
				ev.Stream = getAtt(e.Properties.Stream)
			case "S3":
				var ref struct{ Ref string }
				_ = json.Unmarshal(e.Properties.Bucket, &ref)
				ev.Bucket = ref.Ref
			case "ScheduleV2":
				ev.Expression, ev.Timezone = e.Properties.ScheduleExpression, e.Properties.ScheduleExpressionTimezone
				f.inputs = append(f.inputs, e.Properties.Input)
			default:
				t.Errorf("%s: event type %s", id, e.Type)
			}
			f.events = append(f.events, ev)
		}
		f.grants = grants(t, id, r.Properties.Policies)
		out[filepath.Base(strings.TrimSuffix(r.Properties.CodeUri, "/"))] = f
	}
	return out
}

// grants reads a function's policies: the table's managed policies by name,
// Cognito statements by the pools they name, SES statements as "mail";
// anything else is reported as is, to fail the comparison.
func grants(t *testing.T, id string, raw json.RawMessage) []string {
	var policies []struct {
		Ref       string
		Statement []statement
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &policies); err != nil {
			t.Fatalf("%s: policies: %v", id, err)
		}
	}
	set := map[string]bool{}
	for _, p := range policies {
		switch p.Ref {
		case "TableReadAccess":
			set["table-read"] = true
		case "TableWriteAccess":
			set["table-write"] = true
		case "":
		default:
			set["ref:"+p.Ref] = true
		}
		for _, st := range p.Statement {
			var actions []string
			if err := json.Unmarshal(st.Action, &actions); err != nil {
				t.Fatalf("%s: actions %s: %v", id, st.Action, err)
			}
			service, _, _ := strings.Cut(actions[0], ":")
			for _, a := range actions {
				if !strings.HasPrefix(a, service+":") {
					t.Errorf("%s: one statement for %s and %s", id, actions[0], a)
				}
			}
			switch service {
			case "cognito-idp":
				var resources []json.RawMessage
				if err := json.Unmarshal(st.Resource, &resources); err != nil {
					t.Fatalf("%s: resources %s: %v", id, st.Resource, err)
				}
				for _, r := range resources {
					set["pool:"+strings.TrimSuffix(getAtt(r), ".Arn")] = true
				}
			case "ses":
				set["mail"] = true
			default:
				set["statement:"+service] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// getAtt is the target of {"Fn::GetAtt": "Table.StreamArn"} (or the
// list form), "" for anything else.
func getAtt(raw json.RawMessage) string {
	var v struct {
		GetAtt json.RawMessage `json:"Fn::GetAtt"`
	}
	if json.Unmarshal(raw, &v) != nil || v.GetAtt == nil {
		return ""
	}
	var s string
	if json.Unmarshal(v.GetAtt, &s) == nil {
		return s
	}
	var l []string
	_ = json.Unmarshal(v.GetAtt, &l)
	return strings.Join(l, ".")
}

// wantGrants are the permissions of f's clients: the table read-only for a
// route that only reads (GET), each pool the function administers, SES for
// the mailer, and the files bucket as presigners use it or as the upload
// check does.
func wantGrants(f routes.Function) []string {
	c := f.Clients
	var g []string
	switch {
	case c.Has(routes.Files) && f.Event.Type == "S3":
		g = append(g, "ref:UploadCheckAccess")
	case c.Has(routes.Files):
		g = append(g, "ref:FilesAccess")
	}
	switch {
	case c.Has(routes.Store) && strings.HasPrefix(f.Event.Route, "GET "):
		g = append(g, "table-read")
	case c.Has(routes.Store):
		g = append(g, "table-write")
	}
	if c.Has(routes.MIAPool) {
		g = append(g, "pool:MiaUserPool")
	}
	if c.Has(routes.ApporteurPool) {
		g = append(g, "pool:ApporteurUserPool")
	}
	if c.Has(routes.Mailer) {
		g = append(g, "mail")
	}
	slices.Sort(g)
	return g
}

var authorizers = map[httpapi.Access]string{
	httpapi.Public: "", httpapi.MIA: "MiaAuthorizer", httpapi.Staff: "MiaAuthorizer", httpapi.Apporteur: "ApporteurAuthorizer",
}

// TestTemplate holds template.yaml against the table, both ways: its
// functions are the rows; each has the one event of its row (an HTTP
// function's route behind the authorizer of its access level, a scheduled
// one's due time as Input); and every function is granted exactly what its
// clients need.
func TestTemplate(t *testing.T) {
	fns := templateFunctions(t)
	for _, f := range routes.Folders() {
		if _, ok := fns[f]; !ok {
			t.Errorf("functions/%s: not in template.yaml", f)
		}
	}
	for f := range fns {
		if !slices.Contains(routes.Folders(), f) {
			t.Errorf("template.yaml declares functions/%s, which has no row in internal/routes", f)
		}
	}
	for _, fn := range routes.Functions() {
		f, ok := fns[fn.Folder]
		if !ok {
			continue
		}
		if len(f.events) == 0 || slices.ContainsFunc(f.events, func(e routes.Event) bool { return e != fn.Event }) {
			t.Errorf("%s: events %v, want only %v", fn.Folder, f.events, fn.Event)
		}
		for _, a := range f.auth {
			if want := authorizers[fn.Access]; a != want {
				t.Errorf("%s (%v): authorizer %q, want %q", fn.Event.Route, fn.Access, a, want)
			}
		}
		for _, in := range f.inputs {
			if in != jobs.Input {
				t.Errorf("%s: Input %q, want %q (the due time the job runs for)", fn.Folder, in, jobs.Input)
			}
		}
		if got, want := f.grants, wantGrants(fn); !slices.Equal(got, want) {
			t.Errorf("%s: policies grant %v, want %v (clients: %v)", fn.Folder, got, want, fn.Clients)
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

var security = map[httpapi.Access]string{
	httpapi.Public: "", httpapi.MIA: "miaBearer", httpapi.Staff: "miaBearer", httpapi.Apporteur: "apporteurBearer",
}

// TestOpenAPI holds the served document against the table, both ways: each
// route is an operation named after its function, with the security of its
// access level, and each operation is a route.
func TestOpenAPI(t *testing.T) {
	var doc struct {
		OpenAPI  string
		Security []map[string][]string
		Paths    map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(httpapi.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi %q, want 3.1.x", doc.OpenAPI)
	}
	type operation struct {
		OperationID string
		Security    *[]map[string][]string
	}
	ops := map[string]operation{}
	for path, item := range doc.Paths {
		for method, raw := range item {
			if method == "parameters" {
				continue
			}
			var op operation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			ops[strings.ToUpper(method)+" "+path] = op
		}
	}
	for _, r := range routes.API {
		op, ok := ops[r.Pattern]
		if !ok {
			t.Errorf("%s (%s) is not in openapi.json", r.Pattern, r.Folder)
			continue
		}
		delete(ops, r.Pattern)
		if op.OperationID != r.Folder {
			t.Errorf("%s: operationId %q, want %q", r.Pattern, op.OperationID, r.Folder)
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
		if want := security[r.Access]; got != want {
			t.Errorf("%s (%v): security %q, want %q", r.Pattern, r.Access, got, want)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(ops)) {
		t.Errorf("openapi.json has %s, which no row of internal/routes serves", k)
	}
}
