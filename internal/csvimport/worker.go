package csvimport

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/assentis/mycrm/internal/crm"
)

// Inspect reads an uploaded file of kind k: the shape to record (statut
// a_confirmer, encoding, separator, columns, guessed mapping, the first
// lines) or, for a file that cannot be imported, statut echec and why.
func Inspect(k crm.ImportKind, data []byte) crm.Import {
	f, err := Parse(data)
	if err != nil {
		return crm.Import{Statut: crm.ImportEchec, Erreur: message(err)}
	}
	if len(f.Rows) == 0 {
		return crm.Import{Statut: crm.ImportEchec, Erreur: "Le fichier n'a aucune ligne de données sous son en-tête."}
	}
	imp := crm.Import{Statut: crm.ImportAConfirmer, Encodage: f.Encoding, Separateur: SeparatorName(f.Separator),
		Colonnes: make([]string, len(f.Header)), Correspondance: GuessMapping(k, f.Header), Total: len(f.Rows)}
	for i, h := range f.Header {
		imp.Colonnes[i] = clipCell(h)
	}
	// The preview is stored with the import: bounded whatever the file.
	budget := 32 << 10
	for _, rec := range f.Rows[:min(PreviewRows, len(f.Rows))] {
		row := make([]string, len(f.Header))
		for i := range row {
			if i < len(rec) {
				row[i] = clipCell(rec[i])
				budget -= len(row[i])
			}
		}
		if budget < 0 {
			break
		}
		imp.Apercu = append(imp.Apercu, row)
	}
	return imp
}

// clipCell shortens a cell for the preview, keeping valid UTF-8.
func clipCell(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	return clip(s, 60)
}

func message(err error) string {
	var e *crm.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Le fichier n'a pas pu être lu."
}

// Store is what the worker reads and writes (*dynamo.Store).
type Store interface {
	Writer
	GetImport(ctx context.Context, m crm.MIAID, id crm.ImportID) (crm.Import, error)
	FailImport(ctx context.Context, m crm.MIAID, id crm.ImportID, reason string) error
	UndoImport(ctx context.Context, m crm.MIAID, id crm.ImportID, deadline time.Time) (bool, error)
}

// Files reads the file kept for an import.
type Files interface {
	ReadImport(ctx context.Context, m crm.MIAID, id crm.ImportID) ([]byte, error)
}

// Step advances import id of MIA m until the deadline: it runs a confirmed
// import (statut en_cours) from its cursor, or goes on with its undo
// (annulation_en_cours). done is true when nothing is left to do. Any
// number of Steps may run one after the other on the same import (a
// worker's next run, a retry): each line is written once.
func Step(ctx context.Context, st Store, files Files, phone crm.PhoneNormalizer, m crm.MIAID, id crm.ImportID, o Options) (done bool, err error) {
	imp, err := st.GetImport(ctx, m, id)
	if err != nil {
		return false, err
	}
	switch imp.Statut {
	case crm.ImportAnnulationEnCours:
		return st.UndoImport(ctx, m, id, o.Deadline)
	case crm.ImportEnCours:
	default:
		return true, nil
	}
	data, err := files.ReadImport(ctx, m, id)
	if err != nil {
		return false, fmt.Errorf("read import file: %w", err)
	}
	f, err := Parse(data)
	if err == nil && len(f.Rows) != imp.Total {
		err = crm.Errorf(crm.EUNPROCESSABLE, "Le fichier a changé depuis son dépôt.")
	}
	if errs := CheckMapping(imp.Type, imp.Correspondance, len(imp.Colonnes)); err == nil && errs != nil {
		err = crm.Invalid(errs...)
	}
	if err != nil {
		return true, st.FailImport(ctx, m, id, message(err))
	}
	return Run(ctx, st, m, imp, Plan(f, imp.Type, imp.Correspondance, phone), o)
}

// Active lists the imports to advance.
type Active interface {
	ActiveImports(ctx context.Context) ([]crm.ImportRef, error)
}

// StepAll advances every active import in turn until the deadline (the
// scheduled worker's run). An import that fails is reported in the joined
// error and does not stop the others.
func StepAll(ctx context.Context, act Active, st Store, files Files, phone crm.PhoneNormalizer, o Options) error {
	refs, err := act.ActiveImports(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range refs {
		if !o.Deadline.IsZero() && time.Now().After(o.Deadline) {
			break
		}
		if _, err := Step(ctx, st, files, phone, r.MIA, r.ID, o); err != nil {
			errs = append(errs, fmt.Errorf("import %s: %w", r.ID, err))
		}
	}
	return errors.Join(errs...)
}
