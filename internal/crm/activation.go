package crm

import "time"

// Activation is an account's activation token as stored: known by the
// SHA-256 of its value only (HashActivationToken).
type Activation struct {
	Hash      string
	Kind      AccountKind
	MIA       MIAID
	Apporteur ApporteurID // empty for a MIA account
	Email     string
	ExpireLe  time.Time
	Used      bool
	// Echecs counts the failed attempts on the token.
	Echecs int
	// Sub is the Cognito account to activate; empty for a token written
	// before subs were recorded.
	Sub string
}
