package jobs

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// fake holds due clocks and proposals by month bucket.
type fake struct {
	clocks, purges map[string][]crm.Echeance
	proposed       []crm.ContactID
	erased         []crm.AuditEntry
	failPropose    crm.ContactID
	taches         map[crm.TacheID]crm.Tache
}

func (f *fake) PutRelance(_ context.Context, _ crm.MIAID, t crm.Tache) error {
	if f.taches == nil {
		f.taches = map[crm.TacheID]crm.Tache{}
	}
	if _, ok := f.taches[t.ID]; !ok {
		f.taches[t.ID] = t
	}
	return nil
}

func (f *fake) DueConservations(_ context.Context, month string, before time.Time) ([]crm.Echeance, error) {
	return upTo(f.clocks[month], before), nil
}

func (f *fake) DuePurges(_ context.Context, month string, before time.Time) ([]crm.Echeance, error) {
	return upTo(f.purges[month], before), nil
}

func upTo(ds []crm.Echeance, before time.Time) []crm.Echeance {
	var out []crm.Echeance
	for _, d := range ds {
		if !d.At.After(before) {
			out = append(out, d)
		}
	}
	return out
}

func (f *fake) ProposePurge(_ context.Context, _ crm.MIAID, c crm.ContactID, _ time.Time) (bool, error) {
	if c == f.failPropose {
		return false, errors.New("boom")
	}
	f.proposed = append(f.proposed, c)
	return true, nil
}

func (f *fake) EraseContact(_ context.Context, _ crm.MIAID, id crm.ContactID, a crm.AuditEntry) (crm.Contact, error) {
	a.CibleID = string(id)
	f.erased = append(f.erased, a)
	return crm.Contact{}, nil
}

func TestRetentionRun(t *testing.T) {
	at := time.Date(2029, 12, 1, 2, 0, 0, 0, time.UTC)
	d := func(c string, t time.Time) crm.Echeance {
		return crm.Echeance{MIA: "m", Contact: crm.ContactID(c), At: t}
	}
	f := &fake{
		clocks: map[string][]crm.Echeance{
			"2029-11": {d("nov", at.AddDate(0, 0, -10))},
			"2029-12": {d("today", at), d("later", at.Add(time.Hour))},
			"2028-11": {d("too-old-for-lookback", at.AddDate(-1, -1, 0))},
			"2029-01": {d("eleven-months", at.AddDate(0, -11, 0))},
		},
		purges: map[string][]crm.Echeance{
			"2029-11": {d("unanswered", at.AddDate(0, 0, -1))},
			"2029-12": {d("still-waiting", at.AddDate(0, 0, 20))},
		},
	}
	if err := RetentionRun(f, nil)(context.Background(), at); err != nil {
		t.Fatal(err)
	}
	slices.Sort(f.proposed)
	if want := []crm.ContactID{"eleven-months", "nov", "today"}; !slices.Equal(f.proposed, want) {
		t.Errorf("proposed %v, want %v", f.proposed, want)
	}
	if len(f.erased) != 1 || f.erased[0].CibleID != "unanswered" || f.erased[0].Action != crm.AuditPurgeSansReponse ||
		f.erased[0].Par != Planification {
		t.Errorf("erased %+v, want the unanswered proposal only, audited as the run's", f.erased)
	}
	// The MIA is told once: a second run the same month adds no tâche.
	if err := RetentionRun(f, nil)(context.Background(), at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(f.taches) != 1 {
		t.Fatalf("tâches %+v, want one for the MIA", f.taches)
	}
	for _, tache := range f.taches {
		if tache.Relance != crm.RelanceConservation || tache.Echeance != "2029-12-01" || tache.Cible != nil ||
			tache.Titre != "Décider de la conservation de 3 prospects avant le 31/12/2029 (RGPD)" {
			t.Errorf("tâche %+v, want the decision of 3 prospects due the day of the run", tache)
		}
	}
}

func TestDecisionTache(t *testing.T) {
	at := time.Date(2029, 12, 1, 2, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		n    int
		want string
	}{
		{1, "Décider de la conservation de 1 prospect avant le 31/12/2029 (RGPD)"},
		{12, "Décider de la conservation de 12 prospects avant le 31/12/2029 (RGPD)"},
	} {
		if got := DecisionTache("m", c.n, at).Titre; got != c.want {
			t.Errorf("n=%d: %q, want %q", c.n, got, c.want)
		}
	}
	if DecisionTache("m", 1, at).ID == DecisionTache("m", 1, at.AddDate(0, 1, 0)).ID {
		t.Error("two months share a tâche id, want one tâche per month")
	}
	if DecisionTache("m", 1, at).ID == DecisionTache("n", 1, at).ID {
		t.Error("two MIA share a tâche id")
	}
	if !crm.IsULID(string(DecisionTache("m", 1, at).ID)) {
		t.Error("the tâche id is not a ULID: GET and PATCH /taches/{id} would refuse it")
	}
}

func TestRetentionRunGoesOnAfterAFailure(t *testing.T) {
	at := time.Date(2029, 12, 1, 2, 0, 0, 0, time.UTC)
	f := &fake{failPropose: "a", clocks: map[string][]crm.Echeance{"2029-12": {
		{MIA: "m", Contact: "a", At: at}, {MIA: "m", Contact: "b", At: at}}}}
	err := RetentionRun(f, nil)(context.Background(), at)
	if err == nil {
		t.Error("a failed proposal: got no error, want the run to report it")
	}
	if !slices.Equal(f.proposed, []crm.ContactID{"b"}) {
		t.Errorf("proposed %v, want b despite a's failure", f.proposed)
	}
}
