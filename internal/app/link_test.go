package app_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// phoneFunctions accept a telephone number and pass app.WithPhone(phone.Normalize),
// which no longer links phonenumbers (internal/phone carries its metadata).
var phoneFunctions = []string{
	"create-apporteur", "create-contact", "create-entreprise", "create-espace-contact",
	"create-mia", "update-apporteur", "update-contact", "update-entreprise",
}

// mailFunctions send email and link the SES client (internal/app/streamapp).
var mailFunctions = []string{"stream-mail"}

// TestLinkedPackages: no function links nyaruka/phonenumbers (≈ 5 ms of
// init, ≈ 5 MB; tests and internal/phone/gen only), the SES client (≈ 0.7 ms of
// init) exactly by those that send email, and no function links the SDK's
// config package (STS, SSO, IMDS… initialised for nothing).
func TestLinkedPackages(t *testing.T) {
	dirs, err := os.ReadDir("../../functions")
	if err != nil {
		t.Fatal(err)
	}
	// A renamed or removed function must not drop out of the lists silently.
	for _, fn := range slices.Concat(phoneFunctions, mailFunctions) {
		if !slices.ContainsFunc(dirs, func(d os.DirEntry) bool { return d.Name() == fn }) {
			t.Errorf("functions/%s: no such function", fn)
		}
	}
	for _, d := range dirs {
		fn := d.Name()
		out, err := exec.Command("go", "list", "-deps", "./"+filepath.Join("../../functions", fn)).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", fn, err)
		}
		deps := strings.Fields(string(out))
		if slices.Contains(deps, "github.com/nyaruka/phonenumbers") {
			t.Errorf("%s links github.com/nyaruka/phonenumbers", fn)
		}
		if got, want := slices.Contains(deps, "github.com/aws/aws-sdk-go-v2/service/sesv2"), slices.Contains(mailFunctions, fn); got != want {
			t.Errorf("%s links sesv2: %v, want %v", fn, got, want)
		}
		if slices.Contains(deps, "github.com/aws/aws-sdk-go-v2/config") {
			t.Errorf("%s links github.com/aws/aws-sdk-go-v2/config", fn)
		}
	}
}
