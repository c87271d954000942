package crm_test

import (
	"testing"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/phone"
)

// Single-line fields reach email subjects and headers: a CR, LF or TAB
// there could add a header ("Dupont\r\nBcc: …"). Multi-line remarques keep
// their line breaks.
func TestControlCharacters(t *testing.T) {
	hostile := []string{"Dupont\r\nBcc: x@evil.example", "Dupont\nX", "Du\tpont", "Du\u0085pont", "Du\u2028pont", "Du\x1bpont"}
	type validator func(s string) []crm.FieldError
	single := map[string]validator{
		"apporteur nom": func(s string) []crm.FieldError {
			n := crm.NewApporteur{Nom: s, Email: "a@example.fr"}
			return n.Validate(phone.Normalize)
		},
		"apporteur prenom": func(s string) []crm.FieldError {
			n := crm.NewApporteur{Nom: "Dupont", Prenom: s, Email: "a@example.fr"}
			return n.Validate(phone.Normalize)
		},
		"apporteur localisation": func(s string) []crm.FieldError {
			n := crm.NewApporteur{Nom: "Dupont", Localisation: s, Email: "a@example.fr"}
			return n.Validate(phone.Normalize)
		},
		"apporteur patch nom": func(s string) []crm.FieldError {
			p := crm.ApporteurPatch{Nom: &s}
			return p.Validate(phone.Normalize)
		},
		"contact nom": func(s string) []crm.FieldError {
			c := crm.Contact{Nom: s, Email: "c@example.fr"}
			return c.Validate(phone.Normalize)
		},
		"contact prenom": func(s string) []crm.FieldError {
			c := crm.Contact{Nom: "Dupont", Prenom: s, Email: "c@example.fr"}
			return c.Validate(phone.Normalize)
		},
		"contact adresse": func(s string) []crm.FieldError {
			c := crm.Contact{Nom: "Dupont", Adresse: s, Email: "c@example.fr"}
			return c.Validate(phone.Normalize)
		},
		"contact profession": func(s string) []crm.FieldError {
			c := crm.Contact{Nom: "Dupont", Profession: s, Email: "c@example.fr"}
			return c.Validate(phone.Normalize)
		},
		"entreprise raisonSociale": func(s string) []crm.FieldError {
			e := crm.Entreprise{RaisonSociale: s, Siren: "732829320", Adresse: "1 rue", DirigeantID: "01ARZ3NDEKTSV4RRFFQ69G5FAV"}
			return e.Validate(phone.Normalize)
		},
		"entreprise adresse": func(s string) []crm.FieldError {
			e := crm.Entreprise{RaisonSociale: "SARL", Siren: "732829320", Adresse: s, DirigeantID: "01ARZ3NDEKTSV4RRFFQ69G5FAV"}
			return e.Validate(phone.Normalize)
		},
		"mia prenom": func(s string) []crm.FieldError {
			n := crm.NewMIAAccount{Nom: "Martin", Prenom: s, Email: "m@example.fr"}
			return n.Validate(phone.Normalize)
		},
		"mia cabinet": func(s string) []crm.FieldError {
			n := crm.NewMIAAccount{Nom: "Martin", Prenom: "Claire", Cabinet: s, Email: "m@example.fr"}
			return n.Validate(phone.Normalize)
		},
	}
	for name, validate := range single {
		t.Run(name, func(t *testing.T) {
			if errs := validate("Dupont-Lévêque"); errs != nil {
				t.Fatalf("plain value refused: %v", errs)
			}
			for _, s := range hostile {
				if got := validate(s); len(got) != 1 || got[0].Message == "" {
					t.Errorf("%q: got %v, want one French field problem", s, got)
				}
			}
		})
	}
	multi := map[string]validator{
		"apporteur remarques": func(s string) []crm.FieldError {
			n := crm.NewApporteur{Nom: "Dupont", Email: "a@example.fr", Remarques: s}
			return n.Validate(phone.Normalize)
		},
		"contact remarques": func(s string) []crm.FieldError {
			c := crm.Contact{Nom: "Dupont", Email: "c@example.fr", Remarques: s}
			return c.Validate(phone.Normalize)
		},
	}
	for name, validate := range multi {
		t.Run(name, func(t *testing.T) {
			if got := validate("Rappeler après 18 h.\r\nPas le lundi.\tMerci"); got != nil {
				t.Errorf("multi-line remarques: got %v, want accepted", got)
			}
			if got := validate("Du\x1bpont"); len(got) != 1 {
				t.Errorf("escape sequence: got %v, want one field problem", got)
			}
		})
	}
}
