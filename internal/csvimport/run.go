package csvimport

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// Writer is what an import runs on: one write per line, idempotent (a line
// already recorded returns its recorded outcome), and the import's progress.
type Writer interface {
	ImportRow(ctx context.Context, m crm.MIAID, id crm.ImportID, row crm.ImportRow, update bool) (crm.ImportLine, error)
	AdvanceImport(ctx context.Context, m crm.MIAID, id crm.ImportID, from, to int, c crm.ImportCounts, done bool) error
}

// Options tune a run: lines per chunk (the unit of progress), concurrent
// writes, and when to stop and let the next invocation go on.
type Options struct {
	Chunk    int
	Workers  int
	Deadline time.Time // zero: no limit
}

// DefaultOptions suit a Lambda of 15 minutes at most: stop with a minute
// to spare, report progress every 250 lines.
func DefaultOptions(now time.Time) Options {
	return Options{Chunk: 250, Workers: 16, Deadline: now.Add(14 * time.Minute)}
}

// Run writes rows from imp.Curseur on, chunk by chunk; after each chunk the
// import's cursor and counters move in one conditional write, so an
// interrupted run resumes at the last chunk recorded, and the lines of the
// chunk it replays return their recorded outcome (idempotent per line).
// done is false when the deadline came first: run again to go on.
func Run(ctx context.Context, w Writer, m crm.MIAID, imp crm.Import, rows []crm.ImportRow, o Options) (done bool, err error) {
	if o.Chunk < 1 {
		o.Chunk = 250
	}
	if o.Workers < 1 {
		o.Workers = 1
	}
	from := imp.Curseur
	if from >= len(rows) {
		return true, w.AdvanceImport(ctx, m, imp.ID, from, len(rows), crm.ImportCounts{}, true)
	}
	for from < len(rows) {
		if !o.Deadline.IsZero() && time.Now().After(o.Deadline) {
			return false, nil
		}
		to := min(from+o.Chunk, len(rows))
		counts, err := runChunk(ctx, w, m, imp, rows[from:to], o.Workers)
		if err != nil {
			return false, err
		}
		if err := w.AdvanceImport(ctx, m, imp.ID, from, to, counts, to == len(rows)); err != nil {
			return false, err
		}
		from = to
	}
	return true, nil
}

func runChunk(ctx context.Context, w Writer, m crm.MIAID, imp crm.Import, rows []crm.ImportRow, workers int) (crm.ImportCounts, error) {
	outcomes := make([]crm.ImportOutcome, len(rows))
	errs := make([]error, len(rows))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(rows)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				line, err := w.ImportRow(ctx, m, imp.ID, rows[i], imp.MettreAJour)
				outcomes[i], errs[i] = line.Outcome, err
			}
		}()
	}
	for i := range rows {
		next <- i
	}
	close(next)
	wg.Wait()
	var c crm.ImportCounts
	for i, o := range outcomes {
		if errs[i] != nil {
			return c, fmt.Errorf("import line %d: %w", rows[i].Line, errs[i])
		}
		c.Add(o)
	}
	return c, nil
}
