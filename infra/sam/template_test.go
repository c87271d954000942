package sam

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/devstack/samtemplate"
	"github.com/oklog/ulid/v2"
)

// resource is a resource of the raw template (intrinsics kept as {"Ref": …}).
type resource struct {
	Type                string
	DeletionPolicy      string
	UpdateReplacePolicy string
	Properties          map[string]json.RawMessage
}

type rawTemplate struct {
	Parameters map[string]map[string]any
	Globals    struct {
		Function map[string]json.RawMessage
	}
	Resources map[string]resource
}

func readTemplate(t *testing.T) rawTemplate {
	t.Helper()
	var tpl rawTemplate
	if err := samtemplate.DecodeRaw("../../template.yaml", &tpl); err != nil {
		t.Fatal(err)
	}
	return tpl
}

func prop[T any](t *testing.T, r resource, name string) T {
	t.Helper()
	var v T
	if b, ok := r.Properties[name]; ok {
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return v
}

// TestStatefulResourcesSurvive: what cannot be recreated (the user pools and
// their accounts, the table, the records in the dead-letter queue) is kept
// when the stack is deleted or the resource replaced, and the pools refuse
// deletion.
func TestStatefulResourcesSurvive(t *testing.T) {
	tpl := readTemplate(t)
	kept := map[string]bool{"AWS::Cognito::UserPool": true, "AWS::DynamoDB::Table": true, "AWS::SQS::Queue": true}
	n := 0
	for id, r := range tpl.Resources {
		if !kept[r.Type] {
			continue
		}
		n++
		if r.DeletionPolicy != "Retain" || r.UpdateReplacePolicy != "Retain" {
			t.Errorf("%s: DeletionPolicy %q, UpdateReplacePolicy %q; want Retain, Retain", id, r.DeletionPolicy, r.UpdateReplacePolicy)
		}
		if r.Type == "AWS::Cognito::UserPool" {
			if got := prop[string](t, r, "DeletionProtection"); got != "ACTIVE" {
				t.Errorf("%s: DeletionProtection %q, want ACTIVE", id, got)
			}
		}
	}
	if n != 4 {
		t.Errorf("%d pools, tables and queues, want 4 (two pools, the table, the dead-letter queue)", n)
	}
}

// TestCustomAttributeConstraints: the pools' custom attributes (fixed at
// their creation, constraints included) hold ids, which are ULIDs of 26
// characters: the constraints say exactly that.
func TestCustomAttributeConstraints(t *testing.T) {
	if id := ulid.Make().String(); len(id) != 26 || !crm.IsULID(id) {
		t.Fatalf("a new id %q is not a 26-character ULID: revisit the constraints before the first deploy", id)
	}
	tpl := readTemplate(t)
	for id, r := range tpl.Resources {
		if r.Type != "AWS::Cognito::UserPool" {
			continue
		}
		for _, a := range prop[[]struct {
			Name                       string
			Mutable                    *bool
			StringAttributeConstraints *struct{ MinLength, MaxLength string }
		}](t, r, "Schema") {
			if a.Name == "email" {
				continue
			}
			c := a.StringAttributeConstraints
			if c == nil || c.MinLength != "26" || c.MaxLength != "26" || a.Mutable == nil || *a.Mutable {
				t.Errorf("%s custom:%s: constraints %+v, mutable %v; want 26 to 26 characters, immutable", id, a.Name, c, a.Mutable)
			}
		}
	}
}

// TestLogRetentionAndAlarm: every function logs to a log group with a
// retention (Globals LoggingConfig, none overridden), and an alarm watches
// the dead-letter queue's depth.
func TestLogRetentionAndAlarm(t *testing.T) {
	tpl := readTemplate(t)
	var lc struct{ LogGroup map[string]string }
	if err := json.Unmarshal(tpl.Globals.Function["LoggingConfig"], &lc); err != nil {
		t.Fatalf("Globals.Function.LoggingConfig: %v", err)
	}
	group, ok := tpl.Resources[lc.LogGroup["Ref"]]
	if !ok || group.Type != "AWS::Logs::LogGroup" || group.Properties["RetentionInDays"] == nil {
		t.Errorf("Globals LoggingConfig names %v, want an AWS::Logs::LogGroup with RetentionInDays", lc.LogGroup)
	}
	alarms := 0
	for id, r := range tpl.Resources {
		switch r.Type {
		case "AWS::Serverless::Function":
			if _, ok := r.Properties["LoggingConfig"]; ok {
				t.Errorf("%s: own LoggingConfig, want the Globals' log group", id)
			}
		case "AWS::CloudWatch::Alarm":
			dims := prop[[]struct {
				Name  string
				Value json.RawMessage
			}](t, r, "Dimensions")
			if prop[string](t, r, "Namespace") == "AWS/SQS" && prop[string](t, r, "MetricName") == "ApproximateNumberOfMessagesVisible" &&
				prop[string](t, r, "ComparisonOperator") == "GreaterThanThreshold" && prop[float64](t, r, "Threshold") == 0 &&
				len(dims) == 1 && dims[0].Name == "QueueName" && strings.Contains(string(dims[0].Value), `"StreamDeadLetterQueue`) {
				alarms++
			}
		}
	}
	if alarms != 1 {
		t.Errorf("%d alarms on the dead-letter queue's visible messages > 0, want 1", alarms)
	}
}
