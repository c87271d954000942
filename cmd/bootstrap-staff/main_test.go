package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/devstack"
)

// TestBootstrapStaff: on a fresh local stack, bootstrap-staff gives an
// address a staff account that gets one activation email (through the
// stream-mail reader, as POST /admin/mias does), activates, and may then
// create a MIA account (POST /admin/mias, staff only). Run again, it sends
// no second email.
func TestBootstrapStaff(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local stack (Java, Node)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	stack, err := devstack.Start(ctx, devstack.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	defer stack.Close()

	const email = "premier.staff@assentis.test"
	args := []string{"-table", stack.Table, "-mia-pool", stack.MIAPoolID, "-region", stack.Env["AWS_REGION"],
		"-email", " Premier.Staff@assentis.test ", "-nom", "Staff", "-prenom", "Premier",
		"-dynamodb-endpoint", stack.DynamoURL, "-cognito-endpoint", stack.CognitoURL}
	for i := range 2 {
		var out bytes.Buffer
		if err := run(ctx, args, &out); err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
		if err := stack.WaitStreams(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("run %d: %s", i+1, strings.TrimSpace(out.String()))
	}
	emails, err := stack.Emails(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, e := range emails {
		for _, to := range e.To {
			if strings.Contains(to, email) {
				texts = append(texts, e.Text)
			}
		}
	}
	if len(texts) != 1 {
		t.Fatalf("%d emails to %s after two runs, want 1 activation email", len(texts), email)
	}
	m := regexp.MustCompile(`/activation\?token=([A-Za-z0-9_-]{43})`).FindStringSubmatch(texts[0])
	if m == nil {
		t.Fatalf("no activation link in %q", texts[0])
	}
	const password = "Staff-Password-2026"
	if got := post(t, stack.APIURL+"/activation", "", map[string]string{"token": m[1], "motDePasse": password}); got != http.StatusOK {
		t.Fatalf("POST /activation = %d, want 200", got)
	}
	tok, err := stack.Login(ctx, "mia", email, password)
	if err != nil {
		t.Fatal(err)
	}
	mia := map[string]string{"nom": "Durand", "prenom": "Claire", "email": "claire.durand@cabinet.test", "cabinet": "Cabinet Durand"}
	if got := post(t, stack.APIURL+"/admin/mias", tok, mia); got != http.StatusCreated {
		t.Errorf("POST /admin/mias with the bootstrapped staff token = %d, want 201", got)
	}
}

func post(t *testing.T, url, token string, body any) int {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
