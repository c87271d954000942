package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/devstack/emulators/emulatortest"
	"github.com/assentis/mycrm/internal/phone"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/oklog/ulid/v2"
)

// newStore is a store on DynamoDB Local's table, for a new MIA (skipped with -short).
func newStore(t *testing.T) (*Store, crm.MIAID) {
	t.Helper()
	emulatortest.SkipShort(t)
	s := New(testDB, testTable, []byte("test-secret-test-secret-test-secret"))
	s.Phone = phone.Normalize
	return s, crm.MIAID(ulid.Make().String())
}

func ptr[T any](v T) *T { return &v }

func wantCode(t *testing.T, err error, code string) *crm.Error {
	t.Helper()
	if got := crm.ErrorCode(err); got != code || err == nil {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	var e *crm.Error
	errors.As(err, &e)
	return e
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// putApporteur writes the minimum of an apporteur item for the existence checks.
func putApporteur(t *testing.T, m crm.MIAID) crm.ApporteurID {
	p := crm.ApporteurID(ulid.Make().String())
	_, err := testDB.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(testTable),
		Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: MIAPK(m)}, "SK": &types.AttributeValueMemberS{Value: ApporteurSK(p)},
			"type": &types.AttributeValueMemberS{Value: "apporteur"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestContactGuardsAndTenancy(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	_, other := newStore(t)
	c := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Dupont", Email: "Jean@Exemple.fr", Telephone: "0612345678"}, nil)))
	if c.Email != "jean@exemple.fr" || c.Telephone != "+33612345678" || c.Version != 1 || !crm.IsULID(string(c.ID)) {
		t.Fatalf("created %+v", c)
	}

	e := wantCode(t, ignore(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Autre", Email: "jean@exemple.fr "}, nil))), crm.ECONFLICT)
	if e.Ref != string(c.ID) || e.Fields[0].Champ != "email" {
		t.Errorf("duplicate email: ref %q fields %v, want ref %s", e.Ref, e.Fields, c.ID)
	}
	e = wantCode(t, ignore(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Autre", Telephone: "+33 6 12 34 56 78"}, nil))), crm.ECONFLICT)
	if e.Ref != string(c.ID) || e.Fields[0].Champ != "telephone" {
		t.Errorf("duplicate phone: ref %q fields %v", e.Ref, e.Fields)
	}
	// Another MIA may have the same person.
	must[crm.Contact](t)(created(s.CreateContact(ctx, other, crm.Contact{Nom: "Dupont", Email: "jean@exemple.fr"}, nil)))
	wantCode(t, ignore(s.GetContact(ctx, other, c.ID)), crm.ENOTFOUND)
	wantCode(t, ignore(s.UpdateContact(ctx, other, c.ID, crm.ContactPatch{Nom: ptr("X")}, nil)), crm.ENOTFOUND)

	wantCode(t, ignore(created(s.CreateContact(ctx, m, crm.Contact{Nom: ""}, nil))), crm.EINVALID)
	wantCode(t, ignore(created(s.CreateContact(ctx, m, crm.Contact{Nom: "A", Email: "a@b.fr", ApporteurID: crm.ApporteurID(ulid.Make().String())}, nil))), crm.EUNPROCESSABLE)
	page := must[crm.Page[crm.Contact]](t)(s.ListContacts(ctx, m, crm.ContactFilter{}))
	if len(page.Items) != 1 {
		t.Errorf("after refused creates: %d contacts, want 1", len(page.Items))
	}
}

func ignore[T any](_ T, err error) error { return err }

// created is the outcome of a create expected to create: a replay is an error.
func created[T any](v T, r *crm.Replay, err error) (T, error) {
	if err == nil && r != nil {
		return v, fmt.Errorf("replayed %s, want a new entity", r.Answer)
	}
	return v, err
}

// replayed decodes the answer of a create expected to replay the first one;
// it fails the test when the create created, or failed.
func replayed[T any](t *testing.T) func(T, *crm.Replay, error) T {
	return func(_ T, r *crm.Replay, err error) T {
		t.Helper()
		if err != nil || r == nil {
			t.Fatalf("create: %v, want the first answer replayed", err)
		}
		var v T
		if err := json.Unmarshal(r.Answer, &v); err != nil {
			t.Fatalf("replayed answer %s: %v", r.Answer, err)
		}
		return v
	}
}

func TestUpdateContact(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	a := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "A", Email: "a@exemple.fr"}, nil)))
	b := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "B", Email: "b@exemple.fr"}, nil)))

	wantCode(t, ignore(s.UpdateContact(ctx, m, a.ID, crm.ContactPatch{Nom: ptr("A2")}, ptr(7))), crm.EPRECONDITION)
	e := wantCode(t, ignore(s.UpdateContact(ctx, m, a.ID, crm.ContactPatch{Email: ptr("B@exemple.fr")}, nil)), crm.ECONFLICT)
	if e.Ref != string(b.ID) {
		t.Errorf("conflict ref = %q, want %s", e.Ref, b.ID)
	}
	wantCode(t, ignore(s.UpdateContact(ctx, m, a.ID, crm.ContactPatch{Email: ptr("")}, nil)), crm.EINVALID)

	a2 := must[crm.Contact](t)(s.UpdateContact(ctx, m, a.ID, crm.ContactPatch{Email: ptr("a2@exemple.fr"), Statut: ptr(crm.ContactClient)}, ptr(1)))
	if a2.Version != 2 || a2.Email != "a2@exemple.fr" || a2.Statut != crm.ContactClient {
		t.Errorf("updated = %+v", a2)
	}
	// The old email is free again, the new one is taken.
	must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "C", Email: "a@exemple.fr"}, nil)))
	wantCode(t, ignore(created(s.CreateContact(ctx, m, crm.Contact{Nom: "D", Email: "a2@exemple.fr"}, nil))), crm.ECONFLICT)

	clients := must[crm.Page[crm.Contact]](t)(s.ListContacts(ctx, m, crm.ContactFilter{Statut: crm.ContactClient}))
	if len(clients.Items) != 1 || clients.Items[0].ID != a.ID {
		t.Errorf("clients = %+v", clients.Items)
	}
}

func TestListContactsPagingFiltersCursor(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	_, other := newStore(t)
	p := putApporteur(t, m)
	var ids []crm.ContactID
	for i, nom := range []string{"Éloïse Martin", "Bruno Petit", "Chloé Durand", "David Leroy", "Emma Moreau"} {
		c := crm.Contact{Nom: nom, Email: strings.ToLower(strings.Fields(nom)[1]) + "@exemple.fr"}
		if i%2 == 0 {
			c.ApporteurID = p
		}
		ids = append(ids, must[crm.Contact](t)(created(s.CreateContact(ctx, m, c, nil))).ID)
	}
	var got []crm.ContactID
	cursor := ""
	for pages := 0; ; pages++ {
		page := must[crm.Page[crm.Contact]](t)(s.ListContacts(ctx, m, crm.ContactFilter{ListOptions: crm.ListOptions{Limit: 2, Cursor: cursor}}))
		for _, c := range page.Items {
			got = append(got, c.ID)
		}
		if page.NextCursor == "" {
			break
		}
		if pages > 5 {
			t.Fatal("too many pages")
		}
		cursor = page.NextCursor
	}
	if len(got) != 5 || got[0] != ids[4] || got[4] != ids[0] {
		t.Errorf("paged ids = %v, want newest first %v", got, ids)
	}

	first := must[crm.Page[crm.Contact]](t)(s.ListContacts(ctx, m, crm.ContactFilter{ListOptions: crm.ListOptions{Limit: 1}}))
	tampered := []byte(first.NextCursor)
	tampered[3] ^= 1
	wantCode(t, ignore(s.ListContacts(ctx, m, crm.ContactFilter{ListOptions: crm.ListOptions{Cursor: string(tampered)}})), crm.EINVALID)
	wantCode(t, ignore(s.ListContacts(ctx, other, crm.ContactFilter{ListOptions: crm.ListOptions{Cursor: first.NextCursor}})), crm.EINVALID)
	wantCode(t, ignore(s.ListContacts(ctx, m, crm.ContactFilter{Statut: crm.ContactProspect, ListOptions: crm.ListOptions{Cursor: first.NextCursor}})), crm.EINVALID)
	wantCode(t, ignore(s.ListContacts(ctx, m, crm.ContactFilter{ListOptions: crm.ListOptions{Cursor: "abc"}})), crm.EINVALID)
	wantCode(t, ignore(s.ListContacts(ctx, m, crm.ContactFilter{ListOptions: crm.ListOptions{Limit: 500}})), crm.EINVALID)

	q := must[crm.Page[crm.Contact]](t)(s.ListContacts(ctx, m, crm.ContactFilter{Q: "ELOISE"}))
	if len(q.Items) != 1 || q.Items[0].ID != ids[0] {
		t.Errorf("q=ELOISE: %+v", q.Items)
	}
	byApporteur := must[crm.Page[crm.Contact]](t)(s.ListContacts(ctx, m, crm.ContactFilter{ApporteurID: p}))
	if len(byApporteur.Items) != 3 {
		t.Errorf("by apporteur: %d, want 3", len(byApporteur.Items))
	}
	both := must[crm.Page[crm.Contact]](t)(s.ListContacts(ctx, m, crm.ContactFilter{ApporteurID: p, Statut: crm.ContactClient}))
	if len(both.Items) != 0 {
		t.Errorf("by apporteur and client: %d, want 0", len(both.Items))
	}
	if page := must[crm.Page[crm.Contact]](t)(s.ListContacts(ctx, other, crm.ContactFilter{})); len(page.Items) != 0 {
		t.Errorf("other MIA sees %d contacts", len(page.Items))
	}
}

// answer records the created entity's JSON: what the store keeps is opaque to it.
func answer(v any) ([]byte, error) { return json.Marshal(v) }

func TestIdempotency(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	idem := &crm.Idempotency{Sub: "user-1", Key: "k-1", Hash: "h1", Answer: answer}
	c := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "A", Email: "a@exemple.fr"}, idem)))

	if got := replayed[crm.Contact](t)(s.CreateContact(ctx, m, crm.Contact{Nom: "A", Email: "a@exemple.fr"}, idem)); got.ID != c.ID {
		t.Errorf("replayed contact %s, want %s", got.ID, c.ID)
	}
	wantCode(t, ignore(created(s.CreateContact(ctx, m, crm.Contact{Nom: "B", Email: "b@exemple.fr"},
		&crm.Idempotency{Sub: "user-1", Key: "k-1", Hash: "h2", Answer: answer}))), crm.EUNPROCESSABLE)
	// Another user may use the same key.
	must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "B", Email: "b@exemple.fr"},
		&crm.Idempotency{Sub: "user-2", Key: "k-1", Hash: "h2", Answer: answer})))
	if page := must[crm.Page[crm.Contact]](t)(s.ListContacts(ctx, m, crm.ContactFilter{})); len(page.Items) != 2 {
		t.Errorf("%d contacts, want 2", len(page.Items))
	}
}

func TestEntreprises(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	_, other := newStore(t)
	p := putApporteur(t, m)
	d := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Martin", Email: "m@exemple.fr", ApporteurID: p}, nil)))
	foreign := must[crm.Contact](t)(created(s.CreateContact(ctx, other, crm.Contact{Nom: "X", Email: "x@exemple.fr"}, nil)))

	e := must[crm.Entreprise](t)(created(s.CreateEntreprise(ctx, m, crm.Entreprise{RaisonSociale: "Boulangerie Martin",
		Siren: "443 061 841", Adresse: "1 rue de Paris", DirigeantID: d.ID}, nil)))
	if e.ApporteurID != p || e.Siren != "443061841" {
		t.Errorf("entreprise = %+v, want the dirigeant's apporteur", e)
	}
	dup := wantCode(t, ignore(created(s.CreateEntreprise(ctx, m, crm.Entreprise{RaisonSociale: "Autre", Siren: "443061841",
		Adresse: "x", DirigeantID: d.ID}, nil))), crm.ECONFLICT)
	if dup.Ref != string(e.ID) {
		t.Errorf("SIREN conflict ref %q", dup.Ref)
	}
	wantCode(t, ignore(created(s.CreateEntreprise(ctx, m, crm.Entreprise{RaisonSociale: "Autre", Siren: "732829320",
		Adresse: "x", DirigeantID: foreign.ID}, nil))), crm.EUNPROCESSABLE)
	// With an explicit apporteur, the dirigeant is only checked inside the transaction.
	wantCode(t, ignore(created(s.CreateEntreprise(ctx, m, crm.Entreprise{RaisonSociale: "Autre", Siren: "732829320",
		Adresse: "x", DirigeantID: foreign.ID, ApporteurID: p}, nil))), crm.EUNPROCESSABLE)
	wantCode(t, ignore(created(s.CreateEntreprise(ctx, m, crm.Entreprise{RaisonSociale: "Autre", Siren: "123456789",
		Adresse: "x", DirigeantID: d.ID}, nil))), crm.EINVALID)
	// Another MIA may register the same SIREN.
	must[crm.Entreprise](t)(created(s.CreateEntreprise(ctx, other, crm.Entreprise{RaisonSociale: "B", Siren: "443061841",
		Adresse: "x", DirigeantID: foreign.ID}, nil)))

	wantCode(t, ignore(s.GetEntreprise(ctx, other, e.ID)), crm.ENOTFOUND)
	wantCode(t, ignore(s.GetContact(ctx, m, crm.ContactID(e.ID))), crm.ENOTFOUND)
	v := must[crm.EntrepriseView](t)(s.GetEntreprise(ctx, m, e.ID))
	if v.RaisonSociale != "Boulangerie Martin" {
		t.Errorf("view = %+v", v)
	}
	e2 := must[crm.Entreprise](t)(s.UpdateEntreprise(ctx, m, e.ID, crm.EntreprisePatch{Siren: ptr("732829320")}, ptr(1)))
	if e2.Version != 2 {
		t.Errorf("version %d", e2.Version)
	}
	must[crm.Entreprise](t)(created(s.CreateEntreprise(ctx, m, crm.Entreprise{RaisonSociale: "C", Siren: "443061841", Adresse: "x", DirigeantID: d.ID}, nil)))
	wantCode(t, ignore(s.UpdateEntreprise(ctx, m, e.ID, crm.EntreprisePatch{DirigeantID: ptr(foreign.ID)}, nil)), crm.EUNPROCESSABLE)
	list := must[crm.Page[crm.Entreprise]](t)(s.ListEntreprises(ctx, m, crm.EntrepriseFilter{Q: "boulangerie"}))
	if len(list.Items) != 1 {
		t.Errorf("q=boulangerie: %d", len(list.Items))
	}
}

func TestAffaires(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	_, other := newStore(t)
	if err := s.PutProduits(ctx, crm.Catalogue()); err != nil {
		t.Fatal(err)
	}
	must[crm.Produit](t)(created(s.CreateProduit(ctx, crm.Produit{ID: "ancien-produit", Nom: "Ancien", Categorie: crm.CategorieAuto,
		Assureur: "X", TauxCommissionMIA: 5, Actif: false}, m, nil)))
	p := putApporteur(t, m)
	sans := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Sans", Email: "sans@exemple.fr"}, nil)))
	avec := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Prenom: "Jean", Nom: "Avec", Email: "avec@exemple.fr", ApporteurID: p}, nil)))

	a := must[crm.Affaire](t)(created(s.CreateAffaire(ctx, m, crm.NewAffaire{ClientID: string(avec.ID), ProduitID: "auto", PrimeAnnuelleCentimes: 80000}, nil)))
	if a.ClientNom != "Jean Avec" || a.ClientType != crm.ClientContact || a.ApporteurID != p || a.TauxCommissionMIA != 10 ||
		a.ProduitNom != "Assurance auto" || a.Statut != crm.AffaireEnCours || a.CommissionMIACentimes() != 8000 {
		t.Errorf("affaire = %+v", a)
	}
	wantCode(t, ignore(created(s.CreateAffaire(ctx, m, crm.NewAffaire{ClientID: string(sans.ID), ProduitID: "auto", TauxCommissionApporteur: ptr(20)}, nil))), crm.EUNPROCESSABLE)
	wantCode(t, ignore(created(s.CreateAffaire(ctx, m, crm.NewAffaire{ClientID: string(sans.ID), ProduitID: "inconnu"}, nil))), crm.EUNPROCESSABLE)
	wantCode(t, ignore(created(s.CreateAffaire(ctx, m, crm.NewAffaire{ClientID: string(sans.ID), ProduitID: "ancien-produit"}, nil))), crm.EUNPROCESSABLE)
	wantCode(t, ignore(created(s.CreateAffaire(ctx, other, crm.NewAffaire{ClientID: string(sans.ID), ProduitID: "auto"}, nil))), crm.EUNPROCESSABLE)

	list := must[crm.Page[crm.Affaire]](t)(s.ListAffaires(ctx, m, crm.AffaireFilter{}))
	if len(list.Items) != 1 || list.Items[0].ID != a.ID {
		t.Errorf("en_cours = %+v", list.Items)
	}
	cv := must[crm.ContactView](t)(s.GetContact(ctx, m, avec.ID))
	if len(cv.Affaires) != 1 || cv.Affaires[0].ID != a.ID {
		t.Errorf("contact view affaires = %+v", cv.Affaires)
	}

	// One conditional UpdateItem, its failures told apart by the old item.
	wantCode(t, ignore(s.UpdateAffaire(ctx, other, a.ID, crm.AffairePatch{Statut: ptr(crm.AffaireSignee)}, nil)), crm.ENOTFOUND)
	wantCode(t, ignore(s.UpdateAffaire(ctx, m, a.ID, crm.AffairePatch{Statut: ptr(crm.AffaireResiliee)}, nil)), crm.ECONFLICT)
	wantCode(t, ignore(s.UpdateAffaire(ctx, m, a.ID, crm.AffairePatch{Statut: ptr(crm.AffaireSignee)}, ptr(3))), crm.EPRECONDITION)
	got := must[crm.Affaire](t)(s.UpdateAffaire(ctx, m, a.ID, crm.AffairePatch{Statut: ptr(crm.AffaireSignee),
		PrimeAnnuelleCentimes: ptr(int64(99999)), TauxCommissionMIA: ptr(15), TauxCommissionApporteur: ptr(25)}, ptr(1)))
	if got.Version != 2 || got.Statut != crm.AffaireSignee || got.CommissionMIACentimes() != 15000 || got.CommissionApporteurCentimes() != 3750 {
		t.Errorf("updated = %+v", got)
	}
	wantCode(t, ignore(s.UpdateAffaire(ctx, m, a.ID, crm.AffairePatch{Statut: ptr(crm.AffaireEnCours)}, nil)), crm.ECONFLICT)
	signees := must[crm.Page[crm.Affaire]](t)(s.ListAffaires(ctx, m, crm.AffaireFilter{Statut: crm.AffaireSignee}))
	if len(signees.Items) != 1 {
		t.Errorf("signees = %d", len(signees.Items))
	}

	b := must[crm.Affaire](t)(created(s.CreateAffaire(ctx, m, crm.NewAffaire{ClientID: string(sans.ID), ProduitID: "mrh"}, nil)))
	wantCode(t, ignore(s.UpdateAffaire(ctx, m, b.ID, crm.AffairePatch{TauxCommissionApporteur: ptr(15)}, nil)), crm.EUNPROCESSABLE)

	h := crm.Historique{AffaireID: a.ID, At: s.Now(), Evenement: "mise_a_jour", StatutAvant: crm.AffaireEnCours,
		Statut: crm.AffaireSignee, Version: 2, Changements: []crm.Changement{{Champ: "statut", Avant: "en_cours", Apres: "signee"}}}
	if err := s.PutHistorique(ctx, m, h, p); err != nil {
		t.Fatal(err)
	}
	v := must[crm.AffaireView](t)(s.GetAffaire(ctx, m, a.ID))
	if v.Version != 2 || len(v.Historique) != 1 || v.Historique[0].Changements[0].Apres != "signee" {
		t.Errorf("affaire view = %+v", v)
	}
	wantCode(t, ignore(s.GetAffaire(ctx, other, a.ID)), crm.ENOTFOUND)

	if err := s.MarkContactClient(ctx, m, avec.ID); err != nil {
		t.Fatal(err)
	}
	if c := must[crm.ContactView](t)(s.GetContact(ctx, m, avec.ID)); c.Statut != crm.ContactClient || c.Version != 2 {
		t.Errorf("after MarkContactClient: %s v%d", c.Statut, c.Version)
	}
}

func TestProduits(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	for i := 0; i < 2; i++ {
		if err := s.PutProduits(ctx, crm.Catalogue()); err != nil {
			t.Fatal(err)
		}
	}
	ps := must[[]crm.Produit](t)(s.ListProduits(ctx))
	if len(ps) < len(crm.Catalogue()) {
		t.Errorf("%d produits", len(ps))
	}
	wantCode(t, ignore(created(s.CreateProduit(ctx, crm.Catalogue()[0], m, nil))), crm.ECONFLICT)
	up := must[crm.Produit](t)(s.UpdateProduit(ctx, "gav", crm.ProduitPatch{Actif: ptr(false)}, nil))
	if up.Actif || up.Version < 2 {
		t.Errorf("updated = %+v", up)
	}
	wantCode(t, ignore(s.UpdateProduit(ctx, "gav", crm.ProduitPatch{Actif: ptr(true)}, ptr(1))), crm.EPRECONDITION)
	wantCode(t, ignore(s.UpdateProduit(ctx, "nope", crm.ProduitPatch{Actif: ptr(true)}, nil)), crm.ENOTFOUND)
	// Seeding again keeps the staff's change.
	if err := s.PutProduits(ctx, crm.Catalogue()); err != nil {
		t.Fatal(err)
	}
	if p := must[crm.Produit](t)(s.GetProduit(ctx, "gav")); p.Actif {
		t.Error("seeding reactivated a produit")
	}
	must[crm.Produit](t)(s.UpdateProduit(ctx, "gav", crm.ProduitPatch{Actif: ptr(true)}, nil))

	email := uniqueEmail("anne")
	if err := s.PutMIA(ctx, crm.MIA{ID: m, Nom: "Durand", Prenom: "Anne", Email: email, Cabinet: "Cabinet Durand"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutMIA(ctx, crm.MIA{ID: m, Nom: "Durand", Prenom: "Anne", Email: strings.ToUpper(email), Cabinet: "Cabinet D."}); err != nil {
		t.Fatal(err)
	}
	if got := must[crm.MIA](t)(s.GetMIA(ctx, m)); got.Cabinet != "Cabinet D." || got.Version != 2 {
		t.Errorf("mia = %+v", got)
	}
	// A seeded account holds the same email guard as POST /admin/mias: staff
	// cannot create a second account with it, nor can another seeded MIA.
	wantCode(t, ignore(created(s.CreateMIAAccount(ctx, crm.NewMIAAccount{Nom: "Autre", Prenom: "Anne", Email: email, Cabinet: "X"}, "", nil))), crm.ECONFLICT)
	wantCode(t, s.PutMIA(ctx, crm.MIA{ID: crm.MIAID(s.NewID()), Nom: "Autre", Email: email}), crm.ECONFLICT)
}
