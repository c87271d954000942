package consumers

import (
	"context"
	"fmt"
	"strconv"

	"github.com/assentis/mycrm/internal/crm"
)

// historiques writes an affaire's history entries and moves them with its
// apporteur.
type historiques interface {
	PutHistorique(ctx context.Context, m crm.MIAID, h crm.Historique, apporteur crm.ApporteurID) error
	RehomeHistorique(ctx context.Context, m crm.MIAID, a crm.AffaireID, p crm.ApporteurID, version int) error
}

// commissions keeps an apporteur's commission totals.
type commissions interface {
	SetApporteurCommission(ctx context.Context, m crm.MIAID, p crm.ApporteurID, a crm.Affaire) error
	RemoveApporteurCommission(ctx context.Context, m crm.MIAID, p crm.ApporteurID, a crm.AffaireID, version int) error
}

// contactClients makes a contact a client.
type contactClients interface {
	MarkContactClient(ctx context.Context, m crm.MIAID, id crm.ContactID) error
}

// Historique writes an affaire's history: one entry at its creation and one
// per update that changes its statut, prime, a taux or its apporteur. The
// entry's key derives from the affaire's update time and version: a
// redelivered record rewrites the same item.
func Historique(d Deps) Handler {
	return each("historique", d, func(ctx context.Context, c change) error {
		m, old, cur, ok := affaires(c)
		if !ok || cur == nil {
			return nil
		}
		h, ok := historiqueOf(old, cur)
		if !ok {
			return nil
		}
		if err := rehomeHistorique(ctx, d, m, old, cur); err != nil {
			return err
		}
		return d.Store.PutHistorique(ctx, m, h, cur.ApporteurID)
	})
}

// rehomeHistorique gives the new apporteur of an affaire its earlier
// historique entries (and takes them from the previous one). Done here, in
// the consumer that writes the entries, so every entry of the versions
// before the change is already written when they move.
func rehomeHistorique(ctx context.Context, d Deps, m crm.MIAID, old, cur *crm.Affaire) error {
	if old == nil || old.ApporteurID == cur.ApporteurID {
		return nil
	}
	if err := d.Store.RehomeHistorique(ctx, m, cur.ID, cur.ApporteurID, cur.Version); err != nil {
		return fmt.Errorf("rehome historique of %s: %w", cur.ID, err)
	}
	return nil
}

// historiqueOf describes the change from old (nil at creation) to cur.
func historiqueOf(old, cur *crm.Affaire) (crm.Historique, bool) {
	h := crm.Historique{AffaireID: cur.ID, At: cur.UpdatedAt, Seq: cur.Version, Statut: cur.Statut, Version: cur.Version}
	if old == nil {
		h.Evenement = "creation"
		return h, true
	}
	if old.Version >= cur.Version {
		return h, false
	}
	h.Evenement, h.StatutAvant = "mise_a_jour", old.Statut
	add := func(champ, avant, apres string) {
		if avant != apres {
			h.Changements = append(h.Changements, crm.Changement{Champ: champ, Avant: avant, Apres: apres})
		}
	}
	add("statut", string(old.Statut), string(cur.Statut))
	// Ids, not names: names change, and the MIA's web client shows the names
	// of its apporteurs (the espace apporteur never shows this change).
	add("apporteurId", string(old.ApporteurID), string(cur.ApporteurID))
	add("tauxCommissionApporteur", taux(old.TauxCommissionApporteur), taux(cur.TauxCommissionApporteur))
	add("primeAnnuelleCentimes", strconv.FormatInt(old.PrimeAnnuelleCentimes, 10), strconv.FormatInt(cur.PrimeAnnuelleCentimes, 10))
	add("tauxCommissionMIA", strconv.Itoa(old.TauxCommissionMIA), strconv.Itoa(cur.TauxCommissionMIA))
	return h, len(h.Changements) > 0
}

func taux(t *int) string {
	if t == nil {
		return ""
	}
	return strconv.Itoa(*t)
}

// Commissions keeps each apporteur's commission totals current on its item:
// per affaire, its statut and commission apporteur, recorded only when newer
// than what is stored (so redelivery or reordering changes nothing).
func Commissions(d Deps) Handler {
	return each("commissions", d, func(ctx context.Context, c change) error {
		m, old, cur, ok := affaires(c)
		if !ok {
			return nil
		}
		if old != nil && old.ApporteurID != "" && (cur == nil || cur.ApporteurID != old.ApporteurID) {
			// The version that took the affaire away from old's apporteur.
			version := old.Version + 1
			if cur != nil {
				version = cur.Version
			}
			if err := d.Store.RemoveApporteurCommission(ctx, m, old.ApporteurID, old.ID, version); err != nil {
				return fmt.Errorf("remove commission: %w", err)
			}
		}
		if cur != nil && cur.ApporteurID != "" {
			if old != nil && old.ApporteurID == cur.ApporteurID && old.Statut == cur.Statut &&
				old.CommissionApporteurCentimes() == cur.CommissionApporteurCentimes() {
				return nil
			}
			if err := d.Store.SetApporteurCommission(ctx, m, cur.ApporteurID, *cur); err != nil {
				return fmt.Errorf("set commission: %w", err)
			}
		}
		return nil
	})
}

// ContactClient makes a contact a client when one of its affaires becomes
// signee (an affaire of an entreprise changes no contact).
func ContactClient(d Deps) Handler {
	return each("contact-client", d, func(ctx context.Context, c change) error {
		m, old, cur, ok := affaires(c)
		if !ok || cur == nil {
			return nil
		}
		if cur.Statut != crm.AffaireSignee || old != nil && old.Statut == crm.AffaireSignee || cur.ClientType != crm.ClientContact {
			return nil
		}
		return d.Store.MarkContactClient(ctx, m, crm.ContactID(cur.ClientID))
	})
}
