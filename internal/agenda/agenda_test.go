package agenda

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/assentis/mycrm/internal/mail"
)

var _ Store = (*dynamo.Store)(nil)

// fakeStore holds open tâches by recipient and the notifications claimed.
type fakeStore struct {
	Store
	taches  map[crm.Recipient][]crm.Tache
	claimed map[string]bool
}

func (f *fakeStore) DueRecipients(_ context.Context, day string) ([]crm.Recipient, error) {
	var out []crm.Recipient
	for r, ts := range f.taches {
		for _, t := range ts {
			if t.Echeance <= day {
				out = append(out, r)
				break
			}
		}
	}
	return out, nil
}

func (f *fakeStore) OpenTachesUntil(_ context.Context, m crm.MIAID, p crm.ApporteurID, day string) ([]crm.Tache, error) {
	var out []crm.Tache
	for _, t := range f.taches[crm.Recipient{MIA: m, Apporteur: p}] {
		if t.Echeance <= day {
			out = append(out, t)
		}
	}
	return out, nil
}

func (f *fakeStore) GetMIA(_ context.Context, m crm.MIAID) (crm.MIA, error) {
	return crm.MIA{ID: m, Prenom: "Claire", Email: string(m) + "@mia.test"}, nil
}

func (f *fakeStore) ClaimNotification(_ context.Context, m crm.MIAID, key string) (bool, error) {
	k := string(m) + key
	if f.claimed[k] {
		return false, nil
	}
	f.claimed[k] = true
	return true, nil
}

type fakeMailer struct{ sent []mail.Message }

func (f *fakeMailer) Send(_ context.Context, m mail.Message) (string, error) {
	f.sent = append(f.sent, m)
	return "id", nil
}

func TestDigest(t *testing.T) {
	tache := func(id, titre, day string) crm.Tache {
		return crm.Tache{ID: crm.TacheID(id), Titre: titre, Echeance: day, Statut: crm.TacheAFaire}
	}
	store := &fakeStore{claimed: map[string]bool{}, taches: map[crm.Recipient][]crm.Tache{
		{MIA: "m1"}: {tache("T1", "Appeler Dupont", "2026-11-27"), tache("T2", "Envoyer le devis", "2026-11-20"),
			tache("T3", "Relancer Martin", "2026-11-27")},
		{MIA: "m2"}: {tache("T4", "Plus tard", "2026-12-15")},
	}}
	mailer := &fakeMailer{}
	job, err := Digest(Deps{Store: store, Mailer: mailer, WebBaseURL: "https://crm.test"})
	if err != nil {
		t.Fatal(err)
	}
	friday8 := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC) // 8:00 in Paris
	for range 2 {                                            // a retried run sends nothing more
		if err := job(context.Background(), friday8); err != nil {
			t.Fatal(err)
		}
	}
	if len(mailer.sent) != 1 {
		t.Fatalf("%d emails, want 1 (m1 only: m2 has nothing due)", len(mailer.sent))
	}
	m := mailer.sent[0]
	if m.To != "m1@mia.test" {
		t.Errorf("to %q, want m1@mia.test", m.To)
	}
	if want := "MyCRM – vos tâches du vendredi 27 novembre 2026"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	for _, want := range []string{"Appeler Dupont", "Envoyer le devis", "Relancer Martin", "https://crm.test/mia/taches/T1",
		"https://crm.test/mia/taches/T2", "https://crm.test/mia/taches/T3"} {
		if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
			t.Errorf("digest lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "Plus tard") {
		t.Errorf("digest holds another MIA's tâche:\n%s", m.Text)
	}
	// The next day is a Saturday: no digest at all.
	mailer.sent = nil
	if err := job(context.Background(), friday8.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	if len(mailer.sent) != 0 {
		t.Errorf("%d emails on a Saturday, want 0", len(mailer.sent))
	}
}
