package crm

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestNormalizeORIAS(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"07012345", "07012345", true},
		{" 07 012 345 ", "07012345", true},
		{"07.012.345", "07012345", true},
		{"0701234", "", false},
		{"070123456", "", false},
		{"07O12345", "", false},
		{"", "", false},
		{"０７０１２３４５", "", false}, // full-width digits are not ORIAS digits
	}
	for _, tt := range tests {
		got, ok := NormalizeORIAS(tt.in)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("NormalizeORIAS(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzNormalizeORIAS: an accepted number is exactly 8 ASCII digits, its
// normalisation is stable, and it is made of the input's digits in order.
func FuzzNormalizeORIAS(f *testing.F) {
	for _, s := range []string{"07012345", "07 012 345", "1234567", "12.34.56.78", "\u00a012345678", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := NormalizeORIAS(s)
		if !ok {
			return
		}
		if len(n) != 8 || strings.Trim(n, "0123456789") != "" {
			t.Fatalf("NormalizeORIAS(%q) = %q: not 8 digits", s, n)
		}
		if again, ok := NormalizeORIAS(n); !ok || again != n {
			t.Fatalf("not stable: %q → %q → %q", s, n, again)
		}
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
		if digits != n {
			t.Fatalf("NormalizeORIAS(%q) = %q, want the input's digits %q", s, n, digits)
		}
	})
}

// FuzzParseMembreID: what a client sends in X-Mandataire parses only into
// ids that are safe in keys (a tenant id, a ULID), and round-trips.
func FuzzParseMembreID(f *testing.F) {
	for _, s := range []string{"mia-1.01J0000000000000000000000A", ".", "a.b", "MIA#x.01J0000000000000000000000A", "a.01J0000000000000000000000A.x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, p, ok := ParseMembreID(s)
		if !ok {
			return
		}
		if strings.ContainsAny(string(m), "#.") || !utf8.ValidString(string(m)) || !IsULID(string(p)) {
			t.Fatalf("ParseMembreID(%q) = %q, %q", s, m, p)
		}
		if MembreID(m, p) != s {
			t.Fatalf("round trip: %q → %q", s, MembreID(m, p))
		}
	})
}

func TestStatutLegalValidateAndAlertes(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	good := StatutLegal{Type: IntermediaireORIAS, NumeroORIAS: "07 012 345", Categorie: "courtier", VerifieLe: "2026-06-01",
		RCProAssureur: "Hiscox", RCProExpiration: "2027-03-31"}
	tests := []struct {
		name       string
		s          StatutLegal
		wantFields []string
		wantAlerts []string
	}{
		{"indicateur", StatutLegal{Type: Indicateur}, nil, nil},
		{"indicateur with an ORIAS number", StatutLegal{Type: Indicateur, NumeroORIAS: "07012345"}, []string{"statutLegal.type"}, nil},
		{"unknown type", StatutLegal{Type: "courtier"}, []string{"statutLegal.type"}, nil},
		{"intermediary, all well", good, nil, nil},
		{"intermediary, missing all", StatutLegal{Type: IntermediaireORIAS}, []string{"statutLegal.numeroOrias", "statutLegal.categorie",
			"statutLegal.verifieLe", "statutLegal.rcProAssureur", "statutLegal.rcProExpiration"}, nil},
		{"check 12 months old to the day", func() StatutLegal { s := good; s.VerifieLe = "2025-11-27"; return s }(), nil, []string{AlerteVerificationAncien}},
		{"check 12 months old minus a day", func() StatutLegal { s := good; s.VerifieLe = "2025-11-28"; return s }(), nil, nil},
		{"RC Pro expired yesterday", func() StatutLegal { s := good; s.RCProExpiration = "2026-11-26"; return s }(), nil, []string{AlerteRCProExpiree}},
		{"RC Pro ends today", func() StatutLegal { s := good; s.RCProExpiration = "2026-11-27"; return s }(), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.s
			var got []string
			for _, e := range s.Validate() {
				got = append(got, e.Champ)
			}
			if strings.Join(got, ",") != strings.Join(tt.wantFields, ",") {
				t.Errorf("fields = %v, want %v", got, tt.wantFields)
			}
			if tt.wantFields != nil {
				return
			}
			var alerts []string
			for _, a := range s.Alertes(now) {
				alerts = append(alerts, a.Code)
			}
			if strings.Join(alerts, ",") != strings.Join(tt.wantAlerts, ",") {
				t.Errorf("alertes = %v, want %v", alerts, tt.wantAlerts)
			}
		})
	}
}

func TestVersementGuard(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	accepted := now.Add(-time.Hour)
	ok := &ConventionResume{Version: 1, AccepteeLe: &accepted}
	fresh := &StatutLegal{Type: IntermediaireORIAS, NumeroORIAS: "07012345", Categorie: "courtier", VerifieLe: "2026-10-01",
		RCProAssureur: "Hiscox", RCProExpiration: "2027-03-31"}
	stale := &StatutLegal{Type: IntermediaireORIAS, NumeroORIAS: "07012345", Categorie: "courtier", VerifieLe: "2025-01-01",
		RCProAssureur: "Hiscox", RCProExpiration: "2026-01-31"}
	tests := []struct {
		name      string
		a         Apporteur
		confirme  bool
		wantCode  string
		wantInMsg string
		want      []string
	}{
		{"no convention", Apporteur{StatutLegal: fresh}, false, EUNPROCESSABLE, "convention d'apport acceptée", nil},
		{"convention waiting", Apporteur{StatutLegal: fresh, Convention: &ConventionResume{Version: 2}}, false, EUNPROCESSABLE, "version 2 attend", nil},
		{"no statut", Apporteur{Convention: ok}, false, EUNPROCESSABLE, "statut légal", nil},
		{"all well", Apporteur{StatutLegal: fresh, Convention: ok}, false, "", "", nil},
		{"indicateur", Apporteur{StatutLegal: &StatutLegal{Type: Indicateur}, Convention: ok}, false, "", "", nil},
		{"stale, not confirmed", Apporteur{StatutLegal: stale, Convention: ok}, false, EUNPROCESSABLE, "Confirmez", nil},
		{"stale, confirmed", Apporteur{StatutLegal: stale, Convention: ok}, true, "", "", []string{AlerteVerificationAncien, AlerteRCProExpiree}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := VersementGuard(tt.a, tt.confirme, now)
			if ErrorCode(err) != tt.wantCode && !(tt.wantCode == "" && err == nil) {
				t.Fatalf("err = %v, want code %q", err, tt.wantCode)
			}
			if err != nil && !strings.Contains(err.(*Error).Message, tt.wantInMsg) {
				t.Errorf("message %q lacks %q", err.(*Error).Message, tt.wantInMsg)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("confirmed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEncaissementEligible(t *testing.T) {
	tests := []struct {
		s     *StatutLegal
		annee int
		want  bool
	}{
		{&StatutLegal{Type: Indicateur}, 1, true},
		{&StatutLegal{Type: Indicateur}, 2, false},
		{&StatutLegal{Type: IntermediaireORIAS}, 5, true},
		{nil, 3, true},
	}
	for _, tt := range tests {
		if got, _ := EncaissementEligible(tt.s, tt.annee); got != tt.want {
			t.Errorf("EncaissementEligible(%+v, %d) = %v, want %v", tt.s, tt.annee, got, tt.want)
		}
	}
}
