package phone

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"06 12 34 56 78", "+33612345678", true},
		{"+33 6 12 34 56 78", "+33612345678", true},
		{"0033612345678", "+33612345678", true},
		{"01.42.68.53.00", "+33142685300", true},
		{"+32 470 12 34 56", "+32470123456", true},
		{"+1 415 555 2671", "+14155552671", true},
		{"12", "", false},
		{"bonjour", "", false},
		{"", "", false},
		{"06 12 34 56", "", false},
		// valid for phonenumbers but 16 digits: past the E.164 limit (found by FuzzNormalizePhone in CI)
		{"004920100000000000", "", false},
		{"+49 201 000000000", "+49201000000000", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := Normalize(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// FuzzNormalizePhone (issue 5; seeds in testdata/fuzz/FuzzNormalizePhone, run
// by `make fuzz-short`): no panic, an accepted number is E.164 and normalises
// to itself.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"06 12 34 56 78", "+33612345678", "0033612345678", "+1 415 555 2671", "0612", "", "++33", "０６１２３４５６７８", "+33 (0)6 12 34 56 78"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := Normalize(s)
		if !ok {
			return
		}
		if !strings.HasPrefix(n, "+") || len(n) > 16 || strings.Trim(n[1:], "0123456789") != "" {
			t.Fatalf("Normalize(%q) = %q: not E.164", s, n)
		}
		if again, ok := Normalize(n); !ok || again != n {
			t.Fatalf("not idempotent: %q → %q → %q, %v", s, n, again, ok)
		}
	})
}
