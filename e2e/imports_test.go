package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/csvimport"
	"github.com/assentis/mycrm/internal/csvimport/csvimporttest"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/assentis/mycrm/internal/phone"
)

// importStore is the store the import worker and the upload check use, on
// the stack's table (the e2e tests drive the background steps through it).
func importStore() *dynamo.Store {
	s := dynamo.New(stack.Services.DynamoDB, stack.Table, []byte("e2e-imports"))
	s.Phone = phone.Normalize
	return s
}

// depositImport records an import of m with data as its file as the upload
// check does (shape, guessed mapping, preview), without the upload: the
// fixture of the isolation and hostile-input matrices.
func depositImport(t *testing.T, m crm.MIAID, kind crm.ImportKind, data []byte) crm.Import {
	t.Helper()
	ctx := context.Background()
	s := importStore()
	imp, err := s.CreateImport(ctx, m, kind, "fichier.csv")
	if err != nil {
		t.Fatal(err)
	}
	imp, err = s.SetImportFile(ctx, m, imp.ID, csvimport.Inspect(kind, data))
	if err != nil {
		t.Fatal(err)
	}
	return imp
}

// uploadImport starts an import through the API and uploads data as the
// browser does; the upload check then records the file's shape.
func uploadImport(t *testing.T, token string, kind crm.ImportKind, data []byte) crm.Import {
	t.Helper()
	r := call(t, "POST", "/imports", token, map[string]any{"type": kind, "nomFichier": "contacts.csv"})
	wantStatus(t, r, 201)
	var started struct {
		Import crm.Import `json:"import"`
		Depot  crm.Upload `json:"depot"`
	}
	r.JSON(t, &started)
	if started.Import.Statut != crm.ImportEnAttenteFichier {
		t.Fatalf("new import: %+v", started.Import)
	}
	if st, body := postForm(t, started.Depot, data); st/100 != 2 {
		t.Fatalf("upload: %d %s", st, body)
	}
	waitUploads(t)
	return started.Import
}

// runWorker fires the import worker's schedule until no import is left to
// run or undo (each run works for at most jobs.ImportRunTime).
func runWorker(t *testing.T) {
	t.Helper()
	for range 20 {
		if err := stack.FireSchedule(context.Background(), "run-imports", time.Now()); err != nil {
			t.Fatal(err)
		}
		active, err := importStore().ActiveImports(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(active) == 0 {
			return
		}
	}
	t.Fatal("imports still running after 20 runs of the worker")
}

func TestImportAPI(t *testing.T) {
	a := newTenant(t, false)
	existing := createContact(t, a.token, map[string]any{"nom": "Existant", "email": uniqEmail("existant")})
	csv := "Nom;Prénom;E-mail;Téléphone\r\n" +
		"Lefèvre;Élodie;" + uniqEmail("elodie") + ";\r\n" +
		"Existant;;" + existing.Email + ";\r\n" +
		";Sans nom;" + uniqEmail("sans") + ";\r\n"
	imp := uploadImport(t, a.token, crm.ImportContacts, latin1(csv))

	r := call(t, "GET", "/imports/"+string(imp.ID), a.token, nil)
	wantStatus(t, r, 200)
	var got crm.Import
	r.JSON(t, &got)
	if got.Statut != crm.ImportAConfirmer || got.Encodage != "windows-1252" || got.Separateur != ";" || got.Total != 3 ||
		strings.Join(got.Correspondance, ",") != "nom,prenom,email,telephone" || len(got.Apercu) != 3 || got.Apercu[0][1] != "Élodie" {
		t.Fatalf("import = %+v", got)
	}
	// The report waits for the end.
	wantStatus(t, call(t, "GET", "/imports/"+string(imp.ID)+"/rapport", a.token, nil), 409)
	// A mapping without the nom column is refused, with the field.
	r = call(t, "POST", "/imports/"+string(imp.ID)+"/confirmation", a.token, map[string]any{"correspondance": []string{"", "prenom", "email", ""}})
	wantStatus(t, r, 400)
	r = call(t, "POST", "/imports/"+string(imp.ID)+"/confirmation", a.token,
		map[string]any{"correspondance": got.Correspondance, "mettreAJourDoublons": false})
	wantStatus(t, r, 202)
	wantStatus(t, call(t, "POST", "/imports/"+string(imp.ID)+"/confirmation", a.token, map[string]any{"correspondance": got.Correspondance}), 409)
	runWorker(t)

	r = call(t, "GET", "/imports/"+string(imp.ID), a.token, nil)
	r.JSON(t, &got)
	want := crm.ImportCounts{Crees: 1, Doublons: 1, Rejetes: 1}
	if got.Statut != crm.ImportTerminee || got.Curseur != 3 || got.Compteurs != want || got.AnnulableJusquau == nil {
		t.Fatalf("after the run: %+v", got)
	}
	r = call(t, "GET", "/imports/"+string(imp.ID)+"/rapport", a.token, nil)
	wantStatus(t, r, 200)
	report := string(r.Body)
	for _, s := range []string{"\uFEFFLigne;Résultat;Motif;Fiche;Identifiant;Annulé\r\n", "2;créé;;Élodie Lefèvre;", "3;doublon ignoré;Doublon d'un contact existant (même email).;Existant;" + string(existing.ID), "4;rejeté;nom : Ce champ est obligatoire."} {
		if !strings.Contains(report, s) {
			t.Errorf("report lacks %q:\n%s", s, report)
		}
	}
	r = call(t, "GET", "/imports", a.token, nil)
	wantStatus(t, r, 200)

	r = call(t, "POST", "/imports/"+string(imp.ID)+"/annulation", a.token, nil)
	wantStatus(t, r, 202)
	runWorker(t)
	r = call(t, "GET", "/imports/"+string(imp.ID), a.token, nil)
	r.JSON(t, &got)
	if got.Statut != crm.ImportAnnulee || got.Compteurs.Supprimes != 1 {
		t.Fatalf("after the undo: %+v", got)
	}
	wantStatus(t, call(t, "POST", "/imports/"+string(imp.ID)+"/annulation", a.token, nil), 409)
}

// latin1 encodes s (Latin-1 runes only) as Windows-1252.
func latin1(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r))
	}
	return b
}

// baseSnapshot is snapshot (the MIA's whole partition, with the items its
// GSIs show, and the global items naming it) without the import's own
// items: the import job (SK IMPORT#<i>: file shape, mapping, cursor,
// counters) and its line records (SK IMPORTLIGNE#<i>#<n>: the report and
// what the undo reverted), which the undo keeps to show what it did and
// which expire with their TTL. The import writes no audit entry. Everything
// else must come back byte for byte: the contacts, entreprises and guards,
// and what the stream projections derived from them (timeline FIL#, search
// index MOT#, dashboard TABLEAU and its contributions TABLEAU#…, retention
// clocks CONSERVATION#, relances). No counter is compared by its counts
// alone: a removed record's contribution is deleted, a restored one goes
// back to the version it had.
func baseSnapshot(t *testing.T, m crm.MIAID) string {
	t.Helper()
	var keep []string
	for _, l := range strings.Split(snapshot(t, m), "\n") {
		if !strings.Contains(l, `"SK":"S:`+"IMPORT#") && !strings.Contains(l, `"SK":"S:`+"IMPORTLIGNE#") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// TestImportLargeFile (issue 15): 10,000 lines in Windows-1252 with bad
// lines, duplicates inside the file and duplicates of the base, imported
// through the upload and the worker: the report gives each line its exact
// outcome, and the undo gives the base back byte for byte. The rate is
// logged; make bench measures it (never a timing assert).
func TestImportLargeFile(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 500
	}
	a := newTenant(t, false)
	s := importStore()
	for i := range csvimporttest.Bases(n) {
		if _, _, err := s.CreateContact(context.Background(), a.id, csvimporttest.BaseContact(i), nil); err != nil {
			t.Fatal(err)
		}
	}
	waitStreamsFor(t, 2*time.Minute)
	before := baseSnapshot(t, a.id)
	data, want := csvimporttest.File(n)
	imp := uploadImport(t, a.token, crm.ImportContacts, data)
	r := call(t, "GET", "/imports/"+string(imp.ID), a.token, nil)
	r.JSON(t, &imp)
	if imp.Statut != crm.ImportAConfirmer || imp.Total != n || imp.Encodage != "windows-1252" {
		t.Fatalf("import = %+v", imp)
	}
	wantStatus(t, call(t, "POST", "/imports/"+string(imp.ID)+"/confirmation", a.token,
		map[string]any{"correspondance": imp.Correspondance, "mettreAJourDoublons": true}), 202)
	start := time.Now()
	runWorker(t)
	elapsed := time.Since(start)
	t.Logf("%d lines imported in %v: %.0f lines/s", n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())

	r = call(t, "GET", "/imports/"+string(imp.ID), a.token, nil)
	r.JSON(t, &imp)
	var counts crm.ImportCounts
	for _, o := range want {
		counts.Add(o)
	}
	if imp.Statut != crm.ImportTerminee || imp.Compteurs != counts {
		t.Fatalf("import = %+v, want counts %+v", imp, counts)
	}
	r = call(t, "GET", "/imports/"+string(imp.ID)+"/rapport", a.token, nil)
	wantStatus(t, r, 200)
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(string(r.Body), "\uFEFF"), "\r\n"), "\r\n")
	if len(lines) != n+1 {
		t.Fatalf("report: %d lines, want %d", len(lines), n+1)
	}
	words := map[crm.ImportOutcome]string{crm.LineCreated: "créé", crm.LineUpdated: "mis à jour", crm.LineDuplicate: "doublon ignoré", crm.LineRejected: "rejeté"}
	for i, l := range lines[1:] {
		cells := strings.Split(l, ";")
		if cells[0] != fmt.Sprint(i+2) || cells[1] != words[want[i]] {
			t.Fatalf("report line %d = %q, want outcome %s", i+2, l, words[want[i]])
		}
	}
	wantStatus(t, call(t, "POST", "/imports/"+string(imp.ID)+"/annulation", a.token, nil), 202)
	runWorker(t)
	// The undo's 10,000 REMOVE and MODIFY records each make every projection
	// take back its part: a bound for a loaded machine, not a timing assert.
	waitStreamsFor(t, 15*time.Minute)
	if after := baseSnapshot(t, a.id); after != before {
		t.Fatalf("after the undo the base differs (%d bytes before, %d after):\n%s", len(before), len(after), lineDiff(before, after, 10))
	}
}

// TestImportHostileCSV: formula cells, a 1 MB cell, the wrong encoding, 200
// columns, binary and UTF-16 files: no answer is a 500, an unreadable file
// ends its import with why, and what is imported is only the valid lines.
func TestImportHostileCSV(t *testing.T) {
	a := newTenant(t, false)
	wide := strings.Repeat("Col;", 199) + "Nom\r\n" + strings.Repeat("x;", 199) + "Large\r\n"
	files := map[string]struct {
		data   []byte
		statut crm.ImportStatut
		counts crm.ImportCounts
	}{
		"formulas": {[]byte("Nom;E-mail;Ville\r\n=HYPERLINK(\"http://x\");" + uniqEmail("f1") + ";Paris\r\n" +
			"+SUM(A1);" + uniqEmail("f2") + ";\r\n@cmd;" + uniqEmail("f3") + ";\r\nSain;" + uniqEmail("f4") + ";-2+3\r\n" +
			"Propre;" + uniqEmail("f5") + ";Lyon\r\n"), crm.ImportAConfirmer, crm.ImportCounts{Crees: 1, Rejetes: 4}},
		"1 MB cell": {[]byte("Nom;E-mail\r\n" + strings.Repeat("A", 1<<20) + ";" + uniqEmail("big") + "\r\nCourt;" + uniqEmail("court") + "\r\n"),
			crm.ImportAConfirmer, crm.ImportCounts{Crees: 1, Rejetes: 1}},
		"wrong encoding": {[]byte("Nom;E-mail\r\nJos\xe9;" + uniqEmail("enc") + "\r\nBad\x81\x8d;" + uniqEmail("c1") + "\r\n"),
			crm.ImportAConfirmer, crm.ImportCounts{Crees: 1, Rejetes: 1}},
		"200 columns": {[]byte(wide), crm.ImportAConfirmer, crm.ImportCounts{}},
		"UTF-16":      {[]byte("\xff\xfeN\x00o\x00m\x00"), crm.ImportEchec, crm.ImportCounts{}},
		"binary":      {[]byte("Nom;E-mail\r\n\x00\x01\x02;x\r\n"), crm.ImportEchec, crm.ImportCounts{}},
	}
	for name, f := range files {
		t.Run(name, func(t *testing.T) {
			imp := uploadImport(t, a.token, crm.ImportContacts, f.data)
			r := call(t, "GET", "/imports/"+string(imp.ID), a.token, nil)
			wantStatus(t, r, 200)
			r.JSON(t, &imp)
			if imp.Statut != f.statut {
				t.Fatalf("statut %s (%s), want %s", imp.Statut, imp.Erreur, f.statut)
			}
			if imp.Statut == crm.ImportEchec {
				if imp.Erreur == "" {
					t.Error("a failed import without a reason")
				}
				wantStatus(t, call(t, "POST", "/imports/"+string(imp.ID)+"/confirmation", a.token, map[string]any{"correspondance": []string{"nom"}}), 409)
				return
			}
			r = call(t, "POST", "/imports/"+string(imp.ID)+"/confirmation", a.token, map[string]any{"correspondance": imp.Correspondance})
			if name == "200 columns" {
				wantStatus(t, r, 400) // a nom but no telephone nor email column
				return
			}
			wantStatus(t, r, 202)
			runWorker(t)
			r = call(t, "GET", "/imports/"+string(imp.ID), a.token, nil)
			r.JSON(t, &imp)
			if imp.Statut != crm.ImportTerminee || imp.Compteurs != f.counts {
				t.Errorf("after the run: %s %+v, want counts %+v", imp.Statut, imp.Compteurs, f.counts)
			}
		})
	}
	// Nothing stored starts like a formula.
	r := call(t, "GET", "/contacts?limit=200", a.token, nil)
	var page struct{ Items []crm.Contact }
	r.JSON(t, &page)
	for _, c := range page.Items {
		for _, v := range []string{c.Nom, c.Prenom, c.Adresse} {
			if v != "" && strings.ContainsRune("=+-@", rune(v[0])) {
				t.Errorf("stored a formula: %+v", c)
			}
		}
	}
}

// lineDiff shows up to n lines present in only one of two snapshots.
func lineDiff(a, b string, n int) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ina, inb := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !inb[l] && len(out) < n {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ina[l] && len(out) < 2*n {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// TestImportUndoKeepsLinked (issue 15): the undo keeps a contact it created
// on which the MIA has since built (an affaire on it, an entreprise it
// leads), says why in the counters and the report, and deletes the others:
// the affaire's page still shows its client.
func TestImportUndoKeepsLinked(t *testing.T) {
	a := newTenant(t, false)
	emails := []string{uniqEmail("client"), uniqEmail("dirigeant"), uniqEmail("seul")}
	csv := "Nom;Prénom;E-mail\r\n" +
		"Client;Anne;" + emails[0] + "\r\n" +
		"Dirigeant;Paul;" + emails[1] + "\r\n" +
		"Seul;Marc;" + emails[2] + "\r\n"
	imp := uploadImport(t, a.token, crm.ImportContacts, []byte(csv))
	r := call(t, "GET", "/imports/"+string(imp.ID), a.token, nil)
	r.JSON(t, &imp)
	wantStatus(t, call(t, "POST", "/imports/"+string(imp.ID)+"/confirmation", a.token, map[string]any{"correspondance": imp.Correspondance}), 202)
	runWorker(t)

	ids := map[string]string{} // email → contact id
	for _, c := range list[crm.Contact](t, a.token, "/contacts?limit=200").Items {
		ids[c.Email] = string(c.ID)
	}
	for _, e := range emails {
		if ids[e] == "" {
			t.Fatalf("contact %s not imported", e)
		}
	}
	r = call(t, "POST", "/affaires", a.token, map[string]any{"clientId": ids[emails[0]], "produitId": "auto", "primeAnnuelleCentimes": 50000})
	wantStatus(t, r, 201)
	var aff crm.Affaire
	r.JSON(t, &aff)
	wantStatus(t, call(t, "POST", "/entreprises", a.token, map[string]any{"raisonSociale": "Menuiserie Paul",
		"siren": uniqSiren(), "adresse": "2 rue du Bois, 69002 Lyon", "dirigeantId": ids[emails[1]]}), 201)

	wantStatus(t, call(t, "POST", "/imports/"+string(imp.ID)+"/annulation", a.token, nil), 202)
	runWorker(t)
	r = call(t, "GET", "/imports/"+string(imp.ID), a.token, nil)
	r.JSON(t, &imp)
	if want := (crm.ImportCounts{Crees: 3, Supprimes: 1, Conserves: 2}); imp.Statut != crm.ImportAnnulee || imp.Compteurs != want {
		t.Fatalf("after the undo: %s %+v, want %+v", imp.Statut, imp.Compteurs, want)
	}
	wantStatus(t, call(t, "GET", "/contacts/"+ids[emails[0]], a.token, nil), 200)
	wantStatus(t, call(t, "GET", "/contacts/"+ids[emails[1]], a.token, nil), 200)
	wantStatus(t, call(t, "GET", "/contacts/"+ids[emails[2]], a.token, nil), 404)
	var v crm.AffaireView
	r = call(t, "GET", "/affaires/"+string(aff.ID), a.token, nil)
	wantStatus(t, r, 200)
	r.JSON(t, &v)
	if v.ClientID != ids[emails[0]] || v.ClientNom != "Anne Client" {
		t.Errorf("affaire after the undo: client %s %q", v.ClientID, v.ClientNom)
	}
	r = call(t, "GET", "/imports/"+string(imp.ID)+"/rapport", a.token, nil)
	wantStatus(t, r, 200)
	for _, s := range []string{
		"2;créé;;Anne Client;" + ids[emails[0]] + ";non, conservé : des affaires y sont rattachées depuis l'import\r\n",
		"3;créé;;Paul Dirigeant;" + ids[emails[1]] + ";non, conservé : dirigeant d'une entreprise depuis l'import\r\n",
		"4;créé;;Marc Seul;" + ids[emails[2]] + ";oui\r\n",
	} {
		if !strings.Contains(string(r.Body), s) {
			t.Errorf("report lacks %q:\n%s", s, r.Body)
		}
	}
}
