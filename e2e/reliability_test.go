package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// The reliability suite (issue 5) records what it tried in figures, written
// by TestMain to .local/reliability/e2e.json; `make reliability` turns it
// and the fuzz counts into docs/reliability.md's table.

// Figures are the counts of the reliability tests.
type Figures struct {
	// Probes: route key → probe → tried/passed.
	Probes map[string]map[string]*Count `json:"probes"`
	// Concurrency: scenario → operations, successes, lost updates.
	Concurrency map[string]*ConcurrencyCount `json:"concurrency"`
	// Faults: scenario → injected faults and records lost.
	Faults map[string]*FaultCount `json:"faults"`
	// Logs: what the log scan looked for and found.
	Logs LogCount `json:"logs"`
	// Contract: the answers checked against the served OpenAPI document.
	Contract ContractCount `json:"contract"`
}

// Count is tried/passed.
type Count struct {
	Tried  int `json:"tried"`
	Passed int `json:"passed"`
}

// ConcurrencyCount is one concurrency scenario.
type ConcurrencyCount struct {
	Operations  int `json:"operations"`
	Succeeded   int `json:"succeeded"`
	Rejected    int `json:"rejected"`
	LostUpdates int `json:"lostUpdates"`
	Duplicates  int `json:"duplicates"`
}

// FaultCount is one fault scenario.
type FaultCount struct {
	Injected   int  `json:"injected"`
	Records    int  `json:"records"`
	Lost       int  `json:"lost"`
	Duplicates int  `json:"duplicates"`
	Reported   int  `json:"reported"`
	Unblocked  bool `json:"unblocked"`
}

// ContractCount is the contract check of every answer.
type ContractCount struct {
	Answers    int `json:"answers"`
	Mismatches int `json:"mismatches"`
	// Operations: operationId → status → answers checked.
	Operations map[string]map[string]int `json:"operations"`
}

// LogCount is the log scan.
type LogCount struct {
	Bytes   int `json:"bytes"`
	Secrets int `json:"secrets"`
	Leaks   int `json:"leaks"`
}

var (
	figMu sync.Mutex
	figs  = Figures{Probes: map[string]map[string]*Count{}, Concurrency: map[string]*ConcurrencyCount{}, Faults: map[string]*FaultCount{},
		Contract: ContractCount{Operations: map[string]map[string]int{}}}
)

// countAnswer counts one answer checked against the document; op is empty
// for a route the document does not have.
func countAnswer(op string, status int, matched bool) {
	figMu.Lock()
	defer figMu.Unlock()
	figs.Contract.Answers++
	if !matched {
		figs.Contract.Mismatches++
	}
	if op == "" {
		return
	}
	m := figs.Contract.Operations[op]
	if m == nil {
		m = map[string]int{}
		figs.Contract.Operations[op] = m
	}
	m[strconv.Itoa(status)]++
}

// probe counts one probe of a route, passed or not.
func probe(route, name string, passed bool) {
	figMu.Lock()
	defer figMu.Unlock()
	m := figs.Probes[route]
	if m == nil {
		m = map[string]*Count{}
		figs.Probes[route] = m
	}
	c := m[name]
	if c == nil {
		c = &Count{}
		m[name] = c
	}
	c.Tried++
	if passed {
		c.Passed++
	}
}

// writeFigures writes the figures for `make reliability` (best effort: the
// report says when they are missing).
func writeFigures(dir string) error {
	figMu.Lock()
	defer figMu.Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(figs, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "e2e.json"), b, 0o644)
}

// secrets are the tokens, passwords and planted personal data used by the
// suite: none may appear in the logs.
var (
	secretMu sync.Mutex
	secrets  = map[string]bool{}
)

// plant registers values that must never be logged.
func plant(values ...string) {
	secretMu.Lock()
	defer secretMu.Unlock()
	for _, v := range values {
		if len(v) >= 8 { // short values (ids of a few letters, "Martin") are not specific enough
			secrets[v] = true
		}
	}
}

// plantBody registers the personal and secret fields of a request body.
func plantBody(body any) {
	m, ok := body.(map[string]any)
	if !ok {
		if ms, ok := body.(map[string]string); ok {
			m = map[string]any{}
			for k, v := range ms {
				m[k] = v
			}
		}
	}
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			continue
		}
		switch k {
		case "email", "telephone", "motDePasse", "token", "nom", "prenom", "remarques", "adresse", "dateNaissance":
			plant(s)
		}
	}
}

// scanLogs checks that no planted secret is in the captured logs.
func scanLogs(logs []byte) []string {
	secretMu.Lock()
	defer secretMu.Unlock()
	var leaks []string
	for s := range secrets {
		if strings.Contains(string(logs), s) {
			leaks = append(leaks, s)
		}
	}
	sort.Strings(leaks)
	figMu.Lock()
	figs.Logs = LogCount{Bytes: len(logs), Secrets: len(secrets), Leaks: len(leaks)}
	figMu.Unlock()
	return leaks
}

// logs are every log line of the stack, gateway, handlers and consumers.
var logs = &syncBuffer{}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.b...)
}

// faults injects failures into the AWS calls of the handlers and consumers
// (an SDK middleware given to app.Load through devstack's AWSOptions):
// the next n calls of a service fail, as a dead endpoint would.
var faults faultInjector

type faultInjector struct {
	mu      sync.Mutex
	pending map[string]int // service id → calls still to fail
	// injected counts the failures produced.
	injected atomic.Int64
}

var errInjected = errors.New("injected fault: endpoint unreachable")

// failNext makes the next n calls to service (the SDK's service id, e.g.
// "SESv2", "Cognito Identity Provider") fail.
func (f *faultInjector) failNext(service string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pending == nil {
		f.pending = map[string]int{}
	}
	f.pending[service] = n
}

func (f *faultInjector) remaining(service string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pending[service]
}

func (f *faultInjector) take(service string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pending[service] > 0 {
		f.pending[service]--
		f.injected.Add(1)
		return true
	}
	return false
}

// option is the app.Load option installing the injector.
func (f *faultInjector) option() func(*config.LoadOptions) error {
	return config.WithAPIOptions([]func(*middleware.Stack) error{func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("InjectFaults",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if f.take(middleware.GetServiceID(ctx)) {
					return middleware.InitializeOutput{}, middleware.Metadata{}, errInjected
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	}})
}

// snapshot is every item of a MIA's partition plus the global items that
// name it (apporteur email guards, activation tokens), as canonical JSON: a
// rejected request must leave it byte for byte unchanged. A Query on the
// partition plus a maintenance Scan for the global items: tests are
// maintenance tools.
func snapshot(t *testing.T, m crm.MIAID) string {
	t.Helper()
	ctx := context.Background()
	db := stack.Services.DynamoDB
	var items []map[string]types.AttributeValue
	var start map[string]types.AttributeValue
	for {
		out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(stack.Table), ConsistentRead: aws.Bool(true),
			KeyConditionExpression:    aws.String("PK = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: dynamo.MIAPK(m)}},
			ExclusiveStartKey:         start})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, out.Items...)
		if start = out.LastEvaluatedKey; start == nil {
			break
		}
	}
	start = nil
	for {
		out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(stack.Table), ConsistentRead: aws.Bool(true),
			FilterExpression:          aws.String("miaId = :m"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":m": &types.AttributeValueMemberS{Value: string(m)}},
			ExclusiveStartKey:         start})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			if pk, _ := it["PK"].(*types.AttributeValueMemberS); pk != nil && !strings.HasPrefix(pk.Value, dynamo.MIAPK(m)) {
				items = append(items, it)
			}
		}
		if start = out.LastEvaluatedKey; start == nil {
			break
		}
	}
	keys := make([]string, len(items))
	byKey := map[string]string{}
	for i, it := range items {
		b, err := json.Marshal(canonical(it))
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = fmt.Sprint(canonical(map[string]types.AttributeValue{"PK": it["PK"], "SK": it["SK"]}))
		byKey[keys[i]] = string(b)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		sb.WriteString(byKey[k])
		sb.WriteByte('\n')
	}
	return sb.String()
}

// canonical turns an item into plain values (maps marshal sorted by key).
func canonical(it map[string]types.AttributeValue) map[string]any {
	out := map[string]any{}
	for k, v := range it {
		out[k] = canonicalValue(v)
	}
	return out
}

func canonicalValue(v types.AttributeValue) any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return "S:" + v.Value
	case *types.AttributeValueMemberN:
		return "N:" + v.Value
	case *types.AttributeValueMemberBOOL:
		return v.Value
	case *types.AttributeValueMemberNULL:
		return nil
	case *types.AttributeValueMemberB:
		return v.Value
	case *types.AttributeValueMemberSS:
		s := append([]string(nil), v.Value...)
		sort.Strings(s)
		return s
	case *types.AttributeValueMemberNS:
		s := append([]string(nil), v.Value...)
		sort.Strings(s)
		return s
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = canonicalValue(e)
		}
		return l
	case *types.AttributeValueMemberM:
		return canonical(v.Value)
	default:
		return fmt.Sprintf("%T", v)
	}
}
