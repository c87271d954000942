package consumers

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-lambda-go/events"
)

func TestEachReportsTheFirstFailureAndStops(t *testing.T) {
	var seen []string
	h := each("test", Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, func(_ context.Context, c change) error {
		seen = append(seen, c.SeqNumber)
		if c.SeqNumber == "2" {
			return errors.New("boom")
		}
		return nil
	})
	ev := events.DynamoDBEvent{}
	for _, n := range []string{"1", "2", "3"} {
		ev.Records = append(ev.Records, events.DynamoDBEventRecord{EventID: "e" + n, EventName: "INSERT",
			Change: events.DynamoDBStreamRecord{SequenceNumber: n}})
	}
	resp, err := h(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "2" {
		t.Errorf("failures = %+v, want the sequence number of record 2 only", resp.BatchItemFailures)
	}
	if len(seen) != 2 {
		t.Errorf("processed %v, want to stop after the failed record (Lambda redelivers from it)", seen)
	}
}

func TestHistoriqueOf(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	vingt := 20
	base := crm.Affaire{ID: "A", Statut: crm.AffaireEnCours, PrimeAnnuelleCentimes: 80000, TauxCommissionMIA: 10, Version: 1, UpdatedAt: now}
	with := func(f func(*crm.Affaire)) *crm.Affaire {
		a := base
		a.Version, a.UpdatedAt = 2, now.Add(time.Minute)
		f(&a)
		return &a
	}
	tests := []struct {
		name      string
		old, cur  *crm.Affaire
		wantOK    bool
		wantEvt   string
		wantChamp []string
	}{
		{"creation", nil, &base, true, "creation", nil},
		{"taux", &base, with(func(a *crm.Affaire) { a.TauxCommissionApporteur = &vingt }), true, "mise_a_jour", []string{"tauxCommissionApporteur"}},
		{"statut and prime", &base, with(func(a *crm.Affaire) { a.Statut = crm.AffaireSignee; a.PrimeAnnuelleCentimes = 90000 }), true, "mise_a_jour",
			[]string{"statut", "primeAnnuelleCentimes"}},
		{"apporteur moved, its rate cleared", with(func(a *crm.Affaire) { a.Version = 1; a.ApporteurID = "P"; a.TauxCommissionApporteur = &vingt }),
			with(func(a *crm.Affaire) { a.ApporteurID = "Q" }), true, "mise_a_jour", []string{"apporteurId", "tauxCommissionApporteur"}},
		{"apporteur removed", with(func(a *crm.Affaire) { a.Version = 1; a.ApporteurID = "P" }), with(func(a *crm.Affaire) {}), true, "mise_a_jour",
			[]string{"apporteurId"}},
		{"remarques only", &base, with(func(a *crm.Affaire) { a.Remarques = "x" }), false, "", nil},
		{"stale record", with(func(a *crm.Affaire) {}), &base, false, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, ok := historiqueOf(tt.old, tt.cur)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if h.Evenement != tt.wantEvt || h.Version != tt.cur.Version || !h.At.Equal(tt.cur.UpdatedAt) || h.Seq != tt.cur.Version {
				t.Errorf("entry = %+v", h)
			}
			var champs []string
			for _, c := range h.Changements {
				champs = append(champs, c.Champ)
			}
			if len(champs) != len(tt.wantChamp) {
				t.Fatalf("changes = %v, want %v", champs, tt.wantChamp)
			}
			for i := range champs {
				if champs[i] != tt.wantChamp[i] {
					t.Errorf("changes = %v, want %v", champs, tt.wantChamp)
				}
			}
		})
	}
}

func TestOnce(t *testing.T) {
	boom, stuck := errors.New("boom"), errors.New("stuck")
	tests := []struct {
		name                string
		claimed             bool
		claimErr, doErr     error
		releaseErr          error
		wantDo, wantRelease bool
		wantErr             []error
	}{
		{"done", true, nil, nil, nil, true, false, nil},
		{"already claimed: nothing done", false, nil, nil, nil, false, false, nil},
		{"claim failed: nothing done", false, boom, nil, nil, false, false, []error{boom}},
		{"do failed: released", true, nil, boom, nil, true, true, []error{boom}},
		{"do and release failed", true, nil, boom, stuck, true, true, []error{boom}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var did, released bool
			err := once(func() (bool, error) { return tt.claimed, tt.claimErr },
				func() error { did = true; return tt.doErr },
				func() error { released = true; return tt.releaseErr })
			if did != tt.wantDo || released != tt.wantRelease {
				t.Errorf("do %v, release %v; want %v, %v", did, released, tt.wantDo, tt.wantRelease)
			}
			if (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			for _, w := range tt.wantErr {
				if !errors.Is(err, w) {
					t.Errorf("err = %v, want it to wrap %v", err, w)
				}
			}
			if tt.releaseErr != nil && !strings.Contains(err.Error(), tt.releaseErr.Error()) {
				t.Errorf("err = %v, want it to mention the release failure", err)
			}
		})
	}
}
