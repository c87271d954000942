// Package csvimporttest writes the large CSV files the import is tested and
// measured with: Windows-1252 accents, `;`, CRLF, and known lines that are
// bad, duplicated inside the file or duplicates of the base, each with the
// outcome the import must report.
package csvimporttest

import (
	"bytes"
	"fmt"

	"github.com/assentis/mycrm/internal/crm"
)

// BaseContact is the i-th contact a test puts in the base before importing
// File (File's base duplicates match them by email).
func BaseContact(i int) crm.Contact {
	return crm.Contact{Nom: fmt.Sprintf("Base%04d", i), Prenom: "Gérard", Email: fmt.Sprintf("base%04d@exemple.test", i),
		Telephone: fmt.Sprintf("06%08d", 10000000+i), Profession: "Courtier"}
}

// Bases is how many base contacts File(n) needs: one per 20 lines.
func Bases(n int) int { return (n + 19) / 20 }

// File is an n-line import of contacts (header aside) and the outcome of
// each line when duplicates are updated: every 10th line from the 4th is
// rejected (no nom), every 10th from the 8th repeats the email of the line
// before it, every 20th from the 10th is a base contact (BaseContact(i/20))
// with a new profession, the rest are new contacts with accented names.
func File(n int) ([]byte, []crm.ImportOutcome) {
	var b bytes.Buffer
	want := make([]crm.ImportOutcome, n)
	b.WriteString("Nom;Prénom;Téléphone;E-mail;Adresse;Code postal;Ville;Profession\r\n")
	for i := range n {
		email := fmt.Sprintf("contact%05d@import.test", i)
		tel := fmt.Sprintf("076%07d", i)
		nom, prenom := fmt.Sprintf("Lefèvre%05d", i), "Élodie-Françoise"
		switch {
		case i%10 == 3:
			nom, want[i] = "", crm.LineRejected
		case i%10 == 7:
			email, tel, want[i] = fmt.Sprintf("contact%05d@import.test", i-1), "", crm.LineDuplicate
		case i%20 == 9:
			base := BaseContact(i / 20)
			nom, prenom, email, tel, want[i] = base.Nom, base.Prenom, base.Email, "", crm.LineUpdated
		default:
			want[i] = crm.LineCreated
		}
		fmt.Fprintf(&b, "%s;%s;%s;%s;%d rue de l'Église;45000;Orléans;Pâtissière\r\n", nom, prenom, tel, email, i)
	}
	return cp1252(b.Bytes()), want
}

// cp1252 encodes UTF-8 text whose runes are all Latin-1 as Windows-1252.
func cp1252(utf8 []byte) []byte {
	out := make([]byte, 0, len(utf8))
	for _, r := range string(utf8) {
		if r > 0xFF {
			panic(fmt.Sprintf("csvimporttest: %q is not Latin-1", r))
		}
		out = append(out, byte(r))
	}
	return out
}
