package dynamo

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/csvimport"
	"github.com/assentis/mycrm/internal/csvimport/csvimporttest"
	"github.com/assentis/mycrm/internal/phone"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// snapshot is every item of a MIA but the import's own (the base an undo
// must give back byte for byte).
func snapshot(t *testing.T, m crm.MIAID) map[string]map[string]types.AttributeValue {
	t.Helper()
	out := map[string]map[string]types.AttributeValue{}
	in := &dynamodb.QueryInput{TableName: aws.String(testTable), ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: MIAPK(m)}}}
	for {
		res, err := testDB.Query(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range res.Items {
			sk := it["SK"].(*types.AttributeValueMemberS).Value
			if !strings.HasPrefix(sk, prefixImport) && !strings.HasPrefix(sk, prefixImportLine) {
				out[sk] = it
			}
		}
		if len(res.LastEvaluatedKey) == 0 {
			return out
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// toCP1252 encodes the Latin-1 subset of s as Windows-1252 (the test's accents).
func toCP1252(s string) []byte {
	var b []byte
	for _, r := range s {
		if r > 0xFF {
			panic("not Latin-1")
		}
		b = append(b, byte(r))
	}
	return b
}

func runImport(t *testing.T, s *Store, m crm.MIAID, kind crm.ImportKind, data []byte, update bool) crm.Import {
	t.Helper()
	return runImportWith(t, s, m, kind, data, update, csvimport.Options{Chunk: 3, Workers: 4})
}

func runImportWith(t *testing.T, s *Store, m crm.MIAID, kind crm.ImportKind, data []byte, update bool, o csvimport.Options) crm.Import {
	t.Helper()
	ctx := context.Background()
	f, err := csvimport.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	imp := must[crm.Import](t)(s.CreateImport(ctx, m, kind, "test.csv"))
	mapping := csvimport.GuessMapping(kind, f.Header)
	if errs := csvimport.CheckMapping(kind, mapping, len(f.Header)); errs != nil {
		t.Fatalf("mapping %v: %v", mapping, errs)
	}
	must[crm.Import](t)(s.SetImportFile(ctx, m, imp.ID, crm.Import{Statut: crm.ImportAConfirmer, Encodage: f.Encoding,
		Separateur: csvimport.SeparatorName(f.Separator), Colonnes: f.Header, Correspondance: mapping, Total: len(f.Rows)}))
	imp = must[crm.Import](t)(s.ConfirmImport(ctx, m, imp.ID, mapping, update))
	rows := csvimport.Plan(f, kind, mapping, phone.Normalize)
	done, err := csvimport.Run(ctx, s, m, imp, rows, o)
	if err != nil || !done {
		t.Fatalf("run: %v, done %v", err, done)
	}
	return must[crm.Import](t)(s.GetImport(ctx, m, imp.ID))
}

func TestImportContactsThenUndo(t *testing.T) {
	s, m := newStore(t)
	ctx := context.Background()
	a := createdContact(t)(s.CreateContact(ctx, m, crm.Contact{Nom: "Aubert", Email: "a@exemple.fr", Telephone: "0611111111", Profession: "Boulanger"}, nil))
	b := createdContact(t)(s.CreateContact(ctx, m, crm.Contact{Nom: "Bernard", Telephone: "0622222222"}, nil))
	before := snapshot(t, m)

	csv := "Nom;Prénom;Téléphone;E-mail;Ville;Profession\r\n" +
		"Élodie;Hélène;06 33 33 33 33;elodie@exemple.fr;Orléans;Pâtissière\r\n" + // 2 created
		"Aubert;;;A@Exemple.fr;;Meunier\r\n" + // 3 updated (A by email)
		"Autre;;06 33 33 33 33;;;\r\n" + // 4 duplicate of line 2
		";Sans nom;0644444444;;;\r\n" + // 5 rejected
		"=HYPERLINK(\"x\");;0655555555;;;\r\n" + // 6 rejected (formula)
		"Mix;;0622222222;a@exemple.fr;;\r\n" + // 7 duplicate of two contacts
		"Bernard;;+33 6 22 22 22 22;;;\r\n" // 8 duplicate of B, already up to date
	imp := runImport(t, s, m, crm.ImportContacts, toCP1252(csv), true)

	if imp.Encodage != csvimport.Windows1252 || imp.Statut != crm.ImportTerminee || imp.Curseur != 7 {
		t.Fatalf("import = %+v", imp)
	}
	want := crm.ImportCounts{Crees: 1, MisAJour: 1, Doublons: 3, Rejetes: 2}
	if imp.Compteurs != want {
		t.Fatalf("counts = %+v, want %+v", imp.Compteurs, want)
	}
	lines := must[[]crm.ImportLine](t)(s.ImportLines(ctx, m, imp.ID))
	got := []string{}
	for _, l := range lines {
		got = append(got, string(l.Outcome))
	}
	wantOut := []string{"cree", "mis_a_jour", "doublon_ignore", "rejete", "rejete", "doublon_ignore", "doublon_ignore"}
	if !reflect.DeepEqual(got, wantOut) {
		t.Fatalf("outcomes = %v, want %v", got, wantOut)
	}
	if lines[1].EntityID != string(a.ID) || lines[6].EntityID != string(b.ID) {
		t.Errorf("entity ids = %q, %q; want %q, %q", lines[1].EntityID, lines[6].EntityID, a.ID, b.ID)
	}
	created := must[crm.Contact](t)(s.contact(ctx, m, crm.ContactID(lines[0].EntityID)))
	if created.Nom != "Élodie" || created.Prenom != "Hélène" || created.Adresse != "Orléans" || created.Telephone != "+33633333333" {
		t.Errorf("created = %+v", created)
	}
	if got := must[crm.Contact](t)(s.contact(ctx, m, a.ID)); got.Profession != "Meunier" || got.Version != 2 {
		t.Errorf("updated = %+v", got)
	}

	// A line written again returns what was recorded and writes nothing.
	mid := snapshot(t, m)
	f, _ := csvimport.Parse(toCP1252(csv))
	rows := csvimport.Plan(f, crm.ImportContacts, imp.Correspondance, phone.Normalize)
	for _, r := range rows {
		l := must[crm.ImportLine](t)(s.ImportRow(ctx, m, imp.ID, r, true))
		if l.Outcome != lines[r.Line-2].Outcome {
			t.Errorf("replay of line %d = %s, want %s", r.Line, l.Outcome, lines[r.Line-2].Outcome)
		}
	}
	if !reflect.DeepEqual(snapshot(t, m), mid) {
		t.Fatal("a replay changed the base")
	}

	must[crm.Import](t)(s.StartUndo(ctx, m, imp.ID))
	if done, err := s.UndoImport(ctx, m, imp.ID, s.Now().Add(1e12)); err != nil || !done {
		t.Fatalf("undo: %v %v", err, done)
	}
	if after := snapshot(t, m); !reflect.DeepEqual(after, before) {
		t.Fatalf("after undo the base differs:\nbefore %d items, after %d", len(before), len(after))
	}
	imp = must[crm.Import](t)(s.GetImport(ctx, m, imp.ID))
	if imp.Statut != crm.ImportAnnulee || imp.Compteurs.Supprimes != 1 || imp.Compteurs.Restaures != 1 {
		t.Errorf("after undo = %+v", imp)
	}
	_, err := s.StartUndo(ctx, m, imp.ID)
	wantCode(t, err, crm.ECONFLICT)
}

func TestImportEntreprises(t *testing.T) {
	s, m := newStore(t)
	ctx := context.Background()
	d := createdContact(t)(s.CreateContact(ctx, m, crm.Contact{Nom: "Dirigeant", Email: "dir@exemple.fr"}, nil))
	e := createdEntreprise(t)(s.CreateEntreprise(ctx, m, crm.Entreprise{RaisonSociale: "Existante", Siren: "732829320", Adresse: "1 rue A", DirigeantID: d.ID}, nil))
	before := snapshot(t, m)
	csv := "Raison sociale,SIRET,Adresse,Code postal,Ville,Email du dirigeant\n" +
		"Nouvelle SARL,552 100 554 00012,3 rue B,75001,Paris,dir@exemple.fr\n" + // created
		"Existante,732829320,9 rue C,,,dir@exemple.fr\n" + // updated
		"Orpheline,443061841,4 rue D,,,personne@exemple.fr\n" + // rejected: no such dirigeant
		"Mauvaise,123456789,5 rue E,,,dir@exemple.fr\n" // rejected: SIREN key
	imp := runImport(t, s, m, crm.ImportEntreprises, []byte(csv), true)
	want := crm.ImportCounts{Crees: 1, MisAJour: 1, Rejetes: 2}
	if imp.Compteurs != want {
		lines, _ := s.ImportLines(ctx, m, imp.ID)
		t.Fatalf("counts = %+v, want %+v; lines %+v", imp.Compteurs, want, lines)
	}
	if got := must[crm.Entreprise](t)(s.entreprise(ctx, m, e.ID)); got.Adresse != "9 rue C" || got.RaisonSociale != "Existante" {
		t.Errorf("updated = %+v", got)
	}
	must[crm.Import](t)(s.StartUndo(ctx, m, imp.ID))
	if done, err := s.UndoImport(ctx, m, imp.ID, s.Now().Add(1e12)); err != nil || !done {
		t.Fatalf("undo: %v %v", err, done)
	}
	if !reflect.DeepEqual(snapshot(t, m), before) {
		t.Fatal("after undo the base differs")
	}
}

func createdContact(t *testing.T) func(crm.Contact, *crm.Replay, error) crm.Contact {
	return func(c crm.Contact, _ *crm.Replay, err error) crm.Contact {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
}

func createdEntreprise(t *testing.T) func(crm.Entreprise, *crm.Replay, error) crm.Entreprise {
	return func(e crm.Entreprise, _ *crm.Replay, err error) crm.Entreprise {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
}

// TestImportLargeFile imports a 2,000-line file of csvimporttest (the e2e
// and make bench import its 10,000 lines through the API) and checks
// the outcome of every line, then that the undo gives the base back byte
// for byte. The rate is logged (make bench measures it), never asserted.
func TestImportLargeFile(t *testing.T) {
	s, m := newStore(t)
	ctx := context.Background()
	n := 2000
	for i := range csvimporttest.Bases(n) {
		createdContact(t)(s.CreateContact(ctx, m, csvimporttest.BaseContact(i), nil))
	}
	before := snapshot(t, m)
	data, want := csvimporttest.File(n)
	start := time.Now()
	imp := runImportWith(t, s, m, crm.ImportContacts, data, true, csvimport.Options{Chunk: 250, Workers: 16})
	elapsed := time.Since(start)
	t.Logf("%d lines imported in %v: %.0f lines/s", n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
	var wantCounts crm.ImportCounts
	for _, o := range want {
		wantCounts.Add(o)
	}
	if imp.Compteurs != wantCounts {
		t.Fatalf("counts = %+v, want %+v", imp.Compteurs, wantCounts)
	}
	lines := must[[]crm.ImportLine](t)(s.ImportLines(ctx, m, imp.ID))
	if len(lines) != n {
		t.Fatalf("%d lines recorded, want %d", len(lines), n)
	}
	for i, l := range lines {
		if l.Line != i+2 || l.Outcome != want[i] {
			t.Fatalf("line %d: %+v, want outcome %s", i+2, l, want[i])
		}
	}
	must[crm.Import](t)(s.StartUndo(ctx, m, imp.ID))
	start = time.Now()
	if done, err := s.UndoImport(ctx, m, imp.ID, time.Time{}); err != nil || !done {
		t.Fatalf("undo: %v %v", err, done)
	}
	t.Logf("undone in %v", time.Since(start).Round(time.Millisecond))
	if after := snapshot(t, m); !reflect.DeepEqual(after, before) {
		t.Fatalf("after undo: %d items, before %d", len(after), len(before))
	}
}
