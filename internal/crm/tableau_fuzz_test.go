package crm

import (
	"math/rand/v2"
	"testing"
	"time"
)

// applyRecord is what the dashboard handler does with one stream record of
// an affaire: the next contribution from the recorded one, its delta added.
func applyRecord(total Counters, recorded map[AffaireID]*Contribution, a Affaire) {
	next, delta, ok := NextContribution(recorded[a.ID], a.Version, func(signe string) (Counters, string) {
		s := SignatureMonth(signe, &a)
		return AffaireCounters(&a, s), s
	})
	if !ok {
		return
	}
	total.Add(delta)
	recorded[a.ID] = &next
}

// FuzzTableauEqualsRecount: after any sequence of writes to affaires, each
// stream record delivered at least once, batches redelivered from any point
// and the whole stream replayed at the end, the counters equal a recount of
// the affaires as they stand (each signed in the month it was first signed).
func FuzzTableauEqualsRecount(f *testing.F) {
	f.Add(uint64(1), uint16(40))
	f.Add(uint64(7), uint16(300))
	f.Add(uint64(42), uint16(3))
	f.Fuzz(func(t *testing.T, seed uint64, n uint16) {
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		start := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
		var (
			stream  []Affaire
			current = map[AffaireID]*Affaire{}
			signed  = map[AffaireID]string{} // recount: month of the first signature
			ids     []AffaireID
		)
		apporteurs := []ApporteurID{"", "P1", "P2"}
		produits := []ProduitID{"auto", "sante", "pret"}
		for i := range int(n % 400) {
			at := start.Add(time.Duration(i) * 61 * time.Hour)
			if len(ids) == 0 || r.IntN(4) == 0 {
				a := &Affaire{ID: AffaireID(DerivedID(string(rune(i)) + "x")), Statut: AffaireEnCours,
					ProduitID: produits[r.IntN(3)], PrimeAnnuelleCentimes: r.Int64N(500000),
					TauxCommissionMIA: r.IntN(30), ApporteurID: apporteurs[r.IntN(3)], UpdatedAt: at, Version: 1}
				current[a.ID], ids = a, append(ids, a.ID)
				stream = append(stream, *a)
				continue
			}
			a := *current[ids[r.IntN(len(ids))]]
			switch r.IntN(5) {
			case 0: // a statut move allowed by the rules
				if next := transitions[a.Statut]; len(next) > 0 {
					a.Statut = next[r.IntN(len(next))]
				}
			case 1:
				a.PrimeAnnuelleCentimes = r.Int64N(500000)
			case 2:
				a.ApporteurID, a.TauxCommissionApporteur = apporteurs[r.IntN(3)], nil
			case 3:
				if a.ApporteurID != "" {
					tx := TauxApporteur[r.IntN(3)]
					a.TauxCommissionApporteur = &tx
				}
			case 4: // a write that keeps the version (a copied client name)
				stream = append(stream, a)
				continue
			}
			a.Version++
			a.UpdatedAt = at
			if a.Statut.Signed() && signed[a.ID] == "" {
				signed[a.ID] = at.In(Paris).Format("2006-01")
			}
			current[a.ID] = &a
			stream = append(stream, a)
		}

		total, recorded := Counters{}, map[AffaireID]*Contribution{}
		for i := 0; i < len(stream); i++ {
			applyRecord(total, recorded, stream[i])
			if r.IntN(10) == 0 { // a failure: the batch is redelivered from an earlier record
				i = max(-1, i-1-r.IntN(5))
			}
		}
		for _, a := range stream { // replay of the stream from its start
			applyRecord(total, recorded, a)
		}

		want := Counters{}
		for id, a := range current {
			want.Add(AffaireCounters(a, signed[id]))
		}
		if d := Delta(want, total); len(d) > 0 {
			t.Fatalf("counters differ from the recount by %v", d)
		}
		// And the dashboard read from them agrees on the totals.
		tb := TableauOf(total, nil, start)
		var count int64
		for _, s := range tb.ParStatut {
			count += s.Nombre
		}
		if count != int64(len(current)) {
			t.Fatalf("dashboard counts %d affaires, want %d", count, len(current))
		}
	})
}

func TestTableauOf(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	tx := 20
	c := Counters{}
	for _, a := range []Affaire{
		{ProduitID: "auto", Statut: AffaireSignee, PrimeAnnuelleCentimes: 100000, TauxCommissionMIA: 10, ApporteurID: "P1", TauxCommissionApporteur: &tx},
		{ProduitID: "auto", Statut: AffairePerdue, PrimeAnnuelleCentimes: 50000, TauxCommissionMIA: 10},
		{ProduitID: "sante", Statut: AffaireEnCours, PrimeAnnuelleCentimes: 30000, TauxCommissionMIA: 15},
	} {
		signe := ""
		if a.Statut.Signed() {
			signe = "2026-11"
		}
		c.Add(AffaireCounters(&a, signe))
	}
	c.Add(TacheCounters(&Tache{Statut: TacheAFaire, Echeance: "2026-11-27"}))
	c.Add(TacheCounters(&Tache{Statut: TacheAFaire, Echeance: "2026-11-20"}))
	c.Add(TacheCounters(&Tache{Statut: TacheFaite, Echeance: "2026-11-20"}))
	c.Add(ContactCounters("P1"))
	tb := TableauOf(c, map[string]string{"auto": "Auto"}, now)
	if got, want := tb.Transformation, (Transformation{Signees: 1, Decidees: 2, TauxPourcent: 50}); got != want {
		t.Errorf("transformation = %+v, want %+v", got, want)
	}
	if got, want := tb.SigneesCeMois, (MoisAgregat{"2026-11", Agregat{1, 100000, 10000}}); got != want {
		t.Errorf("signées ce mois = %+v, want %+v", got, want)
	}
	if got, want := tb.Taches, (TachesDues{Aujourdhui: 1, EnRetard: 1}); got != want {
		t.Errorf("tâches = %+v, want %+v", got, want)
	}
	if got, want := tb.Apporteurs, []ApporteurRang{{"P1", 1, 1, 2000}}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("apporteurs = %+v, want %+v", got, want)
	}
	if got := tb.ParProduit[0]; got.ProduitID != "auto" || got.ProduitNom != "Auto" || got.Total.Nombre != 2 {
		t.Errorf("first produit = %+v, want auto with 2 affaires", got)
	}
	if len(tb.ParMois) != 12 || tb.ParMois[0].Mois != "2025-12" {
		t.Errorf("months = %+v, want 12 ending 2026-11", tb.ParMois)
	}
}
