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

// TacheLink is the MIA's page of tâche id.
func TacheLink(webBaseURL, id string) string {
	return strings.TrimRight(webBaseURL, "/") + "/mia/taches/" + url.PathEscape(id)
}

// TachesLink is the MIA's task lists.
func TachesLink(webBaseURL string) string { return strings.TrimRight(webBaseURL, "/") + "/mia/taches" }

// EspaceTachesLink is the apporteur's "Mes tâches".
func EspaceTachesLink(webBaseURL string) string {
	return strings.TrimRight(webBaseURL, "/") + "/espace/taches"
}

// EspaceMandatairesLink is the apporteur's list of the MIA it works with,
// where an invitation from one more MIA is accepted.
func EspaceMandatairesLink(webBaseURL string) string {
	return strings.TrimRight(webBaseURL, "/") + "/espace/mandataires"
}

// EspaceConventionLink is the apporteur's convention page, in the
// membership membreID (the espace switches to that MIA).
func EspaceConventionLink(webBaseURL, membreID string) string {
	return strings.TrimRight(webBaseURL, "/") + "/espace/convention?mandataire=" + url.QueryEscape(membreID)
}

// ApporteurLink is the MIA's page of apporteur id.
func ApporteurLink(webBaseURL, id string) string {
	return strings.TrimRight(webBaseURL, "/") + "/mia/apporteurs/" + url.PathEscape(id)
}
