package uploads

import (
	"context"
	"errors"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/files"
)

// documentStore records the check of a document (*dynamo.Store).
type documentStore interface {
	VerifyDocument(ctx context.Context, m crm.MIAID, id crm.DocumentID, taille int64, sha256, fileVersion string, at time.Time) error
	RefuseDocument(ctx context.Context, m crm.MIAID, id crm.DocumentID, taille int64, sha256, motif string, at time.Time) error
}

// settleDocument: an accepted document is copied to its place under the
// MIA's prefix, then marked verifie with its size, hash and version; a
// refused one is marked refuse with why (the check then deletes it).
func settleDocument(d Deps) (Settle, error) {
	if d.Store == nil {
		return nil, errors.New("missing dependency: store")
	}
	return func(ctx context.Context, c Checked) error {
		id := crm.DocumentID(c.ID)
		if c.Motif != "" {
			return d.Store.RefuseDocument(ctx, c.MIA, id, c.Size, c.SHA256, c.Motif, c.At)
		}
		v, err := d.Files.Copy(ctx, c.Key, c.Version, files.DocumentKey(c.MIA, id))
		if err != nil {
			return err
		}
		return d.Store.VerifyDocument(ctx, c.MIA, id, c.Size, c.SHA256, v, c.At)
	}, nil
}
