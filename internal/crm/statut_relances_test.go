package crm

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestStatutReveils(t *testing.T) {
	orias := func(verifie, rcpro string) *StatutLegal {
		return &StatutLegal{Type: IntermediaireORIAS, NumeroORIAS: "07012345", Categorie: "courtier",
			VerifieLe: verifie, RCProAssureur: "Hiscox", RCProExpiration: rcpro}
	}
	for _, tc := range []struct {
		name            string
		s               *StatutLegal
		wantORIAS       string // day of the ORIAS wake-up, "" for none
		wantRCPro       string
		wantRCProRef    string
		wantORIASRefDay string
	}{
		{"no status", nil, "", "", "", ""},
		{"indicateur", &StatutLegal{Type: Indicateur}, "", "", "", ""},
		{"checked, insured", orias("2025-11-27", "2027-03-31"), "2026-11-27", "2027-03-01", "2027-03-31", "2025-11-27"},
		{"leap day check: stale on the 1st of March", orias("2024-02-29", "2026-01-10"), "2025-03-01", "2025-12-11", "2026-01-10", "2024-02-29"},
		{"30 days over a month end", orias("2026-01-15", "2026-03-01"), "2027-01-15", "2026-01-30", "2026-03-01", "2026-01-15"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := StatutReveils("M", "P", tc.s)
			var gotORIAS, gotRCPro, gotRCProRef, gotORIASRef string
			for _, r := range got {
				if r.MIA != "M" || r.ApporteurID != "P" {
					t.Errorf("wake-up %+v, want MIA M, apporteur P", r)
				}
				switch r.Kind {
				case RelanceORIAS:
					gotORIAS, gotORIASRef = r.Day, r.Ref
				case RelanceRCPro:
					gotRCPro, gotRCProRef = r.Day, r.Ref
				}
			}
			if gotORIAS != tc.wantORIAS || gotORIASRef != tc.wantORIASRefDay {
				t.Errorf("ORIAS wake-up on %q (ref %q), want %q (ref %q)", gotORIAS, gotORIASRef, tc.wantORIAS, tc.wantORIASRefDay)
			}
			if gotRCPro != tc.wantRCPro || gotRCProRef != tc.wantRCProRef {
				t.Errorf("RC Pro wake-up on %q (ref %q), want %q (ref %q)", gotRCPro, gotRCProRef, tc.wantRCPro, tc.wantRCProRef)
			}
		})
	}
}

// The ORIAS wake-up falls on the first day the fiche warns of a stale check.
func TestORIASReveilIsTheFirstStaleDay(t *testing.T) {
	for _, v := range []string{"2025-11-27", "2024-02-29", "2025-12-31", "2026-03-31"} {
		s := &StatutLegal{Type: IntermediaireORIAS, VerifieLe: v, RCProExpiration: "2030-01-01"}
		day, _ := time.Parse(time.DateOnly, StatutReveils("M", "P", s)[0].Day)
		noon := func(d time.Time) time.Time { return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, Paris) }
		if s.VerificationStale(noon(day.AddDate(0, 0, -1))) {
			t.Errorf("check of %s: stale the day before its wake-up %s", v, day.Format(time.DateOnly))
		}
		if !s.VerificationStale(noon(day)) {
			t.Errorf("check of %s: not stale on its wake-up %s", v, day.Format(time.DateOnly))
		}
	}
}

func TestNextWorkingDay(t *testing.T) {
	for _, tc := range []struct{ day, want string }{
		{"2026-11-27", "2026-11-27"}, // a Friday
		{"2026-11-28", "2026-11-30"}, // Saturday → Monday
		{"2026-12-25", "2026-12-28"}, // Christmas, a Friday → Monday
		{"2027-03-27", "2027-03-30"}, // Saturday before Easter Monday 2027 → Tuesday
		{"2026-05-14", "2026-05-15"}, // Ascension
	} {
		if got := NextWorkingDay(tc.day); got != tc.want {
			t.Errorf("NextWorkingDay(%s) = %s, want %s", tc.day, got, tc.want)
		}
	}
}

func TestStatutRelance(t *testing.T) {
	a := Apporteur{ID: "01JAPPORTEUR0000000000000A", Prenom: "Julie", Nom: "Lefèvre", Statut: ApporteurActif,
		StatutLegal: &StatutLegal{Type: IntermediaireORIAS, VerifieLe: "2025-10-01", RCProExpiration: "2026-12-20"}}
	orias := Reveil{Day: "2026-10-01", Kind: RelanceORIAS, MIA: "M", ApporteurID: a.ID, Ref: "2025-10-01"}
	rcpro := Reveil{Day: "2026-11-20", Kind: RelanceRCPro, MIA: "M", ApporteurID: a.ID, Ref: "2026-12-20"}
	tests := []struct {
		name      string
		r         Reveil
		a         func(Apporteur) Apporteur
		today     string
		wantTitre string
		wantDue   string
	}{
		{"ORIAS check a year old", orias, nil, "2026-11-27",
			"Vérifier l'immatriculation ORIAS de Julie Lefèvre (dernière vérification le 01/10/2025)", "2026-11-27"},
		{"RC Pro: due on Monday when woken on a Saturday", rcpro, nil, "2026-11-28",
			"Demander à Julie Lefèvre sa nouvelle attestation de RC Pro (expire le 20/12/2026)", "2026-11-30"},
		{"RC Pro recorded already expired", rcpro, nil, "2026-12-21",
			"Demander à Julie Lefèvre sa nouvelle attestation de RC Pro (a expiré le 20/12/2026)", "2026-12-21"},
		{"check date changed since", orias, func(a Apporteur) Apporteur {
			s := *a.StatutLegal
			s.VerifieLe = "2026-11-02"
			a.StatutLegal = &s
			return a
		}, "2026-11-27", "", ""},
		{"RC Pro renewed since", rcpro, func(a Apporteur) Apporteur {
			s := *a.StatutLegal
			s.RCProExpiration = "2027-12-20"
			a.StatutLegal = &s
			return a
		}, "2026-11-27", "", ""},
		{"now an indicateur", orias, func(a Apporteur) Apporteur { a.StatutLegal = &StatutLegal{Type: Indicateur}; return a }, "2026-11-27", "", ""},
		{"deactivated", orias, func(a Apporteur) Apporteur { a.Statut = ApporteurDesactive; return a }, "2026-11-27", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := a
			if tc.a != nil {
				app = tc.a(a)
			}
			got, ok := StatutRelance(tc.r, app, tc.today)
			if !ok {
				if tc.wantTitre != "" {
					t.Fatalf("no relance, want %q", tc.wantTitre)
				}
				return
			}
			if tc.wantTitre == "" {
				t.Fatalf("relance %+v, want none", got)
			}
			if got.Titre != tc.wantTitre || got.Echeance != tc.wantDue {
				t.Errorf("relance %q due %s, want %q due %s", got.Titre, got.Echeance, tc.wantTitre, tc.wantDue)
			}
			if got.Cible == nil || got.Cible.Type != CibleApporteur || got.Cible.ID != string(a.ID) || got.ApporteurID != "" {
				t.Errorf("relance on %+v assigned to %q, want on the apporteur, assigned to nobody", got.Cible, got.ApporteurID)
			}
			again, _ := StatutRelance(tc.r, app, "2026-12-15")
			if again.ID != got.ID || !IsULID(string(got.ID)) {
				t.Errorf("id %s then %s on another day: want one id per watched date", got.ID, again.ID)
			}
		})
	}
}

func TestOutdatedStatutRelances(t *testing.T) {
	const m, p = MIAID("M"), ApporteurID("P")
	orias := func(verifie, rcpro string) *StatutLegal {
		return &StatutLegal{Type: IntermediaireORIAS, NumeroORIAS: "07012345", VerifieLe: verifie, RCProAssureur: "Hiscox", RCProExpiration: rcpro}
	}
	oriasOf := func(ref string) TacheID { return StatutRelanceID(RelanceORIAS, m, p, ref) }
	rcproOf := func(ref string) TacheID { return StatutRelanceID(RelanceRCPro, m, p, ref) }
	for _, tc := range []struct {
		name     string
		old, cur *StatutLegal
		want     []TacheID
	}{
		{"status first recorded", nil, orias("2025-10-01", "2026-12-20"), nil},
		{"unchanged (the apporteur moved for another reason)", orias("2025-10-01", "2026-12-20"), orias("2025-10-01", "2026-12-20"), nil},
		{"other fields changed", orias("2025-10-01", "2026-12-20"), &StatutLegal{Type: IntermediaireORIAS, NumeroORIAS: "07099999",
			VerifieLe: "2025-10-01", RCProAssureur: "AXA", RCProExpiration: "2026-12-20"}, nil},
		{"checked again", orias("2025-10-01", "2026-12-20"), orias("2026-11-27", "2026-12-20"), []TacheID{oriasOf("2025-10-01")}},
		{"RC Pro renewed", orias("2025-10-01", "2026-12-20"), orias("2025-10-01", "2027-12-20"), []TacheID{rcproOf("2026-12-20")}},
		{"both dates new", orias("2025-10-01", "2026-12-20"), orias("2026-11-27", "2027-12-20"),
			[]TacheID{oriasOf("2025-10-01"), rcproOf("2026-12-20")}},
		{"check date cleared", orias("2025-10-01", "2026-12-20"), orias("", "2026-12-20"), []TacheID{oriasOf("2025-10-01")}},
		{"now an indicateur", orias("2025-10-01", "2026-12-20"), &StatutLegal{Type: Indicateur},
			[]TacheID{oriasOf("2025-10-01"), rcproOf("2026-12-20")}},
		{"status removed", orias("2025-10-01", "2026-12-20"), nil, []TacheID{oriasOf("2025-10-01"), rcproOf("2026-12-20")}},
		{"was an indicateur", &StatutLegal{Type: Indicateur}, orias("2025-10-01", "2026-12-20"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := OutdatedStatutRelances(m, p, tc.old, tc.cur); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	// The id is the one the relance was made with.
	a := Apporteur{ID: p, Nom: "Lefèvre", Statut: ApporteurActif, StatutLegal: orias("2025-10-01", "2026-12-20")}
	made, _ := StatutRelance(Reveil{Kind: RelanceORIAS, MIA: m, ApporteurID: p, Ref: "2025-10-01"}, a, "2026-11-27")
	if got := OutdatedStatutRelances(m, p, a.StatutLegal, orias("2026-11-27", "2026-12-20")); len(got) != 1 || got[0] != made.ID {
		t.Errorf("outdated %v, want the id of the relance made, %s", got, made.ID)
	}
}

func TestCloseOutdatedRelance(t *testing.T) {
	created := time.Date(2026, 10, 1, 6, 0, 0, 0, time.UTC)
	since := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC) // the new date recorded
	now := since.Add(2 * time.Second)                       // the stream's turn
	open := Tache{ID: "T", Titre: "Vérifier l'immatriculation ORIAS de Julie Lefèvre", Echeance: "2026-10-01",
		Statut: TacheAFaire, Relance: RelanceORIAS, CreatedAt: created, UpdatedAt: created, Version: 1}
	with := func(f func(*Tache)) Tache { t := open; f(&t); return t }
	for _, tc := range []struct {
		name string
		t    Tache
		want bool
	}{
		{"open, untouched", open, true},
		{"RC Pro, postponed by the MIA before the new date", with(func(t *Tache) {
			t.Relance, t.Echeance, t.UpdatedAt, t.Version = RelanceRCPro, "2026-11-30", since.Add(-time.Hour), 2
		}), true},
		{"dismissed", with(func(t *Tache) { t.Statut, t.UpdatedAt, t.Version = TacheEcartee, since.Add(-time.Hour), 2 }), false},
		{"done by the MIA", with(func(t *Tache) { f := since.Add(-time.Hour); t.Statut, t.FaiteLe, t.Version = TacheFaite, &f, 2 }), false},
		{"already closed (a record delivered again)", with(func(t *Tache) { t.Statut, t.FaiteLe, t.UpdatedAt, t.Version = TacheFaite, &now, now, 2 }), false},
		{"reopened by the MIA after the new date", with(func(t *Tache) { t.UpdatedAt, t.Version = now.Add(time.Hour), 3 }), false},
		{"made after the new date was recorded", with(func(t *Tache) { t.CreatedAt, t.UpdatedAt = now, now }), false},
		{"not a relance of the legal status", with(func(t *Tache) { t.Relance = RelanceAppel }), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := CloseOutdatedRelance(tc.t, since, now)
			if ok != tc.want {
				t.Fatalf("closed %v, want %v", ok, tc.want)
			}
			if !ok {
				if !reflect.DeepEqual(got, tc.t) {
					t.Errorf("got %+v, want the tâche unchanged", got)
				}
				return
			}
			if got.Statut != TacheFaite || got.FaiteLe == nil || !got.FaiteLe.Equal(now) || !got.UpdatedAt.Equal(now) || got.Version != tc.t.Version+1 {
				t.Errorf("got statut %s faite le %v updated %v version %d, want faite at %v, version %d",
					got.Statut, got.FaiteLe, got.UpdatedAt, got.Version, now, tc.t.Version+1)
			}
			if got.ID != tc.t.ID || got.Titre != tc.t.Titre || got.Echeance != tc.t.Echeance || !got.CreatedAt.Equal(tc.t.CreatedAt) {
				t.Errorf("got %+v, want only its statut changed from %+v", got, tc.t)
			}
		})
	}
}
