package gateway

import (
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// samInstall says how to get the Python tools the deployment tests run.
const samInstall = "pip install aws-sam-translator==1.110.0 cfn-lint==1.51.0"

// translated is the CloudFormation template SAM's own transform makes of
// template.yaml (infra/sam/translate.py), decoded as far as these tests look.
type translated struct {
	Resources map[string]struct {
		Type       string
		Properties json.RawMessage
	}
}

// translate runs the real SAM translator on template.yaml. Without it the
// test is skipped, or fails under CI (CI=true), saying how to install it.
func translate(t *testing.T) translated {
	t.Helper()
	if out, err := exec.Command("python3", "-c", "import samtranslator").CombinedOutput(); err != nil {
		msg := "the SAM translator (Python package aws-sam-translator) is missing: " + samInstall + " (" + strings.TrimSpace(string(out)) + ")"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	cmd := exec.Command("python3", "../../infra/sam/translate.py", "../../template.yaml")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("SAM translator: %v\n%s", err, stderr.String())
	}
	var tr translated
	if err := json.Unmarshal(out, &tr); err != nil {
		t.Fatalf("decode the translated template: %v", err)
	}
	return tr
}

// apiBody is the OpenAPI document SAM generates for the HTTP API.
type apiBody struct {
	Cors       json.RawMessage `json:"x-amazon-apigateway-cors"`
	Components struct {
		SecuritySchemes map[string]struct {
			Authorizer struct {
				Type             string `json:"type"`
				IdentitySource   string `json:"identitySource"`
				JwtConfiguration struct {
					Issuer   map[string]string `json:"issuer"`
					Audience []map[string]any  `json:"audience"`
				} `json:"jwtConfiguration"`
			} `json:"x-amazon-apigateway-authorizer"`
		} `json:"securitySchemes"`
	} `json:"components"`
	Paths map[string]map[string]struct {
		Security    []map[string][]string `json:"security"`
		Integration struct {
			URI map[string]string `json:"uri"`
		} `json:"x-amazon-apigateway-integration"`
	} `json:"paths"`
}

// corsMap is one complete x-amazon-apigateway-cors object.
type corsMap struct {
	AllowOrigins  json.RawMessage `json:"allowOrigins"`
	AllowHeaders  []string        `json:"allowHeaders"`
	AllowMethods  []string        `json:"allowMethods"`
	ExposeHeaders []string        `json:"exposeHeaders"`
	MaxAge        int             `json:"maxAge"`
}

// TestSAMTranslation: what SAM really deploys keeps the template's CORS
// configuration whole (in each branch of its !If), its JWT authorizers, every
// route on its function with its authorizer, and every stream event as an
// event source mapping with its filters, batch failure reporting and
// on-failure destination.
func TestSAMTranslation(t *testing.T) {
	tpl, err := ParseTemplate("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tr := translate(t)

	api, ok := tr.Resources["HttpApi"]
	if !ok || api.Type != "AWS::ApiGatewayV2::Api" {
		t.Fatalf("translated HttpApi: got %q, want AWS::ApiGatewayV2::Api", api.Type)
	}
	var props struct{ Body apiBody }
	if err := json.Unmarshal(api.Properties, &props); err != nil {
		t.Fatal(err)
	}
	body := props.Body

	t.Run("CORS", func(t *testing.T) {
		var branches []corsMap
		var cond struct {
			If []json.RawMessage `json:"Fn::If"`
		}
		if err := json.Unmarshal(body.Cors, &cond); err == nil && cond.If != nil {
			for _, b := range cond.If[1:] {
				var c corsMap
				if err := json.Unmarshal(b, &c); err != nil {
					t.Fatalf("CORS branch %s: %v", b, err)
				}
				branches = append(branches, c)
			}
		} else {
			var c corsMap
			if err := json.Unmarshal(body.Cors, &c); err != nil {
				t.Fatalf("x-amazon-apigateway-cors is %s, want an object (or an !If of objects)", body.Cors)
			}
			branches = append(branches, c)
		}
		for i, c := range branches {
			got := Cors{AllowHeaders: c.AllowHeaders, AllowMethods: c.AllowMethods, ExposeHeaders: c.ExposeHeaders, MaxAge: c.MaxAge}
			want := *tpl.Cors
			want.AllowOrigins = nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("CORS branch %d: got %+v, want %+v", i, got, want)
			}
			if len(c.AllowOrigins) == 0 {
				t.Errorf("CORS branch %d: no allowOrigins", i)
			}
		}
	})

	t.Run("authorizers", func(t *testing.T) {
		for name, a := range tpl.Authorizers {
			s, ok := body.Components.SecuritySchemes[name]
			if !ok {
				t.Errorf("authorizer %s: not in the translated API", name)
				continue
			}
			az := s.Authorizer
			if az.Type != "jwt" || az.IdentitySource != a.IdentitySource || az.JwtConfiguration.Issuer["Fn::Sub"] != a.Issuer {
				t.Errorf("authorizer %s: got %+v, want a jwt authorizer of issuer %s", name, az, a.Issuer)
			}
			var aud []string
			for _, x := range az.JwtConfiguration.Audience {
				aud = append(aud, ref(x))
			}
			if !slices.Equal(aud, a.Audience) {
				t.Errorf("authorizer %s: audience got %v, want %v", name, aud, a.Audience)
			}
		}
	})

	t.Run("routes", func(t *testing.T) {
		n := 0
		for _, ops := range body.Paths {
			n += len(ops)
		}
		if n != len(tpl.Routes) {
			t.Errorf("translated API has %d operations, want the template's %d routes", n, len(tpl.Routes))
		}
		for _, rt := range tpl.Routes {
			op, ok := body.Paths[rt.Path][strings.ToLower(rt.Method)]
			if !ok {
				t.Errorf("route %s: not in the translated API", rt.Key())
				continue
			}
			fn, _ := tpl.Function(rt.Function)
			if uri := op.Integration.URI["Fn::Sub"]; !strings.Contains(uri, "${"+fn.LogicalID+".Arn}") {
				t.Errorf("route %s: integration %q, want function %s", rt.Key(), uri, fn.LogicalID)
			}
			var got []string
			for _, s := range op.Security {
				for name := range s {
					got = append(got, name)
				}
			}
			var want []string
			if rt.Authorizer != "" {
				want = []string{rt.Authorizer}
			}
			if !slices.Equal(got, want) {
				t.Errorf("route %s: authorizers got %v, want %v", rt.Key(), got, want)
			}
		}
	})

	t.Run("stream mappings", func(t *testing.T) {
		type esm struct {
			FunctionName          map[string]string
			EventSourceArn        map[string][]string `json:"EventSourceArn"`
			FunctionResponseTypes []string
			BatchSize             int
			DestinationConfig     struct {
				OnFailure struct{ Destination map[string][]string }
			}
			FilterCriteria struct{ Filters []struct{ Pattern string } }
		}
		got := map[string]esm{} // by function logical id
		perStream := map[string]int{}
		for id, r := range tr.Resources {
			if r.Type != "AWS::Lambda::EventSourceMapping" {
				continue
			}
			var m esm
			if err := json.Unmarshal(r.Properties, &m); err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			if _, dup := got[m.FunctionName["Ref"]]; dup {
				t.Errorf("function %s reads the stream twice", m.FunctionName["Ref"])
			}
			got[m.FunctionName["Ref"]] = m
			perStream[strings.Join(m.EventSourceArn["Fn::GetAtt"], ".")]++
		}
		for s, n := range perStream {
			// AWS advises at most two concurrent readers per stream shard.
			if n > 2 {
				t.Errorf("%s: %d readers, want at most 2", s, n)
			}
		}
		streams := tpl.Streams()
		if len(got) != len(streams) {
			t.Errorf("%d event source mappings, want the template's %d stream events", len(got), len(streams))
		}
		for _, ev := range streams {
			fn, _ := tpl.Function(ev.Function)
			m, ok := got[fn.LogicalID]
			if !ok {
				t.Errorf("stream event of %s: no event source mapping", fn.LogicalID)
				continue
			}
			var filters []string
			for _, f := range m.FilterCriteria.Filters {
				filters = append(filters, f.Pattern)
			}
			if !slices.Equal(filters, ev.Filters) {
				t.Errorf("%s: filters got %v, want %v", fn.LogicalID, filters, ev.Filters)
			}
			if len(filters) > 5 { // Lambda's limit per event source mapping
				t.Errorf("%s: %d filters, want at most 5", fn.LogicalID, len(filters))
			}
			if !slices.Equal(m.FunctionResponseTypes, []string{"ReportBatchItemFailures"}) || m.BatchSize != ev.BatchSize {
				t.Errorf("%s: response types %v, batch size %d; want [ReportBatchItemFailures], %d", fn.LogicalID, m.FunctionResponseTypes, m.BatchSize, ev.BatchSize)
			}
			if d := m.DestinationConfig.OnFailure.Destination["Fn::GetAtt"]; len(d) == 0 || d[0] != ev.OnFailure {
				t.Errorf("%s: on-failure destination %v, want %s", fn.LogicalID, d, ev.OnFailure)
			}
			if a := m.EventSourceArn["Fn::GetAtt"]; !slices.Equal(a, []string{ev.Table, "StreamArn"}) {
				t.Errorf("%s: event source %v, want %s.StreamArn", fn.LogicalID, a, ev.Table)
			}
		}
	})
}
