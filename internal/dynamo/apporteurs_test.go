package dynamo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/phone"
	"github.com/oklog/ulid/v2"
)

func newApporteur(t *testing.T, s *Store, m crm.MIAID, email string) crm.Apporteur {
	t.Helper()
	n := crm.NewApporteur{Nom: "Martin", Prenom: "Paul", Email: email, Telephone: "06 12 34 56 78"}
	if errs := n.Validate(phone.Normalize); errs != nil {
		t.Fatal(errs)
	}
	return must[crm.Apporteur](t)(created(s.CreateApporteur(context.Background(), m, n, nil)))
}

func uniqueEmail(prefix string) string {
	return strings.ToLower(prefix + "." + ulid.Make().String() + "@exemple.fr")
}

func TestApporteurCRUD(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	_, other := newStore(t)
	email := uniqueEmail("paul")
	a := newApporteur(t, s, m, email)
	if a.Statut != crm.ApporteurInvitationEnvoyee || a.Version != 1 {
		t.Errorf("created = %+v", a)
	}
	// The email is unique inside one MIA, and only there: another MIA
	// inviting the same person is neither refused nor told anything.
	wantCode(t, ignore(created(s.CreateApporteur(ctx, m, crm.NewApporteur{Nom: "X", Email: email}, nil))), crm.ECONFLICT)
	theirs, _, err := s.CreateApporteur(ctx, other, crm.NewApporteur{Nom: "X", Email: email}, nil)
	if err != nil || theirs.Statut != crm.ApporteurInvitationEnvoyee {
		t.Fatalf("another MIA's apporteur with the same email: %+v, %v; want created, invitation_envoyee", theirs, err)
	}
	wantCode(t, ignore(s.GetApporteur(ctx, other, a.ID)), crm.ENOTFOUND)

	all := must[crm.Page[crm.Apporteur]](t)(s.ListApporteurs(ctx, m, "", crm.ListOptions{Limit: 10}))
	if len(all.Items) != 1 || all.Items[0].ID != a.ID {
		t.Errorf("list = %+v", all.Items)
	}
	if l := must[crm.Page[crm.Apporteur]](t)(s.ListApporteurs(ctx, m, crm.ApporteurActif, crm.ListOptions{Limit: 10})); len(l.Items) != 0 {
		t.Errorf("actifs = %+v, want none", l.Items)
	}
	if l := must[crm.Page[crm.Apporteur]](t)(s.ListApporteurs(ctx, other, "", crm.ListOptions{Limit: 10})); len(l.Items) != 1 || l.Items[0].ID != theirs.ID {
		t.Errorf("other tenant sees %+v, want its own apporteur only", l.Items)
	}
	wantCode(t, ignore(s.ListApporteurs(ctx, m, "inconnu", crm.ListOptions{})), crm.EINVALID)
	wantCode(t, ignore(s.ListApporteurs(ctx, m, "", crm.ListOptions{Limit: crm.MaxLimit + 1})), crm.EINVALID)
	if l := must[crm.Page[crm.Apporteur]](t)(s.ListApporteurs(ctx, m, "", crm.ListOptions{})); len(l.Items) != 1 {
		t.Errorf("default limit: %+v", l.Items)
	}

	desactive := crm.ApporteurDesactive
	_, got, err := s.UpdateApporteur(ctx, m, a.ID, crm.ApporteurPatch{Statut: &desactive, Localisation: ptr("Lyon")}, ptr(1))
	if err != nil {
		t.Fatal(err)
	}
	if got.Statut != crm.ApporteurDesactive || got.Localisation != "Lyon" || got.Version != 2 {
		t.Errorf("updated = %+v", got)
	}
	_, _, err = s.UpdateApporteur(ctx, m, a.ID, crm.ApporteurPatch{Localisation: ptr("Paris")}, ptr(1))
	wantCode(t, err, crm.EPRECONDITION)
	if l := must[crm.Page[crm.Apporteur]](t)(s.ListApporteurs(ctx, m, crm.ApporteurDesactive, crm.ListOptions{Limit: 10})); len(l.Items) != 1 {
		t.Errorf("desactives = %+v, want 1", l.Items)
	}
	wantCode(t, ignore(s.ActiveApporteur(ctx, crm.Principal{MIA: m, Apporteur: a.ID})), crm.EFORBIDDEN)
	wantCode(t, ignore(s.ReissueInvitation(ctx, m, a.ID)), crm.ECONFLICT)
}

func TestInvitationAndActivation(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	a := newApporteur(t, s, m, uniqueEmail("act"))
	acc := crm.Account{Kind: crm.AccountApporteur, MIA: m, Apporteur: a.ID, Email: a.Email, Statut: string(a.Statut), InvitationN: 1}

	tok1, h1, _ := crm.NewActivationToken()
	if ok := must[bool](t)(s.ClaimInvitation(ctx, acc, h1, time.Now().Add(crm.ActivationValidity))); !ok {
		t.Fatal("first claim refused")
	}
	_, h1bis, _ := crm.NewActivationToken()
	if ok := must[bool](t)(s.ClaimInvitation(ctx, acc, h1bis, time.Now().Add(crm.ActivationValidity))); ok {
		t.Fatal("a redelivered claim was accepted: a second email would go out")
	}

	// A new invitation kills the first link at once.
	must[crm.Apporteur](t)(s.ReissueInvitation(ctx, m, a.ID))
	wantCode(t, ignore(s.GetActivation(ctx, crm.HashActivationToken(tok1))), crm.ENOTFOUND)
	acc.InvitationN = 2
	tok2, h2, _ := crm.NewActivationToken()
	if ok := must[bool](t)(s.ClaimInvitation(ctx, acc, h2, time.Now().Add(crm.ActivationValidity))); !ok {
		t.Fatal("claim of invitation 2 refused")
	}

	act := must[crm.Activation](t)(s.GetActivation(ctx, crm.HashActivationToken(tok2)))
	if act.Kind != crm.AccountApporteur || act.MIA != m || act.Apporteur != a.ID || act.Used {
		t.Errorf("activation = %+v", act)
	}
	if n := must[int](t)(s.FailActivation(ctx, h2)); n != 1 {
		t.Errorf("failures = %d, want 1", n)
	}
	if err := s.ConsumeActivation(ctx, act); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.ConsumeActivation(ctx, act), crm.EINVALID) // single use
	got := must[crm.Apporteur](t)(s.ActiveApporteur(ctx, crm.Principal{MIA: m, Apporteur: a.ID}))
	if got.Statut != crm.ApporteurActif || got.ActiveLe == nil {
		t.Errorf("after activation = %+v", got)
	}
	// Undo (Cognito failed) makes the link usable again.
	if err := s.UndoActivation(ctx, act); err != nil {
		t.Fatal(err)
	}
	if err := s.ConsumeActivation(ctx, act); err != nil {
		t.Errorf("consume after undo: %v", err)
	}

	// Five failures kill a token.
	b := newApporteur(t, s, m, uniqueEmail("lock"))
	accB := crm.Account{Kind: crm.AccountApporteur, MIA: m, Apporteur: b.ID, Email: b.Email, Statut: string(b.Statut), InvitationN: 1}
	tokB, hB, _ := crm.NewActivationToken()
	must[bool](t)(s.ClaimInvitation(ctx, accB, hB, time.Now().Add(crm.ActivationValidity)))
	for range crm.ActivationMaxFailures {
		must[int](t)(s.FailActivation(ctx, hB))
	}
	actB := must[crm.Activation](t)(s.GetActivation(ctx, crm.HashActivationToken(tokB)))
	wantCode(t, s.ConsumeActivation(ctx, actB), crm.EINVALID)
}

func TestEspaceApporteur(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	if err := s.PutProduits(ctx, crm.Catalogue()); err != nil {
		t.Fatal(err)
	}
	a := newApporteur(t, s, m, uniqueEmail("esp"))
	b := newApporteur(t, s, m, uniqueEmail("esp2"))
	// Not active yet: it cannot create contacts.
	wantCode(t, ignore(created(s.CreateContactByApporteur(ctx, crm.Principal{MIA: m, Apporteur: a.ID}, crm.Contact{Nom: "Dupont", Email: "jean.dupont@exemple.fr"}, nil))), crm.EFORBIDDEN)
	for _, p := range []crm.Apporteur{a, b} {
		// Activate through the real path: claim + consume.
		now := time.Now()
		acc := crm.Account{Kind: crm.AccountApporteur, MIA: m, Apporteur: p.ID, Email: p.Email, Statut: string(p.Statut), InvitationN: 1}
		tok, h, _ := crm.NewActivationToken()
		must[bool](t)(s.ClaimInvitation(ctx, acc, h, now.Add(time.Hour)))
		if err := s.ConsumeActivation(ctx, must[crm.Activation](t)(s.GetActivation(ctx, crm.HashActivationToken(tok)))); err != nil {
			t.Fatal(err)
		}
	}
	const note = "Rappeler après 18 h.\nPas le lundi."
	mine := must[crm.Contact](t)(created(s.CreateContactByApporteur(ctx, crm.Principal{MIA: m, Apporteur: a.ID}, crm.Contact{Nom: "Dupont", Prenom: "Jean", Email: "jean.dupont@exemple.fr",
		Remarques: "ignorée", NoteApporteur: "  " + note + " "}, nil)))
	if mine.ApporteurID != a.ID || mine.Remarques != "" || mine.Statut != crm.ContactProspect || mine.NoteApporteur != note {
		t.Errorf("contact = %+v", mine)
	}
	must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Connu", Telephone: "0611223344"}, nil)))
	e := wantCode(t, ignore(created(s.CreateContactByApporteur(ctx, crm.Principal{MIA: m, Apporteur: b.ID}, crm.Contact{Nom: "Autre", Telephone: "06 11 22 33 44"}, nil))), crm.ECONFLICT)
	if e.Ref != "" || len(e.Fields) != 0 {
		t.Errorf("conflict reveals %q %+v", e.Ref, e.Fields)
	}
	la := must[crm.Page[crm.Contact]](t)(s.ApporteurContacts(ctx, m, a.ID, crm.ListOptions{}))
	lb := must[crm.Page[crm.Contact]](t)(s.ApporteurContacts(ctx, m, b.ID, crm.ListOptions{}))
	if len(la.Items) != 1 || la.Items[0].ID != mine.ID || len(lb.Items) != 0 {
		t.Errorf("contacts a = %+v, b = %+v", la.Items, lb.Items)
	}
	if got := la.Items[0].NoteApporteur; got != note {
		t.Errorf("listed note = %q, want %q", got, note)
	}
	// The MIA's edits, by either update path, keep the apporteur's note.
	for name, p := range map[string]crm.ContactPatch{"one UpdateItem": {Remarques: ptr("à relancer")}, "read then write": {Prenom: ptr("Jean-Paul")}} {
		got := must[crm.Contact](t)(s.UpdateContact(ctx, m, mine.ID, p, nil))
		if got.NoteApporteur != note {
			t.Errorf("%s: note after the MIA's patch = %q, want %q", name, got.NoteApporteur, note)
		}
	}
	// A MIA's own contact carries no apporteur note, whatever the caller passed.
	if got := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Sans note", Email: uniqueEmail("sans-note"), NoteApporteur: "x"}, nil))); got.NoteApporteur != "" {
		t.Errorf("MIA contact note = %q, want none", got.NoteApporteur)
	}

	aff := must[crm.Affaire](t)(created(s.CreateAffaire(ctx, m, crm.NewAffaire{ClientID: string(mine.ID), ProduitID: "auto", PrimeAnnuelleCentimes: 80000}, nil)))
	upd := must[crm.Affaire](t)(s.UpdateAffaire(ctx, m, aff.ID, crm.AffairePatch{TauxCommissionApporteur: ptr(20)}, nil))
	if err := s.PutHistorique(ctx, m, crm.Historique{AffaireID: aff.ID, At: upd.UpdatedAt, Seq: upd.Version, Evenement: "mise_a_jour",
		Statut: upd.Statut, Version: upd.Version}, a.ID); err != nil {
		t.Fatal(err)
	}
	views := must[[]crm.AffaireView](t)(s.ApporteurAffaires(ctx, m, a.ID))
	if len(views) != 1 || views[0].ID != aff.ID || len(views[0].Historique) != 1 || views[0].CommissionApporteurCentimes() != 1600 {
		t.Errorf("affaires of a = %+v", views)
	}
	if v := must[[]crm.AffaireView](t)(s.ApporteurAffaires(ctx, m, b.ID)); len(v) != 0 {
		t.Errorf("affaires of b = %+v", v)
	}

	// The MIA's list of an apporteur's affaires: the affaire alone (its
	// historique entry is in the collection too), statut a filter, cursor bound to it.
	list := func(f crm.AffaireFilter) crm.Page[crm.Affaire] {
		return must[crm.Page[crm.Affaire]](t)(s.ListAffaires(ctx, m, f))
	}
	if got := list(crm.AffaireFilter{ApporteurID: a.ID}); len(got.Items) != 1 || got.Items[0].ID != aff.ID {
		t.Errorf("affaires of apporteur a = %+v, want only %s", got.Items, aff.ID)
	}
	if got := list(crm.AffaireFilter{ApporteurID: a.ID, Statut: crm.AffaireSignee}); len(got.Items) != 0 {
		t.Errorf("signed affaires of apporteur a = %+v, want none", got.Items)
	}
	if got := list(crm.AffaireFilter{ApporteurID: b.ID}); len(got.Items) != 0 {
		t.Errorf("affaires of apporteur b = %+v, want none", got.Items)
	}
	// Another MIA asking for a's id reads its own, empty, collection.
	if got := must[crm.Page[crm.Affaire]](t)(s.ListAffaires(ctx, crm.MIAID(s.NewID()), crm.AffaireFilter{ApporteurID: a.ID})); len(got.Items) != 0 {
		t.Errorf("another MIA sees %+v", got.Items)
	}
	page := list(crm.AffaireFilter{ApporteurID: a.ID, ListOptions: crm.ListOptions{Limit: 1}})
	if page.NextCursor != "" {
		wantCode(t, ignore(s.ListAffaires(ctx, m, crm.AffaireFilter{ApporteurID: b.ID, ListOptions: crm.ListOptions{Limit: 1, Cursor: page.NextCursor}})), crm.EINVALID)
	}
	wantCode(t, ignore(s.ListAffaires(ctx, m, crm.AffaireFilter{ApporteurID: "pas-un-id"})), crm.EINVALID)

	// Commission totals: idempotent and order-safe.
	for range 2 {
		if err := s.SetApporteurCommission(ctx, m, a.ID, upd); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetApporteurCommission(ctx, m, a.ID, aff); err != nil { // an older version arrives late
		t.Fatal(err)
	}
	got := must[crm.Apporteur](t)(s.GetApporteur(ctx, m, a.ID))
	if got.Commissions != (crm.CommissionTotaux{EnCoursCentimes: 1600, TotalCentimes: 1600}) {
		t.Errorf("totaux = %+v", got.Commissions)
	}
	if err := s.RemoveApporteurCommission(ctx, m, a.ID, aff.ID, upd.Version+1); err != nil {
		t.Fatal(err)
	}
	if got := must[crm.Apporteur](t)(s.GetApporteur(ctx, m, a.ID)); got.Commissions.TotalCentimes != 0 {
		t.Errorf("after remove totaux = %+v", got.Commissions)
	}

	// Notifications are claimed once.
	if !must[bool](t)(s.ClaimNotification(ctx, m, "X#1")) || must[bool](t)(s.ClaimNotification(ctx, m, "X#1")) {
		t.Error("notification claimed twice")
	}
}

func TestMIAAccount(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	email := uniqueEmail("mia")
	n := crm.NewMIAAccount{Nom: "Durand", Prenom: "Claire", Email: email, Cabinet: "Cabinet Durand"}
	mia := must[crm.MIA](t)(created(s.CreateMIAAccount(ctx, n, "", nil)))
	wantCode(t, ignore(created(s.CreateMIAAccount(ctx, n, "", nil))), crm.ECONFLICT)
	got := must[crm.MIA](t)(s.GetMIA(ctx, mia.ID))
	if got.Email != email || got.Cabinet != "Cabinet Durand" {
		t.Errorf("profile = %+v", got)
	}
}

// TestCreateApporteurReplay: the same Idempotency-Key replays the first
// answer, though the email guard written by the first request fails too.
func TestCreateApporteurReplay(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	n := crm.NewApporteur{Nom: "Martin", Email: uniqueEmail("replay")}
	idem := &crm.Idempotency{Sub: "user-1", Key: "k-apporteur", Hash: "h1", Answer: answer}
	a := must[crm.Apporteur](t)(created(s.CreateApporteur(ctx, m, n, idem)))
	if got := replayed[crm.Apporteur](t)(s.CreateApporteur(ctx, m, n, idem)); got.ID != a.ID {
		t.Errorf("replayed apporteur %s, want %s", got.ID, a.ID)
	}
}

// TestApporteurAndMIAValidatedByStore: like contacts and entreprises, the
// store validates and normalises what it writes, whoever calls it.
func TestApporteurAndMIAValidatedByStore(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	calls := countCalls(s)
	wantCode(t, ignore(created(s.CreateApporteur(ctx, m, crm.NewApporteur{Nom: "X", Email: uniqueEmail("tel"), Telephone: "0612"}, nil))), crm.EINVALID)
	wantCode(t, ignore(created(s.CreateMIAAccount(ctx, crm.NewMIAAccount{Nom: "X", Prenom: "Y", Email: "pas-un-email"}, m, nil))), crm.EINVALID)
	a := newApporteur(t, s, m, uniqueEmail("valide"))
	*calls = nil
	_, _, err := s.UpdateApporteur(ctx, m, a.ID, crm.ApporteurPatch{Telephone: ptr("12")}, nil)
	wantCode(t, err, crm.EINVALID)
	wantCalls(t, calls) // refused before any read or write

	b := must[crm.Apporteur](t)(created(s.CreateApporteur(ctx, m, crm.NewApporteur{Nom: " Martin ", Email: uniqueEmail("norm"), Telephone: "06 12 34 56 78"}, nil)))
	if b.Nom != "Martin" || b.Telephone != "+33612345678" {
		t.Errorf("not normalised: %+v", b)
	}
}
