package e2e

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
)

// GET /affaires?apporteurId= (the MIA's page of an apporteur): its affaires
// only, not their historique entries (which share its GSI3 collection), the
// statut a filter, the cursor bound to the filter; another MIA's apporteur id
// is an empty list. The espace apporteur still sees the historique.
func TestAffairesOfApporteur(t *testing.T) {
	mia := newTenant(t, false)
	app, appTok := newActiveApporteur(t, mia.token, "affaires-app")
	attributed := createContact(t, mia.token, map[string]any{"nom": "Attribué", "email": uniqEmail("attr"), "apporteurId": app.ID})
	alone := createContact(t, mia.token, map[string]any{"nom": "Seul", "email": uniqEmail("seul")})
	newAffaire := func(client crm.ContactID) crm.Affaire {
		r := call(t, "POST", "/affaires", mia.token, map[string]any{"clientId": client, "produitId": "auto", "primeAnnuelleCentimes": 90000})
		wantStatus(t, r, http.StatusCreated)
		var a crm.Affaire
		r.JSON(t, &a)
		return a
	}
	first, second := newAffaire(attributed.ID), newAffaire(attributed.ID)
	newAffaire(alone.ID)
	// Historique entries in the apporteur's collection: a rate, then signed.
	wantStatus(t, call(t, "PATCH", "/affaires/"+string(first.ID), mia.token, map[string]any{"tauxCommissionApporteur": 20}), http.StatusOK)
	wantStatus(t, call(t, "PATCH", "/affaires/"+string(first.ID), mia.token, map[string]any{"statut": "signee"}), http.StatusOK)
	waitStreams(t)

	ids := func(p page[crm.Affaire]) []crm.AffaireID {
		var out []crm.AffaireID
		for _, a := range p.Items {
			out = append(out, a.ID)
		}
		return out
	}
	base := "/affaires?apporteurId=" + app.ID
	if got := ids(list[crm.Affaire](t, mia.token, base)); len(got) != 2 || got[0] != second.ID || got[1] != first.ID {
		t.Errorf("GET %s = %v, want [%s %s] (newest first, no historique entry)", base, got, second.ID, first.ID)
	}
	if got := ids(list[crm.Affaire](t, mia.token, base+"&statut=signee")); len(got) != 1 || got[0] != first.ID {
		t.Errorf("statut=signee: %v, want [%s]", got, first.ID)
	}
	if got := ids(list[crm.Affaire](t, mia.token, base+"&statut=perdue")); len(got) != 0 {
		t.Errorf("statut=perdue: %v, want none", got)
	}
	// Pages of one: every affaire once, then no cursor.
	var paged []crm.AffaireID
	cursor := ""
	for i := 0; i < 5; i++ {
		p := list[crm.Affaire](t, mia.token, base+"&limit=1"+cursor)
		paged = append(paged, ids(p)...)
		if p.NextCursor == "" {
			break
		}
		if i == 0 { // the cursor of this list is refused for another filter
			wantProblem(t, call(t, "GET", base+"&statut=signee&limit=1&cursor="+p.NextCursor, mia.token, nil), http.StatusBadRequest, "cursor")
		}
		cursor = "&cursor=" + p.NextCursor
	}
	if len(paged) != 2 {
		t.Errorf("paged by 1: %v, want 2 affaires", paged)
	}
	wantProblem(t, call(t, "GET", "/affaires?apporteurId=pas-un-id", mia.token, nil), http.StatusBadRequest, "apporteurId")
	wantProblem(t, call(t, "GET", base+"&statut=inconnu", mia.token, nil), http.StatusBadRequest, "statut")

	// Another MIA asking for this apporteur reads its own, empty, collection.
	other := newTenant(t, false)
	if got := list[crm.Affaire](t, other.token, base); len(got.Items) != 0 || got.NextCursor != "" {
		t.Errorf("other MIA: %+v, want an empty list", got)
	}
	// Without apporteurId the list is still the en_cours statut list.
	if got := ids(list[crm.Affaire](t, mia.token, "/affaires")); len(got) != 2 {
		t.Errorf("GET /affaires = %v, want the 2 en_cours affaires", got)
	}

	// The espace apporteur still reads each affaire's historique.
	var esp page[struct {
		ID         crm.AffaireID
		Historique []struct{ Evenement string }
	}]
	r := call(t, "GET", "/espace-apporteur/affaires", appTok, nil)
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &esp)
	hist := map[crm.AffaireID]int{}
	for _, a := range esp.Items {
		hist[a.ID] = len(a.Historique)
	}
	if len(esp.Items) != 2 || hist[first.ID] < 2 {
		t.Errorf("espace affaires: %d affaires, historique of the signed one %s, want 2 and ≥ 2 entries", len(esp.Items), strconv.Itoa(hist[first.ID]))
	}
}
