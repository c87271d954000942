// Package emulatortest starts an emulator for a test, and skips the tests
// that need one in the quick loop (go test -short), which needs neither
// Java nor Node.
package emulatortest

import (
	"context"
	"testing"

	"github.com/assentis/mycrm/internal/devstack/emulators"
)

// SkipShort skips a test that needs an emulator when go test runs with
// -short, the quick loop that needs neither Java nor Node. In a normal run
// such a test fails when its emulator cannot start: it is never skipped.
func SkipShort(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs an emulator (Java or Node): not run with -short")
	}
}

// Start starts one emulator (emulators.StartDynamoDB, StartCognito or
// StartSES) on
// a free port with its state in a temporary directory, waits until it is
// ready and stops it when the test ends. Skipped with -short (SkipShort).
func Start(t testing.TB, start func(emulators.Config) (*emulators.Emulator, error)) *emulators.Emulator {
	t.Helper()
	SkipShort(t)
	e, err := start(emulators.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Stop(); err != nil {
			t.Error(err)
		}
	})
	if err := e.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}
