package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/csvimport"
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

// memFiles holds the uploaded files of the test's imports.
type memFiles map[crm.ImportID][]byte

func (f memFiles) ReadImport(_ context.Context, _ crm.MIAID, id crm.ImportID) ([]byte, error) {
	return f[id], nil
}

// depositImport records an import of m with data as its file, as the
// upload check does (shape, guessed mapping, preview).
func depositImport(t *testing.T, m crm.MIAID, kind crm.ImportKind, data []byte, files memFiles) crm.Import {
	t.Helper()
	ctx := context.Background()
	s := importStore()
	imp, err := s.CreateImport(ctx, m, kind, "fichier.csv")
	if err != nil {
		t.Fatal(err)
	}
	if files != nil {
		files[imp.ID] = data
	}
	imp, err = s.SetImportFile(ctx, m, imp.ID, csvimport.Inspect(kind, data))
	if err != nil {
		t.Fatal(err)
	}
	return imp
}

// runWorker does what the scheduled worker does until nothing is left.
func runWorker(t *testing.T, files memFiles) {
	t.Helper()
	s := importStore()
	o := csvimport.Options{Chunk: 250, Workers: 16, Deadline: time.Now().Add(10 * time.Minute)}
	if err := csvimport.StepAll(context.Background(), s, s, files, phone.Normalize, o); err != nil {
		t.Fatal(err)
	}
}

func TestImportAPI(t *testing.T) {
	a := newTenant(t, false)
	files := memFiles{}
	existing := createContact(t, a.token, map[string]any{"nom": "Existant", "email": uniqEmail("existant")})
	csv := "Nom;Prénom;E-mail;Téléphone\r\n" +
		"Lefèvre;Élodie;" + uniqEmail("elodie") + ";\r\n" +
		"Existant;;" + existing.Email + ";\r\n" +
		";Sans nom;" + uniqEmail("sans") + ";\r\n"
	imp := depositImport(t, a.id, crm.ImportContacts, latin1(csv), files)

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
	runWorker(t, files)

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
	runWorker(t, files)
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
