package crm

// What the stream consumers work on besides the domain's entities.

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
