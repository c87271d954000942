// Package mail sends MyCRM's emails through SES v2: the activation
// invitations of apporteurs and MIA accounts and the notifications that
// follow a write. Every message is French, "from Assentis", in HTML and text;
// the HTML is produced by html/template so every value is escaped.
package mail

import (
	"bytes"
	"context"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// API is the part of the SES v2 client the Mailer uses.
type API interface {
	SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

var _ API = (*sesv2.Client)(nil)

// ClientAPI is c as an API made of its method value, so that c itself is never
// put in an interface: once reflect's method lookup by name is linked (protobuf
// via nyaruka/phonenumbers, text/template), the linker keeps every exported
// method of a type put in an interface, here the whole SES v2 API.
func ClientAPI(c *sesv2.Client) API { return sendEmail(c.SendEmail) }

type sendEmail func(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)

func (f sendEmail) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, o ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return f(ctx, in, o...)
}

// Message is one composed email.
type Message struct {
	To      string
	Subject string
	HTML    string
	Text    string
}

// Mailer sends Messages from one verified identity.
type Mailer struct {
	api  API
	from string
}

// New returns a Mailer sending through api from the address from
// (e.g. "Assentis <no-reply@assentis.fr>").
func New(api API, from string) *Mailer {
	return &Mailer{api: api, from: from}
}

// Send sends m and returns SES's message id.
func (m *Mailer) Send(ctx context.Context, msg Message) (messageID string, err error) {
	utf8 := aws.String("UTF-8")
	out, err := m.api.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.from),
		Destination:      &types.Destination{ToAddresses: []string{msg.To}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(msg.Subject), Charset: utf8},
			Body: &types.Body{
				Html: &types.Content{Data: aws.String(msg.HTML), Charset: utf8},
				Text: &types.Content{Data: aws.String(msg.Text), Charset: utf8},
			},
		}},
	})
	if err != nil {
		return "", fmt.Errorf("send email: %w", err)
	}
	return aws.ToString(out.MessageId), nil
}

// ActivationLink is the web client's activation page for token.
func ActivationLink(webBaseURL, token string) string {
	return strings.TrimRight(webBaseURL, "/") + "/activation?token=" + url.QueryEscape(token)
}

// ApporteurInvitation is the activation email of a new apporteur.
type ApporteurInvitation struct {
	To      string
	Prenom  string // the apporteur's
	MiaNom  string // its MIA's display name
	Cabinet string // its MIA's cabinet, may be empty
	Lien    string // ActivationLink
}

// MiaActivation is the activation email of a MIA account created by Assentis.
type MiaActivation struct {
	To     string
	Prenom string
	Lien   string
}

// ContactAjoute tells a MIA that one of its apporteurs added a contact.
type ContactAjoute struct {
	To           string
	MiaPrenom    string
	ApporteurNom string
	ContactNom   string
	Lien         string // the web client, e.g. WEB_BASE_URL
}

// StatutAffaire tells an apporteur that an affaire of its contact changed statut.
type StatutAffaire struct {
	To              string
	ApporteurPrenom string
	ContactNom      string
	ProduitNom      string
	Avant, Apres    string // statut codes (en_cours, signee, …)
	Lien            string
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
	case MiaActivation:
		name, to = "mia_activation", d.To
	case ContactAjoute:
		name, to = "contact_ajoute", d.To
	case StatutAffaire:
		name, to = "statut_affaire", d.To
	default:
		return Message{}, fmt.Errorf("compose: no template for %T", data)
	}
	t := templates[name]
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
	return Message{To: to, Subject: strings.TrimSpace(subject.String()), Text: text.String(), HTML: html.String()}, nil
}

// StatutLibelle is the French label of an affaire statut code.
func StatutLibelle(code string) string {
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

var funcs = map[string]any{"statut": StatutLibelle}

var templates = map[string]template{}

func init() {
	for name, src := range sources {
		templates[name] = template{
			subject: texttemplate.Must(texttemplate.New(name).Funcs(funcs).Parse(src[0])),
			text:    texttemplate.Must(texttemplate.New(name).Funcs(funcs).Parse(src[1])),
			html:    htmltemplate.Must(htmltemplate.New(name).Funcs(funcs).Parse(layoutStart + src[2] + layoutEnd)),
		}
	}
}
