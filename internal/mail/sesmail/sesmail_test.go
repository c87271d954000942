package sesmail_test

import (
	"context"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/devstack/emulators"
	"github.com/assentis/mycrm/internal/devstack/emulators/emulatortest"
	"github.com/assentis/mycrm/internal/mail"
	"github.com/assentis/mycrm/internal/mail/sesmail"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// startSES runs a real aws-ses-v2-local from infra/local/node_modules on a
// free port and stops it at the end (skipped with -short).
func startSES(t *testing.T) *emulators.Emulator {
	t.Helper()
	return emulatortest.Start(t, emulators.StartSES)
}

func TestSendThroughSESLocal(t *testing.T) {
	ses := startSES(t)
	client := sesv2.New(sesv2.Options{
		Region:       "eu-west-3",
		BaseEndpoint: aws.String(ses.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	m := sesmail.New(client, "Assentis <no-reply@assentis.test>")
	msg, err := mail.Compose(mail.ApporteurInvitation{To: "paul.martin@example.fr", Prenom: "Paul", MIANom: "Claire Durand", Lien: mail.ActivationLink("http://localhost:3000", "tok_EN")})
	if err != nil {
		t.Fatal(err)
	}
	id, err := m.Send(context.Background(), msg)
	if err != nil || id == "" {
		t.Fatalf("Send: id %q, err %v", id, err)
	}

	emails, err := ses.Emails(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(emails) != 1 {
		t.Fatalf("store has %d emails, want 1", len(emails))
	}
	e := emails[0]
	if e.MessageID != id || e.From != "Assentis <no-reply@assentis.test>" || len(e.To) != 1 || e.To[0] != "paul.martin@example.fr" {
		t.Errorf("stored email = %+v", e)
	}
	if e.Subject != msg.Subject || e.Text != msg.Text || e.HTML != msg.HTML {
		t.Errorf("stored content differs from the sent one")
	}
	if !strings.Contains(e.Text, "http://localhost:3000/activation?token=tok_EN") {
		t.Errorf("text lacks the link: %s", e.Text)
	}
}
