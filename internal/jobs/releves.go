package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// releveStore is what the monthly issue of relevés uses (*dynamo.Store).
type releveStore interface {
	LedgerApporteurs(ctx context.Context, fn func(m crm.MIAID, p crm.ApporteurID) error) error
	IssueMonthlyReleve(ctx context.Context, m crm.MIAID, p crm.ApporteurID, mois string) (issued bool, err error)
}

// Releves issues, on the 1st of each month, the relevé de commissions of
// the month before for every apporteur with a ledger (an apporteur with no
// line and a zero balance gets none). A relevé already issued (by the MIA,
// or by an earlier run for the same date) is left as it is: running the job
// twice for the same at issues nothing more. One apporteur's failure does
// not stop the others; the run reports it (and the retry issues what is
// missing).
func Releves(d Deps) (Job, error) {
	s, ok := d.Store.(releveStore)
	if !ok || d.Store == nil {
		return nil, errors.New("missing dependency: store")
	}
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	return func(ctx context.Context, at time.Time) error {
		mois := crm.PreviousMonth(at)
		var (
			errs   []error
			issued int
		)
		err := s.LedgerApporteurs(ctx, func(m crm.MIAID, p crm.ApporteurID) error {
			ok, err := s.IssueMonthlyReleve(ctx, m, p, mois)
			switch crm.ErrorCode(err) {
			case crm.ECONFLICT, crm.ENOTFOUND:
				return nil // already issued (this month or later), or the apporteur is gone
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("releve %s of %s/%s: %w", mois, m, p, err))
			} else if ok {
				issued++
			}
			return nil
		})
		log.InfoContext(ctx, "monthly releves", "mois", mois, "issued", issued, "failed", len(errs))
		return errors.Join(append(errs, err)...)
	}, nil
}
