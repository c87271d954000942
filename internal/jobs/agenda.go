package jobs

import (
	"errors"

	"github.com/assentis/mycrm/internal/agenda"
)

// Digest is the morning digest: at 8:00 Europe/Paris on working days, each
// MIA (and each apporteur) with tâches due gets one email (internal/agenda).
func Digest(d Deps) (Job, error) {
	s, ok := d.Store.(agenda.Store)
	if !ok {
		return nil, errors.New("missing dependency: store")
	}
	if d.Mailer == nil {
		return nil, errors.New("missing dependency: mailer")
	}
	return agenda.Digest(agenda.Deps{Store: s, Mailer: d.Mailer, WebBaseURL: d.WebBaseURL, Log: d.Log})
}

// Relances turns the day's wake-ups into relances (an affaire en cours
// unchanged for 30 days, a signed affaire's anniversary in 30 days, an
// apporteur's ORIAS check 12 months old or RC Pro expiring in 30 days).
func Relances(d Deps) (Job, error) {
	s, ok := d.Store.(agenda.Store)
	if !ok {
		return nil, errors.New("missing dependency: store")
	}
	return agenda.Relances(agenda.Deps{Store: s, Log: d.Log})
}
