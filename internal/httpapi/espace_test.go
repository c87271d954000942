package httpapi

import (
	"slices"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// An apporteur that took an affaire over from another one sees its whole
// history but not the rates agreed with the other one, nor who it was.
func TestEspaceHistoriqueOfAnAffaireTakenOver(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	entry := func(v int, changes ...crm.Changement) crm.Historique {
		e := crm.Historique{At: at.Add(time.Duration(v) * time.Minute), Evenement: "mise_a_jour", Statut: crm.AffaireEnCours, Version: v, Changements: changes}
		if v == 1 {
			e.Evenement = "creation"
		}
		return e
	}
	v := crm.AffaireView{Historique: []crm.Historique{
		entry(1),
		entry(2, crm.Changement{Champ: "tauxCommissionApporteur", Apres: "20"}),
		entry(3, crm.Changement{Champ: "apporteurId", Avant: "A", Apres: "B"}, crm.Changement{Champ: "tauxCommissionApporteur", Avant: "20"}),
		entry(4, crm.Changement{Champ: "tauxCommissionApporteur", Apres: "25"}),
		entry(5, crm.Changement{Champ: "statut", Avant: "en_cours", Apres: "signee"}, crm.Changement{Champ: "primeAnnuelleCentimes", Avant: "1", Apres: "2"}),
	}}
	var got [][]crm.Changement
	for _, h := range toEspaceAffaire(v).Historique {
		got = append(got, h.Changements)
	}
	want := [][]crm.Changement{
		nil, // the creation
		{{Champ: "tauxCommissionApporteur", Apres: "25"}},
		{{Champ: "statut", Avant: "en_cours", Apres: "signee"}},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("espace historique %+v, want %+v", got, want)
	}
}
