package crm

import (
	"encoding/json"
	"time"
)

// AffaireStatut is the stage of a contract being placed.
type AffaireStatut string

// Statuts: en_cours → signee | perdue; signee → resiliee.
const (
	AffaireEnCours  AffaireStatut = "en_cours"
	AffaireSignee   AffaireStatut = "signee"
	AffairePerdue   AffaireStatut = "perdue"
	AffaireResiliee AffaireStatut = "resiliee"
)

var transitions = map[AffaireStatut][]AffaireStatut{
	AffaireEnCours: {AffaireSignee, AffairePerdue},
	AffaireSignee:  {AffaireResiliee},
}

// Valid reports whether s is a known statut.
func (s AffaireStatut) Valid() bool {
	switch s {
	case AffaireEnCours, AffaireSignee, AffairePerdue, AffaireResiliee:
		return true
	}
	return false
}

// CanBecome reports whether an affaire in statut s may move to to.
// Staying in the same statut is allowed (an idempotent update).
func (s AffaireStatut) CanBecome(to AffaireStatut) bool {
	if s == to {
		return true
	}
	for _, t := range transitions[s] {
		if t == to {
			return true
		}
	}
	return false
}

// StatutsBefore lists the statuts from which an affaire may move to to,
// including to itself: the condition of a one-request update.
func StatutsBefore(to AffaireStatut) []AffaireStatut {
	out := []AffaireStatut{to}
	for from, tos := range transitions {
		for _, t := range tos {
			if t == to {
				out = append(out, from)
			}
		}
	}
	return out
}

// ClientType tells whether an affaire's client is a contact or an entreprise.
type ClientType string

// Client types.
const (
	ClientContact    ClientType = "contact"
	ClientEntreprise ClientType = "entreprise"
)

// TauxApporteur are the only commission rates an apporteur may get.
var TauxApporteur = []int{15, 20, 25}

// Affaire is a contract being placed for a client with a produit.
// Commissions are derived from prime and taux, never stored.
type Affaire struct {
	ID                      AffaireID     `json:"id"`
	ClientID                string        `json:"clientId"`
	ClientType              ClientType    `json:"clientType"`
	ClientNom               string        `json:"clientNom"`
	ProduitID               ProduitID     `json:"produitId"`
	ProduitNom              string        `json:"produitNom"`
	Statut                  AffaireStatut `json:"statut"`
	PrimeAnnuelleCentimes   int64         `json:"primeAnnuelleCentimes"`
	TauxCommissionMIA       int           `json:"tauxCommissionMIA"`
	ApporteurID             ApporteurID   `json:"apporteurId,omitempty"`
	TauxCommissionApporteur *int          `json:"tauxCommissionApporteur,omitempty"`
	Remarques               string        `json:"remarques,omitempty"`
	CreatedAt               time.Time     `json:"createdAt"`
	UpdatedAt               time.Time     `json:"updatedAt"`
	Version                 int           `json:"version"`
}

// CommissionMIACentimes is prime × tauxCommissionMIA / 100, rounded half-up.
func (a *Affaire) CommissionMIACentimes() int64 {
	return percentOf(a.PrimeAnnuelleCentimes, a.TauxCommissionMIA)
}

// CommissionApporteurCentimes is commissionMIA × tauxCommissionApporteur / 100,
// rounded half-up; 0 without an apporteur rate.
func (a *Affaire) CommissionApporteurCentimes() int64 {
	if a.TauxCommissionApporteur == nil {
		return 0
	}
	return percentOf(a.CommissionMIACentimes(), *a.TauxCommissionApporteur)
}

// percentOf computes v × pct / 100 rounded half-up, in integers (v, pct ≥ 0).
func percentOf(v int64, pct int) int64 {
	return (v*int64(pct) + 50) / 100
}

// MarshalJSON adds the derived commissions to the stored fields.
func (a Affaire) MarshalJSON() ([]byte, error) {
	type stored Affaire
	out := struct {
		stored
		CommissionMIACentimes       int64  `json:"commissionMIACentimes"`
		CommissionApporteurCentimes *int64 `json:"commissionApporteurCentimes,omitempty"`
	}{stored: stored(a), CommissionMIACentimes: a.CommissionMIACentimes()}
	if a.TauxCommissionApporteur != nil {
		c := a.CommissionApporteurCentimes()
		out.CommissionApporteurCentimes = &c
	}
	return json.Marshal(out)
}

// maxPrime bounds premiums (10 M€) so the cent arithmetic never overflows.
const maxPrime = 1_000_000_000

// NewAffaire is what a MIA sends to open an affaire.
type NewAffaire struct {
	ClientID                string    `json:"clientId"`
	ProduitID               ProduitID `json:"produitId"`
	PrimeAnnuelleCentimes   int64     `json:"primeAnnuelleCentimes"`
	TauxCommissionMIA       *int      `json:"tauxCommissionMIA"`
	TauxCommissionApporteur *int      `json:"tauxCommissionApporteur"`
	Remarques               string    `json:"remarques"`
}

// Validate checks the request on its own (the client and produit are checked by the store).
func (n *NewAffaire) Validate() []FieldError {
	var v fieldChecker
	v.ref("clientId", n.ClientID, true)
	if n.ProduitID == "" {
		v.add("produitId", "Ce champ est obligatoire.")
	} else if !ValidProduitID(string(n.ProduitID)) {
		v.add("produitId", "Identifiant invalide.")
	}
	checkPrime(&v, n.PrimeAnnuelleCentimes)
	checkTauxMIA(&v, n.TauxCommissionMIA)
	checkTauxApporteur(&v, n.TauxCommissionApporteur)
	v.note("remarques", &n.Remarques, false, 2000)
	return v.errs
}

// AffairePatch is "Mettre à jour": statut, prime, taux and remarques.
type AffairePatch struct {
	Statut                  *AffaireStatut `json:"statut"`
	PrimeAnnuelleCentimes   *int64         `json:"primeAnnuelleCentimes"`
	TauxCommissionMIA       *int           `json:"tauxCommissionMIA"`
	TauxCommissionApporteur *int           `json:"tauxCommissionApporteur"`
	Remarques               *string        `json:"remarques"`
}

// Validate checks the patch on its own; the stored statut and apporteur are
// checked by the store's conditional update.
func (p *AffairePatch) Validate() []FieldError {
	var v fieldChecker
	if p.Statut != nil && !p.Statut.Valid() {
		v.add("statut", "Le statut doit être « en_cours », « signee », « perdue » ou « resiliee ».")
	}
	if p.PrimeAnnuelleCentimes != nil {
		checkPrime(&v, *p.PrimeAnnuelleCentimes)
	}
	checkTauxMIA(&v, p.TauxCommissionMIA)
	checkTauxApporteur(&v, p.TauxCommissionApporteur)
	if p.Remarques != nil {
		v.note("remarques", p.Remarques, false, 2000)
	}
	if p.Statut == nil && p.PrimeAnnuelleCentimes == nil && p.TauxCommissionMIA == nil &&
		p.TauxCommissionApporteur == nil && p.Remarques == nil {
		v.add("", "Aucune modification demandée.")
	}
	return v.errs
}

// Apply returns a with the patch applied (transitions are checked by the caller).
func (p AffairePatch) Apply(a Affaire) Affaire {
	set(&a.Statut, p.Statut)
	set(&a.PrimeAnnuelleCentimes, p.PrimeAnnuelleCentimes)
	set(&a.TauxCommissionMIA, p.TauxCommissionMIA)
	if p.TauxCommissionApporteur != nil {
		t := *p.TauxCommissionApporteur
		a.TauxCommissionApporteur = &t
	}
	set(&a.Remarques, p.Remarques)
	return a
}

func checkPrime(v *fieldChecker, c int64) {
	if c < 0 || c > maxPrime {
		v.add("primeAnnuelleCentimes", "La prime annuelle doit être un montant en centimes entre 0 et 1 000 000 000.")
	}
}

func checkTauxMIA(v *fieldChecker, t *int) {
	if t != nil && (*t < 0 || *t > 100) {
		v.add("tauxCommissionMIA", "Le taux doit être compris entre 0 et 100.")
	}
}

func checkTauxApporteur(v *fieldChecker, t *int) {
	if t == nil {
		return
	}
	for _, ok := range TauxApporteur {
		if *t == ok {
			return
		}
	}
	v.add("tauxCommissionApporteur", "Le taux de commission apporteur doit être 15, 20 ou 25.")
}

// Historique is one entry of an affaire's history, written by the stream
// consumer after each change.
type Historique struct {
	AffaireID AffaireID `json:"affaireId"`
	At        time.Time `json:"at"`
	// Seq orders entries written at the same instant (the stream record's
	// position within its batch).
	Seq         int           `json:"-"`
	Evenement   string        `json:"evenement"` // "creation", "mise_a_jour"
	StatutAvant AffaireStatut `json:"statutAvant,omitempty"`
	Statut      AffaireStatut `json:"statut"`
	Changements []Changement  `json:"changements,omitempty"`
	// Version is the affaire's version this entry describes.
	Version int `json:"version"`
}

// Changement is one field an update changed.
type Changement struct {
	Champ string `json:"champ"`
	Avant string `json:"avant,omitempty"`
	Apres string `json:"apres,omitempty"`
}

// AffaireView is an affaire with its history, newest entry last.
type AffaireView struct {
	Affaire
	Historique []Historique `json:"historique"`
}

// MarshalJSON keeps the derived commissions of the embedded affaire.
func (v AffaireView) MarshalJSON() ([]byte, error) {
	a, err := v.Affaire.MarshalJSON()
	if err != nil {
		return nil, err
	}
	h, err := json.Marshal(struct {
		Historique []Historique `json:"historique"`
	}{v.Historique})
	if err != nil {
		return nil, err
	}
	// Merge the two objects: drop a's closing brace and h's opening one.
	return append(append(a[:len(a)-1], ','), h[1:]...), nil
}

// ContactView is a contact with its affaires.
type ContactView struct {
	Contact
	Affaires []Affaire `json:"affaires"`
}

// EntrepriseView is an entreprise with its affaires.
type EntrepriseView struct {
	Entreprise
	Affaires []Affaire `json:"affaires"`
}
