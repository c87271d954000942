package devstack

import (
	"fmt"
	"net/http"
	"time"

	"github.com/assentis/mycrm/internal/app/streamapp"
	"github.com/assentis/mycrm/internal/app/uploadapp"
	"github.com/assentis/mycrm/internal/devstack/gateway"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/assentis/mycrm/internal/jobs"
	"github.com/assentis/mycrm/internal/routes"
)

// httpHandlers builds every HTTP function's handler as its Lambda does,
// from the same rows of internal/routes.
func httpHandlers(svc *streamapp.Services) (map[string]http.Handler, error) {
	out := map[string]http.Handler{}
	for _, r := range routes.API {
		h, err := r.Handler(svc.HTTP)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Folder, err)
		}
		out[r.Folder] = h
	}
	return out, nil
}

// streamConsumers builds every stream reader as its Lambda does.
func streamConsumers(svc *streamapp.Services) (map[string]gateway.Consumer, error) {
	out := map[string]gateway.Consumer{}
	for _, r := range routes.Streams {
		h, err := r.Make(svc.Consumers)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Folder, err)
		}
		out[r.Folder] = h
	}
	return out, nil
}

func (s *Stack) store() *dynamo.Store {
	return dynamo.New(s.dynamo, s.Table, []byte(s.Env["CURSOR_SECRET"]))
}

// uploadHandlers builds every S3-event function as its Lambda does.
func uploadHandlers(svc *streamapp.Services) (map[string]gateway.ObjectHandler, error) {
	out := map[string]gateway.ObjectHandler{}
	for _, u := range routes.Uploads {
		h, err := u.Make(uploadapp.Deps(svc.Services))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", u.Folder, err)
		}
		out[u.Folder] = h
	}
	return out, nil
}

// scheduledJobs builds every scheduled function as its Lambda does.
func scheduledJobs(svc *streamapp.Services) (map[string]gateway.Job, error) {
	out := map[string]gateway.Job{}
	now := svc.HTTP.Now // the stack's clock, moved by /_local/clock
	if now == nil {
		now = time.Now
	}
	for _, r := range routes.Schedules {
		j, err := r.Make(jobs.Deps{
			Store: svc.HTTP.Store, MIAPool: svc.HTTP.MIAAccounts, ApporteurPool: svc.HTTP.ApporteurAccounts,
			Mailer: svc.Consumers.Mailer, Files: svc.Files, WebBaseURL: svc.Consumers.WebBaseURL, Now: now, Log: svc.HTTP.Log,
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Folder, err)
		}
		out[r.Folder] = j
	}
	return out, nil
}
