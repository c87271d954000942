package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/consumers"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/ddbevent"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// Daily work (issue 14): relances created once whatever the stream
// redelivers, the digest holding exactly the tâches due, private notes
// never in an apporteur's answers, dashboard counters equal to a recount.

type tacheJSON struct {
	ID       string     `json:"id"`
	Titre    string     `json:"titre"`
	Echeance string     `json:"echeance"`
	Statut   string     `json:"statut"`
	Relance  string     `json:"relance"`
	Version  int        `json:"version"`
	FaiteLe  *time.Time `json:"faiteLe"`
	Cible    *struct {
		Type, ID, Nom, ClientID string
	} `json:"cible"`
}

type activiteJSON struct {
	Type   string `json:"type"`
	Resume string `json:"resume"`
	At     time.Time
	Note   *struct {
		Texte    string
		Versions []struct{ Texte string }
	}
}

// streamRecords reads the whole table stream from its start (TRIM_HORIZON)
// and returns, in order, the records of MIA m's items.
func streamRecords(t *testing.T, m crm.MIAID) []events.DynamoDBEventRecord {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("eu-west-3"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	if err != nil {
		t.Fatal(err)
	}
	c := dynamodbstreams.NewFromConfig(cfg, func(o *dynamodbstreams.Options) { o.BaseEndpoint = aws.String(stack.DynamoURL) })
	ls, err := c.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String(stack.Table)})
	if err != nil || len(ls.Streams) == 0 {
		t.Fatalf("list streams: %v", err)
	}
	arn := ls.Streams[0].StreamArn
	ds, err := c.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	pk := "MIA#" + string(m)
	var out []events.DynamoDBEventRecord
	for _, sh := range ds.StreamDescription.Shards {
		it, err := c.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: arn, ShardId: sh.ShardId,
			ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		iter := it.ShardIterator
		for empty := 0; iter != nil && empty < 2; {
			res, err := c.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(1000)})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Records) == 0 {
				empty++
			}
			for _, r := range res.Records {
				if v, ok := r.Dynamodb.Keys["PK"].(*streamtypes.AttributeValueMemberS); !ok || v.Value != pk {
					continue
				}
				ev, err := ddbevent.Record(r, aws.ToString(arn), "eu-west-3")
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, ev)
			}
			iter = res.NextShardIterator
		}
	}
	return out
}

// replay delivers records to a reader again, in batches as Lambda would.
func replay(t *testing.T, h consumers.Handler, recs []events.DynamoDBEventRecord) {
	t.Helper()
	for i := 0; i < len(recs); i += 50 {
		resp, err := h(context.Background(), events.DynamoDBEvent{Records: recs[i:min(i+50, len(recs))]})
		if err != nil || len(resp.BatchItemFailures) > 0 {
			t.Fatalf("replay: %+v %v", resp, err)
		}
	}
}

func projections(t *testing.T) consumers.Handler {
	t.Helper()
	h, err := consumers.Projections(stack.Services.Consumers)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func taches(t *testing.T, tok, query string) []tacheJSON {
	t.Helper()
	return list[tacheJSON](t, tok, "/taches?limit=200&"+query).Items
}

func TestRelanceOfABroughtContactOnce(t *testing.T) {
	mia := newTenant(t, false)
	app, appTok := newActiveApporteur(t, mia.token, "relance")
	r := call(t, "POST", "/espace-apporteur/contacts", appTok, map[string]any{"nom": "Lefèvre", "prenom": "Anne", "email": uniqEmail("relance")})
	wantStatus(t, r, 201)
	var c struct {
		ID        string
		CreatedAt time.Time
	}
	r.JSON(t, &c)
	waitStreams(t)

	check := func(when string, statut string) tacheJSON {
		t.Helper()
		got := taches(t, mia.token, "cibleId="+c.ID)
		if len(got) != 1 {
			t.Fatalf("%s: %d tâches on the contact, want the 1 relance: %+v", when, len(got), got)
		}
		want := tacheJSON{ID: got[0].ID, Titre: "Appeler Anne Lefèvre", Echeance: crm.AddWorkingDays(c.CreatedAt, 2),
			Statut: statut, Relance: "appel_apporteur", Version: got[0].Version, Cible: got[0].Cible}
		if got[0] != want {
			t.Errorf("%s: relance %+v, want %+v", when, got[0], want)
		}
		return got[0]
	}
	rel := check("after the stream", "a_faire")

	// The stream redelivers everything of this MIA, twice: still one relance.
	recs := streamRecords(t, mia.id)
	replay(t, projections(t), recs)
	replay(t, projections(t), recs)
	check("after two replays", "a_faire")

	// Dismissed, it stays dismissed when the event comes again.
	r = call(t, "PATCH", "/taches/"+rel.ID, mia.token, map[string]any{"statut": "ecartee"})
	wantStatus(t, r, 200)
	waitStreams(t)
	replay(t, projections(t), recs)
	check("dismissed, then replayed", "ecartee")

	// Assigned to the apporteur, it is in its "Mes tâches"; done by it, it leaves.
	r = call(t, "PATCH", "/taches/"+rel.ID, mia.token, map[string]any{"statut": "a_faire", "apporteurId": app.ID})
	wantStatus(t, r, 200)
	mine := list[tacheJSON](t, appTok, "/espace-apporteur/taches").Items
	if len(mine) != 1 || mine[0].ID != rel.ID {
		t.Fatalf("Mes tâches = %+v, want the relance", mine)
	}
	if r := call(t, "PATCH", "/espace-apporteur/taches/"+rel.ID, appTok, map[string]any{"statut": "faite"}); r.Status != 200 {
		t.Fatalf("apporteur marks done: %d %s", r.Status, r.Body)
	}
	if mine := list[tacheJSON](t, appTok, "/espace-apporteur/taches").Items; len(mine) != 0 {
		t.Errorf("Mes tâches after done = %+v, want none", mine)
	}
	// Another apporteur cannot touch it.
	_, otherTok := newActiveApporteur(t, mia.token, "relance-autre")
	if r := call(t, "PATCH", "/espace-apporteur/taches/"+rel.ID, otherTok, map[string]any{"statut": "a_faire"}); r.Status != 404 {
		t.Errorf("another apporteur's PATCH = %d, want 404", r.Status)
	}
}

func TestTachesListsAndTimeline(t *testing.T) {
	mia := newTenant(t, false)
	c := createContact(t, mia.token, map[string]any{"nom": "Moreau", "prenom": "Luc", "email": uniqEmail("fil")})
	today := crm.Day(time.Now())
	day := func(d int) string {
		v, _ := time.Parse(time.DateOnly, today)
		return v.AddDate(0, 0, d).Format(time.DateOnly)
	}
	mk := func(titre, echeance string, extra map[string]any) tacheJSON {
		body := map[string]any{"titre": titre, "echeance": echeance}
		for k, v := range extra {
			body[k] = v
		}
		r := call(t, "POST", "/taches", mia.token, body)
		wantStatus(t, r, 201)
		var tj tacheJSON
		r.JSON(t, &tj)
		return tj
	}
	a := mk("Appeler Luc", today, map[string]any{"heure": "09:30", "cibleType": "contact", "cibleId": string(c.ID)})
	b := mk("Envoyer le devis", day(-2), map[string]any{"cibleType": "contact", "cibleId": string(c.ID)})
	f := mk("Préparer le rendez-vous", day(5), nil)
	ids := func(ts []tacheJSON) []string {
		var out []string
		for _, x := range ts {
			out = append(out, x.ID)
		}
		return out
	}
	for vue, want := range map[string][]string{"aujourdhui": {a.ID}, "en_retard": {b.ID}, "a_venir": {f.ID}} {
		if got := ids(taches(t, mia.token, "vue="+vue)); !slices.Equal(got, want) {
			t.Errorf("vue %s = %v, want %v", vue, got, want)
		}
	}
	r := call(t, "PATCH", "/taches/"+a.ID, mia.token, map[string]any{"statut": "faite"}, "If-Match", `"1"`)
	wantStatus(t, r, 200)
	if got := ids(taches(t, mia.token, "vue=aujourdhui")); len(got) != 0 {
		t.Errorf("Aujourd'hui after done = %v, want empty", got)
	}
	if got := ids(taches(t, mia.token, "vue=faites")); !slices.Equal(got, []string{a.ID}) {
		t.Errorf("Faites = %v, want [%s]", got, a.ID)
	}
	if r := call(t, "PATCH", "/taches/"+a.ID, mia.token, map[string]any{"titre": "x"}, "If-Match", `"1"`); r.Status != 412 {
		t.Errorf("stale If-Match = %d, want 412", r.Status)
	}
	wantProblem(t, call(t, "POST", "/taches", mia.token, map[string]any{"titre": "", "echeance": "27/11/2026"}), 400, "titre")

	// Notes: one edited (history kept); the timeline holds it all, newest first.
	r = call(t, "POST", "/notes", mia.token, map[string]any{"cibleType": "contact", "cibleId": string(c.ID), "texte": "Premier appel.\nRappeler lundi."})
	wantStatus(t, r, 201)
	var note struct {
		ID string
	}
	r.JSON(t, &note)
	r = call(t, "PATCH", "/notes/"+note.ID, mia.token, map[string]any{"texte": "Premier appel : intéressé.\nRappeler lundi."})
	wantStatus(t, r, 200)
	waitStreams(t)
	fil := list[activiteJSON](t, mia.token, "/activite/"+string(c.ID)).Items
	var types []string
	for _, x := range fil {
		types = append(types, x.Type)
	}
	for _, want := range []string{"creation", "tache_creee", "tache_faite", "note"} {
		if !slices.Contains(types, want) {
			t.Errorf("timeline %v lacks %s", types, want)
		}
	}
	for i := 1; i < len(fil); i++ {
		if fil[i].At.After(fil[i-1].At) {
			t.Errorf("timeline not newest first at %d: %v after %v", i, fil[i].At, fil[i-1].At)
		}
	}
	for _, x := range fil {
		if x.Type == "note" && (x.Note == nil || !strings.HasPrefix(x.Note.Texte, "Premier appel : intéressé.\n") ||
			len(x.Note.Versions) != 1 || x.Note.Versions[0].Texte != "Premier appel.\nRappeler lundi.") {
			t.Errorf("note in the timeline = %+v, want the edited text and the former one kept", x.Note)
		}
	}
	if p := list[activiteJSON](t, mia.token, "/activite/"+string(c.ID)+"?limit=1"); len(p.Items) != 1 {
		t.Errorf("timeline page of 1: %d items", len(p.Items))
	}
	_ = b
}

func TestPrivateNoteNeverReachesTheApporteur(t *testing.T) {
	mia := newTenant(t, false)
	app, appTok := newActiveApporteur(t, mia.token, "notes")
	c := createContact(t, mia.token, map[string]any{"nom": "Girard", "email": uniqEmail("notes"), "apporteurId": app.ID})
	r := call(t, "POST", "/affaires", mia.token, map[string]any{"clientId": string(c.ID), "produitId": "auto", "primeAnnuelleCentimes": 50000})
	wantStatus(t, r, 201)
	var af struct{ ID string }
	r.JSON(t, &af)
	secret := fmt.Sprintf("Secret%dMarge", uniq())
	for _, body := range []map[string]any{
		{"cibleType": "contact", "cibleId": string(c.ID), "texte": secret + " contact"},
		{"cibleType": "affaire", "cibleId": af.ID, "texte": secret + " affaire", "partagee": false},
		{"cibleType": "contact", "cibleId": string(c.ID), "texte": "Partagée avec vous", "partagee": true},
	} {
		wantStatus(t, call(t, "POST", "/notes", mia.token, body), 201)
	}
	r = call(t, "POST", "/espace-apporteur/notes", appTok, map[string]any{"contactId": string(c.ID), "texte": "Le client préfère être appelé le soir."})
	wantStatus(t, r, 201)
	var own struct{ ID string }
	r.JSON(t, &own)
	waitStreams(t)

	notes := list[struct{ Texte, Auteur string }](t, appTok, "/espace-apporteur/notes?contactId="+string(c.ID)).Items
	var texts []string
	for _, n := range notes {
		texts = append(texts, n.Texte)
	}
	slices.Sort(texts)
	if want := []string{"Le client préfère être appelé le soir.", "Partagée avec vous"}; !slices.Equal(texts, want) {
		t.Errorf("apporteur's notes = %q, want %q", texts, want)
	}
	for _, path := range []string{"/espace-apporteur/notes", "/espace-apporteur/notes?contactId=" + string(c.ID), "/espace-apporteur/contacts",
		"/espace-apporteur/affaires", "/espace-apporteur/commissions", "/espace-apporteur/taches", "/espace-apporteur/profil"} {
		if r := call(t, "GET", path, appTok, nil); strings.Contains(string(r.Body), secret) {
			t.Errorf("GET %s shows the private note: %s", path, r.Body)
		}
	}
	// The MIA sees the apporteur's note on the contact's timeline.
	if fil := call(t, "GET", "/activite/"+string(c.ID), mia.token, nil); !strings.Contains(string(fil.Body), "appelé le soir") {
		t.Errorf("the MIA's timeline lacks the apporteur's note: %s", fil.Body)
	}
	// An apporteur writes only on its own contacts.
	other := createContact(t, mia.token, map[string]any{"nom": "Autre", "email": uniqEmail("notes-autre")})
	wantProblem(t, call(t, "POST", "/espace-apporteur/notes", appTok, map[string]any{"contactId": string(other.ID), "texte": "x"}), 422, "cibleId")
}

// workingDayFrom is day (or the next working day) at 8:00 in Paris.
func workingDayFrom(t time.Time) time.Time {
	y, m, d := t.In(crm.Paris).Date()
	day := time.Date(y, m, d, 8, 0, 0, 0, crm.Paris)
	for !crm.IsWorkingDay(day) {
		day = day.AddDate(0, 0, 1)
	}
	return day
}

func newTenantWithEmail(t *testing.T) (tenant, string) {
	t.Helper()
	email := uniqEmail("digest-mia")
	const password = "E2e-Password-2026"
	id, err := stack.CreateMIA(context.Background(), email, password, false)
	if err != nil {
		t.Fatal(err)
	}
	return tenant{id: id, token: login(t, "mia", email, password)}, email
}

func TestDigestHoldsExactlyTheDueTaches(t *testing.T) {
	withTasks, emailA := newTenantWithEmail(t)
	without, emailB := newTenantWithEmail(t)
	at := workingDayFrom(time.Now())
	day := at.Format(time.DateOnly)
	before := at.AddDate(0, 0, -3).Format(time.DateOnly)
	after := at.AddDate(0, 0, 3).Format(time.DateOnly)
	var due []string
	for i, echeance := range []string{day, day, before, after} {
		r := call(t, "POST", "/taches", withTasks.token, map[string]any{"titre": fmt.Sprintf("Tâche %d", i), "echeance": echeance})
		wantStatus(t, r, 201)
		var tj tacheJSON
		r.JSON(t, &tj)
		if echeance != after {
			due = append(due, tj.ID)
		}
	}
	// Done tâches are not due.
	r := call(t, "POST", "/taches", withTasks.token, map[string]any{"titre": "Déjà faite", "echeance": day})
	var done tacheJSON
	r.JSON(t, &done)
	wantStatus(t, call(t, "PATCH", "/taches/"+done.ID, withTasks.token, map[string]any{"statut": "faite"}), 200)
	wantStatus(t, call(t, "POST", "/taches", without.token, map[string]any{"titre": "Plus tard", "echeance": after}), 201)
	waitStreams(t)

	for range 2 { // a retried run sends nothing more
		if err := stack.FireSchedule(context.Background(), "morning-digest", at.UTC()); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(emailsTo(t, emailB)); n != 0 {
		t.Errorf("%d digests to a MIA with nothing due, want 0", n)
	}
	got := emailsTo(t, emailA)
	if len(got) != 1 {
		t.Fatalf("%d digests, want 1", len(got))
	}
	var linked []string
	for _, l := range strings.Fields(got[0].Text) {
		u, err := url.Parse(l)
		if err != nil || !strings.HasPrefix(u.Path, "/mia/taches/") {
			continue
		}
		id := strings.TrimPrefix(u.Path, "/mia/taches/")
		linked = append(linked, id)
	}
	slices.Sort(linked)
	slices.Sort(due)
	if !slices.Equal(linked, due) {
		t.Errorf("digest links %v, want exactly the due tâches %v:\n%s", linked, due, got[0].Text)
	}
}

func TestRelancesFromTime(t *testing.T) {
	mia := newTenant(t, false)
	c := createContact(t, mia.token, map[string]any{"nom": "Roux", "email": uniqEmail("temps")})
	open := func() string {
		r := call(t, "POST", "/affaires", mia.token, map[string]any{"clientId": string(c.ID), "produitId": "auto", "primeAnnuelleCentimes": 80000})
		wantStatus(t, r, 201)
		var af struct{ ID string }
		r.JSON(t, &af)
		return af.ID
	}
	stale, signed := open(), open()
	wantStatus(t, call(t, "PATCH", "/affaires/"+signed, mia.token, map[string]any{"statut": "signee"}), 200)
	waitStreams(t)
	// run fires the job at noon in Paris, on today's date moved by the
	// calendar: instants moved across a change of summer time near midnight
	// would land on another day than the job's.
	run := func(years, months, days int) {
		t.Helper()
		day, _ := time.ParseInLocation(time.DateOnly, crm.DayPlus(time.Now(), years, months, days), crm.Paris)
		for range 2 { // a retried run creates nothing twice
			if err := stack.FireSchedule(context.Background(), "daily-relances", day.Add(12*time.Hour).UTC()); err != nil {
				t.Fatal(err)
			}
		}
	}
	run(0, 0, 29)
	if got := taches(t, mia.token, "cibleId="+stale); len(got) != 0 {
		t.Errorf("relances before 30 days: %+v", got)
	}
	run(0, 0, 31)
	got := taches(t, mia.token, "cibleId="+stale)
	if len(got) != 1 || got[0].Relance != "affaire_en_cours" || !strings.HasPrefix(got[0].Titre, "Relancer Roux pour ") {
		t.Errorf("relance of the affaire en cours = %+v, want one « Relancer Roux pour … »", got)
	}
	run(1, 0, -29)
	got = taches(t, mia.token, "cibleId="+signed)
	if len(got) != 1 || got[0].Relance != "echeance" || got[0].Echeance != crm.DayPlus(time.Now(), 1, 0, 0) {
		t.Errorf("relance of the anniversary = %+v, want one « Préparer l'échéance » due on the anniversary", got)
	}
}

func TestDashboardEqualsRecount(t *testing.T) {
	mia := newTenant(t, false)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 14))
	var apps []string
	for i := range 2 {
		a, _ := newActiveApporteur(t, mia.token, fmt.Sprintf("tdb%d", i))
		apps = append(apps, a.ID)
	}
	var clients, affaires, tacheIDs []string
	for i := range 4 {
		body := map[string]any{"nom": fmt.Sprintf("Client%d", i), "email": uniqEmail("tdb")}
		if i < 3 {
			body["apporteurId"] = apps[i%2]
		}
		clients = append(clients, string(createContact(t, mia.token, body).ID))
	}
	today := crm.Day(time.Now())
	statut := map[string]string{}
	for range 40 {
		switch k := r.IntN(6); {
		case k == 0 || len(affaires) < 3:
			res := call(t, "POST", "/affaires", mia.token, map[string]any{"clientId": clients[r.IntN(len(clients))],
				"produitId": []string{"auto", "mrh", "sante-individuelle"}[r.IntN(3)], "primeAnnuelleCentimes": r.IntN(300000)})
			wantStatus(t, res, 201)
			var af struct{ ID string }
			res.JSON(t, &af)
			affaires, statut[af.ID] = append(affaires, af.ID), "en_cours"
		case k == 1 || k == 2:
			id := affaires[r.IntN(len(affaires))]
			next := map[string][]string{"en_cours": {"signee", "perdue"}, "signee": {"resiliee"}}[statut[id]]
			if len(next) == 0 {
				continue
			}
			s := next[r.IntN(len(next))]
			wantStatus(t, call(t, "PATCH", "/affaires/"+id, mia.token, map[string]any{"statut": s}), 200)
			statut[id] = s
		case k == 3:
			wantStatus(t, call(t, "PATCH", "/affaires/"+affaires[r.IntN(len(affaires))], mia.token,
				map[string]any{"primeAnnuelleCentimes": r.IntN(300000)}), 200)
		case k == 4:
			res := call(t, "POST", "/taches", mia.token, map[string]any{"titre": "T", "echeance": []string{today, "2026-01-05", "2099-01-01"}[r.IntN(3)]})
			wantStatus(t, res, 201)
			var tj tacheJSON
			res.JSON(t, &tj)
			tacheIDs = append(tacheIDs, tj.ID)
		case k == 5 && len(tacheIDs) > 0:
			wantStatus(t, call(t, "PATCH", "/taches/"+tacheIDs[r.IntN(len(tacheIDs))], mia.token,
				map[string]any{"statut": []string{"faite", "a_faire"}[r.IntN(2)]}), 200)
		}
	}
	waitStreams(t)

	type agg struct{ N, P, C int64 }
	recount := func() (map[string]agg, int64, int64) {
		by := map[string]agg{}
		for _, s := range []string{"en_cours", "signee", "perdue", "resiliee"} {
			for _, a := range list[crm.Affaire](t, mia.token, "/affaires?limit=200&statut="+s).Items {
				g := by[s]
				g.N++
				g.P += a.PrimeAnnuelleCentimes
				g.C += a.CommissionMIACentimes()
				by[s] = g
			}
		}
		return by, int64(len(taches(t, mia.token, "vue=aujourdhui"))), int64(len(taches(t, mia.token, "vue=en_retard")))
	}
	check := func(when string) {
		t.Helper()
		var tb crm.Tableau
		res := call(t, "GET", "/tableau-de-bord", mia.token, nil)
		wantStatus(t, res, 200)
		res.JSON(t, &tb)
		by, auj, retard := recount()
		for _, s := range tb.ParStatut {
			if got, want := (agg{s.Nombre, s.PrimesCentimes, s.CommissionMIACentimes}), by[string(s.Statut)]; got != want {
				t.Errorf("%s: statut %s = %+v, recount %+v", when, s.Statut, got, want)
			}
		}
		if tb.Taches.Aujourdhui != auj || tb.Taches.EnRetard != retard {
			t.Errorf("%s: tâches %+v, recount aujourd'hui %d en retard %d", when, tb.Taches, auj, retard)
		}
		var contacts int64
		for _, a := range tb.Apporteurs {
			contacts += a.ContactsApportes
		}
		if contacts != 3 {
			t.Errorf("%s: %d contacts brought in the ranking, want 3", when, contacts)
		}
	}
	check("after the writes")
	replay(t, projections(t), streamRecords(t, mia.id))
	check("after a replay of the stream")
}

// TestDailyDemoSeeds: make dev's daily-work demo gives a lively dashboard.
func TestDailyDemoSeeds(t *testing.T) {
	if err := stack.SeedDailyDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitStreams(t)
	tok := login(t, "mia", "demo.agenda@assentis.test", "Demo-Agenda-2026!")
	var tb crm.Tableau
	r := call(t, "GET", "/tableau-de-bord", tok, nil)
	wantStatus(t, r, 200)
	r.JSON(t, &tb)
	months := 0
	for _, m := range tb.ParMois {
		if m.Nombre > 0 {
			months++
		}
	}
	if months < 6 || tb.Taches.Aujourdhui < 3 || len(tb.Apporteurs) != 2 || tb.Transformation.Decidees == 0 {
		t.Errorf("demo dashboard: %d months with signatures, %+v, %d apporteurs, %+v", months, tb.Taches, len(tb.Apporteurs), tb.Transformation)
	}
}
