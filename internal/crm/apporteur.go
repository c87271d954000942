package crm

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// ApporteurStatut is where an apporteur's account stands.
type ApporteurStatut string

// Statuts: invitation_envoyee → actif (by activation) → desactive → actif…
const (
	ApporteurInvitationEnvoyee ApporteurStatut = "invitation_envoyee"
	ApporteurActif             ApporteurStatut = "actif"
	ApporteurDesactive         ApporteurStatut = "desactive"
)

// Valid reports whether s is a known statut.
func (s ApporteurStatut) Valid() bool {
	return s == ApporteurInvitationEnvoyee || s == ApporteurActif || s == ApporteurDesactive
}

// Apporteur is a business referrer of a MIA. Remarques are the MIA's private
// notes: never shown to the apporteur itself.
type Apporteur struct {
	ID           ApporteurID     `json:"id"`
	Nom          string          `json:"nom"`
	Prenom       string          `json:"prenom,omitempty"`
	Telephone    string          `json:"telephone,omitempty"` // E.164
	Email        string          `json:"email"`               // lowercase; the Cognito username
	Localisation string          `json:"localisation,omitempty"`
	Remarques    string          `json:"remarques,omitempty"`
	Statut       ApporteurStatut `json:"statut"`
	// ActiveLe is when the apporteur activated its account (nil before).
	ActiveLe *time.Time `json:"activeLe,omitempty"`
	// InvitationEchouee: the activation email could not be sent (Cognito or
	// SES failing) and no more attempts are made; the MIA can ask for a new
	// invitation (POST /apporteurs/{id}/invitation).
	InvitationEchouee bool `json:"invitationEchouee,omitempty"`
	// Commissions are the totals kept current by a stream consumer.
	Commissions CommissionTotaux `json:"commissions"`
	// StatutLegal is set by the MIA (nil until then); Alertes are its
	// warnings (and the convention's) on the day of the answer.
	StatutLegal *StatutLegal `json:"statutLegal,omitempty"`
	Alertes     []Alerte     `json:"alertes,omitempty"`
	// Convention is the current convention d'apport (nil before the first).
	Convention *ConventionResume `json:"convention,omitempty"`
	// CognitoSub is the immutable id of its Cognito account, recorded when
	// the account is created; empty while none was created for it (or when
	// created before subs were recorded). Never sent to clients.
	CognitoSub string    `json:"-"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	Version    int       `json:"version"`
}

// DisplayName is "Prénom Nom".
func (a *Apporteur) DisplayName() string { return fullName(a.Prenom, a.Nom) }

// WithAlertes returns a with the warnings of its legal status and
// convention on day now.
func (a Apporteur) WithAlertes(now time.Time) Apporteur {
	a.Alertes = a.StatutLegal.Alertes(now)
	switch {
	case a.Convention == nil:
		a.Alertes = append(a.Alertes, Alerte{AlerteConventionAbsente, "Aucune convention d'apport : générez-la pour que l'apporteur l'accepte."})
	case !a.Convention.Acceptee():
		a.Alertes = append(a.Alertes, Alerte{AlerteConventionAttente, "La convention d'apport attend l'acceptation de l'apporteur."})
	}
	return a
}

// CommissionTotaux is an apporteur's commission prévisionnelle split by the
// statut of its affaires (perdue and resiliee affaires count for nothing).
type CommissionTotaux struct {
	EnCoursCentimes int64 `json:"enCoursCentimes"`
	SigneeCentimes  int64 `json:"signeeCentimes"`
	TotalCentimes   int64 `json:"totalCentimes"`
}

// Add counts commission c of an affaire in statut s.
func (t *CommissionTotaux) Add(s AffaireStatut, c int64) {
	switch s {
	case AffaireEnCours:
		t.EnCoursCentimes += c
	case AffaireSignee:
		t.SigneeCentimes += c
	default:
		return
	}
	t.TotalCentimes += c
}

// NewApporteur is what a MIA sends for "Nouvel apporteur".
type NewApporteur struct {
	Nom          string `json:"nom"`
	Prenom       string `json:"prenom"`
	Telephone    string `json:"telephone"`
	Email        string `json:"email"`
	Localisation string `json:"localisation"`
	Remarques    string `json:"remarques"`
}

// Validate normalises n in place (telephone in E.164 by phone) and returns
// the fields at fault.
func (n *NewApporteur) Validate(phone PhoneNormalizer) []FieldError {
	var v fieldChecker
	v.text("nom", &n.Nom, true, 100)
	v.text("prenom", &n.Prenom, false, 100)
	v.phone("telephone", &n.Telephone, phone)
	v.email("email", &n.Email)
	if n.Email == "" { // blank: v.email has emptied it
		v.add("email", "Ce champ est obligatoire : l'apporteur reçoit son invitation par email.")
	}
	v.text("localisation", &n.Localisation, false, 200)
	v.note("remarques", &n.Remarques, false, 2000)
	return v.errs
}

// ApporteurPatch is a partial update by the MIA. Statut may only be set to
// desactive or actif (reactivation); the email, which is the login, is fixed.
type ApporteurPatch struct {
	Nom          *string          `json:"nom"`
	Prenom       *string          `json:"prenom"`
	Telephone    *string          `json:"telephone"`
	Email        *string          `json:"email"`
	Localisation *string          `json:"localisation"`
	Remarques    *string          `json:"remarques"`
	Statut       *ApporteurStatut `json:"statut"`
	StatutLegal  *StatutLegal     `json:"statutLegal"`
}

// Validate normalises p in place (telephone in E.164 by phone) and returns
// the fields at fault.
func (p *ApporteurPatch) Validate(phone PhoneNormalizer) []FieldError {
	var v fieldChecker
	if p.Nom != nil {
		v.text("nom", p.Nom, true, 100)
	}
	if p.Prenom != nil {
		v.text("prenom", p.Prenom, false, 100)
	}
	if p.Telephone != nil {
		v.phone("telephone", p.Telephone, phone)
	}
	if p.Email != nil {
		v.add("email", "L'email est l'identifiant de connexion de l'apporteur : il ne peut pas être modifié. Créez un nouvel apporteur.")
	}
	if p.Localisation != nil {
		v.text("localisation", p.Localisation, false, 200)
	}
	if p.Remarques != nil {
		v.note("remarques", p.Remarques, false, 2000)
	}
	if p.StatutLegal != nil {
		v.errs = append(v.errs, p.StatutLegal.Validate()...)
	}
	if p.Statut != nil && *p.Statut != ApporteurActif && *p.Statut != ApporteurDesactive {
		v.add("statut", "Le statut ne peut être changé qu'en « desactive » ou « actif » (réactivation).")
	}
	if p.Nom == nil && p.Prenom == nil && p.Telephone == nil && p.Email == nil &&
		p.Localisation == nil && p.Remarques == nil && p.Statut == nil && p.StatutLegal == nil {
		v.add("", "Aucune modification demandée.")
	}
	return v.errs
}

// Apply returns a with the patch applied. A reactivation (statut actif) of an
// apporteur that never activated its account returns it to
// invitation_envoyee.
func (p ApporteurPatch) Apply(a Apporteur) Apporteur {
	set(&a.Nom, p.Nom)
	set(&a.Prenom, p.Prenom)
	set(&a.Telephone, p.Telephone)
	set(&a.Localisation, p.Localisation)
	set(&a.Remarques, p.Remarques)
	if p.StatutLegal != nil {
		sl := *p.StatutLegal
		a.StatutLegal = &sl
	}
	if p.Statut != nil {
		a.Statut = *p.Statut
		if a.Statut == ApporteurActif && a.ActiveLe == nil {
			a.Statut = ApporteurInvitationEnvoyee
		}
	}
	return a
}

// NewMIAAccount is what Assentis staff send to create a MIA account.
type NewMIAAccount struct {
	Nom       string `json:"nom"`
	Prenom    string `json:"prenom"`
	Email     string `json:"email"`
	Cabinet   string `json:"cabinet"`
	Telephone string `json:"telephone"`
}

// Validate normalises n in place (telephone in E.164 by phone) and returns
// the fields at fault.
func (n *NewMIAAccount) Validate(phone PhoneNormalizer) []FieldError {
	var v fieldChecker
	v.text("nom", &n.Nom, true, 100)
	v.text("prenom", &n.Prenom, true, 100)
	v.email("email", &n.Email)
	if n.Email == "" { // blank: v.email has emptied it
		v.add("email", "Ce champ est obligatoire.")
	}
	v.text("cabinet", &n.Cabinet, false, 200)
	v.phone("telephone", &n.Telephone, phone)
	return v.errs
}

// Activation tokens: what the emailed link carries. Only their SHA-256 hash is
// stored; a token is single-use, expires, and dies after too many failures.
const (
	ActivationValidity    = 7 * 24 * time.Hour
	ActivationMaxFailures = 5
)

// Limits on the invitation emails a MIA makes Assentis send (from Assentis'
// own sending identity): one new invitation of an apporteur per
// InvitationCooldown (the first one after the creation is free, so a typo
// in the first email can be fixed at once), and InvitationsPerDay invitation
// emails per MIA and UTC day, creations and new invitations together.
const (
	InvitationCooldown = 10 * time.Minute
	InvitationsPerDay  = 50
)

// TooMany is the ETOOMANY error telling to retry after d, rounded up to the
// second (at least one).
func TooMany(message string, d time.Duration) *Error {
	return &Error{Code: ETOOMANY, Message: message, RetryAfter: max((d + time.Second - 1).Truncate(time.Second), time.Second)}
}

// AccountKind tells which pool an activation is for.
type AccountKind string

// Account kinds.
const (
	AccountApporteur AccountKind = "apporteur"
	AccountMIA       AccountKind = "mia"
)

// NewActivationToken returns a fresh token (256 random bits, base64url) and
// the hex SHA-256 hash under which it is stored.
func NewActivationToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashActivationToken(token), nil
}

// HashActivationToken is the hex SHA-256 of token: the only form stored.
func HashActivationToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// SameHash compares two token hashes in constant time.
func SameHash(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// WellFormedActivationToken reports whether s could be a token (43 base64url
// characters), so garbage costs no database read.
func WellFormedActivationToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	// The alphabet is checked by hand: the decoder skips \r and \n, so
	// "abc\n…" of the right length would pass.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// Activation errors, in French, for the public activation page. All are
// EINVALID (400) with the field "token": the page shows the message as is.
func ActivationError(kind string) *Error {
	msg, field := "Ce lien d'activation n'est pas valide. Vérifiez que vous avez copié le lien complet, ou demandez un nouvel envoi.", "Lien d'activation invalide."
	switch kind {
	case "used":
		msg, field = "Ce lien d'activation a déjà été utilisé ou a été remplacé par un envoi plus récent. Connectez-vous, ou demandez un nouvel envoi.", "Lien d'activation déjà utilisé."
	case "expired":
		msg, field = "Ce lien d'activation a expiré (validité 7 jours). Demandez un nouvel envoi.", "Lien d'activation expiré."
	case "locked":
		msg, field = "Trop d'essais avec ce lien d'activation : il a été désactivé. Demandez un nouvel envoi.", "Lien d'activation désactivé."
	}
	return &Error{Code: EINVALID, Message: msg, Fields: []FieldError{{Champ: "token", Message: field}}}
}
