package consumers

import (
	"context"
	"fmt"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// conservationClocks keeps the prospects' retention clocks.
type conservationClocks interface {
	TouchConservation(ctx context.Context, m crm.MIAID, c crm.ContactID, at time.Time, create bool) error
	DropConservation(ctx context.Context, m crm.MIAID, c crm.ContactID) error
}

// Conservation keeps each prospect's retention clock (issue 15): it starts
// when the contact is entered and restarts on every contact with the
// person (an affaire created or updated; notes, tasks done and emails as
// they land); a contact that becomes a client, is erased or removed has
// none. The clock keeps the latest time seen, so records replayed or in any
// order give the same clock.
func Conservation(d Deps) Handler {
	return each("conservation", d, func(ctx context.Context, c change) error {
		var err error
		switch {
		case c.New.Kind == crm.KindContact && c.New.Contact != nil:
			ct := c.New.Contact
			if ct.Efface || ct.Statut != crm.ContactProspect {
				err = d.Store.DropConservation(ctx, c.New.MIA, ct.ID)
			} else {
				err = d.Store.TouchConservation(ctx, c.New.MIA, ct.ID, ct.CreatedAt, true)
			}
		case c.Name == "REMOVE" && c.Old.Kind == crm.KindContact && c.Old.Contact != nil:
			err = d.Store.DropConservation(ctx, c.Old.MIA, c.Old.Contact.ID)
		case c.New.Kind == crm.KindAffaire && c.New.Affaire != nil && c.New.Affaire.ClientType == crm.ClientContact:
			a := c.New.Affaire
			err = d.Store.TouchConservation(ctx, c.New.MIA, crm.ContactID(a.ClientID), a.UpdatedAt, false)
		case c.New.Kind == crm.KindNote && c.New.Note != nil && c.New.Note.Cible.ClientID != "":
			// A note on the contact or on one of its affaires (an entreprise has no clock).
			n := c.New.Note
			err = d.Store.TouchConservation(ctx, c.New.MIA, crm.ContactID(n.Cible.ClientID), n.CreatedAt, false)
		case c.New.Kind == crm.KindTache && c.New.Tache != nil && c.New.Tache.FaiteLe != nil && c.New.Tache.Cible != nil &&
			c.New.Tache.Cible.ClientID != "":
			t := c.New.Tache
			err = d.Store.TouchConservation(ctx, c.New.MIA, crm.ContactID(t.Cible.ClientID), *t.FaiteLe, false)
		}
		if err != nil {
			return fmt.Errorf("conservation: %w", err)
		}
		return nil
	})
}
