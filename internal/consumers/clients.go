package consumers

import (
	"context"
	"fmt"

	"github.com/assentis/mycrm/internal/dynamo"
)

// ClientNom keeps the client name affaires copy at creation (clientNom)
// current: when a contact's or an entreprise's displayed name changes, each
// of its affaires gets the new one. Idempotent and order-safe: an affaire
// takes a name only from a newer version of its client than the last one it
// took (a redelivered or late record changes nothing).
func ClientNom(d Deps) Handler {
	return each("stream-client-nom", d, func(ctx context.Context, c change) error {
		if c.Name != "MODIFY" {
			return nil // a new client has no affaire yet; a removed one keeps its affaires' name
		}
		_, _, before, _, okOld, err := dynamo.ClientFromImage(c.Old)
		if err != nil {
			return fmt.Errorf("decode old client: %w", err)
		}
		m, id, nom, version, ok, err := dynamo.ClientFromImage(c.New)
		if err != nil {
			return fmt.Errorf("decode new client: %w", err)
		}
		if !ok || !okOld || before == nom {
			return nil
		}
		if err := d.Store.RenameClientAffaires(ctx, m, id, nom, version); err != nil {
			return fmt.Errorf("rename client %s on its affaires: %w", id, err)
		}
		return nil
	})
}
