package dynamo

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
)

// TestStreamMarks: a reader reads back the marks it wrote, not another
// reader's, and no longer those it deleted.
func TestStreamMarks(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	reader, other := fmt.Sprintf("projections-%d", s.Now().UnixNano()), fmt.Sprintf("mail-%d", s.Now().UnixNano())
	a, b, c := crm.StreamMark{EventID: "e1", Handler: "historique"}, crm.StreamMark{EventID: "e1", Handler: "commissions"}, crm.StreamMark{EventID: "e2", Handler: "historique"}
	if err := s.UpdateStreamMarks(ctx, reader, []crm.StreamMark{a, b, c}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateStreamMarks(ctx, other, []crm.StreamMark{{EventID: "e9", Handler: "invitations"}}, nil); err != nil {
		t.Fatal(err)
	}
	sorted := func(ms []crm.StreamMark) []crm.StreamMark {
		slices.SortFunc(ms, func(x, y crm.StreamMark) int {
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
	if want := sorted([]crm.StreamMark{a, b, c}); !slices.Equal(sorted(got), want) {
		t.Errorf("marks: got %v, want %v", got, want)
	}
	if err := s.UpdateStreamMarks(ctx, reader, nil, []crm.StreamMark{a, c}); err != nil {
		t.Fatal(err)
	}
	got, err = s.StreamMarks(ctx, reader)
	if err != nil {
		t.Fatal(err)
	}
	if want := []crm.StreamMark{b}; !slices.Equal(got, want) {
		t.Errorf("marks after deleting two: got %v, want %v", got, want)
	}
}
