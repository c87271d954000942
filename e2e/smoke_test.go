package e2e

import (
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/devstack"
)

func TestSmoke(t *testing.T) {
	t.Run("GET /config names the local pools", func(t *testing.T) {
		r := call(t, "GET", "/config", "", nil)
		if r.Status != 200 {
			t.Fatalf("status: got %d, want 200 (%s)", r.Status, r.Body)
		}
		var got struct {
			Region          string
			CognitoEndpoint string
			MIA, Apporteur  struct{ UserPoolID, ClientID string }
		}
		r.JSON(t, &got)
		if got.MIA.UserPoolID != stack.MIAPoolID || got.MIA.ClientID != stack.MIAClientID ||
			got.Apporteur.UserPoolID != stack.ApporteurPoolID || got.Apporteur.ClientID != stack.ApporteurClientID {
			t.Errorf("pools: got %+v, want %s/%s and %s/%s", got, stack.MIAPoolID, stack.MIAClientID, stack.ApporteurPoolID, stack.ApporteurClientID)
		}
		if got.CognitoEndpoint != stack.CognitoURL || got.Region != devstack.Region {
			t.Errorf("endpoint/region: got %q %q", got.CognitoEndpoint, got.Region)
		}
	})

	t.Run("a MIA route without a token is 401", func(t *testing.T) {
		r := call(t, "GET", "/contacts", "", nil)
		if r.Status != 401 || strings.TrimSpace(string(r.Body)) != `{"message":"Unauthorized"}` {
			t.Errorf("got %d %s, want 401 Unauthorized", r.Status, r.Body)
		}
	})

	t.Run("the demo MIA logs in and reads the produits", func(t *testing.T) {
		tok := login(t, "mia", devstack.DemoMIAEmail, devstack.DemoMIAPassword)
		r := call(t, "GET", "/produits", tok, nil)
		if r.Status != 200 {
			t.Fatalf("status: got %d, want 200 (%s)", r.Status, r.Body)
		}
		var got struct{ Items []map[string]any }
		r.JSON(t, &got)
		if len(got.Items) == 0 {
			t.Errorf("produits: got none, want the seeded catalogue")
		}
	})

	t.Run("an apporteur-pool token cannot open a MIA route", func(t *testing.T) {
		if r := call(t, "GET", "/contacts", apporteurToken(t, newTenant(t, false).id), nil); r.Status != 401 {
			t.Errorf("apporteur token on a MIA route: got %d, want 401", r.Status)
		}
		// The MIA's token presented on the apporteur space is refused too.
		tok := login(t, "mia", devstack.DemoMIAEmail, devstack.DemoMIAPassword)
		if r := call(t, "GET", "/espace-apporteur/profil", tok, nil); r.Status != 401 {
			t.Errorf("MIA token on an apporteur route: got %d, want 401", r.Status)
		}
	})

	t.Run("unknown route is 404", func(t *testing.T) {
		if r := call(t, "GET", "/nope", "", nil); r.Status != 404 {
			t.Errorf("got %d, want 404", r.Status)
		}
	})
}
