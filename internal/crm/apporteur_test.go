package crm_test

import (
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/phone"
)

func TestActivationToken(t *testing.T) {
	tok, hash, err := crm.NewActivationToken()
	if err != nil {
		t.Fatal(err)
	}
	if !crm.WellFormedActivationToken(tok) {
		t.Errorf("token %d chars is not well formed", len(tok))
	}
	if len(hash) != 64 || hash != crm.HashActivationToken(tok) {
		t.Errorf("hash = %q, want the 64-hex SHA-256 of the token", hash)
	}
	if !crm.SameHash(hash, crm.HashActivationToken(tok)) || crm.SameHash(hash, crm.HashActivationToken(tok+"x")) {
		t.Error("SameHash does not tell hashes apart")
	}
	other, _, _ := crm.NewActivationToken()
	if other == tok {
		t.Error("two tokens are equal")
	}
	for _, bad := range []string{"", "abc", tok + "A", tok[:42] + "!"} {
		if crm.WellFormedActivationToken(bad) {
			t.Errorf("WellFormedActivationToken(%q) = true", bad)
		}
	}
}

func TestCommissionTotaux(t *testing.T) {
	var tot crm.CommissionTotaux
	tot.Add(crm.AffaireEnCours, 1000)
	tot.Add(crm.AffaireSignee, 250)
	tot.Add(crm.AffairePerdue, 9999)
	tot.Add(crm.AffaireResiliee, 9999)
	want := crm.CommissionTotaux{EnCoursCentimes: 1000, SigneeCentimes: 250, TotalCentimes: 1250}
	if tot != want {
		t.Errorf("totaux = %+v, want %+v", tot, want)
	}
}

func TestApporteurPatch(t *testing.T) {
	actif := crm.ApporteurActif
	desactive := crm.ApporteurDesactive
	now := time.Now()
	tests := []struct {
		name   string
		before crm.Apporteur
		patch  crm.ApporteurPatch
		want   crm.ApporteurStatut
	}{
		{"deactivate", crm.Apporteur{Statut: crm.ApporteurActif, ActiveLe: &now}, crm.ApporteurPatch{Statut: &desactive}, crm.ApporteurDesactive},
		{"reactivate an activated account", crm.Apporteur{Statut: crm.ApporteurDesactive, ActiveLe: &now}, crm.ApporteurPatch{Statut: &actif}, crm.ApporteurActif},
		{"reactivate a never activated account", crm.Apporteur{Statut: crm.ApporteurDesactive}, crm.ApporteurPatch{Statut: &actif}, crm.ApporteurInvitationEnvoyee},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if errs := tt.patch.Validate(phone.Normalize); len(errs) != 0 {
				t.Fatalf("Validate = %v", errs)
			}
			if got := tt.patch.Apply(tt.before).Statut; got != tt.want {
				t.Errorf("statut = %q, want %q", got, tt.want)
			}
		})
	}
	inv := crm.ApporteurInvitationEnvoyee
	email := "x@example.fr"
	for _, p := range []crm.ApporteurPatch{{}, {Statut: &inv}, {Email: &email}} {
		if errs := p.Validate(phone.Normalize); len(errs) == 0 {
			t.Errorf("Validate(%+v) = no error", p)
		}
	}
}

func TestNewApporteurValidate(t *testing.T) {
	n := crm.NewApporteur{Nom: " Martin ", Telephone: "06 12 34 56 78", Email: " Paul.Martin@Example.FR "}
	if errs := n.Validate(phone.Normalize); len(errs) != 0 {
		t.Fatalf("Validate = %v", errs)
	}
	if n.Nom != "Martin" || n.Telephone != "+33612345678" || n.Email != "paul.martin@example.fr" {
		t.Errorf("normalised = %+v", n)
	}
	bad := crm.NewApporteur{Nom: "", Telephone: "12", Email: ""}
	if errs := bad.Validate(phone.Normalize); len(errs) != 3 {
		t.Errorf("Validate(bad) = %v, want 3 field errors", errs)
	}
}

// TestRequiredEmailNotBlank: an email of spaces is no email: an apporteur or
// a MIA account without one cannot be created (it is their login).
func TestRequiredEmailNotBlank(t *testing.T) {
	n := crm.NewApporteur{Nom: "Martin", Email: "   "}
	if errs := n.Validate(phone.Normalize); len(errs) != 1 || errs[0].Champ != "email" {
		t.Errorf("NewApporteur.Validate = %v, want one error on email", errs)
	}
	m := crm.NewMIAAccount{Nom: "Durand", Prenom: "Anne", Email: " \t"}
	if errs := m.Validate(phone.Normalize); len(errs) != 1 || errs[0].Champ != "email" {
		t.Errorf("NewMIAAccount.Validate = %v, want one error on email", errs)
	}
}
