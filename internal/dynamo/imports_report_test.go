package dynamo

import (
	"context"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
)

// behind detects lines read before the import item that counts them moved
// on: fewer records, or fewer undone ones, than its counters.
func TestImportLinesBehind(t *testing.T) {
	done := crm.ImportLine{Outcome: crm.LineCreated, Undone: true}
	kept := crm.ImportLine{Outcome: crm.LineDuplicate}
	for _, tc := range []struct {
		name  string
		lines []crm.ImportLine
		c     crm.ImportCounts
		want  bool
	}{
		{"empty import", nil, crm.ImportCounts{}, false},
		{"every counted line read", []crm.ImportLine{kept, kept}, crm.ImportCounts{Doublons: 1, Rejetes: 1}, false},
		{"lines of a chunk not yet counted", []crm.ImportLine{kept, kept, kept}, crm.ImportCounts{Doublons: 2}, false},
		{"a counted line missing", []crm.ImportLine{kept}, crm.ImportCounts{Doublons: 1, Crees: 1}, true},
		{"every counted undo read", []crm.ImportLine{done, kept}, crm.ImportCounts{Crees: 1, Doublons: 1, Supprimes: 1, Conserves: 1}, false},
		{"a counted undo missing", []crm.ImportLine{done, {Outcome: crm.LineUpdated}}, crm.ImportCounts{Crees: 1, MisAJour: 1, Supprimes: 1, Restaures: 1}, true},
	} {
		if got := behind(tc.lines, tc.c); got != tc.want {
			t.Errorf("%s: behind = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The report's counters never exceed what the lines show once the import
// and its undo are over: ImportReport needs no second read then.
func TestImportReportMatchesCounters(t *testing.T) {
	s, m := newStore(t)
	ctx := context.Background()
	createdContact(t)(s.CreateContact(ctx, m, crm.Contact{Nom: "Aubert", Email: "a@exemple.fr"}, nil))
	csv := "Nom;E-mail\r\nBlanc;b@exemple.fr\r\nAubert;A@exemple.fr\r\nBlanc;b@exemple.fr\r\n;c@exemple.fr\r\n"
	imp := runImport(t, s, m, crm.ImportContacts, []byte(csv), true)
	got, lines := must2(t)(s.ImportReport(ctx, m, imp.ID))
	if got.Statut != crm.ImportTerminee || len(lines) != 4 || behind(lines, got.Compteurs) {
		t.Fatalf("report = %+v, %+v", got, lines)
	}
	must[crm.Import](t)(s.StartUndo(ctx, m, imp.ID))
	if done, err := s.UndoImport(ctx, m, imp.ID, s.Now().Add(1e12)); err != nil || !done {
		t.Fatalf("undo: %v, done %v", err, done)
	}
	got, lines = must2(t)(s.ImportReport(ctx, m, imp.ID))
	if got.Statut != crm.ImportAnnulee || got.Compteurs.Supprimes+got.Compteurs.Restaures == 0 || behind(lines, got.Compteurs) {
		t.Fatalf("report after undo = %+v, %+v", got, lines)
	}
	if _, _, err := s.ImportReport(ctx, "autre-mia", imp.ID); crm.ErrorCode(err) != crm.ENOTFOUND {
		t.Fatalf("other MIA: %v", err)
	}
}

func must2(t *testing.T) func(crm.Import, []crm.ImportLine, error) (crm.Import, []crm.ImportLine) {
	return func(i crm.Import, l []crm.ImportLine, err error) (crm.Import, []crm.ImportLine) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return i, l
	}
}
