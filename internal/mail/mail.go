// Package mail composes MyCRM's emails: the activation invitations of
// apporteurs and MIA accounts and the notifications that follow a write.
// Every message is French, "from Assentis", in HTML and text; the HTML is
// produced by html/template so every value is escaped. Package sesmail sends
// them. Each template is parsed on its first use, not at init: a consumer
// parses only the emails it sends, and those that send none parse nothing.
package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	"sync"
	texttemplate "text/template"
	"unicode"
)

// Message is one composed email.
type Message struct {
	To      string
	Subject string
	HTML    string
	Text    string
}

// ActivationLink is the web client's activation page for token.
func ActivationLink(webBaseURL, token string) string {
	return strings.TrimRight(webBaseURL, "/") + "/activation?token=" + url.QueryEscape(token)
}

// ApporteurInvitation is the activation email of a new apporteur.
type ApporteurInvitation struct {
	To      string
	Prenom  string // the apporteur's
	MIANom  string // its MIA's display name
	Cabinet string // its MIA's cabinet, may be empty
	Lien    string // ActivationLink
}

// ApporteurAutreMIA invites a person who already has an apporteur account
// (with another MIA) to accept working with one more MIA: no new account,
// the link opens the espace's list of mandataires, where the person accepts.
type ApporteurAutreMIA struct {
	To      string
	Prenom  string // as the inviting MIA wrote it
	MIANom  string
	Cabinet string
	Lien    string // EspaceMandatairesLink
}

// ConventionAAccepter tells an apporteur that its MIA proposes (a new
// version of) the convention d'apport, to read and accept in the espace.
type ConventionAAccepter struct {
	To      string
	Prenom  string
	MIANom  string
	Version int
	Lien    string // EspaceConventionLink
}

// ConventionAcceptee tells a MIA that its apporteur accepted the convention.
type ConventionAcceptee struct {
	To           string
	MIAPrenom    string
	ApporteurNom string
	Version      int
	Lien         string // ApporteurLink
}

// MIAActivation is the activation email of a MIA account created by Assentis.
type MIAActivation struct {
	To     string
	Prenom string
	Lien   string
}

// ContactAjoute tells a MIA that one of its apporteurs added a contact.
type ContactAjoute struct {
	To           string
	MIAPrenom    string
	ApporteurNom string
	ContactNom   string
	Lien         string // ContactLink
}

// InformationArticle14 tells a contact entered by an apporteur who holds
// its data, why, and how to exercise its rights (RGPD article 14).
type InformationArticle14 struct {
	To            string
	ContactPrenom string
	MIANom        string
	Cabinet       string
	MIAEmail      string
	ApporteurNom  string
}

// StatutAffaire tells an apporteur that an affaire of its contact changed statut.
type StatutAffaire struct {
	To              string
	ApporteurPrenom string
	ContactNom      string
	ProduitNom      string
	Avant, Apres    string // statut codes (en_cours, signee, …)
	Lien            string // EspaceAffairesLink
}

// ReleveEmis tells an apporteur that its relevé de commissions of a month
// was issued: a link to its espace, never the relevé itself.
type ReleveEmis struct {
	To              string
	ApporteurPrenom string
	MIANom          string
	Mois            string // "novembre 2026"
	Lien            string // EspaceRelevesLink
}

// EspaceRelevesLink is the espace apporteur's page of relevés.
func EspaceRelevesLink(webBaseURL string) string {
	return strings.TrimRight(webBaseURL, "/") + "/espace/releves"
}

// Digest is the morning email of a MIA or an apporteur: its tâches due
// today and those overdue, each with a link that opens it.
type Digest struct {
	To         string
	Prenom     string
	Jour       string // "vendredi 27 novembre 2026"
	Aujourdhui []DigestLigne
	EnRetard   []DigestLigne
	Lien       string // the list of all its tâches
}

// DigestLigne is one tâche of a digest.
type DigestLigne struct {
	Titre    string
	Echeance string // "27/11/2026"
	Heure    string
	Fiche    string // the record it is about, "" for none
	Lien     string // TacheLink or EspaceTachesLink
}

// Compose renders one of the data types above into a Message.
func Compose(data any) (Message, error) {
	var (
		name string
		to   string
	)
	switch d := data.(type) {
	case ApporteurInvitation:
		name, to = "apporteur_invitation", d.To
	case ApporteurAutreMIA:
		name, to = "apporteur_autre_mia", d.To
	case ConventionAAccepter:
		name, to = "convention_a_accepter", d.To
	case ConventionAcceptee:
		name, to = "convention_acceptee", d.To
	case MIAActivation:
		name, to = "mia_activation", d.To
	case ContactAjoute:
		name, to = "contact_ajoute", d.To
	case StatutAffaire:
		name, to = "statut_affaire", d.To
	case ReleveEmis:
		name, to = "releve_emis", d.To
	case Digest:
		name, to = "digest", d.To
	case InformationArticle14:
		name, to = "information_article14", d.To
	default:
		return Message{}, fmt.Errorf("compose: no template for %T", data)
	}
	t := templates[name]()
	var subject, text, html bytes.Buffer
	if err := t.subject.Execute(&subject, data); err != nil {
		return Message{}, fmt.Errorf("compose %s subject: %w", name, err)
	}
	if err := t.text.Execute(&text, data); err != nil {
		return Message{}, fmt.Errorf("compose %s text: %w", name, err)
	}
	if err := t.html.Execute(&html, data); err != nil {
		return Message{}, fmt.Errorf("compose %s html: %w", name, err)
	}
	// The API refuses control characters in names, but data written before
	// that rule, or by another path, must not add a header either.
	return Message{To: oneLine(to), Subject: oneLine(subject.String()), Text: text.String(), HTML: html.String()}, nil
}

// oneLine makes s safe for a header: every control character (CR, LF and TAB
// included) and Unicode line or paragraph separator becomes a space, and
// runs of spaces one.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)), " ")
}

// statutLibelle is the French label of an affaire statut code.
func statutLibelle(code string) string {
	switch code {
	case "en_cours":
		return "en cours"
	case "signee":
		return "signée"
	case "perdue":
		return "perdue"
	case "resiliee":
		return "résiliée"
	}
	return code
}

type template struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
}

var funcs = map[string]any{"statut": statutLibelle}

// templates parses each email's templates on its first use.
var templates = func() map[string]func() template {
	m := make(map[string]func() template, len(sources))
	for name, src := range sources {
		m[name] = sync.OnceValue(func() template {
			return template{
				subject: texttemplate.Must(texttemplate.New(name).Funcs(funcs).Parse(src[0])),
				text:    texttemplate.Must(texttemplate.New(name).Funcs(funcs).Parse(src[1])),
				html:    htmltemplate.Must(htmltemplate.New(name).Funcs(funcs).Parse(layoutStart + src[2] + layoutEnd)),
			}
		})
	}
	return m
}()
