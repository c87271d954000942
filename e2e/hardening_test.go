package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
)

// Activation links (issue 5): single-use even under concurrent use, locked
// after crm.ActivationMaxFailures failed attempts, replaced by a new
// invitation, malformed ones refused before any read. Expiry and the
// constant-time comparison are unit-tested (internal/httpapi
// TestActivation…, internal/crm FuzzActivationToken): an e2e run cannot
// move cognito-local's or the handler's clock.
func TestActivationHardening(t *testing.T) {
	miaTok := newTenant(t, false).token
	invite := func(prefix string) (apporteurJSON, string, string) {
		t.Helper()
		email := uniqEmail(prefix)
		r := call(t, "POST", "/apporteurs", miaTok, map[string]any{"nom": "Lien", "email": email})
		wantStatus(t, r, http.StatusCreated)
		var a apporteurJSON
		r.JSON(t, &a)
		return a, email, activationToken(t, email)
	}
	activate := func(tok, pw string) response {
		return call(t, "POST", "/activation", "", map[string]string{"token": tok, "motDePasse": pw})
	}

	t.Run("single use under 10 concurrent activations", func(t *testing.T) {
		_, _, tok := invite("concurrent-activation")
		rs := parallel(10, func(int) response { return activate(tok, apporteurPassword) })
		got := countStatus(rs)
		again := activate(tok, apporteurPassword)
		ok := got[200] == 1 && got[400]+got[409] == 9 && again.Status == 400
		if !ok {
			t.Errorf("statuses %v then %d, want one 200, the rest refused, then 400", got, again.Status)
		}
		probe("POST /activation", "single use, 10 concurrent", ok)
		figMu.Lock()
		figs.Concurrency["10 concurrent activations, same link"] = &ConcurrencyCount{Operations: 10, Succeeded: got[200], Rejected: 10 - got[200],
			Duplicates: max(0, got[200]-1)}
		figMu.Unlock()
	})

	t.Run("locked after the allowed failures", func(t *testing.T) {
		a, email, tok := invite("locked-activation")
		for i := range crm.ActivationMaxFailures {
			if r := activate(tok, "court"); r.Status != 400 {
				t.Fatalf("weak password %d = %d %s", i, r.Status, r.Body)
			}
		}
		r := activate(tok, apporteurPassword)
		ok := r.Status == 400 && strings.Contains(string(r.Body), "Trop d'essais")
		if !ok {
			t.Errorf("good password after %d failures = %d %s, want 400 locked", crm.ActivationMaxFailures, r.Status, r.Body)
		}
		probe("POST /activation", "locked after failures", ok)
		// A new invitation gives a fresh link.
		wantStatus(t, call(t, "POST", "/apporteurs/"+a.ID+"/invitation", miaTok, nil), http.StatusAccepted)
		fresh := activationToken(t, email)
		r = activate(fresh, apporteurPassword)
		ok = r.Status == 200 && activate(tok, apporteurPassword).Status == 400
		if !ok {
			t.Errorf("fresh link = %d %s", r.Status, r.Body)
		}
		probe("POST /activation", "new link after lock", ok)
	})

	t.Run("malformed links", func(t *testing.T) {
		_, _, tok := invite("malformed-activation")
		for _, bad := range []string{tok[:42] + "\n", tok + "=", strings.ToUpper(tok), " " + tok[1:], tok[:42] + "/", ""} {
			if bad == tok {
				continue
			}
			r := activate(bad, apporteurPassword)
			ok := r.Status == 400
			if !ok {
				t.Errorf("token %q = %d %s", bad, r.Status, r.Body)
			}
			probe("POST /activation", "malformed link", ok)
		}
		if r := activate(tok, apporteurPassword); r.Status != 200 {
			t.Errorf("the real link after the malformed ones = %d %s", r.Status, r.Body)
		}
	})
}
