package sesmail_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/mail"
	"github.com/assentis/mycrm/internal/mail/sesmail"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// startSES runs a real aws-ses-v2-local from infra/local/node_modules on a
// free port and stops it (by PID) at the end.
func startSES(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(filepath.Dir(file), "..", "..", "..", "infra", "local", "node_modules", ".bin", "aws-ses-v2-local")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("aws-ses-v2-local not installed (make node-modules, or npm ci in infra/local): %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--host", "127.0.0.1", "--port", fmt.Sprint(port))
	cmd.Dir = t.TempDir()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(endpoint + "/health-check")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return endpoint
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("aws-ses-v2-local not ready: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestSendThroughSESLocal(t *testing.T) {
	endpoint := startSES(t)
	client := sesv2.New(sesv2.Options{
		Region:       "eu-west-3",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	m := sesmail.New(client, "Assentis <no-reply@assentis.test>")
	msg, err := mail.Compose(mail.ApporteurInvitation{To: "paul.martin@example.fr", Prenom: "Paul", MiaNom: "Claire Durand", Lien: mail.ActivationLink("http://localhost:3000", "tok_EN")})
	if err != nil {
		t.Fatal(err)
	}
	id, err := m.Send(context.Background(), msg)
	if err != nil || id == "" {
		t.Fatalf("Send: id %q, err %v", id, err)
	}

	resp, err := http.Get(endpoint + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var store struct {
		Emails []struct {
			MessageID   string `json:"messageId"`
			From        string `json:"from"`
			Destination struct {
				To []string `json:"to"`
			} `json:"destination"`
			Subject string `json:"subject"`
			Body    struct {
				HTML string `json:"html"`
				Text string `json:"text"`
			} `json:"body"`
		} `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		t.Fatal(err)
	}
	if len(store.Emails) != 1 {
		t.Fatalf("store has %d emails, want 1", len(store.Emails))
	}
	e := store.Emails[0]
	if e.MessageID != id || e.From != "Assentis <no-reply@assentis.test>" || len(e.Destination.To) != 1 || e.Destination.To[0] != "paul.martin@example.fr" {
		t.Errorf("stored email = %+v", e)
	}
	if e.Subject != msg.Subject || e.Body.Text != msg.Text || e.Body.HTML != msg.HTML {
		t.Errorf("stored content differs from the sent one")
	}
	if !strings.Contains(e.Body.Text, "http://localhost:3000/activation?token=tok_EN") {
		t.Errorf("text lacks the link: %s", e.Body.Text)
	}
}
