package phone

import (
	"bytes"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// The tests of this file hold parse to nyaruka/phonenumbers, the library
// whose metadata table.go carries: linked by the tests only, it is the
// oracle.

// withLibrary is Normalize through phonenumbers, as it was before parse.
func withLibrary(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 32 {
		return "", false
	}
	n, err := phonenumbers.Parse(s, "FR")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", false
	}
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	if len(e164) > maxE164Len {
		return "", false
	}
	return e164, true
}

// agrees checks parse against the library on s: an accepted number is the
// library's, with the same E.164; a number found invalid is invalid for
// the library too. A refusal must come from a spelling parse does not
// read or a national prefix the metadata transforms.
func agrees(t *testing.T, s string) result {
	t.Helper()
	got, r := parse(s)
	want, wantOK := withLibrary(s)
	switch {
	case r == valid && (!wantOK || got != want):
		t.Fatalf("parse(%q) = %q; phonenumbers %q, %v", s, got, want, wantOK)
	case r == invalid && wantOK:
		t.Fatalf("parse(%q) invalid; phonenumbers %q", s, want)
	}
	return r
}

// readable tells whether s is spelt the way parse reads: ASCII digits and
// separators, with at most a leading "+".
func readable(s string) bool {
	s = strings.TrimPrefix(strings.TrimSpace(s), "+")
	return strings.Trim(s, "0123456789"+separators) == ""
}

// tally counts, among the inputs the library accepts, those parse
// accepts and those it refuses (by spelling, or by a transformed prefix).
type tally struct{ accepted, refusedSpelling, refusedTransform int }

func (c *tally) add(s string, r result) {
	if _, ok := withLibrary(s); !ok {
		return
	}
	switch {
	case r == valid:
		c.accepted++
	case readable(s):
		c.refusedTransform++
	default:
		c.refusedSpelling++
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in, want string
		r        result
	}{
		{"06 12 34 56 78", "+33612345678", valid},
		{"06.12.34.56.78", "+33612345678", valid},
		{"06-12-34-56-78", "+33612345678", valid},
		{"0033 6 12 34 56 78", "+33612345678", valid},
		{"+33 0 6 12 34 56 78", "+33612345678", valid},  // national prefix after the code
		{"+33 (0)6 12 34 56 78", "+33612345678", valid}, // the same, bracketed
		{"+262 692 12 34 56", "+262692123456", valid},   // Réunion
		{"+262 269 61 12 34", "+262269611234", valid},   // Mayotte, sharing +262
		{"+590 690 12 34 56", "+590690123456", valid},   // Guadeloupe
		{"+687 75 12 34", "+687751234", valid},          // Nouvelle-Calédonie
		{"+44 (0)20 7946 0958", "+442079460958", valid}, // London
		{"+44 7400 123456", "+447400123456", valid},     // UK mobile
		{"+1 (415) 555-2671", "+14155552671", valid},    // San Francisco
		{"+1 613 555 0123", "+16135550123", valid},      // Ottawa, the second NANPA region tried
		{"+49 30 1234567", "+49301234567", valid},       // Berlin
		{"+49 (0)30 1234567", "+49301234567", valid},    // the same with the German trunk 0
		{"0049 30/1234567", "+49301234567", valid},      // slash
		{"+32 470 12 34 56", "+32470123456", valid},     // Belgian mobile
		{"+41 44 668 18 00", "+41446681800", valid},     // Zürich
		{"+212 6 12 34 56 78", "+212612345678", valid},  // Moroccan mobile
		{"+352 621 123 456", "+352621123456", valid},    // Luxembourg mobile
		{"+800 1234 5678", "+80012345678", valid},       // international freephone
		{"06 12 34 56", "", invalid},                    // too short
		{"07 00 00 00 00", "", invalid},                 // no such mobile range
		{"+44 20 7946", "", invalid},                    // too short for London
		{"+999 123 456 789", "", invalid},               // no such calling code
		{"004920100000000000", "", invalid},             // 16 digits: past E.164
		{"06 12 34 56 78 poste 12", "", refused},        // extension
		{"+33 6 12 34 56 78 ext. 12", "", refused},      // extension
		{"tel:+33612345678", "", refused},               // URI
		{"０６１２３４５６７８", "", refused},                     // full-width digits
		{"+1 800 FLOWERS", "", refused},                 // vanity letters
		{"++33 6 12 34 56 78", "", refused},             // a "+" inside
		{"+261 2391954", "", refused},                   // Madagascar: the metadata inserts 20 after the code
		{"+672 10 660", "", refused},                    // Norfolk: 1 becomes 3
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, r := parse(tt.in)
			if got != tt.want || r != tt.r {
				t.Errorf("parse(%q) = %q, %v; want %q, %v", tt.in, got, r, tt.want, tt.r)
			}
			agrees(t, tt.in)
		})
	}
}

// frenchLike builds inputs around French numbers: national and
// international prefixes, overseas codes, a national prefix after the
// code, any length, separators.
func frenchLike(r *rand.Rand) string {
	prefixes := []string{"0", "00", "+", "+33", "0033", "+330", "+33 (0)", "33", "330", "+262", "00262", "+590", "+594",
		"+596", "+508", "+681", "+687", "+689", "+2620", "0590", "0262", "0692", "06", "07", "08", "09", "01", "000", "+0", "+00", ""}
	return prefixes[r.Intn(len(prefixes))] + digitsLike(r, 3+r.Intn(10))
}

// foreignLike builds inputs with foreign calling codes, including the
// neighbours' and a few with national prefixes or carrier codes, some with
// an extension or as a tel: URI.
func foreignLike(r *rand.Rand) string {
	codes := []string{"1", "44", "49", "32", "41", "212", "352", "39", "34", "351", "31", "43", "377", "216", "213", "221",
		"225", "7", "86", "91", "81", "55", "54", "52", "61", "64", "27", "90", "971", "972", "380", "48", "40", "800", "979", "882"}
	intl := []string{"+", "00", "+ ", "+("}
	after := []string{"", "", "", " ", "(0)", " (0) ", "0", "1", "9", "15"}
	s := intl[r.Intn(len(intl))] + codes[r.Intn(len(codes))] + after[r.Intn(len(after))] + digitsLike(r, 4+r.Intn(10))
	// Some spellings parse refuses: an extension, a tel: URI.
	switch r.Intn(20) {
	case 0:
		s += " ext. " + digitsLike(r, 1+r.Intn(3))
	case 1:
		s = "tel:" + s
	}
	return s
}

func digitsLike(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if r.Intn(4) == 0 {
			b.WriteByte(" .-()/"[r.Intn(6)])
		}
		b.WriteByte(byte('0' + r.Intn(10)))
	}
	return b.String()
}

// examples are the library's example numbers of every region and number
// type, written the ways people do, and mutated by one digit.
func examples(r *rand.Rand) []string {
	var out []string
	add := func(n *phonenumbers.PhoneNumber) {
		if n == nil {
			return
		}
		e := phonenumbers.Format(n, phonenumbers.E164)
		intl := phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
		out = append(out, e, intl, "00"+e[1:], phonenumbers.Format(n, phonenumbers.NATIONAL),
			phonenumbers.Format(n, phonenumbers.RFC3966))
		b := []byte(intl)
		if i := 1 + r.Intn(len(b)-1); b[i] >= '0' && b[i] <= '9' {
			b[i] = byte('0' + r.Intn(10))
		}
		out = append(out, string(b), intl[:len(intl)-1], intl+"5")
	}
	types := []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE,
		phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER,
		phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL}
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range types {
			add(phonenumbers.GetExampleNumberForType(region, typ))
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		add(phonenumbers.GetExampleNumberForNonGeoEntity(cc))
	}
	return out
}

// TestParseMatchesPhonenumbers compares parse with the library on
// generated inputs, French-like and foreign, and on every example number.
// Whatever parse reads it answers as the library does; it refuses only
// spellings it does not read and national prefixes the metadata
// transforms (counted in the log: run with -v).
func TestParseMatchesPhonenumbers(t *testing.T) {
	r := rand.New(rand.NewSource(16))
	var french, foreign, ex tally
	validFrench, validForeign := 0, 0
	for i := 0; i < 50000; i++ {
		s := frenchLike(r)
		res := agrees(t, s)
		french.add(s, res)
		if res == valid {
			validFrench++
		}
		s = foreignLike(r)
		res = agrees(t, s)
		foreign.add(s, res)
		if res == valid {
			validForeign++
		}
	}
	for _, s := range examples(r) {
		ex.add(s, agrees(t, s))
	}
	if validFrench < 1000 || validForeign < 1000 || ex.accepted < 1000 {
		t.Errorf("valid: %d French-like, %d foreign, %d examples: the generators no longer reach valid numbers", validFrench, validForeign, ex.accepted)
	}
	for _, c := range []struct {
		name string
		tally
	}{{"French-like", french}, {"foreign", foreign}, {"examples", ex}} {
		t.Logf("%s inputs valid for phonenumbers: %d accepted, %d refused for their spelling, %d for a transformed national prefix",
			c.name, c.accepted, c.refusedSpelling, c.refusedTransform)
	}
}

// FuzzParseMatchesPhonenumbers: on any input, what parse accepts the
// library accepts with the same E.164, and what parse finds invalid the
// library finds invalid (seeds in testdata/fuzz).
func FuzzParseMatchesPhonenumbers(f *testing.F) {
	for _, s := range []string{"06 12 34 56 78", "+33612345678", "0033 6 12", "+262 692 12 34 56", "+44 (0)20 7946 0958",
		"+1 (415) 555-2671", "+49 30/1234567", "+261 2391954", "3306 12 34 56 78", "+0033612345678", "00800 1234 5678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		agrees(t, s)
	})
}

// TestTableIsCurrent: table.go is what gen writes from the phonenumbers
// linked here (after a version change: go generate ./internal/phone).
func TestTableIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs gen")
	}
	out := filepath.Join(t.TempDir(), "table.go")
	cmd := exec.Command("go", "run", "./gen", "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("table.go differs from what gen writes from the linked phonenumbers: run go generate ./internal/phone")
	}
}
