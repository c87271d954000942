package gateway

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestParseTemplateReal(t *testing.T) {
	tpl, err := ParseTemplate("../../template.yaml")
	if err != nil {
		t.Fatalf("ParseTemplate: %v", err)
	}

	routes := map[string]Route{}
	for _, r := range tpl.Routes {
		if _, dup := routes[r.Key()]; dup {
			t.Errorf("route %s declared twice", r.Key())
		}
		routes[r.Key()] = r
		if _, ok := tpl.Function(r.Function); !ok {
			t.Errorf("route %s: no function %q", r.Key(), r.Function)
		}
	}
	for key, want := range map[string]Route{
		"GET /config":                       {Function: "get-config", Method: "GET", Path: "/config"},
		"POST /contacts":                    {Function: "create-contact", Method: "POST", Path: "/contacts", Authorizer: "MiaAuthorizer"},
		"GET /contacts/{contactId}":         {Function: "get-contact", Method: "GET", Path: "/contacts/{contactId}", Authorizer: "MiaAuthorizer"},
		"PATCH /affaires/{affaireId}":       {Function: "update-affaire", Method: "PATCH", Path: "/affaires/{affaireId}", Authorizer: "MiaAuthorizer"},
		"PATCH /admin/produits/{produitId}": {Function: "update-produit", Method: "PATCH", Path: "/admin/produits/{produitId}", Authorizer: "MiaAuthorizer"},
	} {
		if got := routes[key]; got != want {
			t.Errorf("route %s: got %+v, want %+v", key, got, want)
		}
	}

	for name, pool := range map[string]string{"MiaAuthorizer": "MiaUserPool", "ApporteurAuthorizer": "ApporteurUserPool"} {
		a, ok := tpl.Authorizers[name]
		if !ok {
			t.Fatalf("no authorizer %s", name)
		}
		if a.UserPool != pool {
			t.Errorf("%s: pool: got %q, want %q", name, a.UserPool, pool)
		}
		if want := []string{pool + "Client"}; !reflect.DeepEqual(a.Audience, want) {
			t.Errorf("%s: audience: got %v, want %v", name, a.Audience, want)
		}
		if a.IdentitySource != "$request.header.Authorization" {
			t.Errorf("%s: identity source: got %q", name, a.IdentitySource)
		}
	}

	if tpl.Cors == nil {
		t.Fatal("no CORS configuration")
	}
	if !contains(tpl.Cors.AllowHeaders, "authorization") || !contains(tpl.Cors.AllowMethods, "PATCH") || !contains(tpl.Cors.ExposeHeaders, "etag") {
		t.Errorf("CORS: got %+v", tpl.Cors)
	}

	tb, ok := tpl.Tables["Table"]
	if !ok {
		t.Fatal("no table Table")
	}
	if want := []KeySchemaElement{{"PK", "HASH"}, {"SK", "RANGE"}}; !reflect.DeepEqual(tb.KeySchema, want) {
		t.Errorf("key schema: got %v, want %v", tb.KeySchema, want)
	}
	if len(tb.GlobalSecondaryIndexes) != 3 || tb.GlobalSecondaryIndexes[0].IndexName != "GSI1" || tb.GlobalSecondaryIndexes[0].ProjectionType != "ALL" {
		t.Errorf("GSIs: got %+v", tb.GlobalSecondaryIndexes)
	}
	if tb.StreamViewType != "NEW_AND_OLD_IMAGES" || tb.TimeToLiveAttribute != "expiresAt" || tb.BillingMode != "PAY_PER_REQUEST" {
		t.Errorf("table: got %+v", tb)
	}

	mia := tpl.UserPools["MiaUserPool"]
	if mia.Name != "mycrm-mia-${Stage}" {
		t.Errorf("mia pool name: got %q", mia.Name)
	}
	if len(mia.Clients) != 1 || mia.Clients[0].LogicalID != "MiaUserPoolClient" || !contains(mia.Clients[0].ExplicitAuthFlows, "ALLOW_USER_PASSWORD_AUTH") {
		t.Errorf("mia clients: got %+v", mia.Clients)
	}
	if len(mia.Groups) != 1 || mia.Groups[0].GroupName != "assentis" {
		t.Errorf("mia groups: got %+v", mia.Groups)
	}
	if len(mia.CustomAttributes) != 1 || mia.CustomAttributes[0].Name != "mia_id" || mia.CustomAttributes[0].Mutable {
		t.Errorf("mia custom attributes: got %+v", mia.CustomAttributes)
	}
	if got := Sub(mia.Name, map[string]string{"Stage": "local"}); got != "mycrm-mia-local" {
		t.Errorf("Sub: got %q", got)
	}
	app := tpl.UserPools["ApporteurUserPool"]
	if len(app.CustomAttributes) != 2 {
		t.Errorf("apporteur custom attributes: got %+v", app.CustomAttributes)
	}
	if n := len(tpl.Streams()); n != 2 {
		t.Errorf("stream events: got %d, want the 2 readers (AWS advises at most two per shard)", n)
	}
	if dirs, err := os.ReadDir("../../functions"); err != nil || len(tpl.Functions) != len(dirs) {
		t.Errorf("functions: got %d in the template, %d folders in functions/ (%v)", len(tpl.Functions), len(dirs), err)
	}
	for _, s := range tpl.Streams() {
		if s.Table != "Table" || s.BatchSize <= 0 || s.StartingPosition == "" {
			t.Errorf("stream event of %s: got %+v", s.Function, s)
		}
		for _, p := range s.Filters {
			if _, err := parseFilter(p); err != nil {
				t.Errorf("stream event of %s: %v", s.Function, err)
			}
		}
	}
	if tpl.Parameters["Stage"] != "prod" {
		t.Errorf("Stage default: got %q", tpl.Parameters["Stage"])
	}
	for _, f := range tpl.Functions {
		if f.Timeout <= 0 {
			t.Errorf("%s: timeout: got %d, want > 0", f.LogicalID, f.Timeout)
		}
		if !strings.HasPrefix(f.CodeURI, "functions/") {
			t.Errorf("%s: CodeUri %q outside functions/", f.LogicalID, f.CodeURI)
		}
	}
}

// testTemplate has what goformation's typed model loses: a stream event with
// FunctionResponseTypes, a property outside its schema (LoggingConfig), a
// greedy path and an ANY method.
const testTemplate = `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 7
Resources:
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowOrigins: [https://example.test]
        AllowHeaders: [authorization, content-type]
        AllowMethods: [GET, POST, OPTIONS]
        ExposeHeaders: [etag]
        MaxAge: 600
      Auth:
        Authorizers:
          MiaAuthorizer:
            JwtConfiguration:
              issuer: !Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${MiaUserPool}
              audience: [!Ref MiaUserPoolClient]
          ApporteurAuthorizer:
            JwtConfiguration:
              issuer: !Sub "https://cognito-idp.${AWS::Region}.amazonaws.com/${ApporteurUserPool}"
              audience:
                - !Ref ApporteurUserPoolClient
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{ AttributeName: PK, AttributeType: S }]
      KeySchema: [{ AttributeName: PK, KeyType: HASH }]
      StreamSpecification: { StreamViewType: NEW_AND_OLD_IMAGES }
  MiaUserPool:
    Type: AWS::Cognito::UserPool
    Properties: { UserPoolName: mia }
  MiaUserPoolClient:
    Type: AWS::Cognito::UserPoolClient
    Properties: { UserPoolId: !Ref MiaUserPool }
  ApporteurUserPool:
    Type: AWS::Cognito::UserPool
    Properties: { UserPoolName: apporteur }
  ApporteurUserPoolClient:
    Type: AWS::Cognito::UserPoolClient
    Properties: { UserPoolId: !Ref ApporteurUserPool }
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/echo/
      LoggingConfig: { LogFormat: JSON }
      Events:
        Get:
          Type: HttpApi
          Properties: { ApiId: !Ref HttpApi, Path: "/items/{itemId}", Method: get, Auth: { Authorizer: MiaAuthorizer } }
        Post:
          Type: HttpApi
          Properties: { ApiId: !Ref HttpApi, Path: /items, Method: POST, Auth: { Authorizer: MiaAuthorizer } }
        Public:
          Type: HttpApi
          Properties: { ApiId: !Ref HttpApi, Path: /public, Method: GET }
        Espace:
          Type: HttpApi
          Properties: { ApiId: !Ref HttpApi, Path: /espace, Method: GET, Auth: { Authorizer: ApporteurAuthorizer } }
  NewItemFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/new-item
      Timeout: 3
      Events:
        Literal:
          Type: HttpApi
          Properties: { Path: /items/new, Method: GET }
        Files:
          Type: HttpApi
          Properties: { Path: "/files/{path+}", Method: ANY }
  ConsumerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/consumer/
      Events:
        Stream:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 3
            MaximumRetryAttempts: 2
            BisectBatchOnFunctionError: true
            FunctionResponseTypes: [ReportBatchItemFailures]
            DestinationConfig: { OnFailure: { Destination: !GetAtt DLQ.Arn } }
            FilterCriteria:
              Filters:
                - Pattern: '{"eventName":["INSERT"]}'
  DLQ:
    Type: AWS::SQS::Queue
`

func TestParseTemplateBytes(t *testing.T) {
	tpl, err := ParseTemplateBytes([]byte(testTemplate))
	if err != nil {
		t.Fatalf("ParseTemplateBytes: %v", err)
	}
	streams := tpl.Streams()
	want := []StreamEvent{{
		Name: "Stream", Function: "consumer", Table: "Table", StartingPosition: "TRIM_HORIZON",
		BatchSize: 3, MaximumRetryAttempts: 2, BisectBatchOnFunctionError: true,
		FunctionResponseTypes: []string{"ReportBatchItemFailures"}, OnFailure: "DLQ",
		Filters: []string{`{"eventName":["INSERT"]}`}, Enabled: true,
	}}
	if !reflect.DeepEqual(streams, want) {
		t.Errorf("streams: got %+v, want %+v", streams, want)
	}
	if !streams[0].ReportsBatchItemFailures() {
		t.Errorf("ReportsBatchItemFailures: got false")
	}
	echo, _ := tpl.Function("echo")
	if echo.Timeout != 7 || len(echo.Routes) != 4 {
		t.Errorf("echo: got %+v", echo)
	}
	newItem, _ := tpl.Function("new-item")
	if newItem.Timeout != 3 || newItem.LogicalID != "NewItemFunction" {
		t.Errorf("new-item: got %+v", newItem)
	}
	var keys []string
	for _, r := range tpl.Routes {
		keys = append(keys, r.Key())
	}
	wantKeys := []string{"GET /espace", "GET /items/{itemId}", "POST /items", "GET /public", "ANY /files/{path+}", "GET /items/new"}
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("routes: got %v, want %v", keys, wantKeys)
	}
	if got := tpl.Authorizers["ApporteurAuthorizer"]; got.UserPool != "ApporteurUserPool" || got.IdentitySource != "$request.header.Authorization" {
		t.Errorf("apporteur authorizer: got %+v", got)
	}
}

func TestParseTemplateErrors(t *testing.T) {
	tests := map[string]string{
		"invalid yaml": "Resources: { A: { Path: /a/{b} } }",
		"unknown authorizer": `
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/f/
      Events:
        Api: { Type: HttpApi, Properties: { Path: /f, Method: GET, Auth: { Authorizer: Nope } } }
`,
		"stream without table": `
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/f/
      Events:
        S: { Type: DynamoDB, Properties: { Stream: "arn:aws:dynamodb:x", StartingPosition: LATEST } }
`,
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseTemplateBytes([]byte(src)); err == nil {
				t.Errorf("got nil error, want one")
			}
		})
	}
}

func TestDefaultAuthorizer(t *testing.T) {
	tpl, err := ParseTemplateBytes([]byte(`
Resources:
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: MiaAuthorizer
        Authorizers:
          MiaAuthorizer:
            JwtConfiguration:
              issuer: !Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${MiaUserPool}
              audience: [!Ref MiaUserPoolClient]
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/f/
      Events:
        Private: { Type: HttpApi, Properties: { Path: /private, Method: GET } }
        Public: { Type: HttpApi, Properties: { Path: /public, Method: GET, Auth: { Authorizer: NONE } } }
`))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range tpl.Routes {
		got[r.Key()] = r.Authorizer
	}
	want := map[string]string{"GET /private": "MiaAuthorizer", "GET /public": ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if f, _ := tpl.Function("f"); f.Routes[0].Authorizer != "MiaAuthorizer" {
		t.Errorf("function routes: got %+v", f.Routes)
	}
}

// TestParseCorsIf: a CorsConfiguration written as an !If of two complete maps
// (the form SAM translates whole) is read when its branches differ in
// AllowOrigins only, refused otherwise.
func TestParseCorsIf(t *testing.T) {
	const head = "Resources:\n  HttpApi:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      CorsConfiguration: !If\n        - HasOther\n"
	tests := []struct {
		name, branches string
		wantErr        bool
	}{
		{"origins differ", "        - { AllowOrigins: !Split [',', !Ref O], AllowHeaders: [etag], MaxAge: 600 }\n        - { AllowOrigins: [https://a.test], AllowHeaders: [etag], MaxAge: 600 }\n", false},
		{"headers differ", "        - { AllowOrigins: [https://b.test], AllowHeaders: [etag], MaxAge: 600 }\n        - { AllowOrigins: [https://a.test], MaxAge: 600 }\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := ParseTemplateBytes([]byte(head + tt.branches))
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if want := (Cors{AllowHeaders: []string{"etag"}, MaxAge: 600}); !reflect.DeepEqual(*tpl.Cors, want) {
				t.Errorf("cors: got %+v, want %+v", *tpl.Cors, want)
			}
		})
	}
}
