package e2e

import (
	"context"
	"maps"
	"net/http"
	"testing"

	"github.com/assentis/mycrm/internal/consumers"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/ddbevent"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Renaming a contact or an entreprise renames the client of its affaires
// (client-nom handler of stream-projections); a redelivered old record does not bring the old name back.
func TestRenamedClientRenamesItsAffaires(t *testing.T) {
	mia := newTenant(t, false)
	contact := createContact(t, mia.token, map[string]any{"nom": "Dupont", "prenom": "Jean", "email": uniqEmail("renomme")})
	r := call(t, "POST", "/entreprises", mia.token, map[string]any{"raisonSociale": "Boulangerie Dupont",
		"siren": uniqSiren(), "adresse": "1 rue du Four, 69001 Lyon", "dirigeantId": contact.ID})
	wantStatus(t, r, http.StatusCreated)
	var ent crm.Entreprise
	r.JSON(t, &ent)
	newAffaire := func(client string) crm.Affaire {
		r := call(t, "POST", "/affaires", mia.token, map[string]any{"clientId": client, "produitId": "auto", "primeAnnuelleCentimes": 50000})
		wantStatus(t, r, http.StatusCreated)
		var a crm.Affaire
		r.JSON(t, &a)
		return a
	}
	ofContact, ofEntreprise := newAffaire(string(contact.ID)), newAffaire(string(ent.ID))
	clientNom := func(id crm.AffaireID) (string, int) {
		var v crm.AffaireView
		r := call(t, "GET", "/affaires/"+string(id), mia.token, nil)
		wantStatus(t, r, http.StatusOK)
		r.JSON(t, &v)
		return v.ClientNom, v.Version
	}
	nomBefore, versionBefore := clientNom(ofContact.ID)

	ctx := context.Background()
	v1 := tableItem(t, mia.id, dynamo.ContactSK(contact.ID))

	wantStatus(t, call(t, "PATCH", "/contacts/"+string(contact.ID), mia.token, map[string]any{"nom": "Durand"}, "If-Match", `"1"`), http.StatusOK)
	wantStatus(t, call(t, "PATCH", "/entreprises/"+string(ent.ID), mia.token, map[string]any{"raisonSociale": "Boulangerie Durand"}, "If-Match", `"1"`), http.StatusOK)
	// A change that keeps the name renames nothing (and fails nothing).
	wantStatus(t, call(t, "PATCH", "/contacts/"+string(contact.ID), mia.token, map[string]any{"profession": "Boulanger"}, "If-Match", `"2"`), http.StatusOK)
	waitStreams(t)
	nom, version := clientNom(ofContact.ID)
	if nom != "Jean Durand" || nomBefore == nom {
		t.Errorf("affaire of the renamed contact: clientNom %q (before %q), want %q", nom, nomBefore, "Jean Durand")
	}
	if version != versionBefore {
		t.Errorf("affaire version %d, want %d: copying the client's name is not an edit", version, versionBefore)
	}
	if nom, _ := clientNom(ofEntreprise.ID); nom != "Boulangerie Durand" {
		t.Errorf("affaire of the renamed entreprise: clientNom %q, want %q", nom, "Boulangerie Durand")
	}
	if got := list[crm.Affaire](t, mia.token, "/affaires"); len(got.Items) != 2 || got.Items[0].ClientNom == "Jean Dupont" || got.Items[1].ClientNom == "Jean Dupont" {
		t.Errorf("GET /affaires = %+v, want the new names", got.Items)
	}

	// Redelivery of the first rename's record, then of an older one (version 1
	// named Dupont, renamed "back" from a made-up version 0): nothing changes.
	handler := consumers.ClientNom(stack.Services.Consumers)
	v2 := tableItem(t, mia.id, dynamo.ContactSK(contact.ID))
	old := maps.Clone(v1)
	old["version"] = &types.AttributeValueMemberN{Value: "0"}
	old["nom"] = &types.AttributeValueMemberS{Value: "Ancien"}
	for _, pair := range [][2]map[string]types.AttributeValue{{v1, v2}, {old, v1}} {
		rec := record(t, "rename", "MODIFY", pair[1])
		img, err := ddbevent.FromSDKMap(pair[0])
		if err != nil {
			t.Fatal(err)
		}
		rec.Change.OldImage = img
		resp, err := handler(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}})
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("redelivery: %+v %v", resp, err)
		}
	}
	if nom, _ := clientNom(ofContact.ID); nom != "Jean Durand" {
		t.Errorf("after redelivered records: clientNom %q, want %q", nom, "Jean Durand")
	}
}
