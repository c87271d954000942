package mail_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/mail"
)

func TestActivationLink(t *testing.T) {
	got := mail.ActivationLink("https://mycrm.assentis.fr/", "ab-_c+/=")
	want := "https://mycrm.assentis.fr/activation?token=ab-_c%2B%2F%3D"
	if got != want {
		t.Errorf("ActivationLink = %q, want %q", got, want)
	}
}

func TestComposeEscapes(t *testing.T) {
	msg, err := mail.Compose(mail.ContactAjoute{
		To: "mia@example.fr", MIAPrenom: "Claire", ApporteurNom: "Paul <b>Martin</b>",
		ContactNom: `Jean "O'Neil" & fils`, Lien: "https://mycrm.assentis.fr",
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(msg.HTML, "<b>Martin</b>") {
		t.Errorf("HTML body contains unescaped markup: %s", msg.HTML)
	}
	if !strings.Contains(msg.HTML, "Paul &lt;b&gt;Martin&lt;/b&gt;") || !strings.Contains(msg.HTML, "&amp; fils") {
		t.Errorf("HTML body lacks the escaped names: %s", msg.HTML)
	}
	if !strings.Contains(msg.Text, `Jean "O'Neil" & fils`) {
		t.Errorf("text body = %q, want the name as is", msg.Text)
	}
	if msg.To != "mia@example.fr" {
		t.Errorf("To = %q", msg.To)
	}
}

func TestComposeAll(t *testing.T) {
	tests := []struct {
		data        any
		wantSubject string
		wantText    []string
	}{
		{
			mail.ApporteurInvitation{To: "a@example.fr", Prenom: "Paul", MIANom: "Claire Durand", Cabinet: "Cabinet Durand", Lien: "https://x/activation?token=T"},
			"Assentis – Claire Durand vous invite à activer votre espace apporteur",
			[]string{"Bonjour Paul,", "Claire Durand (Cabinet Durand)", "https://x/activation?token=T", "7 jours"},
		},
		{
			mail.ApporteurAutreMIA{To: "a@example.fr", Prenom: "Paul", MIANom: "Claire Durand", Cabinet: "Cabinet Durand", Lien: "https://x/espace/mandataires"},
			"Assentis – Claire Durand vous propose de travailler avec lui",
			[]string{"Bonjour Paul,", "Claire Durand (Cabinet Durand)", "déjà un espace apporteur", "https://x/espace/mandataires"},
		},
		{
			mail.ConventionAAccepter{To: "a@example.fr", Prenom: "Paul", MIANom: "Claire Durand", Version: 2, Lien: "https://x/espace/convention?mandataire=m.p"},
			"Assentis – Claire Durand vous propose une convention d'apport à accepter",
			[]string{"Bonjour Paul,", "version 2", "https://x/espace/convention?mandataire=m.p"},
		},
		{
			mail.ConventionAcceptee{To: "m@example.fr", MIAPrenom: "Claire", ApporteurNom: "Paul Martin", Version: 1, Lien: "https://x/mia/apporteurs/A"},
			"Assentis – Paul Martin a accepté la convention d'apport",
			[]string{"Bonjour Claire,", "version 1", "https://x/mia/apporteurs/A"},
		},
		{
			mail.MIAActivation{To: "m@example.fr", Prenom: "Claire", Lien: "https://x/activation?token=T"},
			"Assentis – activez votre compte MyCRM",
			[]string{"Bonjour Claire,", "https://x/activation?token=T"},
		},
		{
			mail.StatutAffaire{To: "a@example.fr", ApporteurPrenom: "Paul", ContactNom: "Jean Dupont", ProduitNom: "Santé individuelle", Avant: "en_cours", Apres: "signee", Lien: "https://x"},
			"Assentis – l'affaire de Jean Dupont est signée",
			[]string{"« Santé individuelle »", "de « en cours » à « signée »"},
		},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%T", tt.data), func(t *testing.T) {
			msg, err := mail.Compose(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if msg.Subject != tt.wantSubject {
				t.Errorf("Subject = %q, want %q", msg.Subject, tt.wantSubject)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(msg.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, msg.Text)
				}
			}
			if !strings.Contains(msg.HTML, `<html lang="fr">`) || !strings.Contains(msg.HTML, "L&#39;équipe Assentis") && !strings.Contains(msg.HTML, "L'équipe Assentis") {
				t.Errorf("HTML lacks the layout:\n%s", msg.HTML)
			}
		})
	}
	if _, err := mail.Compose(42); err == nil {
		t.Error("Compose(42) = nil error, want an error")
	}
}

// A name holding CR, LF or TAB must not add a header to the message.
func TestComposeStripsControlCharacters(t *testing.T) {
	tests := []struct {
		name string
		data any
	}{
		{"invitation", mail.ApporteurInvitation{To: "a@example.fr\r\nBcc: x@evil.example", Prenom: "Paul", MIANom: "Claire\r\nBcc: x@evil.example", Lien: "https://x"}},
		{"contact ajouté", mail.ContactAjoute{To: "m@example.fr", MIAPrenom: "Claire", ApporteurNom: "Paul", ContactNom: "Dupont\nBcc: x@evil.example\u2028\t", Lien: "https://x"}},
		{"statut", mail.StatutAffaire{To: "a@example.fr", ApporteurPrenom: "Paul", ContactNom: "Dupont\r\n\r\nCorps", ProduitNom: "Santé", Avant: "en_cours", Apres: "signee", Lien: "https://x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := mail.Compose(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			for field, got := range map[string]string{"Subject": msg.Subject, "To": msg.To} {
				if strings.ContainsAny(got, "\r\n\t\u2028\u2029") || strings.Contains(got, "  ") {
					t.Errorf("%s = %q, want one line without control characters", field, got)
				}
			}
		})
	}
}
