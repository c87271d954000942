package dynamo

import (
	"context"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
)

// Item 15: a retry with the same Idempotency-Key gets the first answer even
// when a reference the create checks has changed since (here: the client
// lost the apporteur the rate was for; an entreprise's dirigeant read).
func TestCreateReplayBeforeReferenceChecks(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	if err := s.PutProduits(ctx, crm.Catalogue()); err != nil {
		t.Fatal(err)
	}
	p := putApporteur(t, m)
	c := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Rejeu", Email: uniqueEmail("rejeu"), ApporteurID: p}, nil)))
	n := crm.NewAffaire{ClientID: string(c.ID), ProduitID: "auto", TauxCommissionApporteur: ptr(20)}
	idem := &crm.Idempotency{Sub: "user-1", Key: "k-affaire", Hash: "h-affaire", Answer: answer}
	first := must[crm.Affaire](t)(created(s.CreateAffaire(ctx, m, n, idem)))
	must[crm.Contact](t)(s.UpdateContact(ctx, m, c.ID, crm.ContactPatch{ApporteurID: ptr(crm.ApporteurID(""))}, nil))

	if got := replayed[crm.Affaire](t)(s.CreateAffaire(ctx, m, n, idem)); got.ID != first.ID {
		t.Errorf("replayed affaire %s, want %s", got.ID, first.ID)
	}
	// The same key with another request is still refused.
	other := &crm.Idempotency{Sub: "user-1", Key: "k-affaire", Hash: "h-other", Answer: answer}
	wantCode(t, ignore(created(s.CreateAffaire(ctx, m, crm.NewAffaire{ClientID: string(c.ID), ProduitID: "auto"}, other))), crm.EUNPROCESSABLE)
}
