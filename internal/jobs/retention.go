// Retention is the monthly run of the prospects' retention (issue 15): the CNIL's guidance for insurance keeps a prospect's data at
// most 3 years after its last contact. Each run proposes to its MIA the
// purge of every prospect whose clock ran out, tells it with a tâche (which
// the morning digest emails), and purges (anonymises) the prospects whose
// proposal stayed unanswered for 30 days. It reads month buckets of a GSI,
// never the table: its cost follows the work due.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// retentionStore is what the run reads and writes (*dynamo.Store).
type retentionStore interface {
	DueConservations(ctx context.Context, month string, before time.Time) ([]crm.Echeance, error)
	DuePurges(ctx context.Context, month string, before time.Time) ([]crm.Echeance, error)
	ProposePurge(ctx context.Context, m crm.MIAID, c crm.ContactID, at time.Time) (bool, error)
	EraseContact(ctx context.Context, m crm.MIAID, id crm.ContactID, audit crm.AuditEntry) (crm.Contact, error)
	PutRelance(ctx context.Context, m crm.MIAID, t crm.Tache) error
}

// RetentionLookback is how many months before the run's own its buckets are read
// again: a run that failed, or a clock that came due between two runs, is
// caught up by the next ones. Proposing and purging are idempotent.
const RetentionLookback = 12

// Planification is the author of the run's audit entries.
const Planification = "planification"

// Retention is the monthly run (routes.Schedules "retention").
func Retention(d Deps) (Job, error) {
	s, ok := d.Store.(retentionStore)
	if !ok {
		return nil, fmt.Errorf("missing dependency: store")
	}
	return RetentionRun(s, d.Log), nil
}

// RetentionRun returns the monthly run on s. Each due item is handled on its own: a
// failure is logged (ids only) and the run goes on, then reports failure so
// that the schedule's retry (or the next month) does the rest.
func RetentionRun(s retentionStore, log *slog.Logger) Job {
	if log == nil {
		log = slog.Default()
	}
	return func(ctx context.Context, at time.Time) error {
		at = at.UTC()
		var failed error
		pending := map[crm.MIAID]int{}
		for i := RetentionLookback; i >= 0; i-- {
			month := at.AddDate(0, -i, 0).Format("2006-01")
			due, err := s.DueConservations(ctx, month, at)
			if err != nil {
				return fmt.Errorf("retention %s: %w", month, err)
			}
			for _, d := range due {
				ok, err := s.ProposePurge(ctx, d.MIA, d.Contact, at)
				if err != nil {
					log.ErrorContext(ctx, "retention: proposal failed", "mia", d.MIA, "contact", d.Contact, "error", err)
					failed = errors.Join(failed, err)
				}
				if ok {
					pending[d.MIA]++
				}
			}
			late, err := s.DuePurges(ctx, month, at)
			if err != nil {
				return fmt.Errorf("retention purges %s: %w", month, err)
			}
			for _, d := range late {
				_, err := s.EraseContact(ctx, d.MIA, d.Contact, crm.AuditEntry{Action: crm.AuditPurgeSansReponse, Par: Planification,
					Motif: "Aucune décision dans les 30 jours : purge à l'échéance de conservation."})
				if crm.ErrorCode(err) == crm.ENOTFOUND || crm.ErrorCode(err) == crm.ECONFLICT && isErased(err) {
					continue
				}
				if err != nil {
					log.ErrorContext(ctx, "retention: purge failed", "mia", d.MIA, "contact", d.Contact, "error", err)
					failed = errors.Join(failed, err)
				}
			}
		}
		for m, n := range pending {
			if err := s.PutRelance(ctx, m, DecisionTache(m, n, at)); err != nil {
				log.ErrorContext(ctx, "retention: tâche failed", "mia", m, "error", err)
				failed = errors.Join(failed, err)
			}
		}
		if failed != nil {
			return fmt.Errorf("retention run: %w", failed)
		}
		return nil
	}
}

// DecisionTache is the MIA's tâche of a run that left n proposals waiting:
// one per MIA and month (its id derives from both, so a retried or repeated
// run adds none), due the day of the run, without any name in it (the
// conservation screen lists them).
func DecisionTache(m crm.MIAID, n int, at time.Time) crm.Tache {
	prospects := "1 prospect"
	if n > 1 {
		prospects = fmt.Sprintf("%d prospects", n)
	}
	now := time.Now().UTC()
	return crm.Tache{
		ID:        crm.TacheID(crm.DerivedID(fmt.Sprintf("conservation#%s#%s", m, at.In(crm.Paris).Format("2006-01")))),
		Titre:     fmt.Sprintf("Décider de la conservation de %s avant le %s (RGPD)", prospects, at.Add(crm.DelaiDecision).In(crm.Paris).Format("02/01/2006")),
		Echeance:  crm.Day(at),
		Statut:    crm.TacheAFaire,
		Relance:   crm.RelanceConservation,
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}
}

func isErased(err error) bool {
	var e *crm.Error
	return errors.As(err, &e) && e.Message == "Ce contact est déjà effacé."
}
