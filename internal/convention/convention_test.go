package convention

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

func data(s crm.StatutLegal) crm.ConventionData {
	return crm.ConventionData{Version: 2, Date: time.Date(2026, 11, 27, 15, 4, 5, 0, time.UTC),
		MIA:         crm.MIA{Nom: "Durand", Prenom: "Claire", Cabinet: "Durand Assurances", Email: "claire@example.fr"},
		Apporteur:   crm.Apporteur{Nom: "Martin", Prenom: "Éloïse", Email: "eloise@example.fr", Localisation: "Lyon (69)"},
		StatutLegal: s}
}

// The acceptance proof is the hash of the bytes: the same data and date
// must give the same bytes, other data other bytes.
func TestPDFDeterministic(t *testing.T) {
	orias := crm.StatutLegal{Type: crm.IntermediaireORIAS, NumeroORIAS: "07012345", Categorie: "courtier",
		VerifieLe: "2026-10-01", RCProAssureur: "Hiscox", RCProExpiration: "2027-03-31"}
	cases := []struct {
		name string
		s    crm.StatutLegal
	}{{"indicateur", crm.StatutLegal{Type: crm.Indicateur}}, {"orias", orias}}
	var hashes [][32]byte
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := PDF(data(c.s))
			if err != nil {
				t.Fatal(err)
			}
			b, err := PDF(data(c.s))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Error("two renderings of the same convention differ")
			}
			if !bytes.HasPrefix(a, []byte("%PDF-")) {
				t.Errorf("not a PDF: %q", a[:8])
			}
			hashes = append(hashes, sha256.Sum256(a))
		})
	}
	if len(hashes) == 2 && hashes[0] == hashes[1] {
		t.Error("an indicateur's and an intermediary's conventions are the same bytes")
	}
}
