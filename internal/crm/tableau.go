package crm

import (
	"sort"
	"strings"
	"time"
)

// The MIA's tableau de bord is one item of counters, kept by an idempotent
// stream handler: each affaire, contact and tâche contributes a set of
// counters (a function of its state alone, plus the month an affaire was
// signed); on each change the handler adds the difference between the new
// contribution and the one it recorded for that record. So the counters are
// always the sum of the current contributions: a recount.

// Counters are named integer counters.
type Counters map[string]int64

// Add adds o to c.
func (c Counters) Add(o Counters) {
	for k, v := range o {
		c[k] += v
	}
}

// Delta is to − from, without the zero differences.
func Delta(from, to Counters) Counters {
	d := Counters{}
	for k, v := range to {
		if v-from[k] != 0 {
			d[k] = v - from[k]
		}
	}
	for k, v := range from {
		if _, ok := to[k]; !ok && v != 0 {
			d[k] = -v
		}
	}
	return d
}

func (c Counters) agregat(prefix string) Agregat {
	return Agregat{Nombre: c[prefix+"|n"], PrimesCentimes: c[prefix+"|p"], CommissionMIACentimes: c[prefix+"|c"]}
}

func (c Counters) addAgregat(prefix string, a *Affaire) {
	c[prefix+"|n"]++
	c[prefix+"|p"] += a.PrimeAnnuelleCentimes
	c[prefix+"|c"] += a.CommissionMIACentimes()
}

// Signed reports whether an affaire in statut s was signed (a résiliée one was).
func (s AffaireStatut) Signed() bool { return s == AffaireSignee || s == AffaireResiliee }

// SignatureMonth is the month ("2026-11", Paris) an affaire was signed: the
// one recorded (prev) while it stays signed, else the month of the update
// that signed it; "" for an affaire not signed.
func SignatureMonth(prev string, a *Affaire) string {
	switch {
	case a == nil || !a.Statut.Signed():
		return ""
	case prev != "":
		return prev
	}
	return a.UpdatedAt.In(Paris).Format("2006-01")
}

// AffaireCounters is an affaire's contribution (nil: a removed affaire).
func AffaireCounters(a *Affaire, signe string) Counters {
	c := Counters{}
	if a == nil {
		return c
	}
	c.addAgregat("s|"+string(a.Statut), a)
	c.addAgregat("p|"+string(a.ProduitID)+"|"+string(a.Statut), a)
	if signe != "" {
		c.addAgregat("m|"+signe, a)
	}
	if a.ApporteurID != "" && a.Statut == AffaireSignee {
		c["a|"+string(a.ApporteurID)+"|signees"]++
		c["a|"+string(a.ApporteurID)+"|du"] += a.CommissionApporteurCentimes()
	}
	return c
}

// ContactCounters is a contact's contribution: one contact brought, to its apporteur.
func ContactCounters(apporteur ApporteurID) Counters {
	c := Counters{}
	if apporteur != "" {
		c["a|"+string(apporteur)+"|contacts"] = 1
	}
	return c
}

// TacheCounters is a tâche's contribution: one open tâche on its day.
func TacheCounters(t *Tache) Counters {
	c := Counters{}
	if t != nil && t.Open() {
		c["t|"+t.Echeance] = 1
	}
	return c
}

// Agregat sums affaires.
type Agregat struct {
	Nombre                int64 `json:"nombre"`
	PrimesCentimes        int64 `json:"primesCentimes"`
	CommissionMIACentimes int64 `json:"commissionMIACentimes"`
}

// StatutAgregat sums the affaires of one statut.
type StatutAgregat struct {
	Statut AffaireStatut `json:"statut"`
	Agregat
}

// ProduitAgregat sums the affaires of one produit, by statut.
type ProduitAgregat struct {
	ProduitID  ProduitID       `json:"produitId"`
	ProduitNom string          `json:"produitNom"`
	Total      Agregat         `json:"total"`
	ParStatut  []StatutAgregat `json:"parStatut"`
}

// MoisAgregat sums the affaires signed in one month.
type MoisAgregat struct {
	Mois string `json:"mois"` // AAAA-MM
	Agregat
}

// ApporteurRang is an apporteur's line of the ranking.
type ApporteurRang struct {
	ApporteurID           ApporteurID `json:"apporteurId"`
	ContactsApportes      int64       `json:"contactsApportes"`
	AffairesSignees       int64       `json:"affairesSignees"`
	CommissionDueCentimes int64       `json:"commissionDueCentimes"`
}

// Tableau is the MIA's dashboard.
type Tableau struct {
	ParStatut            []StatutAgregat  `json:"parStatut"`
	ParProduit           []ProduitAgregat `json:"parProduit"`
	ParMois              []MoisAgregat    `json:"parMois"` // the last 12 months, oldest first
	SigneesCeMois        MoisAgregat      `json:"signeesCeMois"`
	SigneesMoisPrecedent MoisAgregat      `json:"signeesMoisPrecedent"`
	Transformation       Transformation   `json:"transformation"`
	Apporteurs           []ApporteurRang  `json:"apporteurs"`
	Taches               TachesDues       `json:"taches"`
}

// Transformation is the conversion rate en cours → signée: of the affaires
// decided (signed, even if résiliée since, or lost), the share signed.
type Transformation struct {
	Signees      int64 `json:"signees"`
	Decidees     int64 `json:"decidees"`
	TauxPourcent int64 `json:"tauxPourcent"` // rounded half-up; 0 when none decided
}

// TachesDues counts the open tâches due today and before.
type TachesDues struct {
	Aujourdhui int64 `json:"aujourdhui"`
	EnRetard   int64 `json:"enRetard"`
}

var statutsOrdre = []AffaireStatut{AffaireEnCours, AffaireSignee, AffairePerdue, AffaireResiliee}

// TableauOf reads the counters (and produit names) at now.
func TableauOf(c Counters, produitNoms map[string]string, now time.Time) Tableau {
	t := Tableau{ParStatut: []StatutAgregat{}, ParProduit: []ProduitAgregat{}, ParMois: []MoisAgregat{}, Apporteurs: []ApporteurRang{}}
	for _, s := range statutsOrdre {
		t.ParStatut = append(t.ParStatut, StatutAgregat{s, c.agregat("s|" + string(s))})
	}
	produits := map[string]bool{}
	apporteurs := map[string]bool{}
	today := Day(now)
	for k, v := range c {
		parts := strings.Split(k, "|")
		switch {
		case parts[0] == "p" && len(parts) == 4 && v != 0:
			produits[parts[1]] = true
		case parts[0] == "a" && len(parts) == 3 && v != 0:
			apporteurs[parts[1]] = true
		case parts[0] == "t" && len(parts) == 2:
			if parts[1] == today {
				t.Taches.Aujourdhui += v
			} else if parts[1] < today {
				t.Taches.EnRetard += v
			}
		}
	}
	for p := range produits {
		pa := ProduitAgregat{ProduitID: ProduitID(p), ProduitNom: produitNoms[p], ParStatut: []StatutAgregat{}}
		if pa.ProduitNom == "" {
			pa.ProduitNom = p
		}
		for _, s := range statutsOrdre {
			a := c.agregat("p|" + p + "|" + string(s))
			if a.Nombre == 0 {
				continue
			}
			pa.ParStatut = append(pa.ParStatut, StatutAgregat{s, a})
			pa.Total.Nombre += a.Nombre
			pa.Total.PrimesCentimes += a.PrimesCentimes
			pa.Total.CommissionMIACentimes += a.CommissionMIACentimes
		}
		if pa.Total.Nombre > 0 {
			t.ParProduit = append(t.ParProduit, pa)
		}
	}
	sort.Slice(t.ParProduit, func(i, j int) bool {
		a, b := t.ParProduit[i], t.ParProduit[j]
		if a.Total.CommissionMIACentimes != b.Total.CommissionMIACentimes {
			return a.Total.CommissionMIACentimes > b.Total.CommissionMIACentimes
		}
		return a.ProduitID < b.ProduitID
	})
	y, m, _ := now.In(Paris).Date()
	first := time.Date(y, m, 1, 12, 0, 0, 0, time.UTC)
	for i := 11; i >= 0; i-- {
		mois := first.AddDate(0, -i, 0).Format("2006-01")
		t.ParMois = append(t.ParMois, MoisAgregat{mois, c.agregat("m|" + mois)})
	}
	t.SigneesCeMois, t.SigneesMoisPrecedent = t.ParMois[11], t.ParMois[10]
	signees := c["s|signee|n"] + c["s|resiliee|n"]
	t.Transformation = Transformation{Signees: signees, Decidees: signees + c["s|perdue|n"]}
	if d := t.Transformation.Decidees; d > 0 {
		t.Transformation.TauxPourcent = (signees*100*2 + d) / (2 * d)
	}
	for p := range apporteurs {
		r := ApporteurRang{ApporteurID: ApporteurID(p), ContactsApportes: c["a|"+p+"|contacts"],
			AffairesSignees: c["a|"+p+"|signees"], CommissionDueCentimes: c["a|"+p+"|du"]}
		if r.ContactsApportes+r.AffairesSignees+r.CommissionDueCentimes > 0 {
			t.Apporteurs = append(t.Apporteurs, r)
		}
	}
	sort.Slice(t.Apporteurs, func(i, j int) bool {
		a, b := t.Apporteurs[i], t.Apporteurs[j]
		if a.CommissionDueCentimes != b.CommissionDueCentimes {
			return a.CommissionDueCentimes > b.CommissionDueCentimes
		}
		if a.AffairesSignees != b.AffairesSignees {
			return a.AffairesSignees > b.AffairesSignees
		}
		if a.ContactsApportes != b.ContactsApportes {
			return a.ContactsApportes > b.ContactsApportes
		}
		return a.ApporteurID < b.ApporteurID
	})
	return t
}

// Contribution is what the dashboard recorded of one record: the version it
// was computed at, the signature month (affaires) and the counters.
type Contribution struct {
	Version  int
	Signe    string
	Counters Counters
}

// NextContribution is the contribution to record after a change of a record
// from what was recorded (ok false: prev is newer, nothing to do). A record
// of the same version is applied again (the counters then do not move): a
// write that changes no version, replayed, ends in the same state.
func NextContribution(prev *Contribution, version int, counters func(signe string) (Counters, string)) (next Contribution, delta Counters, ok bool) {
	var from Counters
	signe := ""
	if prev != nil {
		if prev.Version > version {
			return Contribution{}, nil, false
		}
		from, signe = prev.Counters, prev.Signe
	}
	c, s := counters(signe)
	return Contribution{Version: version, Signe: s, Counters: c}, Delta(from, c), true
}
