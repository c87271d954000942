package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// Issue 9, item 13: a name holding CR, LF or TAB would reach an email's
// subject ("Dupont\r\nBcc: …"). Every single-line field refuses control
// characters with a French field problem; remarques keep their line breaks.
func TestHeaderInjectionRefused(t *testing.T) {
	mia := newTenant(t, false)
	app, appTok := newActiveApporteur(t, mia.token, "inj")
	const hostile = "Dupont\r\nBcc: intrus@evil.example"
	tests := []struct {
		method, path, token string
		body                map[string]any
		champ               string
	}{
		{"POST", "/apporteurs", mia.token, map[string]any{"nom": hostile, "email": uniqEmail("inj-nom")}, "nom"},
		{"POST", "/apporteurs", mia.token, map[string]any{"nom": "Dupont", "prenom": "Paul\tX", "email": uniqEmail("inj-prenom")}, "prenom"},
		{"POST", "/apporteurs", mia.token, map[string]any{"nom": "Dupont", "localisation": "Lyon\nBcc: x", "email": uniqEmail("inj-loc")}, "localisation"},
		{"PATCH", "/apporteurs/" + app.ID, mia.token, map[string]any{"nom": hostile}, "nom"},
		{"POST", "/contacts", mia.token, map[string]any{"nom": hostile, "email": uniqEmail("inj-contact")}, "nom"},
		{"POST", "/espace-apporteur/contacts", appTok, map[string]any{"nom": "Dupont", "prenom": hostile, "email": uniqEmail("inj-esp")}, "prenom"},
		{"POST", "/entreprises", mia.token, map[string]any{"raisonSociale": hostile, "siren": uniqSiren(), "adresse": "1 rue", "dirigeantId": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "raisonSociale"},
		{"POST", "/admin/mias", newTenant(t, true).token, map[string]any{"nom": "Martin", "prenom": "Claire", "cabinet": hostile, "email": uniqEmail("inj-mia")}, "cabinet"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+" "+tt.champ, func(t *testing.T) {
			r := call(t, tt.method, tt.path, tt.token, tt.body)
			var p struct {
				Errors []struct{ Champ, Message string } `json:"errors"`
			}
			r.JSON(t, &p)
			champs := []string{}
			for _, e := range p.Errors {
				champs = append(champs, e.Champ)
			}
			if r.Status != http.StatusBadRequest || !slices.Contains(champs, tt.champ) {
				t.Errorf("got %d with fields %v, want 400 naming %q: %s", r.Status, champs, tt.champ, r.Body)
			}
		})
	}
	// Multi-line remarques stay accepted.
	r := call(t, "POST", "/contacts", mia.token, map[string]any{"nom": "Dupont", "email": uniqEmail("inj-rem"), "remarques": "Rappeler après 18 h.\nPas le lundi."})
	wantStatus(t, r, http.StatusCreated)

	waitStreams(t)
	all, err := stack.Emails(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if strings.Contains(e.Subject, "evil.example") || slices.ContainsFunc(append(e.Bcc, e.Cc...), func(a string) bool { return strings.Contains(a, "evil.example") }) {
			t.Errorf("an email carries the injected header: subject %q, cc %v, bcc %v", e.Subject, e.Cc, e.Bcc)
		}
	}
}
