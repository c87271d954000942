package crm

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Lambda's provided.al2023 image has no zone database
)

// The relation between a MIA and an apporteur (issue 12): one person, one
// login, a membership per MIA (the apporteur item of that MIA); per
// membership a legal status and a convention d'apport accepted online.

// MembreSeparator joins a MIA id and an apporteur id into a membership id
// ("<miaId>.<apporteurId>"); neither id may hold it.
const MembreSeparator = "."

// MembreID is the id of the membership of apporteur p with MIA m.
func MembreID(m MIAID, p ApporteurID) string { return string(m) + MembreSeparator + string(p) }

// ParseMembreID splits a membership id; ok is false unless both parts are
// well formed (a tenant id and a ULID).
func ParseMembreID(s string) (m MIAID, p ApporteurID, ok bool) {
	a, b, found := strings.Cut(s, MembreSeparator)
	if !found || a == "" || len(a) > 64 || !IsULID(b) {
		return "", "", false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return "", "", false
		}
	}
	return MIAID(a), ApporteurID(b), true
}

// MembreStatut is where a membership stands for the person.
type MembreStatut string

// A membership is actif, desactive (by its MIA), or a_accepter: a MIA
// invited a person who already had an account, who has not accepted yet.
const (
	MembreActif     MembreStatut = "actif"
	MembreDesactive MembreStatut = "desactive"
	MembreAAccepter MembreStatut = "a_accepter"
)

// Membre is one of a person's memberships, as the person sees it.
type Membre struct {
	ID         string            `json:"id"`
	MIA        MIAID             `json:"miaId"`
	Apporteur  ApporteurID       `json:"apporteurId"`
	MIANom     string            `json:"miaNom"`
	Statut     MembreStatut      `json:"statut"`
	ActiveLe   *time.Time        `json:"activeLe,omitempty"`
	InviteLe   time.Time         `json:"inviteLe"`
	Convention *ConventionResume `json:"convention,omitempty"`
}

// StatutLegalType is the apporteur's legal status towards the MIA.
type StatutLegalType string

// An indicateur (article R.511-3 of the Code des assurances) only puts people
// in touch and may receive a one-off commission d'apport, never a recurring
// one; an intermédiaire immatriculé à l'ORIAS is registered (8-digit number,
// renewed every year) and insured (RC Pro).
const (
	Indicateur         StatutLegalType = "indicateur"
	IntermediaireORIAS StatutLegalType = "intermediaire_orias"
)

// CategoriesORIAS are the ORIAS registration categories an intermediary may
// hold, with their labels.
var CategoriesORIAS = map[string]string{
	"courtier":      "Courtier en assurance (COA)",
	"agent_general": "Agent général d'assurance (AGA)",
	"mandataire":    "Mandataire d'assurance (MA)",
	"mia":           "Mandataire d'intermédiaire d'assurance (MIA)",
}

// StatutLegal is an apporteur's legal status in one membership, set by the MIA.
type StatutLegal struct {
	Type StatutLegalType `json:"type"`
	// The fields below are an intermediary's only.
	NumeroORIAS string `json:"numeroOrias,omitempty"`
	Categorie   string `json:"categorie,omitempty"`
	// VerifieLe is the date (AAAA-MM-JJ) of the MIA's last check of the register.
	VerifieLe       string `json:"verifieLe,omitempty"`
	RCProAssureur   string `json:"rcProAssureur,omitempty"`
	RCProExpiration string `json:"rcProExpiration,omitempty"` // AAAA-MM-JJ
}

// NormalizeORIAS returns the ORIAS number s as its 8 digits (spaces and dots
// as people write it, "07 012 345", are dropped), and whether it is one.
func NormalizeORIAS(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '\u00a0':
		default:
			return "", false
		}
		if b.Len() > 8 {
			return "", false
		}
	}
	n := b.String()
	return n, len(n) == 8
}

// ORIASRegistre is the public ORIAS register, where the MIA looks a number
// up (its search takes the number; it has no stable per-number address).
const ORIASRegistre = "https://www.orias.fr/"

// Validate normalises s in place and returns the fields at fault (under
// "statutLegal.").
func (s *StatutLegal) Validate() []FieldError {
	var v fieldChecker
	const f = "statutLegal."
	switch s.Type {
	case Indicateur:
		if s.NumeroORIAS != "" || s.Categorie != "" || s.VerifieLe != "" || s.RCProAssureur != "" || s.RCProExpiration != "" {
			v.add(f+"type", "Un indicateur n'a ni numéro ORIAS, ni catégorie, ni RC Pro : choisissez « intermediaire_orias » pour les renseigner.")
		}
		return v.errs
	case IntermediaireORIAS:
	default:
		v.add(f+"type", "Le statut doit être « indicateur » ou « intermediaire_orias ».")
		return v.errs
	}
	if n, ok := NormalizeORIAS(s.NumeroORIAS); ok {
		s.NumeroORIAS = n
	} else {
		v.add(f+"numeroOrias", "Le numéro ORIAS compte 8 chiffres.")
	}
	if _, ok := CategoriesORIAS[s.Categorie]; !ok {
		v.add(f+"categorie", "La catégorie doit être « courtier », « agent_general », « mandataire » ou « mia ».")
	}
	v.date(f+"verifieLe", &s.VerifieLe)
	if s.VerifieLe == "" && !v.has(f+"verifieLe") {
		v.add(f+"verifieLe", "Indiquez la date de votre dernière vérification sur le registre ORIAS.")
	}
	v.text(f+"rcProAssureur", &s.RCProAssureur, true, 200)
	s.RCProExpiration = strings.TrimSpace(s.RCProExpiration)
	if d, err := time.Parse(time.DateOnly, s.RCProExpiration); err != nil || d.Year() < 1900 || d.Year() > 2200 {
		v.add(f+"rcProExpiration", "La date d'expiration de la RC Pro doit être au format AAAA-MM-JJ.")
	}
	return v.errs
}

// Alerte is a warning about a membership's legal status, for the MIA.
type Alerte struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Alert codes.
const (
	AlerteStatutAbsent       = "statut_absent"
	AlerteVerificationAncien = "verification_ancienne"
	AlerteRCProExpiree       = "rc_pro_expiree"
	AlerteConventionAbsente  = "convention_absente"
	AlerteConventionAttente  = "convention_en_attente"
)

// VerificationMaxAge is how old the MIA's last ORIAS check may be: the
// registration is renewed every year.
const VerificationMaxAge = 12 // months

// Alertes are the warnings of statut s on day now (nil when all is well).
func (s *StatutLegal) Alertes(now time.Time) []Alerte {
	if s == nil {
		return []Alerte{{AlerteStatutAbsent, "Statut légal non renseigné : indicateur ou intermédiaire immatriculé à l'ORIAS ?"}}
	}
	if s.Type != IntermediaireORIAS {
		return nil
	}
	var out []Alerte
	if s.VerificationStale(now) {
		out = append(out, Alerte{AlerteVerificationAncien, "La dernière vérification de l'immatriculation ORIAS date de plus de 12 mois : vérifiez-la sur le registre."})
	}
	if s.RCProExpired(now) {
		out = append(out, Alerte{AlerteRCProExpiree, "L'attestation de RC Pro a expiré : demandez la nouvelle à l'apporteur."})
	}
	return out
}

// VerificationStale tells whether the last ORIAS check is over 12 months old on day now.
func (s *StatutLegal) VerificationStale(now time.Time) bool {
	d, err := time.Parse(time.DateOnly, s.VerifieLe)
	return err != nil || !d.AddDate(0, VerificationMaxAge, 0).After(day(now))
}

// RCProExpired tells whether the RC Pro has expired on day now (it covers its expiry day).
func (s *StatutLegal) RCProExpired(now time.Time) bool {
	d, err := time.Parse(time.DateOnly, s.RCProExpiration)
	return err != nil || d.Before(day(now))
}

func day(t time.Time) time.Time {
	t = t.In(Paris)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Paris is the time zone of dates shown to users: working days, due dates,
// months of relevés. The zone database is embedded, so it never falls back.
var Paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return l
}()

// ConventionResume is what an apporteur item keeps of its current convention.
type ConventionResume struct {
	Version    int        `json:"version"`
	SHA256     string     `json:"sha256"`
	GenereeLe  time.Time  `json:"genereeLe"`
	AccepteeLe *time.Time `json:"accepteeLe,omitempty"`
}

// Acceptee tells whether the current convention was accepted.
func (c *ConventionResume) Acceptee() bool { return c != nil && c.AccepteeLe != nil }

// Convention is one version of a convention d'apport between a MIA and an
// apporteur, a PDF generated from their data, and the proof of its
// acceptance (a simple electronic signature).
type Convention struct {
	Version     int             `json:"version"`
	SHA256      string          `json:"sha256"` // of the exact PDF bytes
	Taille      int             `json:"taille"` // bytes
	GenereeLe   time.Time       `json:"genereeLe"`
	StatutLegal StatutLegalType `json:"statutLegal"`
	Courante    bool            `json:"courante"`
	Acceptation *Acceptation    `json:"acceptation,omitempty"`
}

// Acceptation is the proof of a convention's acceptance: who, when, from
// which client, and the hash of the exact PDF accepted.
type Acceptation struct {
	Le        time.Time `json:"le"`
	Email     string    `json:"email"`
	Nom       string    `json:"nom"`
	Sub       string    `json:"-"`
	AdresseIP string    `json:"adresseIp"`
	UserAgent string    `json:"userAgent"`
	SHA256    string    `json:"sha256"`
}

// ConventionData is what a convention is generated from.
type ConventionData struct {
	Version     int
	Date        time.Time
	MIA         MIA
	Apporteur   Apporteur
	StatutLegal StatutLegal
	// Reprise is the MIA's reprise rule in words (a default clause when empty).
	Reprise string
}

// VersementGuard checks the relation before a versement to apporteur a on
// day now. Without a legal status or an accepted convention, the versement
// is refused (EUNPROCESSABLE naming what is missing). An ORIAS-registered
// apporteur whose last check is over 12 months old or whose RC Pro has
// expired may still be paid, but only once the MIA confirmed it (confirme):
// the codes of the alerts confirmed are returned, for the ledger line.
func VersementGuard(a Apporteur, confirme bool, now time.Time) (confirmees []string, err error) {
	var manque []string
	if a.StatutLegal == nil {
		manque = append(manque, "son statut légal (indicateur ou intermédiaire immatriculé à l'ORIAS)")
	}
	switch {
	case a.Convention == nil:
		manque = append(manque, "une convention d'apport acceptée (aucune n'a été générée)")
	case !a.Convention.Acceptee():
		manque = append(manque, fmt.Sprintf("une convention d'apport acceptée (la version %d attend son acceptation)", a.Convention.Version))
	}
	if manque != nil {
		return nil, &Error{Code: EUNPROCESSABLE,
			Message: "Versement impossible : il manque " + strings.Join(manque, " et ") + ". Complétez la fiche de l'apporteur.",
			Fields:  []FieldError{{Champ: "apporteurId", Message: "Relation non formalisée : " + strings.Join(manque, " ; ") + "."}}}
	}
	var alertes []Alerte
	for _, al := range a.StatutLegal.Alertes(now) {
		if al.Code == AlerteVerificationAncien || al.Code == AlerteRCProExpiree {
			alertes = append(alertes, al)
		}
	}
	if len(alertes) == 0 {
		return nil, nil
	}
	var msgs []string
	for _, al := range alertes {
		confirmees = append(confirmees, al.Code)
		msgs = append(msgs, al.Message)
	}
	if !confirme {
		return nil, &Error{Code: EUNPROCESSABLE,
			Message: strings.Join(msgs, " ") + " Confirmez le versement pour le faire quand même : la confirmation est enregistrée sur la ligne.",
			Fields:  []FieldError{{Champ: "confirmeAlertes", Message: "Confirmation requise : " + strings.Join(confirmees, ", ") + "."}}}
	}
	return confirmees, nil
}

// EncaissementEligible tells whether an apporteur of legal status s gets a
// share of an encaissement of contract year annee: an indicateur only of
// the first year (a one-off commission d'apport, R.511-3), never of the
// following ones; motif names why not (the line shows it).
func EncaissementEligible(s *StatutLegal, annee int) (ok bool, motif string) {
	if s != nil && s.Type == Indicateur && annee > 1 {
		return false, "indicateur"
	}
	return true, ""
}
