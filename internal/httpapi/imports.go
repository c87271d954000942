package httpapi

import (
	"context"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/csvfr"
	"github.com/assentis/mycrm/internal/csvimport"
	"github.com/assentis/mycrm/internal/files"
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
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Page[crm.Import], error) {
		return s.ListImports(r.Context(), p.MIA, o)
	})
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
	ImportReport(ctx context.Context, m crm.MIAID, id crm.ImportID) (crm.Import, []crm.ImportLine, error)
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
		// One round trip: the lines are read with the import.
		imp, lines, err := s.ImportReport(r.Context(), p.MIA, id)
		if err != nil {
			return err
		}
		switch imp.Statut {
		case crm.ImportTerminee, crm.ImportAnnulationEnCours, crm.ImportAnnulee:
		default:
			return crm.Errorf(crm.ECONFLICT, "Le rapport sera prêt à la fin de l'import.")
		}
		attachment(w.Header(), csvType, "rapport-import-"+string(id)+".csv")
		w.WriteHeader(http.StatusOK)
		cw := csvfr.NewWriter(w)
		if err := cw.Header("Ligne", "Résultat", "Motif", "Fiche", "Identifiant", "Annulé"); err != nil {
			return nil // the client went away; nothing to answer
		}
		for _, l := range lines {
			undone := ""
			switch {
			case l.Undone:
				undone = "oui"
			case l.Kept && l.UndoReason != "":
				undone = "non, " + l.UndoReason
			case l.Kept:
				undone = "non, conservé"
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

// newImportInput starts an import.
type newImportInput struct {
	Type       crm.ImportKind `json:"type"`
	NomFichier string         `json:"nomFichier"`
}

// StartedImport is the new import and where the browser posts its file.
type StartedImport struct {
	Import crm.Import `json:"import"`
	Depot  crm.Upload `json:"depot"`
}

type importCreator interface {
	CreateImport(ctx context.Context, m crm.MIAID, kind crm.ImportKind, nomFichier string) (crm.Import, error)
}

type uploadSigner interface {
	PresignUpload(ctx context.Context, k files.Kind, t files.Type, key string) (crm.Upload, error)
}

// CreateImport serves POST /imports: records an import waiting for its
// file and answers the presigned POST that uploads it (CSV, 20 MB at most)
// straight to the files bucket; the upload check then reads it.
func CreateImport(d Deps) (Func, error) {
	if d.Files == nil {
		return needs(d, nil, store, filesBucket)
	}
	return needs(d, handleCreateImport(d.Store, d.Files), store, filesBucket)
}

func handleCreateImport(s importCreator, f uploadSigner) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		in, _, err := decode[newImportInput](w, r)
		if err != nil {
			return err
		}
		var v fieldProblems
		nom := strings.TrimSpace(in.NomFichier)
		if utf8.RuneCountInString(nom) > 200 || strings.ContainsFunc(nom, unicode.IsControl) {
			v = append(v, crm.FieldError{Champ: "nomFichier", Message: "Le nom du fichier dépasse 200 caractères ou contient des caractères de contrôle."})
		}
		if !in.Type.Valid() {
			v = append(v, crm.FieldError{Champ: "type", Message: "Le type doit être « contacts » ou « entreprises »."})
		}
		if v != nil {
			return crm.Invalid(v...)
		}
		imp, err := s.CreateImport(r.Context(), p.MIA, in.Type, nom)
		if err != nil {
			return err
		}
		up, err := f.PresignUpload(r.Context(), files.Import, files.CSV, files.IncomingKey(files.Import, string(p.MIA), string(imp.ID)))
		if err != nil {
			return &crm.Error{Code: crm.EINTERNAL, Message: "Erreur interne.", Err: err}
		}
		w.Header().Set("Location", "/imports/"+string(imp.ID))
		writeEntity(w, http.StatusCreated, imp.Version, StartedImport{Import: imp, Depot: up})
		return nil
	}
}

type fieldProblems []crm.FieldError
