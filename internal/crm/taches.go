package crm

import (
	"crypto/sha256"
	"strings"
	"time"
)

// Daily work: tâches (with the relances the stream creates), notes and the
// activity timeline of a contact, an entreprise or an affaire.

type (
	TacheID string
	NoteID  string
)

// CibleType is the kind of record a tâche or a note is about.
type CibleType string

// Cible types.
const (
	CibleContact    CibleType = "contact"
	CibleEntreprise CibleType = "entreprise"
	CibleAffaire    CibleType = "affaire"
	// CibleApporteur is only set by the relances about an apporteur's legal
	// status (never by a request: Valid refuses it).
	CibleApporteur CibleType = "apporteur"
)

// Valid reports whether t is a known cible type.
func (t CibleType) Valid() bool {
	return t == CibleContact || t == CibleEntreprise || t == CibleAffaire
}

// Cible is the record a tâche or a note is about, with its name (copied at
// creation: lists need no join) and the client it belongs to (the record
// itself for a contact or an entreprise, the affaire's client otherwise):
// the "last contact" of that client moves when a note is written or a tâche
// about it is done.
type Cible struct {
	Type     CibleType `json:"type"`
	ID       string    `json:"id"`
	Nom      string    `json:"nom"`
	ClientID string    `json:"clientId,omitempty"` // "" for an apporteur
	// ApporteurID is the record's apporteur when the note or tâche was
	// written ("" for none): a shared note is shown to it.
	ApporteurID ApporteurID `json:"-"`
}

// TacheStatut is where a tâche stands.
type TacheStatut string

// Statuts of a tâche: à faire, faite, écartée (a relance the MIA dismissed:
// kept, so a redelivered event never brings it back).
const (
	TacheAFaire  TacheStatut = "a_faire"
	TacheFaite   TacheStatut = "faite"
	TacheEcartee TacheStatut = "ecartee"
)

// Valid reports whether s is a known statut.
func (s TacheStatut) Valid() bool { return s == TacheAFaire || s == TacheFaite || s == TacheEcartee }

// Relance kinds: the event that created a tâche ("" for a tâche typed by the MIA).
const (
	RelanceAppel    = "appel_apporteur"    // a contact brought by an apporteur
	RelanceEnCours  = "affaire_en_cours"   // an affaire en cours unchanged for 30 days
	RelanceEcheance = "echeance"           // a signed affaire's anniversary in 30 days
	RelanceORIAS    = "orias_verification" // an apporteur's ORIAS check 12 months old
	RelanceRCPro    = "rc_pro_expiration"  // an apporteur's RC Pro expiring in 30 days
	// RelanceConservation: prospects past their retention wait for the MIA's decision.
	RelanceConservation = "conservation"
)

// Tache is a thing to do, on a day (optionally at a time), maybe about a
// record and maybe assigned to one of the MIA's apporteurs.
type Tache struct {
	ID          TacheID     `json:"id"`
	Titre       string      `json:"titre"`
	Echeance    string      `json:"echeance"`        // AAAA-MM-JJ
	Heure       string      `json:"heure,omitempty"` // HH:MM
	Cible       *Cible      `json:"cible,omitempty"`
	ApporteurID ApporteurID `json:"apporteurId,omitempty"`
	Statut      TacheStatut `json:"statut"`
	Relance     string      `json:"relance,omitempty"`
	FaiteLe     *time.Time  `json:"faiteLe,omitempty"`
	CreatedAt   time.Time   `json:"createdAt"`
	UpdatedAt   time.Time   `json:"updatedAt"`
	Version     int         `json:"version"`
}

// Open reports whether the tâche is still to do.
func (t *Tache) Open() bool { return t.Statut == TacheAFaire }

// NewTache is what a MIA sends to create a tâche.
type NewTache struct {
	Titre       string      `json:"titre"`
	Echeance    string      `json:"echeance"`
	Heure       string      `json:"heure"`
	CibleType   CibleType   `json:"cibleType"`
	CibleID     string      `json:"cibleId"`
	ApporteurID ApporteurID `json:"apporteurId"`
}

// Validate checks and normalises the request.
func (n *NewTache) Validate() []FieldError {
	var c fieldChecker
	c.text("titre", &n.Titre, true, 200)
	c.day("echeance", &n.Echeance, true)
	c.hour("heure", &n.Heure)
	if n.CibleType != "" || n.CibleID != "" {
		if !n.CibleType.Valid() {
			c.add("cibleType", "Le type doit être « contact », « entreprise » ou « affaire ».")
		}
		c.ref("cibleId", n.CibleID, true)
	}
	c.ref("apporteurId", string(n.ApporteurID), false)
	return c.errs
}

// TachePatch edits a tâche; nil fields stay.
type TachePatch struct {
	Titre       *string      `json:"titre"`
	Echeance    *string      `json:"echeance"`
	Heure       *string      `json:"heure"`
	Statut      *TacheStatut `json:"statut"`
	ApporteurID *ApporteurID `json:"apporteurId"`
}

// Validate checks and normalises the patch.
func (p *TachePatch) Validate() []FieldError {
	var c fieldChecker
	if p.Titre != nil {
		c.text("titre", p.Titre, true, 200)
	}
	if p.Echeance != nil {
		c.day("echeance", p.Echeance, true)
	}
	if p.Heure != nil {
		c.hour("heure", p.Heure)
	}
	if p.Statut != nil && !p.Statut.Valid() {
		c.add("statut", "Le statut doit être « a_faire », « faite » ou « ecartee ».")
	}
	if p.ApporteurID != nil {
		c.ref("apporteurId", string(*p.ApporteurID), false)
	}
	if p.Titre == nil && p.Echeance == nil && p.Heure == nil && p.Statut == nil && p.ApporteurID == nil {
		c.add("", "Aucun champ à modifier.")
	}
	return c.errs
}

// Apply returns t with the patch applied at now.
func (p TachePatch) Apply(t Tache, now time.Time) Tache {
	set(&t.Titre, p.Titre)
	set(&t.Echeance, p.Echeance)
	set(&t.Heure, p.Heure)
	set(&t.ApporteurID, p.ApporteurID)
	if p.Statut != nil && *p.Statut != t.Statut {
		t.Statut = *p.Statut
		t.FaiteLe = nil
		if t.Statut == TacheFaite {
			n := now.UTC()
			t.FaiteLe = &n
		}
	}
	return t
}

// TacheVue is one of the MIA's task lists.
type TacheVue string

// Task lists.
const (
	VueAujourdhui TacheVue = "aujourdhui"
	VueEnRetard   TacheVue = "en_retard"
	VueAVenir     TacheVue = "a_venir"
	VueFaites     TacheVue = "faites"
)

// TacheFilter selects a list of tâches: a vue (on Today, a day in Paris) or
// the tâches of one record.
type TacheFilter struct {
	Vue     TacheVue
	CibleID string
	Today   string
	ListOptions
}

// Note is a text about a record, written by the MIA (private, or shared with
// the record's apporteur) or by the apporteur on its own contacts (always
// seen by the MIA). Versions keeps the earlier texts, oldest first.
type Note struct {
	ID          NoteID        `json:"id"`
	Cible       Cible         `json:"cible"`
	Texte       string        `json:"texte"`
	Partagee    bool          `json:"partagee"`
	Auteur      string        `json:"auteur"` // "mia" or "apporteur"
	ApporteurID ApporteurID   `json:"apporteurId,omitempty"`
	Versions    []NoteVersion `json:"versions"`
	CreatedAt   time.Time     `json:"createdAt"`
	UpdatedAt   time.Time     `json:"updatedAt"`
	Version     int           `json:"version"`
}

// NoteVersion is an earlier text of a note, as it was until At.
type NoteVersion struct {
	Texte string    `json:"texte"`
	At    time.Time `json:"at"`
}

// Auteurs of a note.
const (
	AuteurMIA       = "mia"
	AuteurApporteur = "apporteur"
)

// VisibleTo reports whether apporteur p may read the note.
func (n *Note) VisibleTo(p ApporteurID) bool {
	return n.Partagee && p != "" && n.ApporteurID == p
}

// maxNote bounds a note's text (and its kept versions: at most maxVersions).
const (
	maxNote     = 10000
	maxVersions = 20
)

// NewNote is what a MIA (or an apporteur, CibleType contact) sends.
type NewNote struct {
	CibleType CibleType `json:"cibleType"`
	CibleID   string    `json:"cibleId"`
	Texte     string    `json:"texte"`
	Partagee  bool      `json:"partagee"`
}

// Validate checks the request.
func (n *NewNote) Validate() []FieldError {
	var c fieldChecker
	if !n.CibleType.Valid() {
		c.add("cibleType", "Le type doit être « contact », « entreprise » ou « affaire ».")
	}
	c.ref("cibleId", n.CibleID, true)
	c.note("texte", &n.Texte, true, maxNote)
	return c.errs
}

// NotePatch edits a note's text or sharing.
type NotePatch struct {
	Texte    *string `json:"texte"`
	Partagee *bool   `json:"partagee"`
}

// Validate checks the patch.
func (p *NotePatch) Validate() []FieldError {
	var c fieldChecker
	if p.Texte != nil {
		c.note("texte", p.Texte, true, maxNote)
	}
	if p.Texte == nil && p.Partagee == nil {
		c.add("", "Aucun champ à modifier.")
	}
	return c.errs
}

// Apply returns n edited at now: a changed text keeps the former one.
func (p NotePatch) Apply(n Note, now time.Time) Note {
	if p.Texte != nil && *p.Texte != n.Texte {
		n.Versions = append(n.Versions, NoteVersion{Texte: n.Texte, At: now.UTC()})
		if len(n.Versions) > maxVersions {
			n.Versions = n.Versions[len(n.Versions)-maxVersions:]
		}
		n.Texte = *p.Texte
	}
	if p.Partagee != nil {
		n.Partagee = *p.Partagee
	}
	return n
}

// Activite is one line of a record's timeline.
type Activite struct {
	At   time.Time `json:"at"`
	Type string    `json:"type"` // creation, historique, note, tache_creee, tache_faite, email
	// Resume is the line as shown, in French.
	Resume     string      `json:"resume"`
	AffaireID  AffaireID   `json:"affaireId,omitempty"`
	TacheID    TacheID     `json:"tacheId,omitempty"`
	Note       *Note       `json:"note,omitempty"`
	Historique *Historique `json:"historique,omitempty"`
}

// Activity types.
const (
	ActiviteCreation   = "creation"
	ActiviteHistorique = "historique"
	ActiviteNote       = "note"
	ActiviteTacheCreee = "tache_creee"
	ActiviteTacheFaite = "tache_faite"
	ActiviteEmail      = "email"
)

// DerivedID is a ULID-shaped id derived from key: the id of a relance,
// the same for every delivery of the event that creates it, so a
// conditional put never makes two.
func DerivedID(key string) string {
	const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	h := sha256.Sum256([]byte(key))
	out := make([]byte, 26)
	for i := range out {
		out[i] = crockford[h[i]%32]
	}
	out[0] = crockford[h[0]%8] // a ULID's first character is at most 7
	return string(out)
}

// day checks a required AAAA-MM-JJ day (any day: a tâche may be overdue).
func (c *fieldChecker) day(champ string, s *string, required bool) {
	*s = strings.TrimSpace(*s)
	if *s == "" {
		if required {
			c.add(champ, "Ce champ est obligatoire.")
		}
		return
	}
	d, err := time.Parse(time.DateOnly, *s)
	if err != nil || d.Year() < 2000 || d.Year() > 2100 {
		c.add(champ, "La date doit être au format AAAA-MM-JJ.")
	}
}

func (c *fieldChecker) hour(champ string, s *string) {
	*s = strings.TrimSpace(*s)
	if *s == "" {
		return
	}
	if _, err := time.Parse("15:04", *s); err != nil || len(*s) != 5 {
		c.add(champ, "L'heure doit être au format HH:MM.")
	}
}

// Recipient is who gets a morning digest: a MIA, or one of its apporteurs.
type Recipient struct {
	MIA       MIAID
	Apporteur ApporteurID
}

// Reveil is a wake-up of the relances job: on Day, look at affaire
// AffaireID (or apporteur ApporteurID) of MIA again.
type Reveil struct {
	Day       string
	Kind      string // RelanceEnCours, RelanceEcheance, RelanceORIAS or RelanceRCPro
	MIA       MIAID
	AffaireID AffaireID
	// N is the affaire's version (en cours) or the anniversary's rank (échéance).
	N int
	// ApporteurID and Ref: the apporteur and the date the wake-up watches
	// (its ORIAS check date, its RC Pro expiry), for RelanceORIAS and RelanceRCPro.
	ApporteurID ApporteurID
	Ref         string
}
