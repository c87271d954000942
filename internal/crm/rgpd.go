package crm

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// The RGPD rights a MIA owes the people it holds data on (issue 15): access
// and portability (DonneesContact, DonneesApporteur), erasure by
// anonymisation (the affaires' and commissions' figures stay, for the
// accounts), the retention of prospects (ConservationDuree) and the
// information of the people an apporteur enters (Parametres).

// Names an erased person keeps: its affaires still need a client to show.
const (
	ContactEffaceNom   = "Contact effacé"
	ApporteurEffaceNom = "Apporteur effacé"
)

// Erased returns c anonymised: every personal field blank, the name
// ContactEffaceNom; statut, apporteur and dates remain (they say nothing of
// the person and keep the affaires' figures attributable).
func (c Contact) Erased(now time.Time) Contact {
	return Contact{ID: c.ID, Nom: ContactEffaceNom, Statut: c.Statut, ApporteurID: c.ApporteurID, Efface: true,
		CreatedAt: c.CreatedAt, UpdatedAt: now, Version: c.Version + 1}
}

// ConservationDuree is how long a prospect's data is kept after its last
// contact (CNIL guidance for insurance: 3 years); DelaiDecision how long the
// MIA has to confirm or refuse a proposed purge.
const (
	ConservationAnnees = 3
	DelaiDecision      = 30 * 24 * time.Hour
)

// ConservationExpire is when a prospect last contacted at last must be purged.
func ConservationExpire(last time.Time) time.Time { return last.AddDate(ConservationAnnees, 0, 0) }

// Conservation is a prospect's retention clock.
type Conservation struct {
	ContactID        ContactID `json:"contactId"`
	DernierContactLe time.Time `json:"dernierContactLe"`
	ExpireLe         time.Time `json:"expireLe"`
}

// Echeance is a retention clock or a purge proposal that came due, across
// MIA: the monthly run's work list.
type Echeance struct {
	MIA     MIAID
	Contact ContactID
	At      time.Time
}

// PurgeStatut is where a proposed purge stands.
type PurgeStatut string

// A proposal waits for the MIA (a_confirmer) until it decides or its 30 days end.
const PurgeAConfirmer PurgeStatut = "a_confirmer"

// PurgeProposee is a prospect past its retention, proposed to the MIA.
type PurgeProposee struct {
	ContactID        ContactID   `json:"contactId"`
	Nom              string      `json:"nom"`
	DernierContactLe time.Time   `json:"dernierContactLe"`
	ProposeeLe       time.Time   `json:"proposeeLe"`
	Echeance         time.Time   `json:"echeance"`
	Statut           PurgeStatut `json:"statut"`
}

// Decision is the MIA's answer to a proposed purge.
type Decision struct {
	Decision string `json:"decision"` // "purger" or "conserver"
	Motif    string `json:"motif"`
}

// Decisions.
const (
	DecisionPurger    = "purger"
	DecisionConserver = "conserver"
)

// Validate checks a decision: keeping needs a reason.
func (d *Decision) Validate() []FieldError {
	var v fieldChecker
	d.Motif = strings.TrimSpace(d.Motif)
	switch d.Decision {
	case DecisionPurger:
	case DecisionConserver:
		if d.Motif == "" {
			v.add("motif", "Indiquez pourquoi ces données sont conservées.")
		}
	default:
		v.add("decision", "La décision doit être « purger » ou « conserver ».")
	}
	v.note("motif", &d.Motif, false, 500)
	return v.errs
}

// Audit actions.
const (
	AuditEffacement       = "effacement"
	AuditPurge            = "purge_conservation"
	AuditConservation     = "conservation_prolongee"
	AuditExport           = "export_donnees"
	AuditPurgeSansReponse = "purge_sans_reponse"
)

// AuditEntry records a request on a person's data without the data: who
// asked, what, on which id, when, and the MIA's own reason if any.
type AuditEntry struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Action  string    `json:"action"`
	Cible   string    `json:"cible"` // "contact" or "apporteur"
	CibleID string    `json:"cibleId"`
	Par     string    `json:"par"` // the MIA's account (sub), or "planification"
	Motif   string    `json:"motif,omitempty"`
}

// Effacement is a request to erase a person: the MIA confirms it.
type Effacement struct {
	Confirmation bool   `json:"confirmation"`
	Motif        string `json:"motif"`
}

// Validate checks the confirmation (erasure cannot be undone).
func (e *Effacement) Validate() []FieldError {
	var v fieldChecker
	if !e.Confirmation {
		v.add("confirmation", "Confirmez l'effacement : il est définitif.")
	}
	e.Motif = strings.TrimSpace(e.Motif)
	v.note("motif", &e.Motif, false, 500)
	return v.errs
}

// DonneesContact is everything MyCRM holds on a contact (RGPD access).
type DonneesContact struct {
	Contact      Contact       `json:"contact"`
	Affaires     []Affaire     `json:"affaires"`
	Conservation *Conservation `json:"conservation,omitempty"`
	GenereLe     time.Time     `json:"genereLe"`
}

// DonneesApporteur is everything MyCRM holds on an apporteur.
type DonneesApporteur struct {
	Apporteur Apporteur     `json:"apporteur"`
	Affaires  []AffaireView `json:"affaires"`
	GenereLe  time.Time     `json:"genereLe"`
}

// Provenance is what a line derived by a stream handler comes from: the
// line is written only while its tâche or note still exists and while the
// client it is about is not an erased contact. So a stream record delivered
// late or replayed after an erasure (or after the removal of its source)
// writes nothing the erasure removed.
type Provenance struct {
	Tache  TacheID
	Note   NoteID
	Client string // a contact's id (an entreprise's never is one: no check)
	// Apporteur: the line names this apporteur, written only while it is
	// not erased (else ErrApporteurErased).
	Apporteur ApporteurID
}

// ErrContactErased is a stream handler's write refused because the contact
// it concerns was erased since the record was written: the handler writes
// the anonymised form instead, or nothing.
var ErrContactErased = errors.New("contact erased")

// ErrApporteurErased is a stream handler's write refused because the
// apporteur it names was erased since the record was written.
var ErrApporteurErased = errors.New("apporteur erased")

// RefersTo lists the people (by id) whose personal data an answer about
// entity v holds: the stored idempotent replies an erasure deletes (a reply
// holds the whole entity, its client's or record's name included). An id
// alone (an affaire's apporteurId) is no personal data.
func RefersTo(v any) []string {
	var ids []string
	switch v := v.(type) {
	case Contact:
		ids = []string{string(v.ID)}
	case Entreprise:
		ids = []string{string(v.DirigeantID)}
	case Affaire:
		ids = []string{v.ClientID}
	case Tache:
		if v.Cible != nil {
			ids = []string{v.Cible.ID, v.Cible.ClientID}
		}
	case Note:
		ids = []string{v.Cible.ID, v.Cible.ClientID}
	case Apporteur:
		ids = []string{string(v.ID)}
	}
	var out []string
	for _, id := range ids {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
