// Package httpapi holds the HTTP handlers of MyCRM's API: one Maker per
// route, building the route's logic from its dependencies. Handler mounts it
// on the route's pattern behind its access checks; internal/routes lists
// every route and generates the main.go that serves each one from a Lambda.
package httpapi

import (
	"log/slog"
	"time"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/assentis/mycrm/internal/files"
)

// Deps is everything a handler may need. Each Lambda builds it once per
// instance (internal/app); each handler takes only the fields it uses.
type Deps struct {
	Config Config
	Now    func() time.Time
	// Store is the table; nil only for routes that do not touch it. Handlers
	// speak crm through their own small interfaces; the field stays concrete
	// because an interface holding every handler's methods, set in
	// internal/app, would link all of them into each Lambda.
	Store *dynamo.Store
	// Log receives internal errors only (never request data).
	Log *slog.Logger
	// MIAAccounts and ApporteurAccounts administer the Cognito pools
	// (activation, apporteur deactivation); nil where a route does not use them.
	MIAAccounts       *accounts.Pool
	ApporteurAccounts *accounts.Pool
	// Files is the files bucket (presigned uploads and downloads); nil where
	// a route does not use it.
	Files *files.Store
}

// Config is what the deployment tells the API about itself.
type Config struct {
	Region            string
	MIAPoolID         string
	MIAClientID       string
	ApporteurPoolID   string
	ApporteurClientID string
	// CognitoEndpoint is set only locally (cognito-local); clients then log in there.
	CognitoEndpoint string
	// MIAIssuer and ApporteurIssuer are the expected `iss` of each pool's tokens.
	MIAIssuer       string
	ApporteurIssuer string
	CursorSecret    []byte
	AllowedOrigins  []string
}

// now is d.Now, or the clock when none is set.
func (d Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}
