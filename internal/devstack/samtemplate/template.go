package samtemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// Template is what the local stack needs from template.yaml: the functions
// with their routes and stream events, the HTTP API's JWT authorizers and
// CORS configuration, the table and the user pools.
//
// It is read from the raw template (intrinsics kept as {"Ref": …} objects)
// rather than goformation's typed model, which drops stream events with
// FunctionResponseTypes and rejects properties outside its schema.
type Template struct {
	// Functions in logical id order.
	Functions []Function
	// Routes of every function, in template order of functions.
	Routes []Route
	// Authorizers of the HTTP API by name (e.g. "MiaAuthorizer").
	Authorizers map[string]Authorizer
	// DefaultAuthorizer is the HTTP API's Auth.DefaultAuthorizer: the
	// authorizer of routes that name none ("" when absent).
	DefaultAuthorizer string
	// Cors is the HTTP API's CorsConfiguration, nil when absent.
	Cors *Cors
	// Tables by logical id.
	Tables map[string]Table
	// UserPools by logical id, with their clients and groups.
	UserPools map[string]UserPool
	// Parameters' default values by name.
	Parameters map[string]string
	// Resources are the types of every resource, by logical id.
	Resources map[string]string
	// ManagedPolicies are the statements of each AWS::IAM::ManagedPolicy,
	// by logical id.
	ManagedPolicies map[string][]Statement
	// Buckets by logical id.
	Buckets map[string]Bucket
}

// Bucket is an AWS::S3::Bucket.
type Bucket struct {
	LogicalID string
	// Name as written, with its ${…} placeholders ("mycrm-files-${Stage}-…").
	Name       string
	Versioning bool
	// Cors is its first CORS rule (origins left out: the local stack takes
	// them from its environment), nil when absent.
	Cors *BucketCors
}

// BucketCors is a bucket's CORS rule.
type BucketCors struct {
	AllowedMethods []string
	AllowedHeaders []string
	ExposedHeaders []string
	MaxAge         int
}

// ObjectEvent is an S3 event of a function: the bucket notifies it of the
// objects created (or removed) under a key prefix.
type ObjectEvent struct {
	Name     string // event name in the template
	Function string // folder of the function
	// Bucket is the logical id of the bucket (SAM wants it in the template).
	Bucket string
	// Events are the S3 event types, e.g. "s3:ObjectCreated:*".
	Events         []string
	Prefix, Suffix string
}

// Matches tells whether an event of type name ("ObjectCreated:Post") on key
// reaches the function.
func (e ObjectEvent) Matches(name, key string) bool {
	if !strings.HasPrefix(key, e.Prefix) || !strings.HasSuffix(key, e.Suffix) {
		return false
	}
	for _, t := range e.Events {
		t = strings.TrimPrefix(t, "s3:")
		if t == name || (strings.HasSuffix(t, ":*") && strings.HasPrefix(name, strings.TrimSuffix(t, "*"))) {
			return true
		}
	}
	return false
}

// Statement is one statement of an IAM policy document, its Action and
// Resource as written (a string or a list, intrinsics kept).
type Statement struct {
	Effect   string
	Action   json.RawMessage
	Resource json.RawMessage
}

// Function is an AWS::Serverless::Function.
type Function struct {
	LogicalID string
	// CodeURI as written, e.g. "functions/create-contact/".
	CodeURI string
	// Folder is the last element of CodeURI, e.g. "create-contact": the key
	// of a row of internal/routes.
	Folder string
	// Timeout in seconds (the function's, or Globals'), 3 when unset as in Lambda.
	Timeout int
	// Policies as written (intrinsics kept as {"Ref": …}), nil when absent.
	Policies json.RawMessage
	Routes   []Route
	Streams  []StreamEvent
	Objects  []ObjectEvent
	// Schedules are its ScheduleV2 events (EventBridge Scheduler).
	Schedules []ScheduleEvent
}

// Route is an HttpApi event of a function.
type Route struct {
	Function string // folder of the function
	Method   string // upper case, or "ANY"
	Path     string // e.g. "/contacts/{contactId}"
	// Authorizer is the name of the route's JWT authorizer, "" for a public route.
	Authorizer string
}

// Key is the route key as API Gateway writes it: "GET /contacts/{contactId}".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Authorizer is a JWT authorizer of the HTTP API.
type Authorizer struct {
	Name           string
	IdentitySource string
	// Issuer as written, with its ${…} placeholders, e.g.
	// "https://cognito-idp.${AWS::Region}.amazonaws.com/${MiaUserPool}".
	Issuer string
	// UserPool is the logical id of the pool the issuer names ("MiaUserPool").
	UserPool string
	// Audience lists the logical ids (from !Ref) or literal values of the
	// accepted audiences.
	Audience []string
}

// Cors is the HTTP API's CorsConfiguration.
type Cors struct {
	AllowOrigins     []string // literal values only; a !Ref leaves it empty
	AllowHeaders     []string
	AllowMethods     []string
	ExposeHeaders    []string
	MaxAge           int
	AllowCredentials bool
}

// ScheduleEvent is a ScheduleV2 event of a function: EventBridge Scheduler
// calls it with Input at the times of Expression in Timezone.
type ScheduleEvent struct {
	Name       string // event name in the template
	Function   string // folder of the function
	Expression string // "cron(0 8 ? * MON-FRI *)" or "rate(1 hour)"
	Timezone   string // IANA name; UTC when unset, as in Scheduler
	Input      string
	Enabled    bool // State is not DISABLED
}

// StreamEvent is a DynamoDB event of a function (an event source mapping).
type StreamEvent struct {
	Name     string // event name in the template
	Function string // folder of the function
	// Table is the logical id of the table whose stream is read.
	Table                      string
	StartingPosition           string // TRIM_HORIZON or LATEST
	BatchSize                  int    // 100 when unset, as in Lambda
	MaximumRetryAttempts       int    // -1 when unset (infinite in Lambda)
	BisectBatchOnFunctionError bool
	FunctionResponseTypes      []string
	// OnFailure is the logical id (or literal) of the on-failure destination.
	OnFailure string
	// Filters are the FilterCriteria patterns, as JSON.
	Filters []string
	Enabled bool
}

// ReportsBatchItemFailures tells whether the function answers with batchItemFailures.
func (s StreamEvent) ReportsBatchItemFailures() bool {
	for _, t := range s.FunctionResponseTypes {
		if t == "ReportBatchItemFailures" {
			return true
		}
	}
	return false
}

// Table is an AWS::DynamoDB::Table.
type Table struct {
	LogicalID              string
	TableName              string // literal TableName, "" when generated
	BillingMode            string
	AttributeDefinitions   []AttributeDefinition
	KeySchema              []KeySchemaElement
	GlobalSecondaryIndexes []GlobalSecondaryIndex
	StreamViewType         string // "" when the table has no stream
	TimeToLiveAttribute    string // "" when TTL is not enabled
}

// AttributeDefinition of a table.
type AttributeDefinition struct {
	AttributeName string
	AttributeType string
}

// KeySchemaElement of a table or index.
type KeySchemaElement struct {
	AttributeName string
	KeyType       string
}

// GlobalSecondaryIndex of a table.
type GlobalSecondaryIndex struct {
	IndexName        string
	KeySchema        []KeySchemaElement
	ProjectionType   string
	NonKeyAttributes []string
}

// UserPool is an AWS::Cognito::UserPool with its clients and groups.
type UserPool struct {
	LogicalID string
	// Name as written, with its ${…} placeholders ("mycrm-mia-${Stage}").
	Name               string
	UsernameAttributes []string
	// AllowAdminCreateUserOnly (AdminCreateUserConfig): no SignUp, only
	// administrators create users.
	AllowAdminCreateUserOnly bool
	// CustomAttributes are the Schema attributes that are not standard ones
	// (their names without the "custom:" prefix).
	CustomAttributes []SchemaAttribute
	Clients          []UserPoolClient
	Groups           []UserPoolGroup
}

// SchemaAttribute of a user pool.
type SchemaAttribute struct {
	Name              string
	AttributeDataType string
	Mutable           bool
	Required          bool
}

// UserPoolClient is an AWS::Cognito::UserPoolClient.
type UserPoolClient struct {
	LogicalID         string
	ClientName        string
	ExplicitAuthFlows []string
	// ReadAttributes and WriteAttributes are the user attributes the client
	// may read and write with a user's own token (nil: not set, which in
	// Cognito means every standard attribute).
	ReadAttributes, WriteAttributes []string
}

// UserPoolGroup is an AWS::Cognito::UserPoolGroup.
type UserPoolGroup struct {
	LogicalID   string
	GroupName   string
	Description string
}

// ParseTemplate reads a SAM template file.
func ParseTemplate(file string) (*Template, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	t, err := ParseTemplateBytes(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return t, nil
}

// DecodeRaw decodes a SAM template file as it is written, intrinsics kept
// as {"Ref": …} objects, into v: for the tests that check what Template
// does not model (policies, retention, parameters).
func DecodeRaw(file string, v any) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read template: %w", err)
	}
	if err := decodeRaw(b, v); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

func decodeRaw(b []byte, v any) error {
	raw, err := intrinsics.ProcessYAML(b, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return fmt.Errorf("parse template: %w", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode template: %w", err)
	}
	return nil
}

// ParseTemplateBytes parses a SAM template (YAML or JSON).
func ParseTemplateBytes(b []byte) (*Template, error) {
	var doc rawTemplate
	if err := decodeRaw(b, &doc); err != nil {
		return nil, err
	}
	t := &Template{
		Authorizers: map[string]Authorizer{},
		Tables:      map[string]Table{},
		UserPools:   map[string]UserPool{},
		Parameters:  map[string]string{},
		Resources:   map[string]string{},

		ManagedPolicies: map[string][]Statement{},
		Buckets:         map[string]Bucket{},
	}
	for name, p := range doc.Parameters {
		t.Parameters[name] = scalar(p.Default)
	}
	globalTimeout := 3
	if doc.Globals.Function.Timeout > 0 {
		globalTimeout = doc.Globals.Function.Timeout
	}

	ids := make([]string, 0, len(doc.Resources))
	for id := range doc.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)

	var clients []rawResource
	var groups []rawResource
	for _, id := range ids {
		r := doc.Resources[id]
		r.id = id
		t.Resources[id] = r.Type
		switch r.Type {
		case "AWS::Serverless::Function":
			fn, err := parseFunction(r, globalTimeout)
			if err != nil {
				return nil, err
			}
			t.Functions = append(t.Functions, fn)
		case "AWS::Serverless::HttpApi":
			if err := parseHTTPAPI(r, t); err != nil {
				return nil, err
			}
		case "AWS::DynamoDB::Table":
			tb, err := parseTable(r)
			if err != nil {
				return nil, err
			}
			t.Tables[id] = tb
		case "AWS::Cognito::UserPool":
			p, err := parseUserPool(r)
			if err != nil {
				return nil, err
			}
			t.UserPools[id] = p
		case "AWS::S3::Bucket":
			b, err := parseBucket(r)
			if err != nil {
				return nil, err
			}
			t.Buckets[id] = b
		case "AWS::Cognito::UserPoolClient":
			clients = append(clients, r)
		case "AWS::Cognito::UserPoolGroup":
			groups = append(groups, r)
		case "AWS::IAM::ManagedPolicy":
			var p struct {
				PolicyDocument struct {
					Statement []Statement `json:"Statement"`
				} `json:"PolicyDocument"`
			}
			if err := json.Unmarshal(r.Properties, &p); err != nil {
				return nil, fmt.Errorf("%s: %w", r.id, err)
			}
			t.ManagedPolicies[id] = p.PolicyDocument.Statement
		}
	}
	for _, r := range clients {
		var p struct {
			UserPoolID        any      `json:"UserPoolId"`
			ClientName        any      `json:"ClientName"`
			ExplicitAuthFlows []string `json:"ExplicitAuthFlows"`
			ReadAttributes    []string `json:"ReadAttributes"`
			WriteAttributes   []string `json:"WriteAttributes"`
		}
		if err := json.Unmarshal(r.Properties, &p); err != nil {
			return nil, fmt.Errorf("%s: %w", r.id, err)
		}
		pool, ok := t.UserPools[ref(p.UserPoolID)]
		if !ok {
			return nil, fmt.Errorf("%s: UserPoolId does not reference a user pool of the template", r.id)
		}
		pool.Clients = append(pool.Clients, UserPoolClient{LogicalID: r.id, ClientName: scalar(p.ClientName), ExplicitAuthFlows: p.ExplicitAuthFlows,
			ReadAttributes: p.ReadAttributes, WriteAttributes: p.WriteAttributes})
		t.UserPools[pool.LogicalID] = pool
	}
	for _, r := range groups {
		var p struct {
			UserPoolID  any `json:"UserPoolId"`
			GroupName   any `json:"GroupName"`
			Description any `json:"Description"`
		}
		if err := json.Unmarshal(r.Properties, &p); err != nil {
			return nil, fmt.Errorf("%s: %w", r.id, err)
		}
		pool, ok := t.UserPools[ref(p.UserPoolID)]
		if !ok {
			return nil, fmt.Errorf("%s: UserPoolId does not reference a user pool of the template", r.id)
		}
		pool.Groups = append(pool.Groups, UserPoolGroup{LogicalID: r.id, GroupName: scalar(p.GroupName), Description: scalar(p.Description)})
		t.UserPools[pool.LogicalID] = pool
	}
	for i := range t.Functions {
		f := &t.Functions[i]
		for j := range f.Routes {
			if f.Routes[j].Authorizer == defaultAuthorizer {
				f.Routes[j].Authorizer = t.DefaultAuthorizer
			}
		}
	}
	// Routes are listed once every default authorizer is resolved.
	for _, f := range t.Functions {
		t.Routes = append(t.Routes, f.Routes...)
	}
	for _, f := range t.Functions {
		for _, e := range f.Objects {
			if _, ok := t.Buckets[e.Bucket]; !ok {
				return nil, fmt.Errorf("%s event %s: Bucket must be !Ref to a bucket of the template (SAM needs it there)", f.LogicalID, e.Name)
			}
		}
	}
	for _, rt := range t.Routes {
		if rt.Authorizer != "" {
			if _, ok := t.Authorizers[rt.Authorizer]; !ok {
				return nil, fmt.Errorf("route %s: unknown authorizer %q", rt.Key(), rt.Authorizer)
			}
		}
	}
	return t, nil
}

// Function returns the function whose folder is given.
func (t *Template) Function(folder string) (Function, bool) {
	for _, f := range t.Functions {
		if f.Folder == folder {
			return f, true
		}
	}
	return Function{}, false
}

// Table is the template's only DynamoDB table.
func (t *Template) Table() (Table, error) {
	if len(t.Tables) != 1 {
		return Table{}, fmt.Errorf("template.yaml declares %d tables, want 1", len(t.Tables))
	}
	for _, tb := range t.Tables {
		return tb, nil
	}
	panic("unreachable")
}

// ObjectEvents lists every S3 event of the template's functions.
func (t *Template) ObjectEvents() []ObjectEvent {
	var out []ObjectEvent
	for _, f := range t.Functions {
		out = append(out, f.Objects...)
	}
	return out
}

// Schedules lists every ScheduleV2 event of the template's functions.
func (t *Template) Schedules() []ScheduleEvent {
	var out []ScheduleEvent
	for _, f := range t.Functions {
		out = append(out, f.Schedules...)
	}
	return out
}

// Streams lists every DynamoDB stream event of the template's functions.
func (t *Template) Streams() []StreamEvent {
	var out []StreamEvent
	for _, f := range t.Functions {
		out = append(out, f.Streams...)
	}
	return out
}

// Sub replaces the ${Name} placeholders of s with vars[Name]; unknown
// placeholders are left as they are.
func Sub(s string, vars map[string]string) string {
	return subVar.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// defaultAuthorizer marks, while parsing, a route that names no authorizer.
const defaultAuthorizer = "\x00default"

var subVar = regexp.MustCompile(`\$\{[^}]+\}`)

type rawTemplate struct {
	Parameters map[string]struct {
		Default any `json:"Default"`
	} `json:"Parameters"`
	Globals struct {
		Function struct {
			Timeout int `json:"Timeout"`
		} `json:"Function"`
	} `json:"Globals"`
	Resources map[string]rawResource `json:"Resources"`
}

type rawResource struct {
	id         string
	Type       string          `json:"Type"`
	Properties json.RawMessage `json:"Properties"`
}

func parseFunction(r rawResource, globalTimeout int) (Function, error) {
	var p struct {
		CodeURI  any             `json:"CodeUri"`
		Timeout  int             `json:"Timeout"`
		Policies json.RawMessage `json:"Policies"`
		Events   map[string]struct {
			Type       string          `json:"Type"`
			Properties json.RawMessage `json:"Properties"`
		} `json:"Events"`
	}
	if err := json.Unmarshal(r.Properties, &p); err != nil {
		return Function{}, fmt.Errorf("%s: %w", r.id, err)
	}
	fn := Function{LogicalID: r.id, CodeURI: scalar(p.CodeURI), Timeout: globalTimeout, Policies: p.Policies}
	fn.Folder = path.Base(strings.TrimRight(fn.CodeURI, "/"))
	if fn.CodeURI == "" {
		return Function{}, fmt.Errorf("%s: no CodeUri", r.id)
	}
	if p.Timeout > 0 {
		fn.Timeout = p.Timeout
	}
	names := make([]string, 0, len(p.Events))
	for name := range p.Events {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ev := p.Events[name]
		switch ev.Type {
		case "HttpApi":
			var hp struct {
				Method any `json:"Method"`
				Path   any `json:"Path"`
				Auth   struct {
					Authorizer any `json:"Authorizer"`
				} `json:"Auth"`
			}
			if err := json.Unmarshal(ev.Properties, &hp); err != nil {
				return Function{}, fmt.Errorf("%s event %s: %w", r.id, name, err)
			}
			rt := Route{Function: fn.Folder, Method: strings.ToUpper(scalar(hp.Method)), Path: scalar(hp.Path), Authorizer: scalar(hp.Auth.Authorizer)}
			if rt.Method == "" || rt.Method == "X-AMAZON-APIGATEWAY-ANY-METHOD" {
				rt.Method = "ANY"
			}
			if hp.Auth.Authorizer == nil {
				rt.Authorizer = defaultAuthorizer // resolved once the HttpApi is read
			}
			if rt.Authorizer == "NONE" {
				rt.Authorizer = ""
			}
			if rt.Path == "" || rt.Path[0] != '/' {
				return Function{}, fmt.Errorf("%s event %s: bad path %q", r.id, name, rt.Path)
			}
			fn.Routes = append(fn.Routes, rt)
		case "DynamoDB":
			var sp struct {
				Stream                     any      `json:"Stream"`
				StartingPosition           any      `json:"StartingPosition"`
				BatchSize                  *int     `json:"BatchSize"`
				MaximumRetryAttempts       *int     `json:"MaximumRetryAttempts"`
				BisectBatchOnFunctionError bool     `json:"BisectBatchOnFunctionError"`
				FunctionResponseTypes      []string `json:"FunctionResponseTypes"`
				Enabled                    *bool    `json:"Enabled"`
				DestinationConfig          struct {
					OnFailure struct {
						Destination any `json:"Destination"`
					} `json:"OnFailure"`
				} `json:"DestinationConfig"`
				FilterCriteria struct {
					Filters []struct {
						Pattern any `json:"Pattern"`
					} `json:"Filters"`
				} `json:"FilterCriteria"`
			}
			if err := json.Unmarshal(ev.Properties, &sp); err != nil {
				return Function{}, fmt.Errorf("%s event %s: %w", r.id, name, err)
			}
			se := StreamEvent{
				Name:                       name,
				Function:                   fn.Folder,
				Table:                      ref(sp.Stream),
				StartingPosition:           scalar(sp.StartingPosition),
				BatchSize:                  100,
				MaximumRetryAttempts:       -1,
				BisectBatchOnFunctionError: sp.BisectBatchOnFunctionError,
				FunctionResponseTypes:      sp.FunctionResponseTypes,
				OnFailure:                  ref(sp.DestinationConfig.OnFailure.Destination),
				Enabled:                    sp.Enabled == nil || *sp.Enabled,
			}
			if se.Table == "" {
				return Function{}, fmt.Errorf("%s event %s: Stream must be !GetAtt <Table>.StreamArn", r.id, name)
			}
			if sp.BatchSize != nil {
				se.BatchSize = *sp.BatchSize
			}
			if sp.MaximumRetryAttempts != nil {
				se.MaximumRetryAttempts = *sp.MaximumRetryAttempts
			}
			if se.StartingPosition == "" {
				se.StartingPosition = "TRIM_HORIZON"
			}
			for _, f := range sp.FilterCriteria.Filters {
				switch v := f.Pattern.(type) {
				case string:
					se.Filters = append(se.Filters, v)
				default:
					b, _ := json.Marshal(v)
					se.Filters = append(se.Filters, string(b))
				}
			}
			fn.Streams = append(fn.Streams, se)
		case "S3":
			var op struct {
				Bucket any `json:"Bucket"`
				Events any `json:"Events"`
				Filter struct {
					S3Key struct {
						Rules []struct {
							Name  string `json:"Name"`
							Value string `json:"Value"`
						} `json:"Rules"`
					} `json:"S3Key"`
				} `json:"Filter"`
			}
			if err := json.Unmarshal(ev.Properties, &op); err != nil {
				return Function{}, fmt.Errorf("%s event %s: %w", r.id, name, err)
			}
			oe := ObjectEvent{Name: name, Function: fn.Folder, Bucket: ref(op.Bucket)}
			switch e := op.Events.(type) {
			case string:
				oe.Events = []string{e}
			case []any:
				for _, x := range e {
					oe.Events = append(oe.Events, scalar(x))
				}
			}
			for _, rule := range op.Filter.S3Key.Rules {
				switch strings.ToLower(rule.Name) {
				case "prefix":
					oe.Prefix = rule.Value
				case "suffix":
					oe.Suffix = rule.Value
				}
			}
			if oe.Bucket == "" || len(oe.Events) == 0 {
				return Function{}, fmt.Errorf("%s event %s: S3 needs Bucket (!Ref) and Events", r.id, name)
			}
			fn.Objects = append(fn.Objects, oe)
		case "ScheduleV2":
			var sp struct {
				ScheduleExpression         any `json:"ScheduleExpression"`
				ScheduleExpressionTimezone any `json:"ScheduleExpressionTimezone"`
				Input                      any `json:"Input"`
				State                      any `json:"State"`
			}
			if err := json.Unmarshal(ev.Properties, &sp); err != nil {
				return Function{}, fmt.Errorf("%s event %s: %w", r.id, name, err)
			}
			se := ScheduleEvent{
				Name: name, Function: fn.Folder, Expression: scalar(sp.ScheduleExpression),
				Timezone: scalar(sp.ScheduleExpressionTimezone), Input: scalar(sp.Input),
				Enabled: scalar(sp.State) != "DISABLED",
			}
			if se.Expression == "" {
				return Function{}, fmt.Errorf("%s event %s: no ScheduleExpression", r.id, name)
			}
			if se.Timezone == "" {
				se.Timezone = "UTC"
			}
			fn.Schedules = append(fn.Schedules, se)
		}
	}
	return fn, nil
}

func parseHTTPAPI(r rawResource, t *Template) error {
	var p struct {
		CorsConfiguration json.RawMessage `json:"CorsConfiguration"`
		Auth              struct {
			DefaultAuthorizer string `json:"DefaultAuthorizer"`
			Authorizers       map[string]struct {
				IdentitySource   any `json:"IdentitySource"`
				JwtConfiguration struct {
					Issuer   any   `json:"issuer"`
					Audience []any `json:"audience"`
				} `json:"JwtConfiguration"`
			} `json:"Authorizers"`
		} `json:"Auth"`
	}
	if err := json.Unmarshal(r.Properties, &p); err != nil {
		return fmt.Errorf("%s: %w", r.id, err)
	}
	if p.Auth.DefaultAuthorizer != "NONE" {
		t.DefaultAuthorizer = p.Auth.DefaultAuthorizer
	}
	if len(p.CorsConfiguration) > 0 && string(p.CorsConfiguration) != "null" {
		c, err := parseCors(p.CorsConfiguration)
		if err != nil {
			return fmt.Errorf("%s: CorsConfiguration: %w", r.id, err)
		}
		t.Cors = c
	}
	for name, a := range p.Auth.Authorizers {
		az := Authorizer{Name: name, IdentitySource: scalar(a.IdentitySource), Issuer: sub(a.JwtConfiguration.Issuer)}
		if az.IdentitySource == "" {
			az.IdentitySource = "$request.header.Authorization"
		}
		for _, m := range subVar.FindAllString(az.Issuer, -1) {
			if v := m[2 : len(m)-1]; !strings.HasPrefix(v, "AWS::") {
				az.UserPool = v
			}
		}
		if az.UserPool == "" {
			return fmt.Errorf("%s: authorizer %s: issuer %q names no user pool of the template", r.id, name, az.Issuer)
		}
		for _, a := range a.JwtConfiguration.Audience {
			if s := ref(a); s != "" {
				az.Audience = append(az.Audience, s)
			} else {
				az.Audience = append(az.Audience, scalar(a))
			}
		}
		t.Authorizers[name] = az
	}
	return nil
}

// parseCors reads a CorsConfiguration map, or an !If of two such maps (the
// form SAM keeps whole when the origins are an intrinsic): its branches must
// then differ in AllowOrigins only, which the local stack takes from the
// environment anyway.
func parseCors(b json.RawMessage) (*Cors, error) {
	var cond struct {
		If []json.RawMessage `json:"Fn::If"`
	}
	if err := json.Unmarshal(b, &cond); err == nil && cond.If != nil {
		if len(cond.If) != 3 {
			return nil, fmt.Errorf("Fn::If needs a condition and two maps")
		}
		a, err := parseCors(cond.If[1])
		if err != nil {
			return nil, err
		}
		other, err := parseCors(cond.If[2])
		if err != nil {
			return nil, err
		}
		a.AllowOrigins, other.AllowOrigins = nil, nil
		if !reflect.DeepEqual(a, other) {
			return nil, fmt.Errorf("the branches of Fn::If differ in more than AllowOrigins")
		}
		return a, nil
	}
	var c struct {
		AllowOrigins     any      `json:"AllowOrigins"`
		AllowHeaders     []string `json:"AllowHeaders"`
		AllowMethods     []string `json:"AllowMethods"`
		ExposeHeaders    []string `json:"ExposeHeaders"`
		MaxAge           int      `json:"MaxAge"`
		AllowCredentials bool     `json:"AllowCredentials"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	out := &Cors{AllowHeaders: c.AllowHeaders, AllowMethods: c.AllowMethods, ExposeHeaders: c.ExposeHeaders, MaxAge: c.MaxAge, AllowCredentials: c.AllowCredentials}
	if l, ok := c.AllowOrigins.([]any); ok {
		for _, o := range l {
			if s, ok := o.(string); ok {
				out.AllowOrigins = append(out.AllowOrigins, s)
			}
		}
	}
	return out, nil
}

func parseTable(r rawResource) (Table, error) {
	var p struct {
		TableName              any                   `json:"TableName"`
		BillingMode            string                `json:"BillingMode"`
		AttributeDefinitions   []AttributeDefinition `json:"AttributeDefinitions"`
		KeySchema              []KeySchemaElement    `json:"KeySchema"`
		GlobalSecondaryIndexes []struct {
			IndexName  string             `json:"IndexName"`
			KeySchema  []KeySchemaElement `json:"KeySchema"`
			Projection struct {
				ProjectionType   string   `json:"ProjectionType"`
				NonKeyAttributes []string `json:"NonKeyAttributes"`
			} `json:"Projection"`
		} `json:"GlobalSecondaryIndexes"`
		StreamSpecification struct {
			StreamViewType string `json:"StreamViewType"`
		} `json:"StreamSpecification"`
		TimeToLiveSpecification struct {
			AttributeName string `json:"AttributeName"`
			Enabled       bool   `json:"Enabled"`
		} `json:"TimeToLiveSpecification"`
	}
	if err := json.Unmarshal(r.Properties, &p); err != nil {
		return Table{}, fmt.Errorf("%s: %w", r.id, err)
	}
	t := Table{
		LogicalID:            r.id,
		TableName:            scalar(p.TableName),
		BillingMode:          p.BillingMode,
		AttributeDefinitions: p.AttributeDefinitions,
		KeySchema:            p.KeySchema,
		StreamViewType:       p.StreamSpecification.StreamViewType,
	}
	if p.TimeToLiveSpecification.Enabled {
		t.TimeToLiveAttribute = p.TimeToLiveSpecification.AttributeName
	}
	for _, g := range p.GlobalSecondaryIndexes {
		t.GlobalSecondaryIndexes = append(t.GlobalSecondaryIndexes, GlobalSecondaryIndex{
			IndexName: g.IndexName, KeySchema: g.KeySchema,
			ProjectionType: g.Projection.ProjectionType, NonKeyAttributes: g.Projection.NonKeyAttributes,
		})
	}
	if len(t.KeySchema) == 0 {
		return Table{}, fmt.Errorf("%s: no KeySchema", r.id)
	}
	return t, nil
}

func parseBucket(r rawResource) (Bucket, error) {
	var p struct {
		BucketName              any `json:"BucketName"`
		VersioningConfiguration struct {
			Status string `json:"Status"`
		} `json:"VersioningConfiguration"`
		CorsConfiguration struct {
			CorsRules []struct {
				AllowedMethods []string `json:"AllowedMethods"`
				AllowedHeaders []string `json:"AllowedHeaders"`
				ExposedHeaders []string `json:"ExposedHeaders"`
				MaxAge         int      `json:"MaxAge"`
			} `json:"CorsRules"`
		} `json:"CorsConfiguration"`
	}
	if err := json.Unmarshal(r.Properties, &p); err != nil {
		return Bucket{}, fmt.Errorf("%s: %w", r.id, err)
	}
	b := Bucket{LogicalID: r.id, Name: sub(p.BucketName), Versioning: p.VersioningConfiguration.Status == "Enabled"}
	if rules := p.CorsConfiguration.CorsRules; len(rules) > 0 {
		c := rules[0]
		b.Cors = &BucketCors{AllowedMethods: c.AllowedMethods, AllowedHeaders: c.AllowedHeaders, ExposedHeaders: c.ExposedHeaders, MaxAge: c.MaxAge}
	}
	return b, nil
}

// standardAttributes are Cognito's standard attribute names; other Schema
// entries are custom attributes.
var standardAttributes = map[string]bool{
	"address": true, "birthdate": true, "email": true, "email_verified": true, "family_name": true,
	"gender": true, "given_name": true, "locale": true, "middle_name": true, "name": true,
	"nickname": true, "phone_number": true, "phone_number_verified": true, "picture": true,
	"preferred_username": true, "profile": true, "sub": true, "updated_at": true, "website": true, "zoneinfo": true,
}

func parseUserPool(r rawResource) (UserPool, error) {
	var p struct {
		UserPoolName          any      `json:"UserPoolName"`
		UsernameAttributes    []string `json:"UsernameAttributes"`
		AdminCreateUserConfig struct {
			AllowAdminCreateUserOnly bool `json:"AllowAdminCreateUserOnly"`
		} `json:"AdminCreateUserConfig"`
		Schema []struct {
			Name              string `json:"Name"`
			AttributeDataType string `json:"AttributeDataType"`
			Mutable           *bool  `json:"Mutable"`
			Required          bool   `json:"Required"`
		} `json:"Schema"`
	}
	if err := json.Unmarshal(r.Properties, &p); err != nil {
		return UserPool{}, fmt.Errorf("%s: %w", r.id, err)
	}
	pool := UserPool{LogicalID: r.id, Name: sub(p.UserPoolName), UsernameAttributes: p.UsernameAttributes,
		AllowAdminCreateUserOnly: p.AdminCreateUserConfig.AllowAdminCreateUserOnly}
	if pool.Name == "" {
		pool.Name = r.id
	}
	for _, s := range p.Schema {
		if standardAttributes[s.Name] {
			continue
		}
		pool.CustomAttributes = append(pool.CustomAttributes, SchemaAttribute{
			Name: s.Name, AttributeDataType: s.AttributeDataType, Mutable: s.Mutable == nil || *s.Mutable, Required: s.Required,
		})
	}
	return pool, nil
}

// scalar returns a literal string or number of the raw template, "" for
// anything else (an intrinsic function).
func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return fmt.Sprint(v)
	case bool:
		return fmt.Sprint(v)
	}
	return ""
}

// ref returns the logical id named by {"Ref": id}, {"Fn::GetAtt": [id, attr]}
// or {"Fn::GetAtt": "id.attr"}; "" otherwise.
func ref(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if s, ok := m["Ref"].(string); ok {
		return s
	}
	switch g := m["Fn::GetAtt"].(type) {
	case []any:
		if len(g) > 0 {
			s, _ := g[0].(string)
			return s
		}
	case string:
		id, _, _ := strings.Cut(g, ".")
		return id
	}
	return ""
}

// sub returns the string of {"Fn::Sub": s} (or [s, vars]), or a literal.
func sub(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	switch s := m["Fn::Sub"].(type) {
	case string:
		return s
	case []any:
		if len(s) > 0 {
			str, _ := s[0].(string)
			return str
		}
	}
	return ""
}
