package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestBrowserOnboarding walks the onboarding text through the web client in
// Debian's Chromium (web/e2e/0-onboarding.test.mjs, playwright-core) against this
// package's stack: MIA → apporteur → activation email → apporteur contact →
// entreprise, affaire at 20 % → the apporteur sees its commission.
// `make test` builds web/dist and installs Chromium first, and sets
// MYCRM_BROWSER_TEST=required so a missing piece fails instead of skipping.
func TestBrowserOnboarding(t *testing.T) {
	required := os.Getenv("MYCRM_BROWSER_TEST") == "required"
	web, err := filepath.Abs(filepath.Join("..", "web"))
	if err != nil {
		t.Fatal(err)
	}
	for _, need := range []string{filepath.Join(web, "dist", "index.html"), filepath.Join(web, "node_modules"), "/usr/bin/chromium"} {
		if _, err := os.Stat(need); err != nil {
			if required {
				t.Fatalf("browser test: %s is missing (make test builds and installs it)", need)
			}
			t.Skipf("browser test skipped: %s is missing (run make test)", need)
		}
	}
	cmd := exec.Command("npm", "run", "--silent", "test:browser")
	cmd.Dir = web
	cmd.Env = append(os.Environ(), "MYCRM_URL="+stack.APIURL, "SES_URL="+stack.SESURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("browser test failed: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
