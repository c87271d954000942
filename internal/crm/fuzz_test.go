package crm

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/assentis/mycrm/internal/phone"
)

// Fuzz targets of the validators (issue 5). Seeds are in testdata/fuzz/<Target>;
// `make fuzz-short` runs each for a few seconds. Invariants: no panic, an
// accepted value is normalised idempotently, a normalised value is in the
// stored form.

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"Jean.Dupont@Exemple.FR", " a@b.co ", "a@b", "\"a b\"@c.fr", "Jean <j@x.fr>", "a@@b.fr", "a@b.fr.", "ü@ex.fr", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := NormalizeEmail(s)
		if !ok {
			return
		}
		if n != strings.ToLower(n) || n != strings.TrimSpace(n) || !utf8.ValidString(n) || strings.Count(n, "@") < 1 || len(n) > 254 {
			t.Fatalf("NormalizeEmail(%q) = %q: not normalised", s, n)
		}
		if again, ok := NormalizeEmail(n); !ok || again != n {
			t.Fatalf("not idempotent: %q → %q → %q, %v", s, n, again, ok)
		}
	})
}

func FuzzNormalizeSIREN(f *testing.F) {
	for _, s := range []string{"732 829 320", "732829320", "732829321", "", "12345678", "1234567890", "７３２８２９３２０", "73282932O"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := NormalizeSIREN(s)
		if !ok {
			return
		}
		if len(n) != 9 || strings.Trim(n, "0123456789") != "" || !luhn(n) {
			t.Fatalf("NormalizeSIREN(%q) = %q", s, n)
		}
		if again, ok := NormalizeSIREN(n); !ok || again != n {
			t.Fatalf("not idempotent: %q → %q", s, again)
		}
	})
}

func luhn(s string) bool {
	sum := 0
	for i := range 9 {
		d := int(s[8-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// FuzzAffaireRules: amounts, rates and statut transitions.
func FuzzAffaireRules(f *testing.F) {
	f.Add(int64(123456), 10, 20, "en_cours", "signee")
	f.Add(int64(-1), 101, 10, "signee", "en_cours")
	f.Add(int64(maxPrime), 100, 25, "perdue", "resiliee")
	f.Add(int64(9223372036854775807), -5, 15, "", "x")
	f.Fuzz(func(t *testing.T, prime int64, tauxMIA, tauxApp int, from, to string) {
		n := NewAffaire{ClientID: "01ARZ3NDEKTSV4RRFFQ69G5FAV", ProduitID: "auto", PrimeAnnuelleCentimes: prime,
			TauxCommissionMIA: &tauxMIA, TauxCommissionApporteur: &tauxApp}
		if errs := n.Validate(); len(errs) == 0 {
			if prime < 0 || prime > maxPrime || tauxMIA < 0 || tauxMIA > 100 || (tauxApp != 15 && tauxApp != 20 && tauxApp != 25) {
				t.Fatalf("accepted prime %d, taux %d/%d", prime, tauxMIA, tauxApp)
			}
			a := Affaire{PrimeAnnuelleCentimes: prime, TauxCommissionMIA: tauxMIA, TauxCommissionApporteur: &tauxApp}
			cm, ca := a.CommissionMIACentimes(), a.CommissionApporteurCentimes()
			if cm < 0 || cm > prime || ca < 0 || ca > cm {
				t.Fatalf("commissions %d/%d of prime %d at %d%%/%d%%", cm, ca, prime, tauxMIA, tauxApp)
			}
			// Half-up rounding, checked against the exact fraction.
			if exact := prime * int64(tauxMIA); cm*100-exact > 50 || exact-cm*100 >= 50 {
				t.Fatalf("commission MIA %d of %d×%d%%: not rounded half-up", cm, prime, tauxMIA)
			}
		}
		p := AffairePatch{Statut: (*AffaireStatut)(&to), PrimeAnnuelleCentimes: &prime}
		errs := p.Validate()
		if len(errs) == 0 && !AffaireStatut(to).Valid() {
			t.Fatalf("patch accepted statut %q", to)
		}
		fs, ts := AffaireStatut(from), AffaireStatut(to)
		can := fs.Valid() && ts.Valid() && fs.CanBecome(ts)
		inBefore := false
		for _, s := range StatutsBefore(ts) {
			inBefore = inBefore || s == fs
		}
		if fs.Valid() && ts.Valid() && can != inBefore {
			t.Fatalf("%s→%s: CanBecome %v but StatutsBefore says %v", fs, ts, can, inBefore)
		}
		if can && fs != ts && (fs == AffairePerdue || fs == AffaireResiliee) {
			t.Fatalf("%s is final but may become %s", fs, ts)
		}
	})
}

// FuzzContactValidate: an accepted contact is normalised idempotently.
func FuzzContactValidate(f *testing.F) {
	f.Add("Dupont", "Jean", "06 12 34 56 78", "Jean@Ex.fr", "1980-05-17", "prospect", "")
	f.Add(" ", "", "", "", "2999-01-01", "vip", "x")
	f.Add("Nom\u0000", "\u202e", "+33612345678", "a@b.c", "1899-12-31", "client", "01ARZ3NDEKTSV4RRFFQ69G5FAV")
	f.Fuzz(func(t *testing.T, nom, prenom, tel, email, date, statut, apporteur string) {
		c := Contact{Nom: nom, Prenom: prenom, Telephone: tel, Email: email, DateNaissance: date,
			Statut: ContactStatut(statut), ApporteurID: ApporteurID(apporteur), Remarques: nom, NoteApporteur: prenom}
		if errs := c.Validate(phone.Normalize); len(errs) > 0 {
			for _, e := range errs {
				if e.Message == "" {
					t.Fatalf("field error without a message: %+v", e)
				}
			}
			return
		}
		if c.Nom == "" || (c.Telephone == "" && c.Email == "") || !c.Statut.Valid() {
			t.Fatalf("accepted %+v", c)
		}
		for _, s := range []string{c.Nom, c.Prenom, c.Remarques, c.NoteApporteur} {
			if !utf8.ValidString(s) || hasControl(s) {
				t.Fatalf("accepted text %q", s)
			}
		}
		again := c
		if errs := again.Validate(phone.Normalize); len(errs) > 0 || !reflect.DeepEqual(again, c) {
			t.Fatalf("not idempotent: %+v → %+v (%v)", c, again, errs)
		}
	})
}

// FuzzEntrepriseValidate: SIREN and references in an entreprise.
func FuzzEntrepriseValidate(f *testing.F) {
	f.Add("Boulangerie SARL", "732 829 320", "1 rue", "01ARZ3NDEKTSV4RRFFQ69G5FAV")
	f.Add("", "000000000", "", "MIA#x")
	f.Fuzz(func(t *testing.T, rs, siren, adresse, dirigeant string) {
		e := Entreprise{RaisonSociale: rs, Siren: siren, Adresse: adresse, DirigeantID: ContactID(dirigeant)}
		if errs := e.Validate(phone.Normalize); len(errs) > 0 {
			return
		}
		if n, ok := NormalizeSIREN(e.Siren); !ok || n != e.Siren || !IsULID(string(e.DirigeantID)) {
			t.Fatalf("accepted %+v", e)
		}
		again := e
		if errs := again.Validate(phone.Normalize); len(errs) > 0 || !reflect.DeepEqual(again, e) {
			t.Fatalf("not idempotent: %+v → %+v", e, again)
		}
	})
}

// FuzzActivationToken: only well-formed tokens are looked up; hashes compare
// equal exactly for equal tokens.
func FuzzActivationToken(f *testing.F) {
	tok, _, _ := NewActivationToken()
	f.Add(tok, tok)
	f.Add(strings.Repeat("A", 43), strings.Repeat("A", 42)+"B")
	f.Add("", "=")
	f.Add(strings.Repeat("/", 43), strings.Repeat("+", 43))
	f.Fuzz(func(t *testing.T, a, b string) {
		if WellFormedActivationToken(a) {
			if len(a) != 43 || strings.Trim(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
				t.Fatalf("well-formed %q", a)
			}
		}
		ha, hb := HashActivationToken(a), HashActivationToken(b)
		if len(ha) != 64 || SameHash(ha, hb) != (a == b) || !SameHash(ha, ha) {
			t.Fatalf("hash of %q/%q: %s %s", a, b, ha, hb)
		}
		if SameHash(ha, ha[:63]) || SameHash("", ha) {
			t.Fatal("a prefix of a hash matched")
		}
	})
}
