package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/csvimport"
	"github.com/assentis/mycrm/internal/files"
)

// importStore is what the import worker uses (*dynamo.Store).
type importStore interface {
	csvimport.Store
	csvimport.Active
	PhoneNormalizer() crm.PhoneNormalizer
}

// ImportRunTime is how long one run of the import worker works: under
// its function's 15-minute timeout, and under the schedule's period so
// that runs seldom overlap (an overlap is harmless: lines are idempotent
// and a chunk is counted once).
const ImportRunTime = 50 * time.Second

// RunImports is the import worker: every minute it goes on with every
// import that is running or being undone, for ImportRunTime, chunk by
// chunk; what is left waits for the next run.
func RunImports(d Deps) (Job, error) {
	st, ok := d.Store.(importStore)
	if !ok || d.Files == nil {
		return nil, errors.New("missing dependency: store or files bucket")
	}
	if st.PhoneNormalizer() == nil {
		return nil, errors.New("missing dependency: phone normaliser (app.WithPhone)")
	}
	kept := keptImports{d.Files}
	return func(ctx context.Context, _ time.Time) error {
		o := csvimport.DefaultOptions(time.Now())
		o.Deadline = time.Now().Add(ImportRunTime)
		return csvimport.StepAll(ctx, st, st, kept, st.PhoneNormalizer(), o)
	}, nil
}

// keptImports reads the files the upload check kept for the imports.
type keptImports struct{ f *files.Store }

func (k keptImports) ReadImport(ctx context.Context, m crm.MIAID, id crm.ImportID) ([]byte, error) {
	o, err := k.f.Open(ctx, files.ImportKey(m, id), "")
	if err != nil {
		return nil, err
	}
	defer o.Body.Close()
	b, err := io.ReadAll(io.LimitReader(o.Body, csvimport.MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", files.ImportKey(m, id), err)
	}
	return b, nil
}
