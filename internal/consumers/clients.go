package consumers

import (
	"context"
	"fmt"

	"github.com/assentis/mycrm/internal/crm"
)

// clientAffaires copies a client's name and apporteur onto its affaires.
type clientAffaires interface {
	RenameClientAffaires(ctx context.Context, m crm.MIAID, id, nom string, version int) error
	AttributeClientAffaires(ctx context.Context, m crm.MIAID, id string, p crm.ApporteurID, version int) error
}

// ClientNom keeps what affaires copy of their client at creation current:
// its name (clientNom) and its apporteur. When a contact's or an
// entreprise's displayed name changes, each of its affaires gets the new one;
// when its apporteur is set, changed or removed, each of its affaires follows
// (attributeAffaires). Idempotent and order-safe: an affaire takes a value
// only from a newer version of its client than the last one it took (a
// redelivered or late record changes nothing).
func ClientNom(d Deps) Handler {
	return each("client-nom", d, func(ctx context.Context, c change) error {
		if c.Name != "MODIFY" {
			return nil // a new client has no affaire yet; a removed one keeps its affaires
		}
		if err := renameAffaires(ctx, d, c); err != nil {
			return err
		}
		return attributeAffaires(ctx, d, c)
	})
}

// renameAffaires copies a client's new name onto its affaires.
func renameAffaires(ctx context.Context, d Deps, c change) error {
	before, cur := c.Old.Client, c.New.Client
	if before == nil || cur == nil || before.Nom == cur.Nom {
		return nil
	}
	if err := d.Store.RenameClientAffaires(ctx, c.New.MIA, cur.ID, cur.Nom, cur.Version); err != nil {
		return fmt.Errorf("rename client %s on its affaires: %w", cur.ID, err)
	}
	return nil
}

// attributeAffaires makes a client's affaires follow its apporteur when the
// MIA sets, changes or removes it: otherwise the previous apporteur would
// keep seeing them (and their commission, notifications and the client's
// name) and the new one would see nothing. The affaire's own stream record
// then carries the change to the historique ("Apporteur : A → B") and to both
// apporteurs' commission totals.
func attributeAffaires(ctx context.Context, d Deps, c change) error {
	before, cur := c.Old.Client, c.New.Client
	if before == nil || cur == nil || before.ApporteurID == cur.ApporteurID {
		return nil
	}
	if err := d.Store.AttributeClientAffaires(ctx, c.New.MIA, cur.ID, cur.ApporteurID, cur.Version); err != nil {
		return fmt.Errorf("attribute client %s's affaires: %w", cur.ID, err)
	}
	return nil
}
