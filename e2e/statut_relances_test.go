package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// TestRelancesOfAnApporteurStatut: an apporteur's ORIAS check over 12 months
// old and its RC Pro expiring within 30 days each make one tâche of the MIA
// on the apporteur, whatever the schedule or the stream repeat; a new check
// date or RC Pro expiry closes the open relance of the old one (faite,
// without the MIA; a dismissed one stays dismissed), and makes no relance
// before it is itself due.
func TestRelancesOfAnApporteurStatut(t *testing.T) {
	mia := newTenant(t, false)
	app, appTok := newActiveApporteur(t, mia.token, "statut-relance")
	now := time.Now()
	statutRC := func(verifie, expire string) map[string]any {
		return map[string]any{"statutLegal": map[string]any{"type": "intermediaire_orias", "numeroOrias": "07 012 345",
			"categorie": "courtier", "verifieLe": verifie, "rcProAssureur": "Hiscox", "rcProExpiration": expire}}
	}
	statut := func(verifie string) map[string]any { return statutRC(verifie, crm.Day(now.AddDate(0, 0, 20))) }
	wantStatus(t, call(t, "PATCH", "/apporteurs/"+app.ID, mia.token, statut(crm.Day(now.AddDate(-1, 0, -10)))), 200)
	waitStreams(t)
	run := func(at time.Time) {
		t.Helper()
		for range 2 { // a retried run creates nothing twice
			if err := stack.FireSchedule(context.Background(), "daily-relances", at.UTC()); err != nil {
				t.Fatal(err)
			}
		}
	}
	byKind := func(when string) map[string][]tacheJSON {
		t.Helper()
		out := map[string][]tacheJSON{}
		for _, tj := range taches(t, mia.token, "cibleId="+app.ID) {
			out[tj.Relance] = append(out[tj.Relance], tj)
			if tj.Cible == nil || tj.Cible.Type != "apporteur" || tj.Cible.ID != app.ID || tj.Cible.Nom != "Paul Martin" {
				t.Errorf("%s: tâche %q about %+v, want the apporteur Paul Martin", when, tj.Titre, tj.Cible)
			}
		}
		return out
	}
	want := func(when string, orias, rcpro int) map[string][]tacheJSON {
		t.Helper()
		got := byKind(when)
		if len(got["orias_verification"]) != orias || len(got["rc_pro_expiration"]) != rcpro || len(got) > 2 {
			t.Fatalf("%s: relances %+v, want %d ORIAS and %d RC Pro", when, got, orias, rcpro)
		}
		return got
	}

	run(now)
	got := want("after two runs", 1, 1)
	o, rc := got["orias_verification"][0], got["rc_pro_expiration"][0]
	if !strings.HasPrefix(o.Titre, "Vérifier l'immatriculation ORIAS de Paul Martin") || o.Statut != "a_faire" ||
		o.Echeance != crm.NextWorkingDay(crm.Day(now)) {
		t.Errorf("ORIAS relance %+v, want « Vérifier l'immatriculation ORIAS de Paul Martin … » due on the next working day", o)
	}
	if wantT := "expire le " + now.AddDate(0, 0, 20).In(crm.Paris).Format("02/01/2006"); !strings.Contains(rc.Titre, wantT) {
		t.Errorf("RC Pro relance %q, want it to say %q", rc.Titre, wantT)
	}
	// One tâche by id, as the digest's link opens it; the apporteur is not asked to do it.
	var one tacheJSON
	r := call(t, "GET", "/taches/"+o.ID, mia.token, nil)
	wantStatus(t, r, 200)
	r.JSON(t, &one)
	if one.ID != o.ID || one.Titre != o.Titre || r.Header.Get("ETag") == "" {
		t.Errorf("GET /taches/%s = %+v (ETag %q), want the relance", o.ID, one, r.Header.Get("ETag"))
	}
	if mine := list[tacheJSON](t, appTok, "/espace-apporteur/taches").Items; len(mine) != 0 {
		t.Errorf("the apporteur's tâches = %+v, want none: the relance is the MIA's", mine)
	}
	if today := list[tacheJSON](t, mia.token, "/taches?limit=200&vue="+map[bool]string{true: "aujourdhui", false: "a_venir"}[o.Echeance == crm.Day(now)]).Items; !containsTache(today, o.ID) {
		t.Errorf("the ORIAS relance is not in the MIA's list of its day")
	}

	// Dismissed, the RC Pro relance stays dismissed; the stream replayed twice makes nothing new.
	wantStatus(t, call(t, "PATCH", "/taches/"+rc.ID, mia.token, map[string]any{"statut": "ecartee"}), 200)
	waitStreams(t)
	recs := streamRecords(t, mia.id)
	replay(t, projections(t), recs)
	replay(t, projections(t), recs)
	run(now)
	if got := want("dismissed, replayed, run again", 1, 1); got["rc_pro_expiration"][0].Statut != "ecartee" {
		t.Errorf("RC Pro relance %+v, want still ecartee", got["rc_pro_expiration"][0])
	}

	// Checked today: the relance of the old check (which the MIA had set
	// for today, so the dashboard counts it) is done without her, and kept
	// in the history; replayed, the stream neither reopens nor makes it again.
	dueToday := func(id string) int {
		t.Helper()
		wantStatus(t, call(t, "PATCH", "/taches/"+id, mia.token, map[string]any{"echeance": crm.Day(now)}), 200)
		waitStreams(t)
		dashboardCountsOpenTaches(t, mia.token, "relance due today")
		if !containsTache(taches(t, mia.token, "vue=aujourdhui"), id) {
			t.Fatalf("relance %s set for today is not in the MIA's list of today", id)
		}
		return tacheOf(t, mia.token, id).Version
	}
	closedAlone := func(when string, id string, version int) {
		t.Helper()
		got := tacheOf(t, mia.token, id)
		if got.Statut != "faite" || got.FaiteLe == nil || got.Version != version {
			t.Errorf("%s: relance %s is %s (faite le %v, version %d), want faite, version %d", when, id, got.Statut, got.FaiteLe, got.Version, version)
		}
		if containsTache(taches(t, mia.token, "vue=aujourdhui"), id) {
			t.Errorf("%s: relance %s still in the MIA's list of today", when, id)
		}
		if !containsTache(taches(t, mia.token, "vue=faites"), id) {
			t.Errorf("%s: relance %s not in the MIA's tâches faites", when, id)
		}
		dashboardCountsOpenTaches(t, mia.token, when)
	}
	ov := dueToday(o.ID)
	wantStatus(t, call(t, "PATCH", "/apporteurs/"+app.ID, mia.token, statut(crm.Day(now))), 200)
	waitStreams(t)
	closedAlone("checked today", o.ID, ov+1)
	replay(t, projections(t), streamRecords(t, mia.id))
	run(now)
	want("checked today, replayed, run again", 1, 1)
	closedAlone("checked today, replayed", o.ID, ov+1)

	// No new relance until the new check is 12 months old.
	run(now.AddDate(1, 0, -1))
	want("checked again, 12 months minus a day later", 1, 1)
	run(now.AddDate(1, 0, 1))
	got = want("12 months and a day after the new check", 2, 1)
	newest := got["orias_verification"][0]
	if newest.ID == o.ID {
		newest = got["orias_verification"][1]
	}
	if wantT := "dernière vérification le " + now.In(crm.Paris).Format("02/01/2006"); !strings.Contains(newest.Titre, wantT) {
		t.Errorf("new ORIAS relance %q, want it to say %q", newest.Titre, wantT)
	}

	// The RC Pro renewed: the open relance of the old expiry is done, the
	// one the MIA dismissed stays dismissed, and none comes for the new
	// expiry a year away.
	soon := crm.Day(now.AddDate(0, 0, 25))
	wantStatus(t, call(t, "PATCH", "/apporteurs/"+app.ID, mia.token, statutRC(crm.Day(now), soon)), 200)
	waitStreams(t)
	run(now)
	got = want("RC Pro about to expire again", 2, 2)
	var rc2 tacheJSON
	for _, tj := range got["rc_pro_expiration"] {
		if tj.ID != rc.ID {
			rc2 = tj
		}
	}
	if rc2.Statut != "a_faire" || !strings.Contains(rc2.Titre, now.AddDate(0, 0, 25).In(crm.Paris).Format("02/01/2006")) {
		t.Fatalf("RC Pro relance of the new expiry %+v, want open about %s", rc2, soon)
	}
	rv := dueToday(rc2.ID)
	wantStatus(t, call(t, "PATCH", "/apporteurs/"+app.ID, mia.token, statutRC(crm.Day(now), crm.Day(now.AddDate(1, 1, 0)))), 200)
	waitStreams(t)
	closedAlone("RC Pro renewed", rc2.ID, rv+1)
	for range 2 {
		replay(t, projections(t), streamRecords(t, mia.id))
	}
	run(now)
	want("RC Pro renewed, replayed, run again", 2, 2)
	closedAlone("RC Pro renewed, replayed", rc2.ID, rv+1)
	if d := tacheOf(t, mia.token, rc.ID); d.Statut != "ecartee" {
		t.Errorf("dismissed RC Pro relance after the renewal: %s, want still ecartee", d.Statut)
	}
	if n := tacheOf(t, mia.token, newest.ID); n.Statut != "a_faire" {
		t.Errorf("ORIAS relance of the current check after the RC Pro renewal: %s, want still a_faire", n.Statut)
	}

	// Another MIA's id: 404, like an unknown one.
	other := newTenant(t, false)
	wantStatus(t, call(t, "GET", "/taches/"+o.ID, other.token, nil), 404)

	// Erased, the apporteur leaves no relance naming it.
	wantStatus(t, call(t, "POST", "/apporteurs/"+app.ID+"/effacement", mia.token, map[string]any{"confirmation": true}), 200)
	if got := taches(t, mia.token, "cibleId="+app.ID); len(got) != 0 {
		t.Errorf("relances after the erasure: %+v, want none", got)
	}
	wantStatus(t, call(t, "GET", "/taches/"+o.ID, mia.token, nil), 404)
}

// tacheOf reads one tâche by id.
func tacheOf(t *testing.T, tok, id string) tacheJSON {
	t.Helper()
	var tj tacheJSON
	r := call(t, "GET", "/taches/"+id, tok, nil)
	wantStatus(t, r, 200)
	r.JSON(t, &tj)
	return tj
}

// dashboardCountsOpenTaches checks the dashboard's tâches due today and
// late against a recount of the MIA's lists.
func dashboardCountsOpenTaches(t *testing.T, tok, when string) {
	t.Helper()
	var tb crm.Tableau
	r := call(t, "GET", "/tableau-de-bord", tok, nil)
	wantStatus(t, r, 200)
	r.JSON(t, &tb)
	auj, retard := int64(len(taches(t, tok, "vue=aujourdhui"))), int64(len(taches(t, tok, "vue=en_retard")))
	if tb.Taches.Aujourdhui != auj || tb.Taches.EnRetard != retard {
		t.Errorf("%s: dashboard tâches %+v, recount aujourd'hui %d en retard %d", when, tb.Taches, auj, retard)
	}
}

func containsTache(ts []tacheJSON, id string) bool {
	for _, tj := range ts {
		if tj.ID == id {
			return true
		}
	}
	return false
}
