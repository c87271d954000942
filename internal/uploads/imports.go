package uploads

import (
	"context"
	"errors"
	"io"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/csvimport"
	"github.com/assentis/mycrm/internal/files"
)

// importStore records what the check found in an import's file (*dynamo.Store).
type importStore interface {
	GetImport(ctx context.Context, m crm.MIAID, id crm.ImportID) (crm.Import, error)
	SetImportFile(ctx context.Context, m crm.MIAID, id crm.ImportID, f crm.Import) (crm.Import, error)
}

// settleImport: an accepted CSV is kept under the MIA's prefix for the
// worker, and its shape (encoding, separator, columns, guessed mapping,
// first lines) recorded for the MIA to confirm; a refused file, or one
// that cannot be read as CSV, ends the import with why.
func settleImport(d Deps) (Settle, error) {
	if d.Store == nil {
		return nil, errors.New("missing dependency: store")
	}
	return func(ctx context.Context, c Checked) error {
		id := crm.ImportID(c.ID)
		imp, err := d.Store.GetImport(ctx, c.MIA, id)
		if crm.ErrorCode(err) == crm.ENOTFOUND {
			return nil // no import of this MIA has this id: nothing to record
		} else if err != nil {
			return err
		}
		if imp.Statut != crm.ImportEnAttenteFichier && imp.Statut != crm.ImportAConfirmer {
			return nil // settled already (a redelivered event), and confirmed since
		}
		shape := crm.Import{Statut: crm.ImportEchec, Erreur: "Fichier refusé : ce n'est pas un fichier CSV."}
		if c.Motif == "" {
			o, err := d.Files.Open(ctx, c.Key, c.Version)
			if err != nil {
				return err
			}
			data, err := io.ReadAll(io.LimitReader(o.Body, csvimport.MaxFileBytes+1))
			o.Body.Close()
			if err != nil {
				return err
			}
			shape = csvimport.Inspect(imp.Type, data)
			if shape.Statut == crm.ImportAConfirmer {
				if _, err := d.Files.Copy(ctx, c.Key, c.Version, files.ImportKey(c.MIA, id)); err != nil {
					return err
				}
			}
		}
		_, err = d.Store.SetImportFile(ctx, c.MIA, id, shape)
		if crm.ErrorCode(err) == crm.ECONFLICT {
			return nil
		}
		return err
	}, nil
}
