package crm

// What the stream consumers work on: the store decodes its stream images
// into these, so the consumers know the domain, not the table's format.

// ItemKind is the kind of item a stream image holds.
type ItemKind string

// The kinds the consumers follow; any other item decodes to KindOther.
const (
	KindOther      ItemKind = ""
	KindAffaire    ItemKind = "affaire"
	KindContact    ItemKind = "contact"
	KindEntreprise ItemKind = "entreprise"
	KindApporteur  ItemKind = "apporteur"
	KindMIA        ItemKind = "mia"
	KindReleve     ItemKind = "releve"
	KindTache      ItemKind = "tache"
	KindNote       ItemKind = "note"
	KindConvention ItemKind = "convention"
)

// Image is a decoded stream image (an absent image decodes to the zero
// Image): its kind, its MIA and, for the kinds the consumers follow, what
// they read of it.
type Image struct {
	Kind ItemKind
	MIA  MIAID
	// Affaire is set for an affaire.
	Affaire *Affaire
	// Contact is set for a contact; ByApporteur tells that its apporteur
	// created it through the espace apporteur.
	Contact     *Contact
	ByApporteur bool
	// Entreprise is set for an entreprise.
	Entreprise *Entreprise
	// Apporteur is set for an apporteur (its commission totals left out).
	Apporteur *Apporteur
	// Client is set for a contact or an entreprise.
	Client *ClientRef
	// Account is set for an apporteur, and for a MIA profile that went
	// through the invitation flow (a seeded profile has none).
	Account *Account
	// Releve is set for an issued relevé de commissions (without its lines).
	Releve *Releve
	// Tache and Note are set for a tâche and a note.
	Tache *Tache
	Note  *Note
	// Convention is set for a version of a convention d'apport.
	Convention *ConventionRef
}

// ConventionRef is what the consumers read of a convention version.
type ConventionRef struct {
	Apporteur ApporteurID
	Version   int
	Acceptee  bool
}

// ClientRef is what affaires copy of their client (a contact or an
// entreprise): the name they show, its apporteur ("" for none) and the
// version these were read at.
type ClientRef struct {
	ID          string
	Nom         string
	ApporteurID ApporteurID
	Version     int
}

// Account is an invited account (apporteur or MIA) as the invitation
// consumer and the activation need it.
type Account struct {
	Kind      AccountKind
	MIA       MIAID
	Apporteur ApporteurID // empty for a MIA account
	Email     string
	Prenom    string
	Nom       string
	Statut    string
	// InvitationN is the latest invitation asked for; InvitationTraitee the
	// latest one whose token and email were produced.
	InvitationN       int
	InvitationTraitee int
	ActivationHash    string
	InvitationEchecs  int
	// Sub is the Cognito account's sub once recorded.
	Sub string
}

// MaxInvitationFailures is how many times one invitation is attempted
// before it is reported failed to the MIA (no retry storm while SES or
// Cognito is down: each failed attempt writes the item, hence a new record).
const MaxInvitationFailures = 5

// PendingInvitation reports whether the account waits for an invitation
// email that was not produced yet.
func (a Account) PendingInvitation() bool {
	return a.Statut == string(ApporteurInvitationEnvoyee) && a.InvitationN > a.InvitationTraitee &&
		a.InvitationEchecs < MaxInvitationFailures
}

// StreamMark says that one handler of a stream reader has done one stream
// record (by its eventID, unique in the stream). A reader that reports a
// record failed (so Lambda redelivers it and the records after it) marks
// what its other handlers have already done, so the redelivery skips them.
type StreamMark struct {
	EventID string
	Handler string
}
