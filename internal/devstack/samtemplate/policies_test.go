package samtemplate

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestPolicies: functions keep their Policies as written and managed
// policies their statements, for the tests that check least privilege.
func TestPolicies(t *testing.T) {
	const doc = `
Resources:
  ReadAccess:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: [dynamodb:GetItem]
            Resource: [!GetAtt Table.Arn]
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/fn/
      Policies:
        - !Ref ReadAccess
`
	tpl, err := ParseTemplateBytes([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var policies []map[string]string
	if err := json.Unmarshal(tpl.Functions[0].Policies, &policies); err != nil {
		t.Fatal(err)
	}
	if want := []map[string]string{{"Ref": "ReadAccess"}}; !reflect.DeepEqual(policies, want) {
		t.Errorf("function policies: got %v, want %v", policies, want)
	}
	st := tpl.ManagedPolicies["ReadAccess"]
	if len(st) != 1 {
		t.Fatalf("managed policy: got %d statements, want 1", len(st))
	}
	var action, resource any
	if err := json.Unmarshal(st[0].Action, &action); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(st[0].Resource, &resource); err != nil {
		t.Fatal(err)
	}
	got := []any{st[0].Effect, action, resource}
	want := []any{"Allow", []any{"dynamodb:GetItem"}, []any{map[string]any{"Fn::GetAtt": "Table.Arn"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("managed policy statement: got %v, want %v", got, want)
	}
}
