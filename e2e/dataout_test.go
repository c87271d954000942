package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/consumers"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/csvfr"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/oklog/ulid/v2"
)

// Issue 15, parts 2–6: exports, search across everything, RGPD rights,
// retention, article-14 information.

func init() {
	// The RGPD export's PDF is checked as bytes, like any file.
	openapi3filter.RegisterBodyDecoder("application/pdf", openapi3filter.FileBodyDecoder)
	// kin-openapi's CSV decoder reads comma-separated cells; ours are
	// French (";"): the exports are parsed by the tests themselves.
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.FileBodyDecoder)
}

type searchJSON struct {
	Contacts, Entreprises, Affaires []struct{ ID, Libelle, Detail string }
	Plus                            []string
}

func search(t *testing.T, tok, q string) searchJSON {
	t.Helper()
	r := call(t, "GET", "/recherche?q="+url.QueryEscape(q), tok, nil)
	wantStatus(t, r, 200)
	var s searchJSON
	r.JSON(t, &s)
	return s
}

func has(ids []struct{ ID, Libelle, Detail string }, id string) bool {
	for _, x := range ids {
		if x.ID == id {
			return true
		}
	}
	return false
}

func TestSearchAcrossEverything(t *testing.T) {
	a, b := newTenant(t, false), newTenant(t, false)
	mark := fmt.Sprintf("Zx%d", uniq())
	c := createContact(t, a.token, map[string]any{"nom": "Dupont " + mark, "prenom": "Élodie", "email": uniqEmail("contact")})
	siren := uniqSiren()
	r := call(t, "POST", "/entreprises", a.token, map[string]any{"raisonSociale": "Boulangerie Lefèvre " + mark, "siren": siren,
		"adresse": "1 rue", "dirigeantId": c.ID})
	wantStatus(t, r, 201)
	var e struct{ ID string }
	r.JSON(t, &e)
	r = call(t, "POST", "/affaires", a.token, map[string]any{"clientId": c.ID, "produitId": "auto", "primeAnnuelleCentimes": 50000})
	wantStatus(t, r, 201)
	var af struct{ ID, ProduitNom string }
	r.JSON(t, &af)
	// B has its own Élodie: never in A's results, and A's never in B's.
	other := createContact(t, b.token, map[string]any{"nom": "Dupont " + mark, "prenom": "Élodie", "email": uniqEmail("elodie-b")})
	waitStreams(t)

	got := search(t, a.token, "elo "+strings.ToLower(mark))
	if !has(got.Contacts, string(c.ID)) {
		t.Errorf("search %q: contacts %+v, want Élodie %s", "elo", got.Contacts, c.ID)
	}
	if has(got.Contacts, string(other.ID)) {
		t.Errorf("A's search shows B's contact %s", other.ID)
	}
	for _, q := range []string{"ELO", "élo", "eLoDiE"} {
		if s := search(t, a.token, q+" "+mark); !has(s.Contacts, string(c.ID)) {
			t.Errorf("search %q: %+v, want Élodie", q, s.Contacts)
		}
	}
	if s := search(t, a.token, siren[:5]); !has(s.Entreprises, e.ID) {
		t.Errorf("search by SIREN prefix: %+v, want the entreprise", s.Entreprises)
	}
	if s := search(t, a.token, "lefev "+mark); !has(s.Entreprises, e.ID) {
		t.Errorf("search by raison sociale: %+v, want the entreprise", s.Entreprises)
	}
	prod := strings.Fields(crm.Fold(af.ProduitNom))[0]
	if s := search(t, a.token, prod[:3]+" "+mark); !has(s.Affaires, af.ID) {
		t.Errorf("search affaire by produit %q: %+v", prod[:3], s.Affaires)
	}
	if s := search(t, a.token, "dupont "+strings.ToLower(mark)); !has(s.Affaires, af.ID) || !has(s.Contacts, string(c.ID)) {
		t.Errorf("search by client: %+v", s)
	}
	if s := search(t, a.token, "lodie "+mark); has(s.Contacts, string(c.ID)) {
		t.Error(`"lodie" finds Élodie: want prefixes of words only`)
	}
	if s := search(t, b.token, "elo "+mark); has(s.Contacts, string(c.ID)) || !has(s.Contacts, string(other.ID)) {
		t.Errorf("B's search: %+v, want B's Élodie only", s.Contacts)
	}
	// A rename follows (stream handler): the old name no longer finds it.
	wantStatus(t, call(t, "PATCH", "/contacts/"+string(c.ID), a.token, map[string]any{"prenom": "Maëlys"}), 200)
	waitStreams(t)
	if s := search(t, a.token, "elo "+mark); has(s.Contacts, string(c.ID)) {
		t.Error("renamed contact still found by its old prénom")
	}
	if s := search(t, a.token, "mae "+mark); !has(s.Contacts, string(c.ID)) {
		t.Error("renamed contact not found by its new prénom")
	}
	wantProblem(t, call(t, "GET", "/recherche?q="+strings.Repeat("a", 101), a.token, nil), 400, "q")

	// A group shows crm.SearchGroupResults at most and says when it found more.
	if s := search(t, b.token, mark); len(s.Plus) != 0 {
		t.Errorf("one result: plus %v, want none", s.Plus)
	}
	for i := range crm.SearchGroupResults {
		createContact(t, b.token, map[string]any{"nom": "Dupont " + mark, "prenom": fmt.Sprint("Autre", i), "email": uniqEmail("autre")})
	}
	waitStreams(t)
	if s := search(t, b.token, mark); len(s.Contacts) != crm.SearchGroupResults || !slices.Equal(s.Plus, []string{"contacts"}) {
		t.Errorf("%d matching contacts: %d shown, plus %v; want %d and plus [contacts]", crm.SearchGroupResults+1, len(s.Contacts), s.Plus, crm.SearchGroupResults)
	}
}

// exportAll downloads every chunk of an export, as the web client does.
func exportAll(t *testing.T, tok, path string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	cursor, chunks := "", 0
	for {
		p := path
		if cursor != "" {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			p += sep + "cursor=" + url.QueryEscape(cursor)
		}
		r := call(t, "GET", p, tok, nil)
		wantStatus(t, r, 200)
		if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Fatalf("content type %q", ct)
		}
		if chunks > 0 && bytes.HasPrefix(r.Body, []byte(csvfr.BOM)) {
			t.Fatal("a later chunk starts with a BOM: the concatenation would hold two")
		}
		out.Write(r.Body)
		chunks++
		if cursor = r.Header.Get("X-Curseur-Suivant"); cursor == "" {
			return out.String(), chunks
		}
	}
}

func parseCSV(t *testing.T, s string) [][]string {
	t.Helper()
	if !strings.HasPrefix(s, csvfr.BOM) {
		t.Fatalf("no BOM: %.40q", s)
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(s, csvfr.BOM)))
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestExportsNeutraliseFormulas(t *testing.T) {
	a := newTenant(t, false)
	app, _ := newActiveApporteur(t, a.token, "exp")
	evil := "=HYPERLINK(\"http://x\",\"y\")"
	c := createContact(t, a.token, map[string]any{"nom": evil, "prenom": "+Jean", "email": uniqEmail("evil"), "remarques": "@SUM(A1)",
		"adresse": "-2+3", "apporteurId": app.ID, "statut": "client"})
	createContact(t, a.token, map[string]any{"nom": "Prospect", "email": uniqEmail("prosp")})
	r := call(t, "POST", "/affaires", a.token, map[string]any{"clientId": c.ID, "produitId": "auto", "primeAnnuelleCentimes": 123457,
		"tauxCommissionApporteur": 20})
	wantStatus(t, r, 201)
	waitStreams(t)

	s, _ := exportAll(t, a.token, "/exports/contacts?statut=client")
	rows := parseCSV(t, s)
	if len(rows) != 2 || rows[0][0] != "Nom" {
		t.Fatalf("contacts export with statut=client: %q, want the header and one row", rows)
	}
	for _, cell := range rows[1] {
		if cell != "" && strings.ContainsAny(cell[:1], "=+-@\t\r") {
			t.Errorf("cell %q starts a formula", cell)
		}
	}
	if rows[1][0] != "'"+evil || rows[1][1] != "'+Jean" || rows[1][4] != "'-2+3" {
		t.Errorf("row %q: want the formula cells prefixed with an apostrophe", rows[1])
	}
	if !strings.Contains(strings.Join(rows[1], "|"), "'@SUM(A1)") {
		t.Errorf("row %q: want the remarques neutralised", rows[1])
	}
	s, _ = exportAll(t, a.token, "/exports/affaires?apporteurId="+app.ID)
	rows = parseCSV(t, s)
	if len(rows) != 2 || rows[1][3] != "1234,57" || rows[1][6] == "" {
		t.Errorf("affaires export: %q, want prime 1234,57 and the apporteur's name", rows)
	}
	s, _ = exportAll(t, a.token, "/exports/commissions")
	rows = parseCSV(t, s)
	if len(rows) != 2 || rows[1][0] == "" || rows[1][6] != "20" {
		t.Errorf("commissions export: %q", rows)
	}
	s, _ = exportAll(t, a.token, "/exports/entreprises")
	if rows := parseCSV(t, s); len(rows) != 1 {
		t.Errorf("entreprises export of a MIA without any: %q, want the header alone", rows)
	}
	wantProblem(t, call(t, "GET", "/exports/contacts?cursor=forged", a.token, nil), 400, "cursor")
}

func TestExportInChunks(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	a := newTenant(t, false)
	n := crm.ExportLimit + 5
	putContacts(t, a.id, n)
	s, chunks := exportAll(t, a.token, "/exports/contacts")
	rows := parseCSV(t, s)
	if len(rows) != n+1 || chunks < 2 {
		t.Errorf("%d rows in %d chunks, want %d rows in at least 2", len(rows), chunks, n+1)
	}
}

func TestEraseContact(t *testing.T) {
	a := newTenant(t, false)
	app, _ := newActiveApporteur(t, a.token, "eff")
	mark := fmt.Sprintf("Efx%d", uniq())
	email, phone := uniqEmail("efface"), uniqPhone()
	nom, prenom := "Nom"+mark, "Prenom"+mark
	c := createContact(t, a.token, map[string]any{"nom": nom, "prenom": prenom, "email": email, "telephone": phone,
		"adresse": "Adresse " + mark, "apporteurId": app.ID})
	r := call(t, "POST", "/affaires", a.token, map[string]any{"clientId": c.ID, "produitId": "auto", "primeAnnuelleCentimes": 98765,
		"tauxCommissionApporteur": 25})
	wantStatus(t, r, 201)
	var af crm.Affaire
	r.JSON(t, &af)
	// The daily work about the person: tâches and notes on the contact and
	// on its affaire (the stream adds the relance "Appeler <nom>").
	for _, cible := range []struct{ typ, id string }{{"contact", string(c.ID)}, {"affaire", string(af.ID)}} {
		wantStatus(t, call(t, "POST", "/taches", a.token, map[string]any{"titre": "Rappeler " + prenom + " " + nom,
			"echeance": time.Now().Format(time.DateOnly), "cibleType": cible.typ, "cibleId": cible.id}), 201)
		wantStatus(t, call(t, "POST", "/notes", a.token, map[string]any{"cibleType": cible.typ, "cibleId": cible.id,
			"texte": "Joindre " + prenom + " au " + phone + " ou " + email}), 201)
	}
	waitStreams(t)
	for _, p := range []string{"/activite/" + string(c.ID), "/activite/" + string(af.ID), "/taches?cibleId=" + string(c.ID)} {
		if r := call(t, "GET", p, a.token, nil); !strings.Contains(string(r.Body), nom) && !strings.Contains(string(r.Body), email) {
			t.Fatalf("before erasure GET %s names the person: %d %s", p, r.Status, r.Body)
		}
	}
	if s := search(t, a.token, strings.ToLower(nom)); !has(s.Contacts, string(c.ID)) {
		t.Fatalf("before erasure the contact is found: %+v", s)
	}
	// The portability export names the person before.
	r = call(t, "GET", "/contacts/"+string(c.ID)+"/donnees-personnelles", a.token, nil)
	wantStatus(t, r, 200)
	if !strings.Contains(string(r.Body), email) {
		t.Errorf("RGPD export without the email: %s", r.Body)
	}
	r = call(t, "GET", "/contacts/"+string(c.ID)+"/donnees-personnelles?format=pdf", a.token, nil)
	wantStatus(t, r, 200)
	if !bytes.HasPrefix(r.Body, []byte("%PDF-")) || r.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("PDF export: %s %.20q", r.Header.Get("Content-Type"), r.Body)
	}

	wantProblem(t, call(t, "POST", "/contacts/"+string(c.ID)+"/effacement", a.token, map[string]any{"confirmation": false}), 400, "confirmation")
	r = call(t, "POST", "/contacts/"+string(c.ID)+"/effacement", a.token, map[string]any{"confirmation": true, "motif": "Demande écrite du 27/11"})
	wantStatus(t, r, 200)
	waitStreams(t)
	wantProblem(t, call(t, "POST", "/contacts/"+string(c.ID)+"/effacement", a.token, map[string]any{"confirmation": true}), 409, "")

	personal := []string{nom, prenom, email, "+33" + phone[1:], phone, mark}
	nowhere := func(what, body string) {
		t.Helper()
		for _, p := range personal {
			if strings.Contains(body, p) {
				t.Errorf("%s still holds %q after the erasure", what, p)
			}
		}
	}
	answers := map[string]string{}
	for _, p := range []string{"/contacts/" + string(c.ID), "/contacts", "/contacts?q=" + strings.ToLower(mark), "/affaires/" + string(af.ID),
		"/affaires?apporteurId=" + app.ID, "/contacts/" + string(c.ID) + "/donnees-personnelles", "/rgpd/journal",
		"/recherche?q=" + strings.ToLower(nom), "/recherche?q=" + email[:6], "/apporteurs/" + app.ID + "/donnees-personnelles",
		"/taches?cibleId=" + string(c.ID), "/taches?cibleId=" + string(af.ID), "/taches", "/taches?vue=en_retard",
		"/activite/" + string(c.ID), "/activite/" + string(af.ID)} {
		r := call(t, "GET", p, a.token, nil)
		wantStatus(t, r, 200)
		answers[p] = string(r.Body)
		nowhere("GET "+p, string(r.Body))
	}
	for _, p := range []string{"/exports/contacts", "/exports/affaires?apporteurId=" + app.ID, "/exports/commissions"} {
		s, _ := exportAll(t, a.token, p)
		nowhere("export "+p, s)
	}
	nowhere("the MIA's partition (search index, guards, clocks, audit)", snapshot(t, a.id))
	// The figures remain.
	var got crm.AffaireView
	r = call(t, "GET", "/affaires/"+string(af.ID), a.token, nil)
	r.JSON(t, &got)
	if got.PrimeAnnuelleCentimes != 98765 || got.CommissionApporteurCentimes() != af.CommissionApporteurCentimes() || got.ClientNom != crm.ContactEffaceNom {
		t.Errorf("affaire after erasure: prime %d, client %q; want 98765 and %q", got.PrimeAnnuelleCentimes, got.ClientNom, crm.ContactEffaceNom)
	}
	if !strings.Contains(answers["/rgpd/journal"], `"action":"effacement"`) || !strings.Contains(answers["/rgpd/journal"], string(c.ID)) {
		t.Errorf("journal: %s, want the erasure by id", answers["/rgpd/journal"])
	}
	// What the erasure took away does not come back: the fiche can no
	// longer be rectified, nor receive a tâche or a note (its affaire can).
	wantProblem(t, call(t, "PATCH", "/contacts/"+string(c.ID), a.token, map[string]any{"nom": nom}), 409, "")
	wantProblem(t, call(t, "PATCH", "/contacts/"+string(c.ID), a.token, map[string]any{"adresse": "Adresse " + mark}), 409, "")
	wantProblem(t, call(t, "POST", "/taches", a.token, map[string]any{"titre": "Rappeler " + nom, "echeance": crm.Day(time.Now()),
		"cibleType": "contact", "cibleId": c.ID}), 422, "cibleId")
	wantProblem(t, call(t, "POST", "/notes", a.token, map[string]any{"cibleType": "contact", "cibleId": c.ID, "texte": "Note " + mark}), 422, "cibleId")
	wantStatus(t, call(t, "POST", "/taches", a.token, map[string]any{"titre": "Encaisser la prime", "echeance": crm.Day(time.Now()),
		"cibleType": "affaire", "cibleId": af.ID}), 201)
	waitStreams(t)
	nowhere("the MIA's partition after the refused rectification", snapshot(t, a.id))
	// Its email and telephone are free again.
	createContact(t, a.token, map[string]any{"nom": "Autre", "email": email, "telephone": phone})
}

func TestEraseApporteur(t *testing.T) {
	a := newTenant(t, false)
	app, tok := newActiveApporteur(t, a.token, "effapp")
	c := createContact(t, a.token, map[string]any{"nom": "Client", "email": uniqEmail("cl"), "apporteurId": app.ID})
	r := call(t, "POST", "/affaires", a.token, map[string]any{"clientId": c.ID, "produitId": "auto", "primeAnnuelleCentimes": 100000,
		"tauxCommissionApporteur": 15})
	wantStatus(t, r, 201)
	waitStreams(t)
	r = call(t, "GET", "/apporteurs/"+app.ID+"/donnees-personnelles?format=pdf", a.token, nil)
	wantStatus(t, r, 200)
	r = call(t, "POST", "/apporteurs/"+app.ID+"/effacement", a.token, map[string]any{"confirmation": true})
	wantStatus(t, r, 200)
	var got crm.Apporteur
	r.JSON(t, &got)
	if got.Nom != crm.ApporteurEffaceNom || got.Email != "" || got.Statut != crm.ApporteurDesactive {
		t.Errorf("erased apporteur: %+v", got)
	}
	if got.Commissions.EnCoursCentimes == 0 {
		t.Errorf("commissions after erasure: %+v, want them kept", got.Commissions)
	}
	if r := call(t, "GET", "/espace-apporteur/profil", tok, nil); r.Status != 403 && r.Status != 401 {
		t.Errorf("its token after erasure: %d, want refused", r.Status)
	}
	waitStreams(t)
	if snap := snapshot(t, a.id); strings.Contains(snap, app.Email) {
		i := strings.Index(snap, app.Email)
		t.Errorf("the apporteur's email is still in the MIA's partition: …%s…", snap[max(0, i-300):min(len(snap), i+100)])
	}
}

func TestRetention(t *testing.T) {
	a := newTenant(t, false)
	old := createContact(t, a.token, map[string]any{"nom": "Ancien", "prenom": "Prospect", "email": uniqEmail("ancien")})
	kept := createContact(t, a.token, map[string]any{"nom": "Garde", "email": uniqEmail("garde")})
	client := createContact(t, a.token, map[string]any{"nom": "Client", "email": uniqEmail("client"), "statut": "client"})
	waitStreams(t)
	var d crm.DonneesContact
	r := call(t, "GET", "/contacts/"+string(old.ID)+"/donnees-personnelles", a.token, nil)
	r.JSON(t, &d)
	if d.Conservation == nil || d.Conservation.ExpireLe.Sub(old.CreatedAt) < 3*365*24*time.Hour {
		t.Fatalf("conservation of a new prospect: %+v, want 3 years from its creation", d.Conservation)
	}
	r = call(t, "GET", "/contacts/"+string(client.ID)+"/donnees-personnelles", a.token, nil)
	var dc crm.DonneesContact
	r.JSON(t, &dc)
	if dc.Conservation != nil {
		t.Errorf("a client has a retention clock: %+v", dc.Conservation)
	}

	// Three years and a day later, the monthly run proposes both prospects.
	at := time.Now().AddDate(3, 0, 1)
	fireRetention(t, at)
	r = call(t, "GET", "/conservation", a.token, nil)
	wantStatus(t, r, 200)
	var page crm.Page[crm.PurgeProposee]
	r.JSON(t, &page)
	if len(page.Items) != 2 {
		t.Fatalf("proposals: %+v, want the two prospects", page.Items)
	}
	// The MIA is told by one tâche (due the day of the run), which a second run does not repeat.
	decisionTaches := func() []crm.Tache {
		t.Helper()
		var tp crm.Page[crm.Tache]
		call(t, "GET", "/taches?vue=a_venir", a.token, nil).JSON(t, &tp)
		var out []crm.Tache
		for _, x := range tp.Items {
			if x.Relance == crm.RelanceConservation {
				out = append(out, x)
			}
		}
		return out
	}
	if ts := decisionTaches(); len(ts) != 1 || !strings.Contains(ts[0].Titre, "2 prospects") || ts[0].Echeance != crm.Day(at) {
		t.Errorf("conservation tâches: %+v, want one for the 2 prospects due %s", ts, crm.Day(at))
	}
	fireRetention(t, at)
	if ts := decisionTaches(); len(ts) != 1 {
		t.Errorf("conservation tâches after a second run: %+v, want still one", ts)
	}
	wantProblem(t, call(t, "POST", "/conservation/"+string(kept.ID)+"/decision", a.token, map[string]any{"decision": "conserver"}), 400, "motif")
	wantStatus(t, call(t, "POST", "/conservation/"+string(kept.ID)+"/decision", a.token,
		map[string]any{"decision": "conserver", "motif": "Devis en cours de négociation"}), 204)
	wantStatus(t, call(t, "POST", "/conservation/"+string(old.ID)+"/decision", a.token, map[string]any{"decision": "purger"}), 204)
	wantProblem(t, call(t, "POST", "/conservation/"+string(old.ID)+"/decision", a.token, map[string]any{"decision": "purger"}), 404, "")
	waitStreams(t)
	var c crm.ContactView
	r = call(t, "GET", "/contacts/"+string(old.ID), a.token, nil)
	r.JSON(t, &c)
	if !c.Efface || c.Nom != crm.ContactEffaceNom || c.Email != "" {
		t.Errorf("purged prospect: %+v, want it anonymised", c.Contact)
	}
	r = call(t, "GET", "/conservation", a.token, nil)
	r.JSON(t, &page)
	if len(page.Items) != 0 {
		t.Errorf("proposals after the decisions: %+v, want none", page.Items)
	}
	r = call(t, "GET", "/rgpd/journal", a.token, nil)
	j := string(r.Body)
	if !strings.Contains(j, `"purge_conservation"`) || !strings.Contains(j, `"conservation_prolongee"`) || !strings.Contains(j, "négociation") {
		t.Errorf("journal: %s, want the purge and the kept prospect with its reason", j)
	}
	// The kept prospect's clock restarted: the same run proposes nothing more.
	fireRetention(t, at)
	r = call(t, "GET", "/conservation", a.token, nil)
	r.JSON(t, &page)
	if len(page.Items) != 0 {
		t.Errorf("proposals after a second run: %+v, want none", page.Items)
	}
}

// fireRetention runs the monthly retention as the schedule would at `at`.
func fireRetention(t *testing.T, at time.Time) {
	t.Helper()
	if err := stack.FireSchedule(context.Background(), "retention", at); err != nil {
		t.Fatal(err)
	}
}

func TestInformationArticle14(t *testing.T) {
	a := newTenant(t, false)
	_, tok := newActiveApporteur(t, a.token, "art14")
	r := call(t, "GET", "/parametres", a.token, nil)
	wantStatus(t, r, 200)
	var p crm.Parametres
	r.JSON(t, &p)
	if p.InformationArticle14 {
		t.Error("article-14 information on by default")
	}
	before := uniqEmail("avant")
	wantStatus(t, call(t, "POST", "/espace-apporteur/contacts", tok, map[string]any{"nom": "Avant", "email": before}), 201)
	waitStreams(t)
	r = call(t, "PATCH", "/parametres", a.token, map[string]any{"informationArticle14": true})
	wantStatus(t, r, 200)
	r.JSON(t, &p)
	if !p.InformationArticle14 {
		t.Errorf("PATCH /parametres: %+v", p)
	}
	after := uniqEmail("apres")
	afterID := createdID(t, tok, "/espace-apporteur/contacts", map[string]any{"nom": "Après", "prenom": "Anne", "email": after})
	byMIA := uniqEmail("parlemia")
	createContact(t, a.token, map[string]any{"nom": "Direct", "email": byMIA})
	waitStreams(t)
	if n := len(emailsTo(t, before)); n != 0 {
		t.Errorf("%d emails to a contact entered before the setting", n)
	}
	if n := len(emailsTo(t, byMIA)); n != 0 {
		t.Errorf("%d emails to a contact the MIA entered itself (collected from the person)", n)
	}
	es := emailsTo(t, after)
	if len(es) != 1 {
		t.Fatalf("%d emails to the apporteur's new contact, want 1", len(es))
	}
	for _, want := range []string{"Bonjour Anne", "CNIL", "effacer", "3 ans"} {
		if !strings.Contains(es[0].Text, want) {
			t.Errorf("article-14 email without %q: %s", want, es[0].Text)
		}
	}

	// Erased, the contact is never written to again: not even by its INSERT
	// replayed after the send-once record expired.
	wantStatus(t, call(t, "POST", "/contacts/"+afterID+"/effacement", a.token, map[string]any{"confirmation": true}), 200)
	waitStreams(t)
	_, err := stack.Services.DynamoDB.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(stack.Table),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: dynamo.MIAPK(a.id)},
			"SK": &types.AttributeValueMemberS{Value: dynamo.NotificationSK("ARTICLE14#" + afterID)}}})
	if err != nil {
		t.Fatal(err)
	}
	mail, err := consumers.Mail(stack.Services.Consumers)
	if err != nil {
		t.Fatal(err)
	}
	replay(t, mail, streamRecords(t, a.id))
	if n := len(emailsTo(t, after)); n != 1 {
		t.Errorf("%d emails to the erased contact after a replay, want still the first one only", n)
	}
}

// putContacts writes n contacts of m straight into the table (BatchWriteItem,
// the items' shape as the store writes them), typed so that the stream
// consumers leave them alone: a large base in seconds.
func putContacts(t *testing.T, m crm.MIAID, n int) {
	t.Helper()
	ctx := context.Background()
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z")
	var reqs []types.WriteRequest
	flush := func() {
		for len(reqs) > 0 {
			out, err := stack.Services.DynamoDB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
				RequestItems: map[string][]types.WriteRequest{stack.Table: reqs}})
			if err != nil {
				t.Fatal(err)
			}
			reqs = out.UnprocessedItems[stack.Table]
		}
	}
	for i := range n {
		id := ulid.Make().String()
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
			"PK": s(dynamo.MIAPK(m)), "SK": s(dynamo.ContactSK(crm.ContactID(id))), "type": s("bulk-contact"), "id": s(id),
			"nom": s(fmt.Sprintf("Nom%05d", i)), "prenom": s("Prénom"), "email": s(fmt.Sprintf("bulk%05d@e2e.test", i)),
			"statut": s("prospect"), "recherche": s("bulk"), "createdAt": s(now), "updatedAt": s(now),
			"version": &types.AttributeValueMemberN{Value: "1"}}}})
		if len(reqs) == 25 {
			flush()
		}
	}
	flush()
}
