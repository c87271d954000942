package dynamo

import (
	"context"
	"encoding/json"
	"errors"
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
	c := must[crm.Contact](t)(s.CreateContact(ctx, m, crm.Contact{Nom: "Rejeu", Email: uniqueEmail("rejeu"), ApporteurID: p}, nil))
	n := crm.NewAffaire{ClientID: string(c.ID), ProduitID: "auto", TauxCommissionApporteur: ptr(20)}
	idem := &Idempotency{Sub: "user-1", Key: "k-affaire", Hash: "h-affaire", Render: render}
	first := must[crm.Affaire](t)(s.CreateAffaire(ctx, m, n, idem))
	must[crm.Contact](t)(s.UpdateContact(ctx, m, c.ID, crm.ContactPatch{ApporteurID: ptr(crm.ApporteurID(""))}, nil))

	var replay *Replayed
	err := ignore(s.CreateAffaire(ctx, m, n, idem))
	if !errors.As(err, &replay) {
		t.Fatalf("retry: %v, want the first answer replayed", err)
	}
	var body crm.Affaire
	if err := json.Unmarshal(replay.Response.Body, &body); err != nil || body.ID != first.ID || replay.Response.Status != 201 {
		t.Errorf("replayed %d %s, want 201 with affaire %s", replay.Response.Status, replay.Response.Body, first.ID)
	}
	// The same key with another request is still refused.
	other := &Idempotency{Sub: "user-1", Key: "k-affaire", Hash: "h-other", Render: render}
	wantCode(t, ignore(s.CreateAffaire(ctx, m, crm.NewAffaire{ClientID: string(c.ID), ProduitID: "auto"}, other)), crm.EUNPROCESSABLE)
}
