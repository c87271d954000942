package httpapi

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// StaffGroup is the MIA-pool group of Assentis staff.
const StaffGroup = "assentis"

// tenantRe bounds what may stand in a key: no '#', which separates key parts.
var tenantRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// claims returns the JWT claims API Gateway verified and put in the request
// context (httpadapter's ProxyWithContext). Never from a header: a client
// could send one.
func claims(r *http.Request) map[string]string {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
	if !ok || rc.Authorizer == nil || rc.Authorizer.JWT == nil {
		return nil
	}
	return rc.Authorizer.JWT.Claims
}

func unauthorized() error {
	return crm.Errorf(crm.EUNAUTHORIZED, "Connectez-vous avec un compte MIA pour accéder à cette ressource.")
}

// miaPrincipal is the caller of a MIA route: an ID token of the MIA pool
// (its `iss` checked again here, so a token of the apporteur pool is refused
// even if a route were mis-wired) carrying its tenant.
func miaPrincipal(r *http.Request, cfg Config) (crm.Principal, error) {
	c := claims(r)
	if c == nil || cfg.MIAIssuer == "" || c["iss"] != cfg.MIAIssuer || c["sub"] == "" {
		return crm.Principal{}, unauthorized()
	}
	if tu := c["token_use"]; tu != "" && tu != "id" {
		return crm.Principal{}, unauthorized()
	}
	p := crm.Principal{Sub: c["sub"], Email: c["email"], MIA: crm.MIAID(c["custom:mia_id"]),
		Staff: hasGroup(c["cognito:groups"], StaffGroup)}
	if p.MIA != "" && !tenantRe.MatchString(string(p.MIA)) {
		return crm.Principal{}, unauthorized()
	}
	return p, nil
}

// apporteurPrincipal is the caller of an espace-apporteur route.
func apporteurPrincipal(r *http.Request, cfg Config) (crm.Principal, error) {
	c := claims(r)
	if c == nil || cfg.ApporteurIssuer == "" || c["iss"] != cfg.ApporteurIssuer || c["sub"] == "" {
		return crm.Principal{}, crm.Errorf(crm.EUNAUTHORIZED, "Connectez-vous avec votre compte apporteur.")
	}
	if tu := c["token_use"]; tu != "" && tu != "id" {
		return crm.Principal{}, crm.Errorf(crm.EUNAUTHORIZED, "Connectez-vous avec votre compte apporteur.")
	}
	p := crm.Principal{Sub: c["sub"], Email: c["email"], MIA: crm.MIAID(c["custom:mia_id"]),
		Apporteur: crm.ApporteurID(c["custom:apporteur_id"])}
	if !tenantRe.MatchString(string(p.MIA)) || !tenantRe.MatchString(string(p.Apporteur)) {
		return crm.Principal{}, crm.Errorf(crm.EUNAUTHORIZED, "Connectez-vous avec votre compte apporteur.")
	}
	// One login, several MIA: the client names the membership it works in.
	// It is only a claim: every espace route checks it against the
	// memberships in the table (the sub recorded on that MIA's apporteur).
	if h := r.Header.Get(MandataireHeader); h != "" {
		m, a, ok := crm.ParseMembreID(h)
		if !ok {
			return crm.Principal{}, &crm.Error{Code: crm.EINVALID, Message: "Le mandataire choisi n'est pas valide : choisissez-le à nouveau dans votre espace.",
				Fields: []crm.FieldError{{Champ: MandataireHeader, Message: "Identifiant de mandataire invalide."}}}
		}
		p.MIA, p.Apporteur, p.Choisi = m, a, true
	}
	return p, nil
}

// MandataireHeader names the membership (crm.MembreID) an espace request
// works in; without it, the token's own (its first MIA).
const MandataireHeader = "X-Mandataire"

// hasGroup reads cognito:groups as API Gateway flattens it ("[a b]"), or as
// a JSON-ish / comma-separated list.
func hasGroup(groups, want string) bool {
	f := strings.FieldsFunc(groups, func(r rune) bool {
		return r == '[' || r == ']' || r == ',' || r == ' ' || r == '"'
	})
	for _, g := range f {
		if g == want {
			return true
		}
	}
	return false
}
