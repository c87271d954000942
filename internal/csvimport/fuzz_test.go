package csvimport

import (
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/phone"
)

// FuzzParsePlan feeds hostile files to the parser and the row decoder:
// whatever the bytes, nothing panics, every planned row is either decided
// (with a reason) or carries an entity that passes crm's rules as stored,
// and no free-text value kept starts like a spreadsheet formula.
func FuzzParsePlan(f *testing.F) {
	seeds := []string{
		"Nom;Prénom;Téléphone;E-mail\nDupont;Jean;0612345678;j@x.fr\n",
		"Nom,Email\n=cmd|' /C calc'!A0,a@b.fr\n+33 6 12 34 56 78,b@c.fr\n",
		"\xEF\xBB\xBFNom\tMobile\n\xC9lodie\t06\n",
		"Raison sociale;SIREN;Adresse;Email du dirigeant\nACME;732829320;1 rue;d@x.fr\n",
		"Nom;Email\n\"" + strings.Repeat("x", 70000) + "\";a@b.fr\n",
		strings.Repeat("Nom;", 200) + "\n" + strings.Repeat("a;", 200) + "\n",
		"Nom;Email\n\"unterminated;a@b.fr\n",
		"\xFF\xFE\x00N",
		"Nom;Email\r\nA;\x81\x8D@x.fr\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, entreprises bool) {
		kind := crm.ImportContacts
		if entreprises {
			kind = crm.ImportEntreprises
		}
		file, err := Parse(data)
		if err != nil {
			if crm.ErrorCode(err) != crm.EUNPROCESSABLE {
				t.Fatalf("Parse error %v is not unprocessable", err)
			}
			return
		}
		mapping := GuessMapping(kind, file.Header)
		// Map every unmapped column too, so every decoder path runs.
		fields := Fields(kind)
		used := map[string]bool{}
		for _, m := range mapping {
			used[m] = true
		}
		for i := range mapping {
			for _, fl := range fields {
				if mapping[i] == "" && !used[fl] {
					mapping[i], used[fl] = fl, true
				}
			}
		}
		rows := Plan(file, kind, mapping, phone.Normalize)
		if len(rows) != len(file.Rows) {
			t.Fatalf("%d rows planned for %d lines", len(rows), len(file.Rows))
		}
		for _, r := range rows {
			if r.Line < 2 {
				t.Fatalf("row line %d", r.Line)
			}
			if r.Outcome != "" {
				if r.Reason == "" || r.Contact != nil || r.Entreprise != nil {
					t.Fatalf("decided row %+v", r)
				}
				continue
			}
			switch {
			case r.Contact != nil:
				c := *r.Contact
				if errs := c.Validate(phone.Normalize); errs != nil || c != *r.Contact {
					t.Fatalf("contact %+v not stored form: %v", *r.Contact, errs)
				}
				for _, s := range []string{c.Nom, c.Prenom, c.Adresse, c.Profession, c.Remarques} {
					if formulaStart(s) {
						t.Fatalf("formula kept: %q", s)
					}
				}
			case r.Entreprise != nil:
				e := *r.Entreprise
				e.DirigeantID = "00000000000000000000000000"
				if errs := e.Validate(phone.Normalize); errs != nil {
					t.Fatalf("entreprise %+v: %v", e, errs)
				}
				if formulaStart(e.RaisonSociale) || formulaStart(e.Adresse) || r.DirigeantEmail == "" && r.DirigeantTelephone == "" {
					t.Fatalf("entreprise row %+v", r)
				}
			default:
				t.Fatalf("row with neither outcome nor entity: %+v", r)
			}
		}
	})
}
