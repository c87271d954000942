package consumers

import (
	"context"
	"fmt"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/mail"
)

// ledgers brings the commission ledger up to date with an affaire version.
type ledgers interface {
	LedgerOnAffaire(ctx context.Context, m crm.MIAID, a crm.Affaire) error
}

// Ledger writes the ledger lines an affaire's changes cause: the acquise
// line at signature, a régularisation after a change of prime or taux, the
// reprises and annulations of a résiliation. The store decides from the
// affaire's signature item, which records the last version taken into
// account: a redelivered or replayed record writes nothing.
func Ledger(d Deps) Handler {
	return each("ledger", d, func(ctx context.Context, c change) error {
		m, _, cur, ok := affaires(c)
		if !ok || cur == nil {
			return nil
		}
		switch cur.Statut {
		case crm.AffaireSignee, crm.AffaireResiliee:
			return d.Store.LedgerOnAffaire(ctx, m, *cur)
		}
		return nil
	})
}

// ReleveEmis emails the apporteur when its relevé de commissions is issued:
// a link to its espace, once per relevé.
func ReleveEmis(d Deps) Handler {
	return each("releve-emis", d, func(ctx context.Context, c change) error {
		r := c.New.Releve
		if c.Name != "INSERT" || c.New.Kind != crm.KindReleve || r == nil {
			return nil
		}
		m := c.New.MIA
		app, err := d.Store.GetApporteur(ctx, m, r.ApporteurID)
		if crm.ErrorCode(err) == crm.ENOTFOUND {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read apporteur: %w", err)
		}
		if app.Statut != crm.ApporteurActif {
			return nil // no espace to open: the MIA hands the relevé over itself
		}
		mia, err := d.Store.GetMIA(ctx, m)
		if err != nil && crm.ErrorCode(err) != crm.ENOTFOUND {
			return fmt.Errorf("read mia: %w", err)
		}
		msg, err := mail.Compose(mail.ReleveEmis{To: app.Email, ApporteurPrenom: app.Prenom, MIANom: mia.DisplayName(),
			Mois: moisLibelle(r.Mois), Lien: mail.EspaceRelevesLink(d.WebBaseURL)})
		if err != nil {
			return err
		}
		return sendOnce(ctx, d, m, "RELEVE#"+r.ID, msg)
	})
}

var moisFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// moisLibelle is "novembre 2026" for "2026-11".
func moisLibelle(mois string) string {
	t, err := time.Parse("2006-01", mois)
	if err != nil {
		return mois
	}
	return fmt.Sprintf("%s %d", moisFR[t.Month()-1], t.Year())
}
