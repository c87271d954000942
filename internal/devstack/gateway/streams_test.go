package gateway

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/devstack/samtemplate"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// fakeStream is a DynamoDB stream in memory: shards of records, iterators
// "shard|position".
type fakeStream struct {
	mu          sync.Mutex
	shards      []*fakeShard
	seq         int
	expireCalls int // GetRecords calls left to fail with ExpiredIteratorException
}

type fakeShard struct {
	id, parent string
	recs       []streamtypes.Record
	closed     bool
}

const fakeARN = "arn:aws:dynamodb:ddblocal:000000000000:table/mycrm/stream/2026-11-26T00:00:00.000"

func newFakeStream() *fakeStream {
	return &fakeStream{shards: []*fakeShard{{id: "shard-0"}}}
}

// put appends a record to the open shard and returns its sequence number.
func (f *fakeStream) put(name, pk string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	seq := fmt.Sprintf("%06d", f.seq)
	sh := f.shards[len(f.shards)-1]
	sh.recs = append(sh.recs, streamtypes.Record{
		EventID:   aws.String("e" + seq),
		EventName: streamtypes.OperationType(name),
		Dynamodb: &streamtypes.StreamRecord{
			Keys:           map[string]streamtypes.AttributeValue{"PK": &streamtypes.AttributeValueMemberS{Value: pk}},
			NewImage:       map[string]streamtypes.AttributeValue{"PK": &streamtypes.AttributeValueMemberS{Value: pk}},
			SequenceNumber: aws.String(seq),
			SizeBytes:      aws.Int64(10),
			StreamViewType: streamtypes.StreamViewTypeNewAndOldImages,
		},
	})
	return seq
}

// rollShard closes the open shard and opens its child.
func (f *fakeStream) rollShard() {
	f.mu.Lock()
	defer f.mu.Unlock()
	last := f.shards[len(f.shards)-1]
	last.closed = true
	f.shards = append(f.shards, &fakeShard{id: "shard-" + strconv.Itoa(len(f.shards)), parent: last.id})
}

func (f *fakeStream) shard(id string) *fakeShard {
	for _, s := range f.shards {
		if s.id == id {
			return s
		}
	}
	return nil
}

func (f *fakeStream) ListStreams(_ context.Context, in *dynamodbstreams.ListStreamsInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.ListStreamsOutput, error) {
	if aws.ToString(in.TableName) != "mycrm" {
		return &dynamodbstreams.ListStreamsOutput{}, nil
	}
	return &dynamodbstreams.ListStreamsOutput{Streams: []streamtypes.Stream{{StreamArn: aws.String(fakeARN), StreamLabel: aws.String("2026"), TableName: in.TableName}}}, nil
}

func (f *fakeStream) DescribeStream(_ context.Context, in *dynamodbstreams.DescribeStreamInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := &streamtypes.StreamDescription{StreamArn: in.StreamArn}
	for _, s := range f.shards {
		sh := streamtypes.Shard{ShardId: aws.String(s.id)}
		if s.parent != "" {
			sh.ParentShardId = aws.String(s.parent)
		}
		d.Shards = append(d.Shards, sh)
	}
	return &dynamodbstreams.DescribeStreamOutput{StreamDescription: d}, nil
}

func (f *fakeStream) GetShardIterator(_ context.Context, in *dynamodbstreams.GetShardIteratorInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.shard(aws.ToString(in.ShardId))
	if s == nil {
		return nil, &streamtypes.ResourceNotFoundException{}
	}
	pos := 0
	switch in.ShardIteratorType {
	case streamtypes.ShardIteratorTypeLatest:
		pos = len(s.recs)
	case streamtypes.ShardIteratorTypeAfterSequenceNumber:
		pos = -1
		for i, r := range s.recs {
			if aws.ToString(r.Dynamodb.SequenceNumber) == aws.ToString(in.SequenceNumber) {
				pos = i + 1
			}
		}
		if pos < 0 {
			return nil, errors.New("no such sequence number")
		}
	}
	return &dynamodbstreams.GetShardIteratorOutput{ShardIterator: aws.String(s.id + "|" + strconv.Itoa(pos))}, nil
}

func (f *fakeStream) GetRecords(_ context.Context, in *dynamodbstreams.GetRecordsInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.expireCalls > 0 {
		f.expireCalls--
		return nil, &streamtypes.ExpiredIteratorException{}
	}
	id, p, _ := strings.Cut(aws.ToString(in.ShardIterator), "|")
	pos, _ := strconv.Atoi(p)
	s := f.shard(id)
	end := min(len(s.recs), pos+int(aws.ToInt32(in.Limit)))
	out := &dynamodbstreams.GetRecordsOutput{Records: append([]streamtypes.Record(nil), s.recs[pos:end]...)}
	if !(s.closed && end == len(s.recs)) {
		out.NextShardIterator = aws.String(s.id + "|" + strconv.Itoa(end))
	}
	return out, nil
}

// recorder is a consumer that remembers its invocations and fails as told.
type recorder struct {
	mu      sync.Mutex
	batches [][]string // sequence numbers of each invocation
	// fail decides the outcome of an invocation of seqs (n is the invocation number).
	fail func(seqs []string, n int) (events.DynamoDBEventResponse, error)
}

func (r *recorder) consume(_ context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var seqs []string
	for _, rec := range ev.Records {
		seqs = append(seqs, rec.Change.SequenceNumber)
		if rec.EventSourceArn != fakeARN || rec.EventSource != "aws:dynamodb" || rec.AWSRegion != "eu-west-3" {
			return events.DynamoDBEventResponse{}, fmt.Errorf("bad record %+v", rec)
		}
	}
	r.mu.Lock()
	r.batches = append(r.batches, seqs)
	n := len(r.batches)
	r.mu.Unlock()
	if r.fail != nil {
		return r.fail(seqs, n)
	}
	return events.DynamoDBEventResponse{}, nil
}

func (r *recorder) got() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]string(nil), r.batches...)
}

type streamCase struct {
	gw        *Gateway
	rec       *recorder
	mu        sync.Mutex
	failures  []StreamFailure
	failedSeq [][]string
}

// startStreams runs a gateway whose only consumer reads the fake stream with
// the given event properties.
func startStreams(t *testing.T, ev samtemplate.StreamEvent, fs *fakeStream, rec *recorder, position string) *streamCase {
	t.Helper()
	sc := &streamCase{rec: rec}
	ev.Function, ev.Table, ev.Name, ev.Enabled = "consumer", "Table", "Stream", true
	if ev.StartingPosition == "" {
		ev.StartingPosition = "TRIM_HORIZON"
	}
	tpl := &samtemplate.Template{
		Functions: []samtemplate.Function{{LogicalID: "ConsumerFunction", Folder: "consumer", Timeout: 5, Streams: []samtemplate.StreamEvent{ev}}},
		Resources: map[string]string{},
	}
	gw, err := New(Config{
		Template:         tpl,
		Consumers:        map[string]Consumer{"consumer": rec.consume},
		Refs:             map[string]string{"Table": "mycrm"},
		Region:           "eu-west-3",
		Streams:          fs,
		StartingPosition: position,
		PollInterval:     time.Millisecond,
		RetryDelay:       -1,
		Log:              discard(),
		OnFailure: func(_ context.Context, f StreamFailure) {
			sc.mu.Lock()
			defer sc.mu.Unlock()
			sc.failures = append(sc.failures, f)
			var seqs []string
			for _, r := range f.Records {
				seqs = append(seqs, r.Change.SequenceNumber)
			}
			sc.failedSeq = append(sc.failedSeq, seqs)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.StartStreams(context.Background()); err != nil {
		t.Fatalf("StartStreams: %v", err)
	}
	t.Cleanup(func() { _ = gw.Close() })
	sc.gw = gw
	return sc
}

func (sc *streamCase) idle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sc.gw.StreamsIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

// wantBatches checks the sequence numbers of every invocation so far.
func (sc *streamCase) wantBatches(t *testing.T, want [][]string) {
	t.Helper()
	if got := sc.rec.got(); !reflect.DeepEqual(got, want) {
		t.Errorf("invocations: got %v, want %v", got, want)
	}
}

func (sc *streamCase) dlq() [][]string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return append([][]string(nil), sc.failedSeq...)
}

func seqs(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("%06d", i))
	}
	return out
}

func TestStreamBatches(t *testing.T) {
	fs := newFakeStream()
	for range 7 {
		fs.put("INSERT", "A")
	}
	rec := &recorder{}
	sc := startStreams(t, samtemplate.StreamEvent{BatchSize: 3, MaximumRetryAttempts: 2}, fs, rec, "")
	sc.idle(t)
	want := [][]string{seqs(1, 3), seqs(4, 6), seqs(7, 7)}
	sc.wantBatches(t, want)
	// Records written later are delivered after them, once.
	fs.put("MODIFY", "A")
	fs.put("REMOVE", "A")
	sc.idle(t)
	sc.wantBatches(t, append(want, seqs(8, 9)))
	if got := sc.dlq(); len(got) != 0 {
		t.Errorf("on-failure: got %v, want nothing", got)
	}
}

func TestStreamRetrySemantics(t *testing.T) {
	poison := "000004"
	hasPoison := func(s []string) bool { return slices.Contains(s, poison) }
	failOnPoison := func(s []string, _ int) (events.DynamoDBEventResponse, error) {
		if hasPoison(s) {
			return events.DynamoDBEventResponse{}, errors.New("poison")
		}
		return events.DynamoDBEventResponse{}, nil
	}
	itemFailure := func(ids ...string) events.DynamoDBEventResponse {
		var r events.DynamoDBEventResponse
		for _, id := range ids {
			r.BatchItemFailures = append(r.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: id})
		}
		return r
	}
	tests := []struct {
		name        string
		ev          samtemplate.StreamEvent
		fail        func([]string, int) (events.DynamoDBEventResponse, error)
		wantBatches [][]string
		wantDLQ     [][]string
	}{
		{
			name: "error retries the whole batch, then gives it up",
			ev:   samtemplate.StreamEvent{BatchSize: 3, MaximumRetryAttempts: 2},
			fail: failOnPoison,
			wantBatches: [][]string{
				seqs(1, 3),
				seqs(4, 6), seqs(4, 6), seqs(4, 6), // first try and 2 retries
				seqs(7, 8),
			},
			wantDLQ: [][]string{seqs(4, 6)},
		},
		{
			name: "bisect isolates the poison record",
			ev:   samtemplate.StreamEvent{BatchSize: 4, MaximumRetryAttempts: 1, BisectBatchOnFunctionError: true},
			fail: failOnPoison,
			wantBatches: [][]string{
				seqs(1, 4),             // fails: split
				seqs(1, 2),             // ok
				seqs(3, 4),             // fails: split
				seqs(3, 3),             // ok
				seqs(4, 4), seqs(4, 4), // fails, retried once, given up
				seqs(5, 8),
			},
			wantDLQ: [][]string{seqs(4, 4)},
		},
		{
			name: "batch item failure retries from the lowest failed record",
			ev:   samtemplate.StreamEvent{BatchSize: 4, MaximumRetryAttempts: 3, FunctionResponseTypes: []string{"ReportBatchItemFailures"}},
			fail: func(s []string, n int) (events.DynamoDBEventResponse, error) {
				if n == 1 {
					return itemFailure("000004", "000003"), nil
				}
				return events.DynamoDBEventResponse{}, nil
			},
			wantBatches: [][]string{seqs(1, 4), seqs(3, 4), seqs(5, 8)},
		},
		{
			name: "a record that keeps failing goes to the on-failure destination with those after it",
			ev:   samtemplate.StreamEvent{BatchSize: 4, MaximumRetryAttempts: 1, FunctionResponseTypes: []string{"ReportBatchItemFailures"}},
			fail: func(s []string, n int) (events.DynamoDBEventResponse, error) {
				if hasPoison(s) {
					return itemFailure(poison), nil
				}
				return events.DynamoDBEventResponse{}, nil
			},
			wantBatches: [][]string{seqs(1, 4), seqs(4, 4), seqs(5, 8)},
			wantDLQ:     [][]string{seqs(4, 4)},
		},
		{
			name: "with bisection, a record that keeps failing goes alone; those after it are delivered",
			ev: samtemplate.StreamEvent{BatchSize: 5, MaximumRetryAttempts: 1, BisectBatchOnFunctionError: true,
				FunctionResponseTypes: []string{"ReportBatchItemFailures"}},
			fail: func(s []string, n int) (events.DynamoDBEventResponse, error) {
				if hasPoison(s) {
					return itemFailure(poison), nil
				}
				return events.DynamoDBEventResponse{}, nil
			},
			wantBatches: [][]string{seqs(1, 5), seqs(4, 4), seqs(5, 5), seqs(6, 8)},
			wantDLQ:     [][]string{seqs(4, 4)},
		},
		{
			name: "an unknown item identifier fails the whole batch",
			ev:   samtemplate.StreamEvent{BatchSize: 4, MaximumRetryAttempts: 1, FunctionResponseTypes: []string{"ReportBatchItemFailures"}},
			fail: func(s []string, n int) (events.DynamoDBEventResponse, error) {
				if n == 1 {
					return itemFailure("nope"), nil
				}
				return events.DynamoDBEventResponse{}, nil
			},
			wantBatches: [][]string{seqs(1, 4), seqs(1, 4), seqs(5, 8)},
		},
		{
			name: "batch item failures are ignored without ReportBatchItemFailures",
			ev:   samtemplate.StreamEvent{BatchSize: 4, MaximumRetryAttempts: 1},
			fail: func(s []string, n int) (events.DynamoDBEventResponse, error) {
				return itemFailure(s[0]), nil
			},
			wantBatches: [][]string{seqs(1, 4), seqs(5, 8)},
		},
		{
			name: "a panic is a function error",
			ev:   samtemplate.StreamEvent{BatchSize: 8, MaximumRetryAttempts: 0},
			fail: func(s []string, n int) (events.DynamoDBEventResponse, error) {
				if n == 1 {
					panic("boom")
				}
				return events.DynamoDBEventResponse{}, nil
			},
			wantBatches: [][]string{seqs(1, 8)},
			wantDLQ:     [][]string{seqs(1, 8)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFakeStream()
			for range 8 {
				fs.put("INSERT", "A")
			}
			rec := &recorder{fail: tc.fail}
			sc := startStreams(t, tc.ev, fs, rec, "")
			sc.idle(t)
			sc.wantBatches(t, tc.wantBatches)
			if got := sc.dlq(); !reflect.DeepEqual(got, tc.wantDLQ) {
				t.Errorf("on-failure: got %v, want %v", got, tc.wantDLQ)
			}
			for _, f := range sc.failures {
				if f.Function != "consumer" || f.StreamARN != fakeARN || f.ShardID != "shard-0" || f.Err == nil || f.Attempts < 1 {
					t.Errorf("failure: got %+v", f)
				}
			}
		})
	}
}

func TestStreamPositions(t *testing.T) {
	t.Run("LATEST skips what was written before the start", func(t *testing.T) {
		fs := newFakeStream()
		fs.put("INSERT", "old")
		rec := &recorder{}
		sc := startStreams(t, samtemplate.StreamEvent{BatchSize: 10}, fs, rec, "LATEST")
		fs.put("INSERT", "new")
		sc.idle(t)
		sc.wantBatches(t, [][]string{seqs(2, 2)})
	})
	t.Run("expired iterator resumes after the last record", func(t *testing.T) {
		fs := newFakeStream()
		fs.put("INSERT", "a")
		rec := &recorder{}
		sc := startStreams(t, samtemplate.StreamEvent{BatchSize: 10}, fs, rec, "")
		sc.idle(t)
		fs.mu.Lock()
		fs.expireCalls = 2
		fs.mu.Unlock()
		fs.put("INSERT", "b")
		sc.idle(t)
		sc.wantBatches(t, [][]string{seqs(1, 1), seqs(2, 2)})
	})
	t.Run("a closed shard is read to its end before its child", func(t *testing.T) {
		fs := newFakeStream()
		fs.put("INSERT", "a")
		rec := &recorder{}
		sc := startStreams(t, samtemplate.StreamEvent{BatchSize: 10}, fs, rec, "")
		sc.idle(t)
		fs.put("INSERT", "b")
		fs.rollShard()
		fs.put("INSERT", "c")
		fs.put("INSERT", "d")
		sc.idle(t)
		sc.wantBatches(t, [][]string{seqs(1, 1), seqs(2, 2), seqs(3, 4)})
	})
	t.Run("filter criteria", func(t *testing.T) {
		fs := newFakeStream()
		fs.put("INSERT", "APPORTEUR#1")
		fs.put("MODIFY", "APPORTEUR#1")
		fs.put("INSERT", "CONTACT#1")
		fs.put("INSERT", "APPORTEUR#2")
		rec := &recorder{}
		sc := startStreams(t, samtemplate.StreamEvent{BatchSize: 10, Filters: []string{
			`{"eventName":["INSERT"],"dynamodb":{"NewImage":{"PK":{"S":[{"prefix":"APPORTEUR#"}]}}}}`,
		}}, fs, rec, "")
		sc.idle(t)
		sc.wantBatches(t, [][]string{{"000001", "000004"}})
	})
}

func TestFilterRules(t *testing.T) {
	doc := map[string]any{"eventName": "MODIFY", "n": "42", "tags": []any{"a", "b"}}
	tests := []struct {
		pattern string
		want    bool
	}{
		{`{"eventName":["MODIFY","INSERT"]}`, true},
		{`{"eventName":["REMOVE"]}`, false},
		{`{"eventName":[{"anything-but":["REMOVE"]}]}`, true},
		{`{"eventName":[{"anything-but":{"prefix":"MOD"}}]}`, false},
		{`{"eventName":[{"suffix":"IFY"}]}`, true},
		{`{"eventName":[{"equals-ignore-case":"modify"}]}`, true},
		{`{"missing":[{"exists":false}]}`, true},
		{`{"missing":[{"exists":true}]}`, false},
		{`{"eventName":[{"exists":true}]}`, true},
		{`{"n":[{"numeric":[">",40,"<=",42]}]}`, true},
		{`{"n":[{"numeric":["<",40]}]}`, false},
		{`{"tags":["b"]}`, true},
		{`{"eventName":{"S":["x"]}}`, false},
	}
	for _, tc := range tests {
		p, err := parseFilter(tc.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := matchObject(p, doc); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.pattern, got, tc.want)
		}
	}
}
