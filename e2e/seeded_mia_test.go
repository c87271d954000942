package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/devstack"
)

// Seeded MIA accounts (the demo MIA, staff, and those tests create through
// devstack) hold the same global email guard as POST /admin/mias, so staff
// cannot create a second account with a seeded email.
func TestSeededMIAEmailIsTaken(t *testing.T) {
	staffTok := login(t, "mia", "staff@assentis.test", "Staff-Assentis-2026!")
	seeded := uniqEmail("seeded-mia")
	if _, err := stack.CreateMIA(t.Context(), seeded, "E2e-Password-2026", false); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{devstack.DemoMIAEmail, "staff@assentis.test", strings.ToUpper(seeded)} {
		body := map[string]any{"nom": "Double", "prenom": "Compte", "email": email, "cabinet": "Cabinet Double"}
		wantProblem(t, call(t, "POST", "/admin/mias", staffTok, body), http.StatusConflict, "email")
	}
	// Seeding again (a restart) keeps the account and its guard.
	if _, err := stack.CreateMIA(t.Context(), seeded, "E2e-Password-2026", false); err != nil {
		t.Errorf("seeding %s again: %v", seeded, err)
	}
}
