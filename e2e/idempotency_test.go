package e2e

import (
	"net/http"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
)

// Issue 9 item 15: the retry of a POST that succeeded gets its first answer
// back, even when a reference the create checks has changed in between
// (here the client lost the apporteur whose rate the body sets: checked
// first, that would be a 422 for a request that was carried out).
func TestIdempotentRetryAfterReferenceChanged(t *testing.T) {
	mia := newTenant(t, false)
	r := call(t, "POST", "/apporteurs", mia.token, map[string]any{"nom": "Martin", "email": uniqEmail("rejeu")})
	wantStatus(t, r, http.StatusCreated)
	var a apporteurJSON
	r.JSON(t, &a)
	contact := createContact(t, mia.token, map[string]any{"nom": "Rejeu", "email": uniqEmail("client-rejeu"), "apporteurId": a.ID})
	body := map[string]any{"clientId": contact.ID, "produitId": "auto", "primeAnnuelleCentimes": 50000, "tauxCommissionApporteur": 20}
	first := call(t, "POST", "/affaires", mia.token, body, "Idempotency-Key", "retry-after-change")
	wantStatus(t, first, http.StatusCreated)
	wantStatus(t, call(t, "PATCH", "/contacts/"+string(contact.ID), mia.token, map[string]any{"apporteurId": ""}, "If-Match", `"1"`), http.StatusOK)

	again := call(t, "POST", "/affaires", mia.token, body, "Idempotency-Key", "retry-after-change")
	if again.Status != http.StatusCreated || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry: %d %s, want the first answer, 201 %s", again.Status, again.Body, first.Body)
	}
	if got := list[crm.Affaire](t, mia.token, "/affaires"); len(got.Items) != 1 {
		t.Errorf("%d affaires, want 1", len(got.Items))
	}
	// Without the key, the same body is refused now: the check is still made.
	wantStatus(t, call(t, "POST", "/affaires", mia.token, body), http.StatusUnprocessableEntity)
}
