package e2e

import (
	"fmt"
	"testing"
	"time"
)

// TestStreamConsumersRun checks the local gateway's stream poller end to
// end: a write through the API reaches the stream consumers, whose effects
// are visible once WaitStreams returns.
func TestStreamConsumersRun(t *testing.T) {
	tok := newTenant(t, false).token
	waitStreams(t)
	failuresBefore := len(stack.StreamFailures()) // other tests send poison records on purpose
	email := fmt.Sprintf("apporteur-%d@e2e.test", time.Now().UnixNano())
	r := call(t, "POST", "/apporteurs", tok, map[string]string{
		"nom": "Petit", "prenom": "Léa", "telephone": "0611223344", "email": email, "localisation": "Nantes",
	})
	if r.Status != 201 {
		t.Fatalf("create apporteur: got %d %s, want 201", r.Status, r.Body)
	}
	waitStreams(t)
	if n := len(emailsTo(t, email)); n != 1 {
		t.Errorf("invitation emails to %s: got %d, want 1", email, n)
	}
	if f := stack.StreamFailures()[failuresBefore:]; len(f) != 0 {
		t.Errorf("stream failures: got %+v, want none", f)
	}
}

// TestCORS checks the preflight and the CORS headers the gateway adds from
// template.yaml's CorsConfiguration with the local origins.
func TestCORS(t *testing.T) {
	origin := stack.APIURL
	r := call(t, "OPTIONS", "/contacts", "", nil, "Origin", origin, "Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "authorization,content-type")
	if r.Status != 204 || r.Header.Get("Access-Control-Allow-Origin") != origin || r.Header.Get("Access-Control-Allow-Headers") == "" {
		t.Errorf("preflight: got %d %v", r.Status, r.Header)
	}
	r = call(t, "GET", "/config", "", nil, "Origin", "https://evil.example")
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("allow origin for a foreign origin: got %q, want none", got)
	}
}
