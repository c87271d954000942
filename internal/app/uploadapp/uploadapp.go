// Package uploadapp is the composition root of the upload check
// (functions/check-upload): app.Load's services as uploads.Deps.
package uploadapp

import (
	"context"
	"time"

	"github.com/assentis/mycrm/internal/app"
	"github.com/assentis/mycrm/internal/uploads"
)

// Load builds app.Load's services with opts and the check's dependencies
// from them (those no option built stay nil, and uploads.Check refuses to
// start without them).
func Load(ctx context.Context, getenv func(string) string, opts ...app.Option) (uploads.Deps, error) {
	svc, err := app.Load(ctx, getenv, opts...)
	if err != nil {
		return uploads.Deps{}, err
	}
	return Deps(svc), nil
}

// Deps are the check's dependencies from services built by app.Load.
func Deps(svc *app.Services) uploads.Deps {
	d := uploads.Deps{Now: time.Now, Log: svc.HTTP.Log}
	if svc.Store != nil {
		d.Store = svc.Store
	}
	if svc.Files != nil {
		d.Files = svc.Files
	}
	return d
}
