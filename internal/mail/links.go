package mail

import (
	"net/url"
	"strings"
)

// The web client's pages the notifications link to. Each path is a route of
// the web router (web/src/main.tsx), which links_test.go checks.

// ContactLink is the MIA's page of contact id.
func ContactLink(webBaseURL, id string) string {
	return strings.TrimRight(webBaseURL, "/") + "/mia/contacts/" + url.PathEscape(id)
}

// EspaceAffairesLink is the apporteur's "Mes affaires" page: its affaires,
// their statut and historique.
func EspaceAffairesLink(webBaseURL string) string {
	return strings.TrimRight(webBaseURL, "/") + "/espace/affaires"
}
