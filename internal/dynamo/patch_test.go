package dynamo

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/oklog/ulid/v2"
)

// countCalls records the store's item reads and writes, by operation.
func countCalls(s *Store) *[]string {
	c := counting{api: s.db, calls: &[]string{}}
	s.db = c
	return c.calls
}

// counting is an api that records the operations it passes on.
type counting struct {
	api
	calls *[]string
}

func (c counting) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	*c.calls = append(*c.calls, "Query")
	return c.api.Query(ctx, in, o...)
}

func (c counting) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	*c.calls = append(*c.calls, "GetItem")
	return c.api.GetItem(ctx, in, o...)
}

func (c counting) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	*c.calls = append(*c.calls, "UpdateItem")
	return c.api.UpdateItem(ctx, in, o...)
}

func (c counting) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	*c.calls = append(*c.calls, "TransactWriteItems")
	return c.api.TransactWriteItems(ctx, in, o...)
}

func wantCalls(t *testing.T, calls *[]string, want ...string) {
	t.Helper()
	if !slices.Equal(*calls, want) {
		t.Errorf("calls = %v, want %v", *calls, want)
	}
	*calls = nil
}

func TestPatchContactOneWrite(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	c := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Dupont", Prenom: "Élise", Email: "elise@exemple.fr",
		Profession: "Boulangère"}, nil)))
	calls := countCalls(s)

	got := must[crm.Contact](t)(s.UpdateContact(ctx, m, c.ID, crm.ContactPatch{Statut: ptr(crm.ContactClient),
		Profession: ptr(""), Adresse: ptr("  2 rue de Lyon ")}, ptr(1)))
	wantCalls(t, calls, "UpdateItem")
	if got.Version != 2 || got.Statut != crm.ContactClient || got.Profession != "" || got.Adresse != "2 rue de Lyon" ||
		got.Email != c.Email || !got.UpdatedAt.After(c.UpdatedAt.Add(-time.Second)) {
		t.Errorf("patched = %+v", got)
	}
	// The statut list (GSI2) and the search attribute follow.
	clients := must[crm.Page[crm.Contact]](t)(s.ListContacts(ctx, m, crm.ContactFilter{Statut: crm.ContactClient, Q: "elise"}))
	if len(clients.Items) != 1 || clients.Items[0].ID != c.ID {
		t.Errorf("clients = %+v", clients.Items)
	}
	*calls = nil

	wantCode(t, ignore(s.UpdateContact(ctx, m, c.ID, crm.ContactPatch{Remarques: ptr("x")}, ptr(1))), crm.EPRECONDITION)
	wantCalls(t, calls, "UpdateItem")
	_, other := newStore(t)
	wantCode(t, ignore(s.UpdateContact(ctx, other, c.ID, crm.ContactPatch{Remarques: ptr("x")}, nil)), crm.ENOTFOUND)
	wantCalls(t, calls, "UpdateItem")
	wantCode(t, ignore(s.GetContact(ctx, other, c.ID)), crm.ENOTFOUND) // the failed update created nothing
	wantCalls(t, calls, "Query", "GetItem")                            // a view's 404 is confirmed on the table (clientCollection)
	e := wantCode(t, ignore(s.UpdateContact(ctx, m, c.ID, crm.ContactPatch{DateNaissance: ptr("31/12/1980")}, nil)), crm.EINVALID)
	if len(e.Fields) != 1 || e.Fields[0].Champ != "dateNaissance" {
		t.Errorf("fields = %+v, want dateNaissance only", e.Fields)
	}
	wantCalls(t, calls)

	// A guarded field keeps read → transaction, and swaps the guard.
	got = must[crm.Contact](t)(s.UpdateContact(ctx, m, c.ID, crm.ContactPatch{Email: ptr("e.dupont@exemple.fr")}, ptr(2)))
	wantCalls(t, calls, "GetItem", "TransactWriteItems")
	if got.Version != 3 || got.Statut != crm.ContactClient {
		t.Errorf("after email change = %+v", got)
	}
	must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Autre", Email: "elise@exemple.fr"}, nil)))
	wantCode(t, ignore(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Autre", Email: "e.dupont@exemple.fr"}, nil))), crm.ECONFLICT)
	*calls = nil
	// nom feeds recherche with the unpatched email and telephone: read path.
	got = must[crm.Contact](t)(s.UpdateContact(ctx, m, c.ID, crm.ContactPatch{Nom: ptr("Durand")}, nil))
	wantCalls(t, calls, "GetItem", "TransactWriteItems")
	if l := must[crm.Page[crm.Contact]](t)(s.ListContacts(ctx, m, crm.ContactFilter{Q: "durand"})); len(l.Items) != 1 {
		t.Errorf("search durand = %+v", l.Items)
	}
}

func TestPatchEntrepriseOneWrite(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	d := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Martin", Email: "m@exemple.fr"}, nil)))
	e := must[crm.Entreprise](t)(created(s.CreateEntreprise(ctx, m, crm.Entreprise{RaisonSociale: "Boulangerie Martin",
		Siren: "443061841", Adresse: "1 rue de Paris", DirigeantID: d.ID, Remarques: "note"}, nil)))
	calls := countCalls(s)

	got := must[crm.Entreprise](t)(s.UpdateEntreprise(ctx, m, e.ID, crm.EntreprisePatch{Adresse: ptr("3 place Bellecour"), Remarques: ptr("")}, ptr(1)))
	wantCalls(t, calls, "UpdateItem")
	if got.Version != 2 || got.Adresse != "3 place Bellecour" || got.Remarques != "" || got.Siren != e.Siren {
		t.Errorf("patched = %+v", got)
	}
	wantCode(t, ignore(s.UpdateEntreprise(ctx, m, e.ID, crm.EntreprisePatch{Adresse: ptr(" ")}, nil)), crm.EINVALID)
	wantCalls(t, calls)
	wantCode(t, ignore(s.UpdateEntreprise(ctx, m, e.ID, crm.EntreprisePatch{Remarques: ptr("x")}, ptr(1))), crm.EPRECONDITION)
	wantCode(t, ignore(s.UpdateEntreprise(ctx, m, crm.EntrepriseID(ulid.Make().String()), crm.EntreprisePatch{Remarques: ptr("x")}, nil)), crm.ENOTFOUND)
	wantCalls(t, calls, "UpdateItem", "UpdateItem")

	// SIREN is guarded: read → transaction, the old SIREN is free again.
	must[crm.Entreprise](t)(s.UpdateEntreprise(ctx, m, e.ID, crm.EntreprisePatch{Siren: ptr("732829320")}, ptr(2)))
	wantCalls(t, calls, "GetItem", "TransactWriteItems")
	must[crm.Entreprise](t)(created(s.CreateEntreprise(ctx, m, crm.Entreprise{RaisonSociale: "B", Siren: "443061841", Adresse: "x", DirigeantID: d.ID}, nil)))
}

func TestPatchProduitOneWrite(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	id := crm.ProduitID("test-" + strings.ToLower(ulid.Make().String()))
	must[crm.Produit](t)(created(s.CreateProduit(ctx, crm.Produit{ID: id, Nom: "Santé", Categorie: crm.CategorieSante, Assureur: "A",
		Description: "d", TauxCommissionMIA: 10, Actif: true}, m, nil)))
	calls := countCalls(s)

	got := must[crm.Produit](t)(s.UpdateProduit(ctx, id, crm.ProduitPatch{Nom: ptr("Santé +"), Description: ptr(""),
		TauxCommissionMIA: ptr(12), Actif: ptr(false)}, ptr(1)))
	wantCalls(t, calls, "UpdateItem")
	if got.Version != 2 || got.Nom != "Santé +" || got.Description != "" || got.TauxCommissionMIA != 12 || got.Actif || got.Assureur != "A" {
		t.Errorf("patched = %+v", got)
	}
	wantCode(t, ignore(s.UpdateProduit(ctx, id, crm.ProduitPatch{Categorie: ptr(crm.Categorie("x")), TauxCommissionMIA: ptr(101)}, nil)), crm.EINVALID)
	wantCalls(t, calls)
	wantCode(t, ignore(s.UpdateProduit(ctx, id, crm.ProduitPatch{Actif: ptr(true)}, ptr(1))), crm.EPRECONDITION)
	wantCode(t, ignore(s.UpdateProduit(ctx, "absent-"+id, crm.ProduitPatch{Actif: ptr(true)}, nil)), crm.ENOTFOUND)
	wantCalls(t, calls, "UpdateItem", "UpdateItem")
	wantCode(t, ignore(s.GetProduit(ctx, "absent-"+id)), crm.ENOTFOUND)
}

func TestPatchApporteurOneWrite(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	a := newApporteur(t, s, m, uniqueEmail("patch"))
	calls := countCalls(s)

	desactive, actif := crm.ApporteurDesactive, crm.ApporteurActif
	before, after, err := s.UpdateApporteur(ctx, m, a.ID, crm.ApporteurPatch{Statut: &desactive, Prenom: ptr(""), Localisation: ptr("Lyon")}, ptr(1))
	if err != nil {
		t.Fatal(err)
	}
	wantCalls(t, calls, "UpdateItem")
	if before.Statut != crm.ApporteurInvitationEnvoyee || before.Version != 1 || after.Statut != crm.ApporteurDesactive ||
		after.Prenom != "" || after.Localisation != "Lyon" || after.Version != 2 || after.Email != a.Email {
		t.Errorf("before %+v after %+v", before, after)
	}
	if stored := must[crm.Apporteur](t)(s.GetApporteur(ctx, m, a.ID)); stored.Statut != after.Statut || stored.Prenom != "" ||
		stored.Version != 2 || !stored.UpdatedAt.Equal(after.UpdatedAt) {
		t.Errorf("stored %+v, returned %+v", stored, after)
	}
	*calls = nil
	_, _, err = s.UpdateApporteur(ctx, m, a.ID, crm.ApporteurPatch{Remarques: ptr("x")}, ptr(1))
	if e := wantCode(t, err, crm.EPRECONDITION); !strings.Contains(e.Message, "apporteur") {
		t.Errorf("412 message = %q", e.Message)
	}
	_, _, err = s.UpdateApporteur(ctx, m, crm.ApporteurID(ulid.Make().String()), crm.ApporteurPatch{Remarques: ptr("x")}, nil)
	wantCode(t, err, crm.ENOTFOUND)
	wantCalls(t, calls, "UpdateItem", "UpdateItem")

	// Reactivation depends on activeLe: read path; never activated → invitation_envoyee.
	_, after, err = s.UpdateApporteur(ctx, m, a.ID, crm.ApporteurPatch{Statut: &actif}, ptr(2))
	if err != nil {
		t.Fatal(err)
	}
	wantCalls(t, calls, "GetItem", "UpdateItem")
	if after.Statut != crm.ApporteurInvitationEnvoyee || after.Version != 3 {
		t.Errorf("reactivated = %+v", after)
	}
}

func TestConsumeActivationExplained(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	claim := func(a crm.Apporteur) crm.Activation {
		acc := crm.Account{Kind: crm.AccountApporteur, MIA: m, Apporteur: a.ID, Email: a.Email, Statut: string(a.Statut), InvitationN: 1}
		tok, h, _ := crm.NewActivationToken()
		if ok := must[bool](t)(s.ClaimInvitation(ctx, acc, h, time.Now().Add(crm.ActivationValidity))); !ok {
			t.Fatal("claim refused")
		}
		return must[crm.Activation](t)(s.GetActivation(ctx, crm.HashActivationToken(tok)))
	}
	wantMsg := func(err error, want string) {
		t.Helper()
		if e := wantCode(t, err, crm.EINVALID); !strings.Contains(e.Message, want) {
			t.Errorf("message = %q, want %q", e.Message, want)
		}
	}
	// Deactivated before activating: the account condition fails.
	a := newApporteur(t, s, m, uniqueEmail("act"))
	act := claim(a)
	desactive := crm.ApporteurDesactive
	if _, _, err := s.UpdateApporteur(ctx, m, a.ID, crm.ApporteurPatch{Statut: &desactive}, nil); err != nil {
		t.Fatal(err)
	}
	calls := countCalls(s)
	wantMsg(s.ConsumeActivation(ctx, act), "déjà été utilisé")
	wantCalls(t, calls, "TransactWriteItems")

	// Used, then expired: the token's condition fails, told from its old item.
	b := newApporteur(t, s, m, uniqueEmail("act"))
	actB := claim(b)
	if err := s.ConsumeActivation(ctx, actB); err != nil {
		t.Fatal(err)
	}
	wantMsg(s.ConsumeActivation(ctx, actB), "déjà été utilisé")
	c := newApporteur(t, s, m, uniqueEmail("act"))
	actC := claim(c)
	s.Now = func() time.Time { return time.Now().Add(crm.ActivationValidity + time.Hour) }
	wantMsg(s.ConsumeActivation(ctx, actC), "expiré")
	// An account gone: unknown link.
	s.Now = time.Now
	actC.Apporteur = crm.ApporteurID(ulid.Make().String())
	actC.Hash = claim(newApporteur(t, s, m, uniqueEmail("act"))).Hash
	wantMsg(s.ConsumeActivation(ctx, actC), "pas valide")
}

// TestClientViewWhileGSI1Lags: in AWS a client created a moment ago may not be
// in GSI1 yet. Simulated here by taking the item out of GSI1: the view still
// finds it with one consistent GetItem, and a real 404 stays a 404.
func TestClientViewWhileGSI1Lags(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	c := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Martin", Email: "lag@exemple.fr"}, nil)))
	e := must[crm.Entreprise](t)(created(s.CreateEntreprise(ctx, m, crm.Entreprise{RaisonSociale: "Lag SARL", Siren: "732829320",
		Adresse: "3 rue de Lille", DirigeantID: c.ID}, nil)))
	for _, sk := range []string{ContactSK(c.ID), EntrepriseSK(e.ID)} {
		_, err := testDB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(testTable),
			Key:              map[string]types.AttributeValue{attrPK: &types.AttributeValueMemberS{Value: MIAPK(m)}, attrSK: &types.AttributeValueMemberS{Value: sk}},
			UpdateExpression: aws.String("REMOVE " + attrGSI1PK + ", " + attrGSI1SK)})
		if err != nil {
			t.Fatal(err)
		}
	}
	calls := countCalls(s)
	cv := must[crm.ContactView](t)(s.GetContact(ctx, m, c.ID))
	wantCalls(t, calls, "Query", "GetItem")
	if cv.Contact.ID != c.ID || cv.Contact.Email != "lag@exemple.fr" || cv.Contact.Version != 1 || len(cv.Affaires) != 0 {
		t.Errorf("contact view = %+v", cv)
	}
	ev := must[crm.EntrepriseView](t)(s.GetEntreprise(ctx, m, e.ID))
	wantCalls(t, calls, "Query", "GetItem")
	if ev.Entreprise.ID != e.ID || ev.Entreprise.RaisonSociale != "Lag SARL" {
		t.Errorf("entreprise view = %+v", ev)
	}
	wantCode(t, ignore(s.GetContact(ctx, m, crm.ContactID(ulid.Make().String()))), crm.ENOTFOUND)
	wantCode(t, ignore(s.GetEntreprise(ctx, m, crm.EntrepriseID(ulid.Make().String()))), crm.ENOTFOUND)
	_, other := newStore(t)
	wantCode(t, ignore(s.GetContact(ctx, other, c.ID)), crm.ENOTFOUND)
	wantCode(t, ignore(s.GetContact(ctx, m, "pas-un-id")), crm.ENOTFOUND)
}
