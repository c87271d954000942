package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// What the stream projections derive must follow their source: a removed
// record (an import undone) takes its derived lines with it, and a record
// older than an erasure, delivered late or replayed, writes back nothing
// the erasure took away (issue 15).

// deleteItems removes items of MIA m straight from the table, as an
// import's undo removes what it created.
func deleteItems(t *testing.T, m crm.MIAID, sks ...string) {
	t.Helper()
	for _, sk := range sks {
		_, err := stack.Services.DynamoDB.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(stack.Table),
			Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: dynamo.MIAPK(m)}, "SK": &types.AttributeValueMemberS{Value: sk}}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// createdID posts body to path and returns the new entity's id.
func createdID(t *testing.T, tok, path string, body map[string]any, headers ...string) string {
	t.Helper()
	r := call(t, "POST", path, tok, body, headers...)
	wantStatus(t, r, 201)
	var v struct{ ID string }
	r.JSON(t, &v)
	return v.ID
}

// withoutNotifications drops the records of emails sent (NOTIFICATION#):
// an email sent stays sent, and its record only stops a second one.
func withoutNotifications(snap string) string {
	var keep []string
	for _, l := range strings.Split(snap, "\n") {
		if !strings.Contains(l, `"SK":"S:NOTIFICATION#`) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// TestStreamRemoveLeavesNothing: a contact brought by an apporteur, a tâche
// and a note on it give a relance, timeline lines, index words, dashboard
// contributions and counters and a retention clock; once they are removed
// (as an import's undo removes them) every handler takes its part back,
// and the partition is byte for byte what it was. Redelivered and replayed
// from the stream's start, the same.
func TestStreamRemoveLeavesNothing(t *testing.T) {
	a := newTenant(t, false)
	app, _ := newActiveApporteur(t, a.token, "rm")
	day := time.Now().Format(time.DateOnly)
	// A first contact of the apporteur with a tâche: the dashboard's
	// counters exist before, as in a MIA's real base.
	first := createContact(t, a.token, map[string]any{"nom": "Premier", "email": uniqEmail("rm1"), "apporteurId": app.ID})
	createdID(t, a.token, "/taches", map[string]any{"titre": "T1", "echeance": day, "cibleType": "contact", "cibleId": first.ID})
	waitStreams(t)
	before := withoutNotifications(snapshot(t, a.id))

	email := uniqEmail("rm2")
	c := createContact(t, a.token, map[string]any{"nom": "Retiré", "prenom": "Rémi", "email": email, "apporteurId": app.ID})
	tache := createdID(t, a.token, "/taches", map[string]any{"titre": "T2", "echeance": day, "cibleType": "contact", "cibleId": c.ID})
	note := createdID(t, a.token, "/notes", map[string]any{"cibleType": "contact", "cibleId": c.ID, "texte": "Une note"})
	waitStreams(t)
	during := snapshot(t, a.id)
	for _, want := range []string{dynamo.ActivitePrefix(string(c.ID)), "MOT#retire#", dynamo.ContributionSK("contact", string(c.ID)),
		dynamo.ContributionSK("tache", tache), dynamo.ConservationSK(c.ID), "Appeler Rémi Retiré", "#note#" + note} {
		if !strings.Contains(during, want) {
			t.Fatalf("before the removal the partition lacks %q", want)
		}
	}

	deleteItems(t, a.id, dynamo.ContactSK(c.ID), dynamo.UniqueEmailSK(email), dynamo.TacheSK(crm.TacheID(tache)), dynamo.NoteSK(crm.NoteID(note)))
	waitStreams(t)
	if after := withoutNotifications(snapshot(t, a.id)); after != before {
		t.Fatalf("after the removal the partition differs:\n%s", lineDiff(before, after, 10))
	}
	recs := streamRecords(t, a.id)
	var removes []int
	for i, r := range recs {
		if r.EventName == "REMOVE" {
			removes = append(removes, i)
		}
	}
	for _, i := range removes { // redelivered alone
		replay(t, projections(t), recs[i:i+1])
	}
	if after := withoutNotifications(snapshot(t, a.id)); after != before {
		t.Fatalf("after the removals redelivered the partition differs:\n%s", lineDiff(before, after, 10))
	}
	replay(t, projections(t), recs)
	if after := withoutNotifications(snapshot(t, a.id)); after != before {
		t.Fatalf("after a replay of the stream the partition differs:\n%s", lineDiff(before, after, 10))
	}
}

// TestEraseContactReplayedLate: the records written before an erasure
// (the contact, its affaire, tâches and notes about it), delivered after it
// or replayed with the whole stream, write back none of the person's data:
// no index word, timeline line, relance or tâche names them.
func TestEraseContactReplayedLate(t *testing.T) {
	a := newTenant(t, false)
	app, _ := newActiveApporteur(t, a.token, "late")
	mark := fmt.Sprintf("Lat%d", uniq())
	email, phone := uniqEmail("late"), uniqPhone()
	nom, prenom := "Nom"+mark, "Prenom"+mark
	c := createContact(t, a.token, map[string]any{"nom": nom, "prenom": prenom, "email": email, "telephone": phone, "apporteurId": app.ID})
	af := createdID(t, a.token, "/affaires", map[string]any{"clientId": c.ID, "produitId": "auto", "primeAnnuelleCentimes": 50000})
	for _, cible := range []struct{ typ, id string }{{"contact", string(c.ID)}, {"affaire", af}} {
		createdID(t, a.token, "/taches", map[string]any{"titre": "Rappeler " + prenom, "echeance": time.Now().Format(time.DateOnly),
			"cibleType": cible.typ, "cibleId": cible.id})
		createdID(t, a.token, "/notes", map[string]any{"cibleType": cible.typ, "cibleId": cible.id, "texte": "Joindre " + nom + " au " + phone})
	}
	waitStreams(t)
	late := streamRecords(t, a.id) // every record older than the erasure
	if s := search(t, a.token, strings.ToLower(nom)); !has(s.Contacts, string(c.ID)) || !has(s.Affaires, af) {
		t.Fatalf("before the erasure the search finds the contact and its affaire: %+v", s)
	}
	wantStatus(t, call(t, "POST", "/contacts/"+string(c.ID)+"/effacement", a.token, map[string]any{"confirmation": true}), 200)
	waitStreams(t)

	personal := []string{nom, prenom, email, "+33" + phone[1:], phone, mark}
	nowhere := func(when string) {
		t.Helper()
		snap := snapshot(t, a.id)
		for _, p := range personal {
			if i := strings.Index(snap, p); i >= 0 {
				t.Errorf("%s: the partition holds %q: …%s…", when, p, snap[max(0, i-200):min(len(snap), i+100)])
			}
		}
		for _, q := range []string{strings.ToLower(nom), strings.ToLower(prenom), email[:8]} {
			if s := search(t, a.token, q); len(s.Contacts)+len(s.Affaires) > 0 {
				t.Errorf("%s: search %q finds %+v", when, q, s)
			}
		}
	}
	nowhere("after the erasure")
	replay(t, projections(t), late)
	nowhere("after the older records delivered late")
	replay(t, projections(t), streamRecords(t, a.id))
	nowhere("after a replay of the whole stream")
	// The affaire is still found, anonymised, by its produit.
	r := call(t, "GET", "/affaires/"+af, a.token, nil)
	wantStatus(t, r, 200)
	var got crm.AffaireView
	r.JSON(t, &got)
	if got.ClientNom != crm.ContactEffaceNom || got.PrimeAnnuelleCentimes != 50000 {
		t.Errorf("affaire after the erasure: %q %d", got.ClientNom, got.PrimeAnnuelleCentimes)
	}
}

// TestEraseApporteurDeletesItsWork: erasing an apporteur deletes the tâches
// assigned to it and the notes it wrote; the MIA's own notes stay.
func TestEraseApporteurDeletesItsWork(t *testing.T) {
	a := newTenant(t, false)
	app, tok := newActiveApporteur(t, a.token, "work")
	mark := fmt.Sprintf("Wrk%d", uniq())
	c := createContact(t, a.token, map[string]any{"nom": "Client", "email": uniqEmail("work"), "apporteurId": app.ID})
	createdID(t, a.token, "/taches", map[string]any{"titre": "Tâche " + mark, "echeance": time.Now().Format(time.DateOnly), "apporteurId": app.ID})
	createdID(t, tok, "/espace-apporteur/notes", map[string]any{"contactId": string(c.ID), "texte": "Note de l'apporteur " + mark})
	miaNote := createdID(t, a.token, "/notes", map[string]any{"cibleType": "contact", "cibleId": c.ID, "texte": "Note de la MIA"})
	waitStreams(t)
	if snap := snapshot(t, a.id); strings.Count(snap, mark) < 2 {
		t.Fatalf("before the erasure the partition lacks the apporteur's work")
	}
	wantStatus(t, call(t, "POST", "/apporteurs/"+app.ID+"/effacement", a.token, map[string]any{"confirmation": true}), 200)
	waitStreams(t)
	snap := snapshot(t, a.id)
	if i := strings.Index(snap, mark); i >= 0 {
		t.Errorf("after the erasure the partition holds the apporteur's work: …%s…", snap[max(0, i-200):min(len(snap), i+100)])
	}
	if !strings.Contains(snap, dynamo.NoteSK(crm.NoteID(miaNote))) {
		t.Errorf("the MIA's own note was deleted")
	}
	if n := len(taches(t, a.token, "vue=aujourdhui")); n != 0 {
		t.Errorf("%d tâches left for today, want the apporteur's deleted", n)
	}
}

// TestEraseContactScrubsIdempotentReplies: the replies kept 24 h for an
// Idempotency-Key that name the erased person lose their answer; a retry
// of those requests is refused (422), never replayed with the person's
// data nor run twice; another person's reply still replays.
func TestEraseContactScrubsIdempotentReplies(t *testing.T) {
	a := newTenant(t, false)
	body := map[string]any{"nom": "Rejoue", "prenom": "Rose", "email": uniqEmail("idem")}
	id := createdID(t, a.token, "/contacts", body, "Idempotency-Key", "k-contact")
	affaire := map[string]any{"clientId": id, "produitId": "auto", "primeAnnuelleCentimes": 1000}
	createdID(t, a.token, "/affaires", affaire, "Idempotency-Key", "k-affaire")
	other := map[string]any{"nom": "Autre", "email": uniqEmail("idem2")}
	createdID(t, a.token, "/contacts", other, "Idempotency-Key", "k-autre")
	wantStatus(t, call(t, "POST", "/contacts/"+id+"/effacement", a.token, map[string]any{"confirmation": true}), 200)

	for key, b := range map[string]map[string]any{"k-contact": body, "k-affaire": affaire} {
		path := map[string]string{"k-contact": "/contacts", "k-affaire": "/affaires"}[key]
		r := call(t, "POST", path, a.token, b, "Idempotency-Key", key)
		if r.Status != 422 || strings.Contains(string(r.Body), "Rejoue") {
			t.Errorf("retry of %s after the erasure: %d %s, want 422 without the person", key, r.Status, r.Body)
		}
	}
	r := call(t, "POST", "/contacts", a.token, other, "Idempotency-Key", "k-autre")
	if r.Status != 201 || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("another person's reply: %d replayed %q, want 201 replayed", r.Status, r.Header.Get("Idempotent-Replayed"))
	}
}

// TestEraseContactCatchesLateNotes: notes written just before an erasure,
// whose records the stream has not yet turned into timeline lines (through
// which the erasure finds notes), are deleted when those records arrive;
// work written on the person's affaire after the erasure stays, even
// through a replay of the whole stream.
func TestEraseContactCatchesLateNotes(t *testing.T) {
	a := newTenant(t, false)
	mark := fmt.Sprintf("Tard%d", uniq())
	c := createContact(t, a.token, map[string]any{"nom": "Nom" + mark, "email": uniqEmail("tard")})
	af := createdID(t, a.token, "/affaires", map[string]any{"clientId": c.ID, "produitId": "auto", "primeAnnuelleCentimes": 40000})
	waitStreams(t)
	var notes []string
	for _, cible := range []struct{ typ, id string }{{"contact", string(c.ID)}, {"affaire", af}} {
		notes = append(notes, createdID(t, a.token, "/notes", map[string]any{"cibleType": cible.typ, "cibleId": cible.id, "texte": "Appeler " + mark}))
	}
	waitStreams(t)
	late := streamRecords(t, a.id)
	// As if the stream had not yet delivered them: no timeline line.
	var lines []string
	for _, l := range strings.Split(snapshot(t, a.id), "\n") {
		for _, n := range notes {
			if i := strings.Index(l, `"SK":"S:FIL#`); i >= 0 && strings.Contains(l, "#note#"+n) {
				sk := l[i+len(`"SK":"S:`):]
				lines = append(lines, sk[:strings.Index(sk, `"`)])
			}
		}
	}
	if len(lines) != 3 { // the contact's note on it; the affaire's on the affaire and on its client
		t.Fatalf("timeline lines of the notes: %q, want 3", lines)
	}
	deleteItems(t, a.id, lines...)
	wantStatus(t, call(t, "POST", "/contacts/"+string(c.ID)+"/effacement", a.token, map[string]any{"confirmation": true}), 200)
	waitStreams(t)
	if !strings.Contains(snapshot(t, a.id), mark) {
		t.Fatal("the erasure found the notes: the race is not reproduced")
	}
	after := createdID(t, a.token, "/taches", map[string]any{"titre": "Encaisser la prime", "echeance": crm.Day(time.Now()), "cibleType": "affaire", "cibleId": af})
	noteAfter := createdID(t, a.token, "/notes", map[string]any{"cibleType": "affaire", "cibleId": af, "texte": "Prime encaissée"})
	waitStreams(t)

	replay(t, projections(t), late)
	snap := snapshot(t, a.id)
	if i := strings.Index(snap, mark); i >= 0 {
		t.Errorf("after the late records the partition holds %q: …%s…", mark, snap[max(0, i-200):min(len(snap), i+100)])
	}
	replay(t, projections(t), streamRecords(t, a.id))
	snap = snapshot(t, a.id)
	for _, sk := range []string{dynamo.TacheSK(crm.TacheID(after)), dynamo.NoteSK(crm.NoteID(noteAfter))} {
		if !strings.Contains(snap, `"SK":"S:`+sk+`"`) {
			t.Errorf("%s, written on the affaire after the erasure, is gone after a replay", sk)
		}
	}
}
