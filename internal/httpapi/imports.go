package httpapi

import (
	"context"
	"net/http"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/csvfr"
	"github.com/assentis/mycrm/internal/csvimport"
)

// Imports of CSV files (contacts, entreprises): the file goes to S3 by a
// presigned POST, the upload check records its shape and preview, the MIA
// confirms the mapping here, and the import worker (a schedule) writes the
// lines; the report and the undo are here too.

type importLister interface {
	ListImports(ctx context.Context, m crm.MIAID, o crm.ListOptions) (crm.Page[crm.Import], error)
}

// ListImports serves GET /imports: the MIA's imports, newest first.
func ListImports(d Deps) (Func, error) {
	return needs(d, handleListImports(d.Store), store)
}

func handleListImports(s importLister) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		o, err := listOptions(r)
		if err != nil {
			return err
		}
		page, err := s.ListImports(r.Context(), p.MIA, o)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, page)
		return nil
	}
}

type importGetter interface {
	GetImport(ctx context.Context, m crm.MIAID, id crm.ImportID) (crm.Import, error)
}

// GetImport serves GET /imports/{importId}: the file's shape, the guessed
// mapping and the first lines, then the progress (one GetItem: the web polls it).
func GetImport(d Deps) (Func, error) {
	return needs(d, handleGetImport(d.Store), store)
}

func handleGetImport(s importGetter) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		imp, err := s.GetImport(r.Context(), p.MIA, crm.ImportID(r.PathValue("importId")))
		if err != nil {
			return err
		}
		writeEntity(w, http.StatusOK, imp.Version, imp)
		return nil
	}
}

// confirmationInput is the mapping the MIA checked and the duplicate option.
type confirmationInput struct {
	Correspondance      []string `json:"correspondance"`
	MettreAJourDoublons bool     `json:"mettreAJourDoublons"`
}

type importConfirmer interface {
	importGetter
	ConfirmImport(ctx context.Context, m crm.MIAID, id crm.ImportID, mapping []string, update bool) (crm.Import, error)
}

// ConfirmImport serves POST /imports/{importId}/confirmation: the mapping
// is checked against the file's columns and the import starts (202: the
// worker runs it; GET /imports/{importId} follows it).
func ConfirmImport(d Deps) (Func, error) {
	return needs(d, handleConfirmImport(d.Store), store)
}

func handleConfirmImport(s importConfirmer) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		in, _, err := decode[confirmationInput](w, r)
		if err != nil {
			return err
		}
		id := crm.ImportID(r.PathValue("importId"))
		imp, err := s.GetImport(r.Context(), p.MIA, id)
		if err != nil {
			return err
		}
		if imp.Statut != crm.ImportAConfirmer {
			return crm.Errorf(crm.ECONFLICT, "Cet import n'attend pas de confirmation.")
		}
		if errs := csvimport.CheckMapping(imp.Type, in.Correspondance, len(imp.Colonnes)); errs != nil {
			return crm.Invalid(errs...)
		}
		imp, err = s.ConfirmImport(r.Context(), p.MIA, id, in.Correspondance, in.MettreAJourDoublons)
		if err != nil {
			return err
		}
		writeEntity(w, http.StatusAccepted, imp.Version, imp)
		return nil
	}
}

type importUndoer interface {
	StartUndo(ctx context.Context, m crm.MIAID, id crm.ImportID) (crm.Import, error)
}

// UndoImport serves POST /imports/{importId}/annulation: within 7 days of
// its end, the worker removes what the import created and restores what it
// updated (202).
func UndoImport(d Deps) (Func, error) {
	return needs(d, handleUndoImport(d.Store), store)
}

func handleUndoImport(s importUndoer) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		imp, err := s.StartUndo(r.Context(), p.MIA, crm.ImportID(r.PathValue("importId")))
		if err != nil {
			return err
		}
		writeEntity(w, http.StatusAccepted, imp.Version, imp)
		return nil
	}
}

type importReporter interface {
	importGetter
	ImportLines(ctx context.Context, m crm.MIAID, id crm.ImportID) ([]crm.ImportLine, error)
}

// outcomeNames are the report's words for each outcome.
var outcomeNames = map[crm.ImportOutcome]string{
	crm.LineCreated: "créé", crm.LineUpdated: "mis à jour", crm.LineDuplicate: "doublon ignoré", crm.LineRejected: "rejeté",
}

// ImportReport serves GET /imports/{importId}/rapport: one CSV line per
// line of the file (French Excel conventions, cells neutralised), once the
// import has ended.
func ImportReport(d Deps) (Func, error) {
	return needs(d, handleImportReport(d.Store), store)
}

func handleImportReport(s importReporter) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		id := crm.ImportID(r.PathValue("importId"))
		imp, err := s.GetImport(r.Context(), p.MIA, id)
		if err != nil {
			return err
		}
		switch imp.Statut {
		case crm.ImportTerminee, crm.ImportAnnulationEnCours, crm.ImportAnnulee:
		default:
			return crm.Errorf(crm.ECONFLICT, "Le rapport sera prêt à la fin de l'import.")
		}
		lines, err := s.ImportLines(r.Context(), p.MIA, id)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="rapport-import-`+string(id)+`.csv"`)
		w.WriteHeader(http.StatusOK)
		cw := csvfr.NewWriter(w)
		if err := cw.Header("Ligne", "Résultat", "Motif", "Fiche", "Identifiant", "Annulé"); err != nil {
			return nil // the client went away; nothing to answer
		}
		for _, l := range lines {
			undone := ""
			if l.Undone {
				undone = "oui"
			}
			if err := cw.Write(csvfr.Int(int64(l.Line)), csvfr.Text(outcomeNames[l.Outcome]), csvfr.Text(l.Reason),
				csvfr.Text(l.Label), csvfr.Text(l.EntityID), csvfr.Text(undone)); err != nil {
				return nil
			}
		}
		_ = cw.Flush()
		return nil
	}
}
