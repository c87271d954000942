package devstack

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/devstack/emulators/emulatortest"
)

// TestPersistedRestart starts a persistent stack twice on the same directory:
// the second start reuses the pools, the cursor secret and the accounts.
// Removing cognito-local's state makes the next start wipe DynamoDB's too.
func TestPersistedRestart(t *testing.T) {
	emulatortest.SkipShort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()

	s1, err := Start(ctx, Options{Dir: dir, Persist: true})
	if err != nil {
		t.Fatalf("first start: %v", err)
	}
	t.Cleanup(func() { _ = s1.Close() }) // on a failure before the Close below
	id1, err := s1.CreateMIA(ctx, "restart@e2e.test", "Restart-2026-ok", false)
	if err != nil {
		t.Fatal(err)
	}
	first := struct {
		MIAPoolID, MIAClientID, ApporteurPoolID string
		Env                                     map[string]string
	}{s1.MIAPoolID, s1.MIAClientID, s1.ApporteurPoolID, s1.Env}
	if err := s1.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, stateFile)); err != nil {
		t.Fatalf("persisted state: %v", err)
	}

	s2, err := Start(ctx, Options{Dir: dir, Persist: true})
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	t.Cleanup(func() { _ = s2.Close() })
	if s2.MIAPoolID != first.MIAPoolID || s2.MIAClientID != first.MIAClientID || s2.ApporteurPoolID != first.ApporteurPoolID ||
		s2.Env["CURSOR_SECRET"] != first.Env["CURSOR_SECRET"] {
		t.Errorf("restart: got pools %s/%s/%s, want %s/%s/%s (and the same cursor secret)",
			s2.MIAPoolID, s2.MIAClientID, s2.ApporteurPoolID, first.MIAPoolID, first.MIAClientID, first.ApporteurPoolID)
	}
	id2, err := s2.CreateMIA(ctx, "restart@e2e.test", "Restart-2026-ok", false)
	if err != nil {
		t.Fatal(err)
	}
	if id2 != id1 {
		t.Errorf("MIA id after restart: got %s, want %s", id2, id1)
	}
	if _, err := s2.Login(ctx, "mia", DemoMIAEmail, DemoMIAPassword); err != nil {
		t.Errorf("demo login after restart: %v", err)
	}
	if err := s2.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	// Half the state is gone: everything starts afresh.
	if err := os.RemoveAll(filepath.Join(dir, "cognito")); err != nil {
		t.Fatal(err)
	}
	s3, err := Start(ctx, Options{Dir: dir, Persist: true})
	if err != nil {
		t.Fatalf("third start: %v", err)
	}
	t.Cleanup(func() { _ = s3.Close() })
	if s3.Env["CURSOR_SECRET"] == first.Env["CURSOR_SECRET"] {
		t.Errorf("cursor secret kept after a wipe")
	}
	id3, err := s3.CreateMIA(ctx, "restart@e2e.test", "Restart-2026-ok", false)
	if err != nil {
		t.Fatal(err)
	}
	if id3 == id1 {
		t.Errorf("MIA id after a wipe: got the old %s", id1)
	}
}

func TestStartFailsOnABusyPort(t *testing.T) {
	emulatortest.SkipShort(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := strconv.Atoi(strings.TrimPrefix(s.DynamoURL, "http://127.0.0.1:"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Start(ctx, Options{DynamoPort: p})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("got %v, want a port-in-use error", err)
	}
}
