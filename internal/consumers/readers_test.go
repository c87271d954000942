package consumers

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-lambda-go/events"
)

// memMarks is an in-memory marker.
type memMarks struct {
	mu      sync.Mutex
	marks   map[crm.StreamMark]bool
	readErr error
}

func (m *memMarks) StreamMarks(context.Context, string) ([]crm.StreamMark, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.readErr != nil {
		return nil, m.readErr
	}
	return slices.Collect(maps.Keys(m.marks)), nil
}

func (m *memMarks) UpdateStreamMarks(_ context.Context, _ string, put, del []crm.StreamMark) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range put {
		m.marks[k] = true
	}
	for _, k := range del {
		delete(m.marks, k)
	}
	return nil
}

// faulty is a handler that records what it did (its side effects) and fails
// each sequence number of failures as many times as given there; it panics
// once on those of panics.
type faulty struct {
	mu       sync.Mutex
	did      []string
	failures map[string]int
	panics   map[string]bool
}

func (f *faulty) handler(_ context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var resp events.DynamoDBEventResponse
	for _, r := range ev.Records {
		seq := r.Change.SequenceNumber
		if f.panics[seq] {
			delete(f.panics, seq)
			panic("boom")
		}
		if f.failures[seq] > 0 {
			f.failures[seq]--
			resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{{ItemIdentifier: seq}}
			return resp, nil
		}
		f.did = append(f.did, seq)
	}
	return resp, nil
}

func (f *faulty) done() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.did
	f.did = nil
	return out
}

func batch(seqs ...string) events.DynamoDBEvent {
	var ev events.DynamoDBEvent
	for _, s := range seqs {
		ev.Records = append(ev.Records, events.DynamoDBEventRecord{EventID: "e" + s, EventName: "MODIFY",
			Change: events.DynamoDBStreamRecord{SequenceNumber: s}})
	}
	return ev
}

func failed(resp events.DynamoDBEventResponse) []string {
	var out []string
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

var quiet = Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}

// TestReaderRedeliveryRunsOnlyTheFailedHandler: a handler that fails a record
// makes the reader report it (Lambda then redelivers it and the records after
// it to the whole reader); on redelivery the other handler does not repeat
// what it did, the failed one resumes from its failed record, and the marks
// are gone once the batch is done.
func TestReaderRedeliveryRunsOnlyTheFailedHandler(t *testing.T) {
	ctx := context.Background()
	marks := &memMarks{marks: map[crm.StreamMark]bool{}}
	ok, flaky := &faulty{}, &faulty{failures: map[string]int{"2": 1}}
	h := reader("test", quiet, marks, []part{{"ok", ok.handler}, {"flaky", flaky.handler}})

	resp, err := h(ctx, batch("1", "2", "3", "4"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := failed(resp), []string{"2"}; !slices.Equal(got, want) {
		t.Errorf("first delivery: failures got %v, want %v", got, want)
	}
	if got, want := ok.done(), []string{"1", "2", "3", "4"}; !slices.Equal(got, want) {
		t.Errorf("first delivery: ok did %v, want %v", got, want)
	}
	if got, want := flaky.done(), []string{"1"}; !slices.Equal(got, want) {
		t.Errorf("first delivery: flaky did %v, want %v (it stops at its failure, order kept)", got, want)
	}
	if got := len(marks.marks); got != 3 {
		t.Errorf("marks after the failure: got %d, want 3 (ok's records 2, 3, 4)", got)
	}

	// Lambda redelivers from the failed record, with a new record after.
	resp, err = h(ctx, batch("2", "3", "4", "5"))
	if err != nil {
		t.Fatal(err)
	}
	if got := failed(resp); len(got) != 0 {
		t.Errorf("redelivery: failures got %v, want none", got)
	}
	if got, want := ok.done(), []string{"5"}; !slices.Equal(got, want) {
		t.Errorf("redelivery: ok did %v, want %v (nothing twice)", got, want)
	}
	if got, want := flaky.done(), []string{"2", "3", "4", "5"}; !slices.Equal(got, want) {
		t.Errorf("redelivery: flaky did %v, want %v", got, want)
	}
	if got := len(marks.marks); got != 0 {
		t.Errorf("marks after the redelivery: got %v, want none", marks.marks)
	}
}

// TestReaderFailures: what each of two handlers does on a first delivery of
// records 1 to 4, and on the redelivery Lambda makes from the reported record.
func TestReaderFailures(t *testing.T) {
	tests := []struct {
		name           string
		a, b           *faulty
		readErr        error
		wantFailures   []string
		wantA, wantB   []string // first delivery
		wantA2, wantB2 []string // redelivery from the reported record
	}{
		{"no failure", &faulty{}, &faulty{}, nil, nil,
			[]string{"1", "2", "3", "4"}, []string{"1", "2", "3", "4"}, nil, nil},
		{"both fail: the lowest is reported, each resumes at its own",
			&faulty{failures: map[string]int{"3": 1}}, &faulty{failures: map[string]int{"2": 1}}, nil, []string{"2"},
			[]string{"1", "2"}, []string{"1"}, []string{"3", "4"}, []string{"2", "3", "4"}},
		{"a panic fails the handler's first record only",
			&faulty{}, &faulty{panics: map[string]bool{"1": true}}, nil, []string{"1"},
			[]string{"1", "2", "3", "4"}, nil, nil, []string{"1", "2", "3", "4"}},
		{"marks unreadable: the redelivery repeats the done work (idempotent handlers)",
			&faulty{}, &faulty{failures: map[string]int{"2": 1}}, errors.New("throttled"), []string{"2"},
			[]string{"1", "2", "3", "4"}, []string{"1"}, []string{"2", "3", "4"}, []string{"2", "3", "4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			marks := &memMarks{marks: map[crm.StreamMark]bool{}, readErr: tt.readErr}
			h := reader("test", quiet, marks, []part{{"a", tt.a.handler}, {"b", tt.b.handler}})
			resp, err := h(ctx, batch("1", "2", "3", "4"))
			if err != nil {
				t.Fatal(err)
			}
			if got := failed(resp); !slices.Equal(got, tt.wantFailures) {
				t.Errorf("failures got %v, want %v", got, tt.wantFailures)
			}
			if got := tt.a.done(); !slices.Equal(got, tt.wantA) {
				t.Errorf("a did %v, want %v", got, tt.wantA)
			}
			if got := tt.b.done(); !slices.Equal(got, tt.wantB) {
				t.Errorf("b did %v, want %v", got, tt.wantB)
			}
			if len(tt.wantFailures) == 0 {
				return
			}
			from, _ := strconv.Atoi(tt.wantFailures[0])
			var again []string
			for i := from; i <= 4; i++ {
				again = append(again, strconv.Itoa(i))
			}
			resp, err = h(ctx, batch(again...))
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("redelivery: failures %v, %v; want none", failed(resp), err)
			}
			if got := tt.a.done(); !slices.Equal(got, tt.wantA2) {
				t.Errorf("redelivery: a did %v, want %v", got, tt.wantA2)
			}
			if got := tt.b.done(); !slices.Equal(got, tt.wantB2) {
				t.Errorf("redelivery: b did %v, want %v", got, tt.wantB2)
			}
		})
	}
}
