package jobs

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// fakeReleves records the relevés asked for; refuse answers some of them.
type fakeReleves struct {
	ledgers []string // "m/p"
	refuse  map[string]error
	asked   []string // "m/p mois"
}

func (f *fakeReleves) LedgerApporteurs(_ context.Context, fn func(crm.MIAID, crm.ApporteurID) error) error {
	for _, l := range f.ledgers {
		m, p := l[:1], l[2:]
		if err := fn(crm.MIAID(m), crm.ApporteurID(p)); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeReleves) IssueMonthlyReleve(_ context.Context, m crm.MIAID, p crm.ApporteurID, mois string) (bool, error) {
	key := string(m) + "/" + string(p)
	f.asked = append(f.asked, key+" "+mois)
	if err := f.refuse[key]; err != nil {
		return false, err
	}
	return true, nil
}

func TestRelevesIssuesThePreviousMonthForEveryLedger(t *testing.T) {
	tests := []struct {
		name    string
		at      time.Time
		refuse  map[string]error
		want    []string
		wantErr bool
	}{
		{"1st of December, Paris morning", time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC), nil,
			[]string{"a/p1 2026-11", "a/p2 2026-11", "b/p3 2026-11"}, false},
		{"1st of January: December of the year before", time.Date(2027, 1, 1, 3, 0, 0, 0, time.UTC), nil,
			[]string{"a/p1 2026-12", "a/p2 2026-12", "b/p3 2026-12"}, false},
		{"already issued or gone: skipped, not an error", time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC),
			map[string]error{"a/p1": crm.Errorf(crm.ECONFLICT, "déjà émis"), "b/p3": crm.Errorf(crm.ENOTFOUND, "introuvable")},
			[]string{"a/p1 2026-11", "a/p2 2026-11", "b/p3 2026-11"}, false},
		{"a failure does not stop the others, and is reported", time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC),
			map[string]error{"a/p1": errors.New("table down")},
			[]string{"a/p1 2026-11", "a/p2 2026-11", "b/p3 2026-11"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeReleves{ledgers: []string{"a/p1", "a/p2", "b/p3"}, refuse: tt.refuse}
			job, err := Releves(Deps{Store: f})
			if err != nil {
				t.Fatal(err)
			}
			err = job(context.Background(), tt.at)
			if (err != nil) != tt.wantErr {
				t.Errorf("error %v, want error %v", err, tt.wantErr)
			}
			if !slices.Equal(f.asked, tt.want) {
				t.Errorf("asked %v, want %v", f.asked, tt.want)
			}
		})
	}
}

func TestRelevesNeedsAStore(t *testing.T) {
	if _, err := Releves(Deps{}); err == nil {
		t.Fatal("built without a store")
	}
}
