package dynamo

import (
	"testing"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestDecodeImage: each kind of item the consumers follow decodes into what
// they read of it; an absent image or another item into KindOther alone.
func TestDecodeImage(t *testing.T) {
	img := func(kv ...string) map[string]types.AttributeValue {
		m := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: MIAPK("m1")}}
		for i := 0; i < len(kv); i += 2 {
			if kv[i] == "version" || kv[i] == "invitationN" {
				m[kv[i]] = &types.AttributeValueMemberN{Value: kv[i+1]}
			} else {
				m[kv[i]] = &types.AttributeValueMemberS{Value: kv[i+1]}
			}
		}
		return m
	}
	tests := []struct {
		name  string
		image map[string]types.AttributeValue
		check func(t *testing.T, got crm.Image)
	}{
		{"absent", nil, func(t *testing.T, got crm.Image) {
			if got != (crm.Image{}) {
				t.Errorf("got %+v, want the zero Image", got)
			}
		}},
		{"produit", img("type", "produit", "id", "X1"), func(t *testing.T, got crm.Image) {
			if got != (crm.Image{}) {
				t.Errorf("got %+v, want the zero Image", got)
			}
		}},
		{"affaire", img("type", "affaire", "id", "A1", "version", "3", "statut", "signee"), func(t *testing.T, got crm.Image) {
			if got.Kind != crm.KindAffaire || got.MIA != "m1" || got.Affaire == nil ||
				got.Affaire.ID != "A1" || got.Affaire.Version != 3 || got.Affaire.Statut != crm.AffaireSignee {
				t.Errorf("got %+v, want affaire A1 v3 signee of m1", got)
			}
		}},
		{"contact by apporteur", img("type", "contact", "id", "C1", "nom", "Martin", "prenom", "Luc",
			"apporteurId", "P1", "origine", "apporteur", "version", "2"), func(t *testing.T, got crm.Image) {
			luc := crm.Contact{Nom: "Martin", Prenom: "Luc"}
			want := crm.ClientRef{ID: "C1", Nom: luc.DisplayName(), ApporteurID: "P1", Version: 2}
			if got.Kind != crm.KindContact || got.MIA != "m1" || got.Contact == nil || got.Contact.ID != "C1" ||
				!got.ByApporteur || got.Client == nil || *got.Client != want {
				t.Errorf("got %+v (client %+v), want contact C1 by its apporteur, client %+v", got, got.Client, want)
			}
		}},
		{"contact by the MIA", img("type", "contact", "id", "C2", "nom", "Roy", "version", "1"), func(t *testing.T, got crm.Image) {
			if got.Kind != crm.KindContact || got.ByApporteur || got.Client == nil || got.Client.ApporteurID != "" {
				t.Errorf("got %+v, want contact C2 by the MIA, without apporteur", got)
			}
		}},
		{"entreprise", img("type", "entreprise", "id", "E1", "raisonSociale", "Acme", "apporteurId", "P2", "version", "4"),
			func(t *testing.T, got crm.Image) {
				want := crm.ClientRef{ID: "E1", Nom: "Acme", ApporteurID: "P2", Version: 4}
				if got.Kind != crm.KindEntreprise || got.MIA != "m1" || got.Contact != nil || got.Client == nil || *got.Client != want {
					t.Errorf("got %+v (client %+v), want entreprise client %+v", got, got.Client, want)
				}
			}},
		{"apporteur", img("type", "apporteur", "id", "P1", "email", "p1@example.fr", "statut", "invitation_envoyee", "invitationN", "1"),
			func(t *testing.T, got crm.Image) {
				if got.Kind != crm.KindApporteur || got.Account == nil || got.Account.Kind != crm.AccountApporteur ||
					got.Account.MIA != "m1" || got.Account.Apporteur != "P1" || !got.Account.PendingInvitation() {
					t.Errorf("got %+v (account %+v), want apporteur P1 of m1 waiting for its invitation", got, got.Account)
				}
			}},
		{"seeded MIA profile", img("type", "mia", "id", "m1", "email", "m1@example.fr"), func(t *testing.T, got crm.Image) {
			if got.Kind != crm.KindMIA || got.Account != nil {
				t.Errorf("got %+v, want a MIA profile without account (no invitation flow)", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeImage(tt.image)
			if err != nil {
				t.Fatalf("DecodeImage: %v", err)
			}
			tt.check(t, got)
		})
	}
	if _, err := DecodeImage(img("type", "affaire", "version", "pas un nombre")); err == nil {
		t.Error("a malformed affaire decoded, want an error (the record is reported and retried)")
	}
}
