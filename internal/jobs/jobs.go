// Package jobs holds the scheduled functions: the monthly relevés, the
// morning digest, the retention review. Each is a Maker in this package
// with a row in internal/routes.Schedules and a ScheduleV2 event in
// template.yaml; EventBridge Scheduler calls it with the time it was due,
// and the local gateway does the same on time or on demand.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/files"
	"github.com/assentis/mycrm/internal/mail"
)

// Job does one scheduled run. at is the time the run was due (UTC), not the
// time it runs: a retried or late run does the work of its own date, and a
// job must give the same result when run twice for the same at.
type Job func(ctx context.Context, at time.Time) error

// Maker builds a job from its dependencies; it fails when one it needs is missing.
type Maker func(Deps) (Job, error)

// Deps are what jobs use; a job's row in internal/routes says which its
// function builds.
type Deps struct {
	Store         Store
	MIAPool       *accounts.Pool
	ApporteurPool *accounts.Pool
	Mailer        Mailer
	// Files is the files bucket; nil unless the job's row asks for it.
	Files      *files.Store
	WebBaseURL string
	Now        func() time.Time
	Log        *slog.Logger
}

// Store is what the jobs read and write in the table (*dynamo.Store): each
// job adds the small interface it uses.
type Store interface{}

// Mailer sends one email (sesmail.Mailer).
type Mailer interface {
	Send(context.Context, mail.Message) (messageID string, err error)
}

// Event is the payload template.yaml's ScheduleV2 events send: their Input
// is {"at":"<aws.scheduler.scheduled-time>"}, which EventBridge Scheduler
// fills with the time the run was due.
type Event struct {
	At string `json:"at"`
}

// Handler is the Lambda handler of a scheduled function.
func Handler(job Job) func(context.Context, json.RawMessage) error {
	return func(ctx context.Context, payload json.RawMessage) error {
		var ev Event
		if len(payload) > 0 {
			if err := json.Unmarshal(payload, &ev); err != nil {
				return fmt.Errorf("jobs: event: %w", err)
			}
		}
		at := time.Now().UTC()
		if ev.At != "" {
			t, err := time.Parse(time.RFC3339, ev.At)
			if err != nil {
				return fmt.Errorf("jobs: event at %q: %w", ev.At, err)
			}
			at = t.UTC()
		}
		return job(ctx, at)
	}
}

// Input is the ScheduleV2 Input every schedule of template.yaml declares.
const Input = `{"at":"<aws.scheduler.scheduled-time>"}`
