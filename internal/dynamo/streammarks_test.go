package dynamo

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// TestStreamMarks: a reader reads back the marks it wrote, not another
// reader's, and no longer those it deleted.
func TestStreamMarks(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	reader, other := fmt.Sprintf("projections-%d", s.Now().UnixNano()), fmt.Sprintf("mail-%d", s.Now().UnixNano())
	a, b, c := StreamMark{"e1", "historique"}, StreamMark{"e1", "commissions"}, StreamMark{"e2", "historique"}
	if err := s.UpdateStreamMarks(ctx, reader, []StreamMark{a, b, c}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateStreamMarks(ctx, other, []StreamMark{{"e9", "invitations"}}, nil); err != nil {
		t.Fatal(err)
	}
	sorted := func(ms []StreamMark) []StreamMark {
		slices.SortFunc(ms, func(x, y StreamMark) int {
			if x.EventID+x.Handler < y.EventID+y.Handler {
				return -1
			}
			return 1
		})
		return ms
	}
	got, err := s.StreamMarks(ctx, reader)
	if err != nil {
		t.Fatal(err)
	}
	if want := sorted([]StreamMark{a, b, c}); !slices.Equal(sorted(got), want) {
		t.Errorf("marks: got %v, want %v", got, want)
	}
	if err := s.UpdateStreamMarks(ctx, reader, nil, []StreamMark{a, c}); err != nil {
		t.Fatal(err)
	}
	got, err = s.StreamMarks(ctx, reader)
	if err != nil {
		t.Fatal(err)
	}
	if want := []StreamMark{b}; !slices.Equal(got, want) {
		t.Errorf("marks after deleting two: got %v, want %v", got, want)
	}
}
