// Package httpapi holds the HTTP handlers of MyCRM's API: one maker function
// per route, taking its dependencies and returning an http.Handler that the
// route's Lambda serves through aws-lambda-go-api-proxy.
package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/dynamo"
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
	// MiaAccounts and ApporteurAccounts administer the Cognito pools
	// (activation, apporteur deactivation); nil where a route does not use them.
	MiaAccounts       *accounts.Pool
	ApporteurAccounts *accounts.Pool
}

// Config is what the deployment tells the API about itself.
type Config struct {
	Region            string
	MiaPoolID         string
	MiaClientID       string
	ApporteurPoolID   string
	ApporteurClientID string
	// CognitoEndpoint is set only locally (cognito-local); clients then log in there.
	CognitoEndpoint string
	// MiaIssuer and ApporteurIssuer are the expected `iss` of each pool's tokens.
	MiaIssuer       string
	ApporteurIssuer string
	CursorSecret    []byte
	AllowedOrigins  []string
}

// Handlers returns the maker of every HTTP function, keyed by its folder under
// functions/. The local gateway serves exactly these; each functions/<folder>/
// main.go wires the same maker into lambda.Start.
func Handlers() map[string]func(Deps) http.Handler {
	return map[string]func(Deps) http.Handler{
		"get-config":        GetConfig,
		"create-contact":    CreateContact,
		"list-contacts":     ListContacts,
		"get-contact":       GetContact,
		"update-contact":    UpdateContact,
		"create-entreprise": CreateEntreprise,
		"list-entreprises":  ListEntreprises,
		"get-entreprise":    GetEntreprise,
		"update-entreprise": UpdateEntreprise,
		"list-produits":     ListProduits,
		"create-affaire":    CreateAffaire,
		"list-affaires":     ListAffaires,
		"get-affaire":       GetAffaire,
		"update-affaire":    UpdateAffaire,
		"create-produit":    CreateProduit,
		"update-produit":    UpdateProduit,
		// Apporteurs, activation, MIA accounts and the espace apporteur (issue 3).
		"create-apporteur":       CreateApporteur,
		"list-apporteurs":        ListApporteurs,
		"get-apporteur":          GetApporteur,
		"update-apporteur":       UpdateApporteur,
		"invite-apporteur":       InviteApporteur,
		"activate-account":       ActivateAccount,
		"create-mia":             CreateMia,
		"get-espace-profil":      GetEspaceProfil,
		"create-espace-contact":  CreateEspaceContact,
		"list-espace-contacts":   ListEspaceContacts,
		"list-espace-affaires":   ListEspaceAffaires,
		"get-espace-commissions": GetEspaceCommissions,
	}
}
