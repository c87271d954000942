package crm

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// The commission ledger (registre des commissions) of an apporteur: from
// the commission acquise at signature to what is à verser once the insurer
// paid the MIA (encaissement), what was paid (versement), and what is taken
// back (reprise) when an affaire is résiliée early. Money is integer
// centimes, half-up, frozen at signature.
//
// A line's amount never changes once written. Its statut changes only from
// a_verser to versee (settled by a versement) or annulee (cancelled by a
// résiliation, with an offsetting annulation line): so the solde is the sum
// of the lines' amounts, a versée line never changes, and the figures of an
// issued relevé can be recomputed from the lines it lists.

// Nature is what a ledger line records.
type Nature string

// Natures of ledger lines.
const (
	NatureAcquise        Nature = "acquise"        // commission apporteur frozen at signature (informative)
	NatureRegularisation Nature = "regularisation" // later change of prime or taux after signature (informative)
	NatureEncaissement   Nature = "encaissement"   // the apporteur's share of an encaissement: à verser
	NatureReprise        Nature = "reprise"        // clawback of a versée line (negative)
	NatureAnnulation     Nature = "annulation"     // cancels an unpaid à-verser line (negative)
	NatureVersement      Nature = "versement"      // a payment to the apporteur (negative)
)

// LigneStatut is a line's state as the apporteur sees it.
type LigneStatut string

// Statuts of ledger lines.
const (
	LigneAcquise        LigneStatut = "acquise"
	LigneRegularisation LigneStatut = "regularisation"
	LigneAVerser        LigneStatut = "a_verser"
	LigneVersee         LigneStatut = "versee"
	LigneAnnulee        LigneStatut = "annulee"
	LigneReprise        LigneStatut = "reprise"
	LigneVersement      LigneStatut = "versement"
	// LigneNonEligible: an encaissement on which the apporteur gets nothing
	// (an indicateur's years after the first, R.511-3): shown, never
	// silently dropped; its amount is 0 and NonEligible says why.
	LigneNonEligible LigneStatut = "non_eligible"
)

// Ligne is one line of an apporteur's ledger.
type Ligne struct {
	ID          string      `json:"id"`
	ApporteurID ApporteurID `json:"apporteurId"`
	AffaireID   AffaireID   `json:"affaireId,omitempty"`
	ClientNom   string      `json:"clientNom,omitempty"`
	ProduitNom  string      `json:"produitNom,omitempty"`
	Nature      Nature      `json:"nature"`
	Statut      LigneStatut `json:"statut"`
	// MontantCentimes is signed: positive what the MIA owes, negative what
	// the apporteur owes back or was paid.
	MontantCentimes int64 `json:"montantCentimes"`
	// Date is the business date (jj of signature, encaissement, résiliation,
	// versement), "2006-01-02" in Europe/Paris.
	Date string `json:"date"`
	// EnregistreeLe is when the line was written: it places the line on a relevé.
	EnregistreeLe time.Time `json:"enregistreeLe"`
	// Frozen at signature (acquise) or at the encaissement.
	TauxCommissionApporteur int    `json:"tauxCommissionApporteur,omitempty"`
	AnneeContrat            int    `json:"anneeContrat,omitempty"`
	EncaissementID          string `json:"encaissementId,omitempty"`
	// VersementID: for a versée line, the versement that settled it; for a
	// versement line, the versement itself.
	VersementID string `json:"versementId,omitempty"`
	// SourceID is the line a reprise, annulation or régularisation refers to.
	SourceID string `json:"sourceId,omitempty"`
	// MIA-only figures (never shown to the apporteur): the premium and MIA
	// rate at signature, the amount the insurer paid.
	PrimeAnnuelleCentimes int64 `json:"primeAnnuelleCentimes,omitempty"`
	TauxCommissionMIA     int   `json:"tauxCommissionMIA,omitempty"`
	EncaisseCentimes      int64 `json:"encaisseCentimes,omitempty"`
	// NonEligible, for a non_eligible line, says why ("indicateur").
	NonEligible string `json:"nonEligible,omitempty"`
	// AlertesConfirmees, on a versement line, are the warnings on the
	// apporteur's legal status the MIA confirmed paying despite (stale ORIAS
	// check, expired RC Pro).
	AlertesConfirmees []string `json:"alertesConfirmees,omitempty"`
	Version           int      `json:"version"`
}

// CountsInSolde tells whether the line's amount is part of the solde (the
// acquise and régularisation lines only inform).
func (l Ligne) CountsInSolde() bool {
	switch l.Nature {
	case NatureEncaissement, NatureReprise, NatureAnnulation, NatureVersement:
		return true
	}
	return false
}

// Solde is an apporteur's balances, kept with its lines in the same
// transactions (the store's SOLDE item).
type Solde struct {
	ApporteurID ApporteurID `json:"apporteurId"`
	// AcquisCentimes: acquises + régularisations.
	AcquisCentimes int64 `json:"acquisCentimes"`
	// AVerserCentimes: à-verser lines not yet settled nor cancelled.
	AVerserCentimes int64 `json:"aVerserCentimes"`
	// VerseCentimes: the sum of the versements (positive).
	VerseCentimes int64 `json:"verseCentimes"`
	// ReprisesCentimes: the sum of the reprises (negative or zero).
	ReprisesCentimes int64 `json:"reprisesCentimes"`
	// SoldeCentimes: what the MIA owes the apporteur (negative: the
	// apporteur owes the MIA) = the sum of the lines that count.
	SoldeCentimes int64     `json:"soldeCentimes"`
	MisAJourLe    time.Time `json:"misAJourLe"`
	Version       int       `json:"version"`
}

// Delta is the change a line makes to a solde when written with statut st.
func (l Ligne) Delta() Solde {
	var d Solde
	switch l.Nature {
	case NatureAcquise, NatureRegularisation:
		d.AcquisCentimes = l.MontantCentimes
	case NatureEncaissement:
		if l.Statut == LigneAVerser {
			d.AVerserCentimes = l.MontantCentimes
		}
	case NatureReprise:
		d.ReprisesCentimes = l.MontantCentimes
	case NatureVersement:
		d.VerseCentimes = -l.MontantCentimes
	}
	if l.CountsInSolde() {
		d.SoldeCentimes = l.MontantCentimes
	}
	return d
}

// Add returns s plus d (the figures only).
func (s Solde) Add(d Solde) Solde {
	s.AcquisCentimes += d.AcquisCentimes
	s.AVerserCentimes += d.AVerserCentimes
	s.VerseCentimes += d.VerseCentimes
	s.ReprisesCentimes += d.ReprisesCentimes
	s.SoldeCentimes += d.SoldeCentimes
	return s
}

// SoldeOf computes the balances of lines from scratch.
func SoldeOf(p ApporteurID, lines []Ligne) Solde {
	s := Solde{ApporteurID: p}
	for _, l := range lines {
		s = s.Add(l.Delta())
	}
	return s
}

// Figures are the amounts of a Solde, for comparisons.
func (s Solde) Figures() [5]int64 {
	return [5]int64{s.AcquisCentimes, s.AVerserCentimes, s.VerseCentimes, s.ReprisesCentimes, s.SoldeCentimes}
}

// Reprise settings of a MIA.
type ModeReprise string

// Modes of reprise.
const (
	RepriseTotale   ModeReprise = "totale"
	RepriseProrata  ModeReprise = "prorata"
	DefaultDelai                = 12
	maxDelaiReprise             = 36
)

// RepriseSettings say when and how much of a versée commission is taken back
// after a résiliation.
type RepriseSettings struct {
	DelaiMois int         `json:"delaiMois"`
	Mode      ModeReprise `json:"mode"`
}

// WithDefaults fills the unset settings (12 months, prorata temporis).
func (r RepriseSettings) WithDefaults() RepriseSettings {
	if r.DelaiMois == 0 {
		r.DelaiMois = DefaultDelai
	}
	if r.Mode == "" {
		r.Mode = RepriseProrata
	}
	return r
}

// MarshalJSON writes the settings in force: the defaults when unset.
func (r RepriseSettings) MarshalJSON() ([]byte, error) {
	type plain RepriseSettings
	return json.Marshal(plain(r.WithDefaults()))
}

// Signature is what an affaire's acquise line froze: the store keeps it
// next to the line so an encaissement finds its rate in one read.
type Signature struct {
	AffaireID               AffaireID   `json:"affaireId"`
	ApporteurID             ApporteurID `json:"apporteurId"`
	ClientNom               string      `json:"clientNom"`
	ProduitNom              string      `json:"produitNom"`
	Date                    string      `json:"date"`
	PrimeAnnuelleCentimes   int64       `json:"primeAnnuelleCentimes"`
	TauxCommissionMIA       int         `json:"tauxCommissionMIA"`
	TauxCommissionApporteur int         `json:"tauxCommissionApporteur"`
	// AcquisCentimes: acquise + régularisations so far.
	AcquisCentimes int64 `json:"acquisCentimes"`
	// ResilieeLe is set once the résiliation was taken into account.
	ResilieeLe string `json:"resilieeLe,omitempty"`
	// AffaireVersion is the latest affaire version the ledger took into
	// account: an older one (a replayed record) changes nothing.
	AffaireVersion int `json:"affaireVersion"`
	Version        int `json:"version"`
}

// AffaireChange is what the ledger makes of an affaire's new version: the
// lines to write and the signature to store (nil: nothing to do).
type AffaireChange struct {
	Signature Signature
	Lines     []Ligne
	// Annul lists the à-verser lines a résiliation cancels (by id).
	Annul []string
}

// LedgerOfAffaire computes what an affaire version a (as the stream gives
// it) changes in the ledger, given the stored signature (nil before the
// first acquise line) and the affaire's current lines. It is a pure
// function of its inputs: the stream handler calls it, a redelivered record
// finds everything already done and gets nil.
func LedgerOfAffaire(a Affaire, sig *Signature, lines []Ligne, rs RepriseSettings) *AffaireChange {
	at := a.UpdatedAt
	switch {
	case sig == nil:
		if a.Statut != AffaireSignee || a.ApporteurID == "" || a.TauxCommissionApporteur == nil {
			return nil
		}
		s := Signature{AffaireID: a.ID, ApporteurID: a.ApporteurID, ClientNom: a.ClientNom, ProduitNom: a.ProduitNom,
			Date: Day(at), PrimeAnnuelleCentimes: a.PrimeAnnuelleCentimes, TauxCommissionMIA: a.TauxCommissionMIA,
			TauxCommissionApporteur: *a.TauxCommissionApporteur, AcquisCentimes: a.CommissionApporteurCentimes(),
			AffaireVersion: a.Version}
		l := Ligne{ID: string(a.ID) + "-ACQ", ApporteurID: a.ApporteurID, AffaireID: a.ID, ClientNom: a.ClientNom,
			ProduitNom: a.ProduitNom, Nature: NatureAcquise, Statut: LigneAcquise, MontantCentimes: s.AcquisCentimes,
			Date: s.Date, EnregistreeLe: at, TauxCommissionApporteur: s.TauxCommissionApporteur,
			PrimeAnnuelleCentimes: s.PrimeAnnuelleCentimes, TauxCommissionMIA: s.TauxCommissionMIA, Version: 1}
		return &AffaireChange{Signature: s, Lines: []Ligne{l}}
	case sig.ResilieeLe != "" || a.Version <= sig.AffaireVersion:
		return nil
	case a.Statut == AffaireResiliee:
		return resiliation(a, *sig, lines, rs)
	case a.Statut == AffaireSignee && a.ApporteurID == sig.ApporteurID:
		target := a.CommissionApporteurCentimes()
		if target == sig.AcquisCentimes {
			return nil
		}
		s := *sig
		l := Ligne{ID: fmt.Sprintf("%s-REG-%06d", a.ID, a.Version), ApporteurID: s.ApporteurID, AffaireID: a.ID,
			ClientNom: s.ClientNom, ProduitNom: s.ProduitNom, Nature: NatureRegularisation, Statut: LigneRegularisation,
			MontantCentimes: target - s.AcquisCentimes, Date: Day(at), EnregistreeLe: at,
			PrimeAnnuelleCentimes: a.PrimeAnnuelleCentimes, TauxCommissionMIA: a.TauxCommissionMIA,
			SourceID: string(a.ID) + "-ACQ", Version: 1}
		if a.TauxCommissionApporteur != nil {
			l.TauxCommissionApporteur = *a.TauxCommissionApporteur
		}
		s.AcquisCentimes, s.AffaireVersion = target, a.Version
		return &AffaireChange{Signature: s, Lines: []Ligne{l}}
	}
	return nil
}

// resiliation: inside the window, every versée line of the affaire becomes
// a negative reprise line (all of it, or prorata temporis of the window
// left), every à-verser line is annulée. Outside, nothing changes but the
// signature's mark.
func resiliation(a Affaire, sig Signature, lines []Ligne, rs RepriseSettings) *AffaireChange {
	rs = rs.WithDefaults()
	at := a.UpdatedAt
	s := sig
	s.ResilieeLe, s.AffaireVersion = Day(at), a.Version
	ch := &AffaireChange{Signature: s}
	factorNum, factorDen, inside := RepriseFactor(sig.Date, s.ResilieeLe, rs)
	if !inside {
		return ch
	}
	ordered := slices.Clone(lines)
	sortLines(ordered)
	for _, l := range ordered {
		if l.AffaireID != a.ID || l.Nature != NatureEncaissement {
			continue
		}
		base := Ligne{ApporteurID: l.ApporteurID, AffaireID: a.ID, ClientNom: l.ClientNom, ProduitNom: l.ProduitNom,
			Date: s.ResilieeLe, EnregistreeLe: at, SourceID: l.ID, AnneeContrat: l.AnneeContrat,
			TauxCommissionApporteur: l.TauxCommissionApporteur, Version: 1}
		switch l.Statut {
		case LigneVersee:
			amt := RoundHalfUp(l.MontantCentimes*factorNum, factorDen)
			if amt == 0 {
				continue
			}
			r := base
			r.ID, r.Nature, r.Statut, r.MontantCentimes = l.ID+"-REP", NatureReprise, LigneReprise, -amt
			ch.Lines = append(ch.Lines, r)
		case LigneAVerser:
			r := base
			r.ID, r.Nature, r.Statut, r.MontantCentimes = l.ID+"-ANN", NatureAnnulation, LigneAnnulee, -l.MontantCentimes
			ch.Lines = append(ch.Lines, r)
			ch.Annul = append(ch.Annul, l.ID)
		}
	}
	return ch
}

// RepriseFactor is the share (num/den) of a versée commission taken back
// when an affaire signed on signe (a date) is résiliée on resil, and whether
// resil is inside the window at all.
func RepriseFactor(signe, resil string, rs RepriseSettings) (num, den int64, inside bool) {
	rs = rs.WithDefaults()
	s, err1 := time.Parse(time.DateOnly, signe)
	r, err2 := time.Parse(time.DateOnly, resil)
	if err1 != nil || err2 != nil {
		return 0, 1, false
	}
	end := s.AddDate(0, rs.DelaiMois, 0)
	if !r.Before(end) {
		return 0, 1, false
	}
	if rs.Mode == RepriseTotale {
		return 1, 1, true
	}
	total := int64(end.Sub(s).Hours() / 24)
	left := int64(end.Sub(r).Hours() / 24)
	if left > total {
		left = total
	}
	return left, total, true
}

// RoundHalfUp is v/d rounded half away from zero, in integers (d > 0).
func RoundHalfUp(v, d int64) int64 {
	if v < 0 {
		return -((-v*2 + d) / (2 * d))
	}
	return (v*2 + d) / (2 * d)
}

// Encaissement is the MIA's record that the insurer paid its commission on
// an affaire.
type Encaissement struct {
	ID              string    `json:"id"`
	AffaireID       AffaireID `json:"affaireId"`
	Date            string    `json:"date"`
	MontantCentimes int64     `json:"montantCentimes"`
	AnneeContrat    int       `json:"anneeContrat"`
	Remarques       string    `json:"remarques,omitempty"`
	// LigneID is the apporteur's à-verser line it created, if any.
	LigneID   string    `json:"ligneId,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Version   int       `json:"version"`
}

// NewEncaissement is what a MIA sends.
type NewEncaissement struct {
	Date            string `json:"date"`
	MontantCentimes int64  `json:"montantCentimes"`
	AnneeContrat    int    `json:"anneeContrat"`
	Remarques       string `json:"remarques"`
}

// maxMontant bounds amounts (10 M€) so the arithmetic never overflows.
const maxMontant = 1_000_000_000

// Validate checks an encaissement on its own.
func (n *NewEncaissement) Validate(now time.Time) []FieldError {
	var v fieldChecker
	checkDate(&v, "date", n.Date, now)
	if n.MontantCentimes <= 0 || n.MontantCentimes > maxMontant {
		v.add("montantCentimes", "Le montant doit être un nombre de centimes entre 1 et 1 000 000 000.")
	}
	if n.AnneeContrat < 1 || n.AnneeContrat > 99 {
		v.add("anneeContrat", "L'année du contrat doit être comprise entre 1 et 99.")
	}
	v.note("remarques", &n.Remarques, false, 2000)
	return v.errs
}

// checkDate accepts a calendar date that is not in the future (Paris).
func checkDate(v *fieldChecker, champ, s string, now time.Time) {
	d, err := time.Parse(time.DateOnly, s)
	switch {
	case s == "":
		v.add(champ, "Ce champ est obligatoire.")
	case err != nil:
		v.add(champ, "La date doit être au format AAAA-MM-JJ.")
	case d.Year() < 2000 || s > Day(now):
		v.add(champ, "La date doit être passée ou du jour, après l'an 2000.")
	}
}

// ShareLine is the à-verser line an encaissement creates for the apporteur
// at the rate frozen at signature.
func ShareLine(sig Signature, e Encaissement) Ligne {
	return Ligne{ID: e.ID, ApporteurID: sig.ApporteurID, AffaireID: sig.AffaireID, ClientNom: sig.ClientNom,
		ProduitNom: sig.ProduitNom, Nature: NatureEncaissement, Statut: LigneAVerser,
		MontantCentimes: percentOf(e.MontantCentimes, sig.TauxCommissionApporteur), Date: e.Date,
		EnregistreeLe: e.CreatedAt, TauxCommissionApporteur: sig.TauxCommissionApporteur, AnneeContrat: e.AnneeContrat,
		EncaissementID: e.ID, EncaisseCentimes: e.MontantCentimes, Version: 1}
}

// Versement is a payment of the MIA to an apporteur.
type Versement struct {
	ID              string      `json:"id"`
	ApporteurID     ApporteurID `json:"apporteurId"`
	Date            string      `json:"date"`
	MontantCentimes int64       `json:"montantCentimes"`
	Mode            string      `json:"mode"`
	Reference       string      `json:"reference,omitempty"`
	// Lignes are the à-verser lines it settled.
	Lignes []string `json:"lignes"`
	// AlertesConfirmees: the legal-status warnings the MIA confirmed.
	AlertesConfirmees []string  `json:"alertesConfirmees,omitempty"`
	CreatedAt         time.Time `json:"createdAt"`
	UpdatedAt         time.Time `json:"updatedAt"`
	Version           int       `json:"version"`
}

// NewVersement is what a MIA sends; Lignes optionally chooses the lines to
// settle (oldest first otherwise).
type NewVersement struct {
	Date            string   `json:"date"`
	MontantCentimes int64    `json:"montantCentimes"`
	Mode            string   `json:"mode"`
	Reference       string   `json:"reference"`
	Lignes          []string `json:"lignes"`
	// ConfirmeAlertes: pay despite a stale ORIAS check or an expired RC Pro
	// (the ledger line records it).
	ConfirmeAlertes bool `json:"confirmeAlertes"`
}

// Modes of payment.
var ModesVersement = []string{"virement", "cheque"}

// MaxLignesVersement bounds the lines one versement settles (one
// transaction); the rest stay à verser for the next one.
const MaxLignesVersement = 90

// Validate checks a versement on its own.
func (n *NewVersement) Validate(now time.Time) []FieldError {
	var v fieldChecker
	checkDate(&v, "date", n.Date, now)
	if n.MontantCentimes <= 0 || n.MontantCentimes > maxMontant {
		v.add("montantCentimes", "Le montant doit être un nombre de centimes entre 1 et 1 000 000 000.")
	}
	if !slices.Contains(ModesVersement, n.Mode) {
		v.add("mode", "Le mode doit être « virement » ou « cheque ».")
	}
	v.note("reference", &n.Reference, false, 200)
	if len(n.Lignes) > MaxLignesVersement {
		v.add("lignes", fmt.Sprintf("Au plus %d lignes par versement.", MaxLignesVersement))
	}
	seen := map[string]bool{}
	for _, id := range n.Lignes {
		if id == "" || len(id) > 80 || seen[id] {
			v.add("lignes", "Identifiants de lignes invalides ou répétés.")
			break
		}
		seen[id] = true
	}
	return v.errs
}

// Settle chooses the à-verser lines a versement of amount settles: the
// chosen ones (each must be à verser; together at most what is available),
// or the oldest first while they fit. What is available is the amount plus
// the credit the apporteur already has (reprises and earlier payments not
// yet set against lines): à verser − solde.
func Settle(lines []Ligne, s Solde, amount int64, chosen []string) ([]string, error) {
	pool := s.AVerserCentimes - s.SoldeCentimes + amount
	open := map[string]Ligne{}
	var order []Ligne
	for _, l := range lines {
		if l.Nature == NatureEncaissement && l.Statut == LigneAVerser {
			open[l.ID] = l
			order = append(order, l)
		}
	}
	sortLines(order)
	var out []string
	if len(chosen) > 0 {
		var sum int64
		for _, id := range chosen {
			l, ok := open[id]
			if !ok {
				return nil, Invalid(FieldError{Champ: "lignes", Message: "Une ligne choisie n'est pas à verser pour cet apporteur."})
			}
			sum += l.MontantCentimes
			out = append(out, id)
		}
		if sum > pool {
			return nil, Invalid(FieldError{Champ: "montantCentimes", Message: "Le montant ne couvre pas les lignes choisies."})
		}
		return out, nil
	}
	for _, l := range order {
		if len(out) == MaxLignesVersement || l.MontantCentimes > pool {
			break
		}
		pool -= l.MontantCentimes
		out = append(out, l.ID)
	}
	return out, nil
}

// VersementLine is the negative line a versement writes.
func VersementLine(v Versement) Ligne {
	return Ligne{ID: v.ID, ApporteurID: v.ApporteurID, Nature: NatureVersement, Statut: LigneVersement,
		MontantCentimes: -v.MontantCentimes, Date: v.Date, EnregistreeLe: v.CreatedAt, VersementID: v.ID,
		AlertesConfirmees: v.AlertesConfirmees, Version: 1}
}

// sortLines orders lines as the ledger shows them: by time written, then id.
func sortLines(ls []Ligne) {
	sort.SliceStable(ls, func(i, j int) bool {
		if !ls[i].EnregistreeLe.Equal(ls[j].EnregistreeLe) {
			return ls[i].EnregistreeLe.Before(ls[j].EnregistreeLe)
		}
		return ls[i].ID < ls[j].ID
	})
}

// SortLines orders lines by time written, then id.
func SortLines(ls []Ligne) { sortLines(ls) }

// Releve is the relevé de commissions of an apporteur for a calendar month:
// once issued, its figures never change (corrections go on a later one).
type Releve struct {
	ID          string      `json:"id"`
	ApporteurID ApporteurID `json:"apporteurId"`
	// Mois is "2026-11".
	Mois   string `json:"mois"`
	Numero int    `json:"numero"`
	// The MIA and apporteur as they were at issue.
	Emetteur             Emetteur `json:"emetteur"`
	ApporteurNom         string   `json:"apporteurNom"`
	SoldeInitialCentimes int64    `json:"soldeInitialCentimes"`
	SoldeFinalCentimes   int64    `json:"soldeFinalCentimes"`
	Totaux               Solde    `json:"totaux"`
	// Lignes are left out of lists and of the answer to an issue.
	Lignes []Ligne   `json:"lignes,omitempty"`
	EmisLe time.Time `json:"emisLe"`
	// NbLignes counts the lines (lists leave the lines out).
	NbLignes int `json:"nbLignes"`
	Version  int `json:"version"`
}

// Registre is a page of an apporteur's ledger, newest line first, with its
// balances.
type Registre struct {
	Solde      Solde   `json:"solde"`
	Items      []Ligne `json:"items"`
	NextCursor string  `json:"nextCursor,omitempty"`
}

// EncaissementLine is the apporteur's line an encaissement creates, if any:
// the one place where rules on the apporteur's right to a share (such as an
// indicateur's years after the first) decide.
// An indicateur (statut, the apporteur's legal status now) gets a share of
// the first contract year only: the line of a later year is non_eligible,
// of amount 0, and says so.
func EncaissementLine(sig Signature, e Encaissement, statut *StatutLegal) (Ligne, bool, error) {
	l := ShareLine(sig, e)
	if ok, motif := EncaissementEligible(statut, e.AnneeContrat); !ok {
		l.Statut, l.MontantCentimes, l.NonEligible = LigneNonEligible, 0, motif
	}
	return l, true, nil
}

// CheckVersement is the one place where rules on the apporteur refuse a
// versement: an accepted convention d'apport and a legal status are
// required; a stale ORIAS check or an expired RC Pro needs the MIA's
// confirmation, whose alerts it returns (recorded on the line).
func CheckVersement(a Apporteur, n NewVersement, now time.Time) ([]string, error) {
	return VersementGuard(a, n.ConfirmeAlertes, now)
}

// CheckReleveMois accepts a month ("2026-10") that is over (Paris) and not
// before 2000.
func CheckReleveMois(mois string, now time.Time) error {
	start, end, ok := MonthBounds(mois)
	switch {
	case !ok:
		return Invalid(FieldError{Champ: "mois", Message: "Le mois doit être au format AAAA-MM."})
	case start.Year() < 2000 || end.After(now):
		return Invalid(FieldError{Champ: "mois", Message: "Seul un mois terminé peut faire l'objet d'un relevé."})
	}
	return nil
}

// Emetteur is the MIA's identity printed on a relevé.
type Emetteur struct {
	RaisonSociale string `json:"raisonSociale"`
	Nom           string `json:"nom"`
	ORIAS         string `json:"orias,omitempty"`
	SIREN         string `json:"siren,omitempty"`
	Adresse       string `json:"adresse,omitempty"`
}

// ReleveID names a relevé: its apporteur and month (one per pair).
func ReleveID(p ApporteurID, mois string) string {
	return string(p) + "-" + strings.ReplaceAll(mois, "-", "")
}

// ParseReleveID splits a relevé id into its apporteur and month.
func ParseReleveID(id string) (ApporteurID, string, bool) {
	p, ym, ok := strings.Cut(id, "-")
	if !ok || !IsULID(p) || len(ym) != 6 || strings.Trim(ym, "0123456789") != "" {
		return "", "", false
	}
	mois := ym[:4] + "-" + ym[4:]
	if _, _, ok := MonthBounds(mois); !ok {
		return "", "", false
	}
	return ApporteurID(p), mois, true
}

// MonthBounds are the first instant of month mois ("2026-11") and of the
// next, in Europe/Paris.
func MonthBounds(mois string) (start, end time.Time, ok bool) {
	t, err := time.ParseInLocation("2006-01", mois, Paris)
	if err != nil || len(mois) != 7 {
		return time.Time{}, time.Time{}, false
	}
	return t, t.AddDate(0, 1, 0), true
}

// PreviousMonth is the month before the one holding t (Paris).
func PreviousMonth(t time.Time) string {
	p := t.In(Paris)
	return time.Date(p.Year(), p.Month(), 1, 0, 0, 0, 0, Paris).AddDate(0, -1, 0).Format("2006-01")
}

// BuildReleve computes the relevé of month mois from the previous relevé
// of the same apporteur (nil if none) and the apporteur's lines written
// before the month's end: the month's lines are those written since the
// start of the previous relevé's month (or of mois) that the previous relevé
// does not list, so a line written late still appears, on the next relevé.
func BuildReleve(p ApporteurID, mois string, prev *Releve, lines []Ligne) (Releve, bool) {
	start, end, ok := MonthBounds(mois)
	if !ok {
		return Releve{}, false
	}
	r := Releve{ID: ReleveID(p, mois), ApporteurID: p, Mois: mois, Lignes: []Ligne{}}
	from := start
	seen := map[string]bool{}
	if prev != nil {
		r.SoldeInitialCentimes = prev.SoldeFinalCentimes
		from, _, _ = MonthBounds(prev.Mois)
		for _, l := range prev.Lignes {
			seen[l.ID] = true
		}
	}
	ordered := slices.Clone(lines)
	sortLines(ordered)
	for _, l := range ordered {
		if !l.EnregistreeLe.Before(end) {
			continue
		}
		if l.EnregistreeLe.Before(from) {
			if prev == nil && l.CountsInSolde() {
				r.SoldeInitialCentimes += l.MontantCentimes
			}
			continue
		}
		if seen[l.ID] {
			continue
		}
		// A relevé goes to the apporteur: no MIA figure on it.
		l.PrimeAnnuelleCentimes, l.TauxCommissionMIA, l.EncaisseCentimes = 0, 0, 0
		r.Lignes = append(r.Lignes, l)
		r.Totaux = r.Totaux.Add(l.Delta())
	}
	r.Totaux.ApporteurID = p
	r.SoldeFinalCentimes = r.SoldeInitialCentimes + r.Totaux.SoldeCentimes
	return r, true
}
