package e2e

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/consumers"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/ddbevent"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// attributionWorld is one MIA with two active apporteurs (a, b), a contact
// and an entreprise of a, each with an affaire whose rate is set, and a
// contact without apporteur with an affaire.
type attributionWorld struct {
	mia              tenant
	a, b             apporteurJSON
	tokA, tokB       string
	contact, sans    crm.Contact
	entreprise       crm.Entreprise
	affC, affE, affS crm.Affaire
}

func newAttributionWorld(t *testing.T, prefix string) attributionWorld {
	t.Helper()
	w := attributionWorld{mia: newTenant(t, false)}
	w.a, w.tokA = newActiveApporteur(t, w.mia.token, prefix+"-a")
	w.b, w.tokB = newActiveApporteur(t, w.mia.token, prefix+"-b")
	w.contact = createContact(t, w.mia.token, map[string]any{"nom": "Suivi" + prefix, "prenom": "Jean",
		"email": uniqEmail(prefix + "-client"), "apporteurId": w.a.ID})
	r := call(t, "POST", "/entreprises", w.mia.token, map[string]any{"raisonSociale": "Societe" + prefix,
		"siren": uniqSiren(), "adresse": "1 rue du Port, 13002 Marseille", "dirigeantId": w.contact.ID})
	wantStatus(t, r, http.StatusCreated)
	r.JSON(t, &w.entreprise)
	w.sans = createContact(t, w.mia.token, map[string]any{"nom": "Sans" + prefix, "email": uniqEmail(prefix + "-sans")})
	newAffaire := func(body map[string]any) crm.Affaire {
		body["produitId"] = "auto" // 10 % for the MIA
		r := call(t, "POST", "/affaires", w.mia.token, body)
		wantStatus(t, r, http.StatusCreated)
		var a crm.Affaire
		r.JSON(t, &a)
		return a
	}
	w.affC = newAffaire(map[string]any{"clientId": w.contact.ID, "primeAnnuelleCentimes": 100000, "tauxCommissionApporteur": 20})
	w.affE = newAffaire(map[string]any{"clientId": w.entreprise.ID, "primeAnnuelleCentimes": 200000, "tauxCommissionApporteur": 25})
	w.affS = newAffaire(map[string]any{"clientId": w.sans.ID, "primeAnnuelleCentimes": 50000})
	waitStreams(t)
	return w
}

// move has the MIA attribute the contact and the entreprise to b and the
// contact without apporteur to a, then waits for the consumers.
func (w attributionWorld) move(t *testing.T) {
	t.Helper()
	wantStatus(t, call(t, "PATCH", "/contacts/"+string(w.contact.ID), w.mia.token, map[string]any{"apporteurId": w.b.ID}), http.StatusOK)
	wantStatus(t, call(t, "PATCH", "/entreprises/"+string(w.entreprise.ID), w.mia.token, map[string]any{"apporteurId": w.b.ID}), http.StatusOK)
	wantStatus(t, call(t, "PATCH", "/contacts/"+string(w.sans.ID), w.mia.token, map[string]any{"apporteurId": w.a.ID}), http.StatusOK)
	waitStreams(t)
}

type espaceAffairesJSON struct {
	Items []struct {
		ID         string `json:"id"`
		Historique []struct {
			Evenement string `json:"evenement"`
		} `json:"historique"`
	} `json:"items"`
}

type espaceCommissionsJSON struct {
	Items []struct {
		AffaireID string `json:"affaireId"`
	} `json:"items"`
	Totaux crm.CommissionTotaux `json:"totaux"`
}

func espaceAffaires(t *testing.T, tok string) espaceAffairesJSON {
	t.Helper()
	r := call(t, "GET", "/espace-apporteur/affaires", tok, nil)
	wantStatus(t, r, http.StatusOK)
	var v espaceAffairesJSON
	r.JSON(t, &v)
	return v
}

func espaceCommissions(t *testing.T, tok string) espaceCommissionsJSON {
	t.Helper()
	r := call(t, "GET", "/espace-apporteur/commissions", tok, nil)
	wantStatus(t, r, http.StatusOK)
	var v espaceCommissionsJSON
	r.JSON(t, &v)
	return v
}

// profilTotal is the apporteur's total as its profile shows it (the totals
// the commissions consumer keeps on the apporteur item).
func profilTotal(t *testing.T, tok string) int64 {
	t.Helper()
	r := call(t, "GET", "/espace-apporteur/profil", tok, nil)
	wantStatus(t, r, http.StatusOK)
	var v struct {
		Commissions crm.CommissionTotaux `json:"commissions"`
	}
	r.JSON(t, &v)
	return v.Commissions.TotalCentimes
}

func affaireIDs(v espaceAffairesJSON) []string {
	var ids []string
	for _, it := range v.Items {
		ids = append(ids, it.ID)
	}
	slices.Sort(ids)
	return ids
}

func sortedIDs(ids ...crm.AffaireID) []string {
	var out []string
	for _, id := range ids {
		out = append(out, string(id))
	}
	slices.Sort(out)
	return out
}

// Issue 9 item 1: the affaires of a client follow the client's apporteur
// (set, changed, removed), with the rate cleared, a historique entry, exact
// totals for both apporteurs and no undo by a redelivered record.
func TestAffairesFollowTheClientsApporteur(t *testing.T) {
	w := newAttributionWorld(t, "suivi")
	beforeMove := tableItem(t, w.mia.id, dynamo.ContactSK(w.contact.ID))
	affCBefore := tableItem(t, w.mia.id, dynamo.AffaireSK(w.affC.ID))
	w.move(t)

	// The MIA's affaire: b's, no rate, and its historique says so.
	var v crm.AffaireView
	r := call(t, "GET", "/affaires/"+string(w.affC.ID), w.mia.token, nil)
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &v)
	if v.ApporteurID != crm.ApporteurID(w.b.ID) || v.TauxCommissionApporteur != nil {
		t.Errorf("affaire of the moved contact: apporteur %q taux %v, want %q and no rate", v.ApporteurID, v.TauxCommissionApporteur, w.b.ID)
	}
	var moved []crm.Changement
	for _, h := range v.Historique {
		for _, c := range h.Changements {
			if c.Champ == "apporteurId" || c.Champ == "tauxCommissionApporteur" {
				moved = append(moved, c)
			}
		}
	}
	want := []crm.Changement{{Champ: "apporteurId", Avant: w.a.ID, Apres: w.b.ID}, {Champ: "tauxCommissionApporteur", Avant: "20"}}
	if !slices.Equal(moved, want) {
		t.Errorf("historique changes %+v, want %+v", moved, want)
	}

	// The rates agreed with the new apporteurs, including on the affaire of
	// the contact that had none when its affaire was created.
	wantStatus(t, call(t, "PATCH", "/affaires/"+string(w.affC.ID), w.mia.token, map[string]any{"tauxCommissionApporteur": 25}), http.StatusOK)
	wantStatus(t, call(t, "PATCH", "/affaires/"+string(w.affS.ID), w.mia.token, map[string]any{"tauxCommissionApporteur": 15}), http.StatusOK)
	waitStreams(t)

	// a: only the affaire of the contact it gained; b: the two it took over,
	// with their history from the start.
	if got, want := affaireIDs(espaceAffaires(t, w.tokA)), sortedIDs(w.affS.ID); !slices.Equal(got, want) {
		t.Errorf("a's affaires %v, want %v", got, want)
	}
	eb := espaceAffaires(t, w.tokB)
	if got, want := affaireIDs(eb), sortedIDs(w.affC.ID, w.affE.ID); !slices.Equal(got, want) {
		t.Errorf("b's affaires %v, want %v", got, want)
	}
	for _, it := range eb.Items {
		if len(it.Historique) == 0 || it.Historique[0].Evenement != "creation" {
			t.Errorf("b's affaire %s: historique %+v, want it from its creation", it.ID, it.Historique)
		}
	}
	// Totals: a = 50000 × 10 % × 15 % = 750; b = 100000 × 10 % × 25 % = 2500
	// (the entreprise's affaire lost its rate with its apporteur).
	for _, tc := range []struct {
		name string
		tok  string
		want int64
	}{{"a", w.tokA, 750}, {"b", w.tokB, 2500}} {
		if got := espaceCommissions(t, tc.tok).Totaux.TotalCentimes; got != tc.want {
			t.Errorf("%s's /commissions total %d, want %d", tc.name, got, tc.want)
		}
		if got := profilTotal(t, tc.tok); got != tc.want {
			t.Errorf("%s's profile total %d, want %d", tc.name, got, tc.want)
		}
	}

	// The "affaire signée" email goes to b only.
	wantStatus(t, call(t, "PATCH", "/affaires/"+string(w.affC.ID), w.mia.token, map[string]any{"statut": "signee"}), http.StatusOK)
	waitStreams(t)
	signee := func(email string) (n int) {
		for _, e := range emailsTo(t, email) {
			if strings.Contains(e.Subject, "signée") {
				n++
			}
		}
		return n
	}
	if na, nb := signee(w.a.Email), signee(w.b.Email); na != 0 || nb != 1 {
		t.Errorf("signature emails: a %d, b %d; want 0, 1", na, nb)
	}

	// Redelivered records change nothing: the contact's move and an older
	// record that would give its affaires back to a (client-nom consumer),
	// and the affaire's move (commissions consumer).
	ctx := context.Background()
	afterMove := tableItem(t, w.mia.id, dynamo.ContactSK(w.contact.ID))
	affCMoved := tableItem(t, w.mia.id, dynamo.AffaireSK(w.affC.ID))
	// affCMoved is now a later version; replay the move itself: v1 → v2.
	affCv2 := maps.Clone(affCBefore)
	maps.Copy(affCv2, map[string]types.AttributeValue{
		"version": &types.AttributeValueMemberN{Value: "2"}, "apporteurId": afterMove["apporteurId"]})
	delete(affCv2, "tauxCommissionApporteur")
	replay := func(consumer string, old, cur map[string]types.AttributeValue) {
		t.Helper()
		name := "MODIFY"
		if old == nil {
			name = "INSERT"
		}
		rec := record(t, "replay", name, cur)
		img, err := ddbevent.FromSDKMap(old)
		if err != nil {
			t.Fatal(err)
		}
		rec.Change.OldImage = img
		resp, err := consumers.Handlers()[consumer](stack.Services.Consumers)(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}})
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("%s replay: %+v %v", consumer, resp, err)
		}
	}
	replay("stream-client-nom", beforeMove, afterMove)
	replay("stream-client-nom", afterMove, beforeMove)
	replay("stream-commissions", affCBefore, affCv2)
	replay("stream-commissions", nil, affCBefore)
	waitStreams(t)
	if now := tableItem(t, w.mia.id, dynamo.AffaireSK(w.affC.ID)); now["version"].(*types.AttributeValueMemberN).Value != affCMoved["version"].(*types.AttributeValueMemberN).Value {
		t.Errorf("affaire version %v after redelivered records, want %v", now["version"], affCMoved["version"])
	}
	if got := affaireIDs(espaceAffaires(t, w.tokA)); !slices.Equal(got, sortedIDs(w.affS.ID)) {
		t.Errorf("after redelivered records, a's affaires %v, want only %s", got, w.affS.ID)
	}
	// b's affaire is now signed: its commission counts as signée.
	if ta, tb := profilTotal(t, w.tokA), profilTotal(t, w.tokB); ta != 750 || tb != 2500 {
		t.Errorf("after redelivered records, totals a %d b %d; want 750, 2500", ta, tb)
	}

	// The apporteur removed: the affaire leaves b, and no rate can be set.
	wantStatus(t, call(t, "PATCH", "/entreprises/"+string(w.entreprise.ID), w.mia.token, map[string]any{"apporteurId": ""}), http.StatusOK)
	waitStreams(t)
	if got := affaireIDs(espaceAffaires(t, w.tokB)); !slices.Equal(got, sortedIDs(w.affC.ID)) {
		t.Errorf("after the entreprise lost its apporteur, b's affaires %v, want only %s", got, w.affC.ID)
	}
	wantStatus(t, call(t, "PATCH", "/affaires/"+string(w.affE.ID), w.mia.token, map[string]any{"tauxCommissionApporteur": 20}), http.StatusUnprocessableEntity)
}
