// Package agenda holds the MIA's scheduled work: the morning digest (8:00
// Europe/Paris on working days) and the relances that follow from time
// rather than from a write (an affaire en cours unchanged for 30 days, a
// signed affaire's anniversary in 30 days, an apporteur's ORIAS check 12
// months old or RC Pro expiring in 30 days). Each job reads a global date
// index (the agenda of open tâches by day and recipient, the wake-ups), so
// its cost follows what is due, never the size of the table.
package agenda

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Paris on a runtime without zoneinfo

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/mail"
)

// Job is a scheduled function: at is when its schedule fired.
type Job = func(ctx context.Context, at time.Time) error

// Store is what the jobs read and write (*dynamo.Store).
type Store interface {
	DueRecipients(ctx context.Context, day string) ([]crm.Recipient, error)
	OpenTachesUntil(ctx context.Context, m crm.MIAID, p crm.ApporteurID, day string) ([]crm.Tache, error)
	GetMIA(ctx context.Context, m crm.MIAID) (crm.MIA, error)
	GetApporteur(ctx context.Context, m crm.MIAID, p crm.ApporteurID) (crm.Apporteur, error)
	ClaimNotification(ctx context.Context, m crm.MIAID, key string) (bool, error)
	ReleaseNotification(ctx context.Context, m crm.MIAID, key string) error
	DueReveils(ctx context.Context, day string) ([]crm.Reveil, error)
	DeleteReveil(ctx context.Context, r crm.Reveil) error
	PutReveil(ctx context.Context, r crm.Reveil) error
	AffaireOf(ctx context.Context, m crm.MIAID, id crm.AffaireID) (crm.Affaire, error)
	PutRelance(ctx context.Context, m crm.MIAID, t crm.Tache) error
}

// Mailer sends a composed email.
type Mailer interface {
	Send(context.Context, mail.Message) (string, error)
}

// Deps are the jobs' clients.
type Deps struct {
	Store      Store
	Mailer     Mailer
	WebBaseURL string
	Log        *slog.Logger
}

// parallel is how many recipients a digest run serves at once.
const parallel = 8

// Digest sends each recipient with open tâches due today or before one
// email listing them (none to a recipient without), on working days only;
// a digest already sent that day is not sent again when the run is retried.
func Digest(d Deps) (Job, error) {
	if d.Store == nil || d.Mailer == nil {
		return nil, errors.New("missing dependency: store or mailer")
	}
	return func(ctx context.Context, at time.Time) error {
		day := crm.Day(at)
		date, _ := time.Parse(time.DateOnly, day)
		if !crm.IsWorkingDay(date) {
			return nil
		}
		recipients, err := d.Store.DueRecipients(ctx, day)
		if err != nil {
			return err
		}
		var (
			mu   sync.Mutex
			errs []error
			wg   sync.WaitGroup
			sem  = make(chan struct{}, parallel)
		)
		for _, r := range recipients {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				if err := digestOf(ctx, d, r, day, date); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("digest of %s/%s: %w", r.MIA, r.Apporteur, err))
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return errors.Join(errs...)
	}, nil
}

var (
	jours = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	mois  = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
)

func digestOf(ctx context.Context, d Deps, r crm.Recipient, day string, date time.Time) error {
	taches, err := d.Store.OpenTachesUntil(ctx, r.MIA, r.Apporteur, day)
	if err != nil || len(taches) == 0 {
		return err
	}
	msg := mail.Digest{Jour: fmt.Sprintf("%s %d %s %d", jours[date.Weekday()], date.Day(), mois[date.Month()-1], date.Year())}
	if r.Apporteur == "" {
		mia, err := d.Store.GetMIA(ctx, r.MIA)
		if crm.ErrorCode(err) == crm.ENOTFOUND || err == nil && mia.Email == "" {
			return nil
		}
		if err != nil {
			return err
		}
		msg.To, msg.Prenom, msg.Lien = mia.Email, mia.Prenom, mail.TachesLink(d.WebBaseURL)
	} else {
		app, err := d.Store.GetApporteur(ctx, r.MIA, r.Apporteur)
		if crm.ErrorCode(err) == crm.ENOTFOUND || err == nil && app.Statut != crm.ApporteurActif {
			return nil // a deactivated or not yet activated apporteur gets no email
		}
		if err != nil {
			return err
		}
		msg.To, msg.Prenom, msg.Lien = app.Email, app.Prenom, mail.EspaceTachesLink(d.WebBaseURL)
	}
	for _, t := range taches {
		l := mail.DigestLigne{Titre: t.Titre, Echeance: frDay(t.Echeance), Heure: t.Heure, Lien: msg.Lien}
		if r.Apporteur == "" {
			l.Lien = mail.TacheLink(d.WebBaseURL, string(t.ID))
		}
		if t.Cible != nil {
			l.Fiche = t.Cible.Nom
		}
		if t.Echeance == day {
			msg.Aujourdhui = append(msg.Aujourdhui, l)
		} else {
			msg.EnRetard = append(msg.EnRetard, l)
		}
	}
	m, err := mail.Compose(msg)
	if err != nil {
		return err
	}
	key := "DIGEST#" + day + "#" + string(r.Apporteur)
	claimed, err := d.Store.ClaimNotification(ctx, r.MIA, key)
	if err != nil || !claimed {
		return err
	}
	if _, err := d.Mailer.Send(ctx, m); err != nil {
		if rerr := d.Store.ReleaseNotification(ctx, r.MIA, key); rerr != nil {
			return fmt.Errorf("%w (and release: %v)", err, rerr)
		}
		return err
	}
	return nil
}

func frDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("02/01/2006")
}

// Relances turns the wake-ups due today (or missed before) into relances:
// an apporteur's ORIAS check 12 months old or RC Pro expiring in 30 days
// (crm.StatutRelance); an affaire still en cours at the version that set the wake-up (no change
// for 30 days) gets "Relancer <client> pour <produit>", due today; a signed
// affaire still signée gets "Préparer l'échéance", due on its anniversary,
// and the wake-up of the next anniversary. Each relance has an id derived
// from its wake-up, so a retried run creates none twice.
func Relances(d Deps) (Job, error) {
	if d.Store == nil {
		return nil, errors.New("missing dependency: store")
	}
	return func(ctx context.Context, at time.Time) error {
		day := crm.Day(at)
		reveils, err := d.Store.DueReveils(ctx, day)
		if err != nil {
			return err
		}
		var errs []error
		for _, r := range reveils {
			if err := relance(ctx, d, r, day); err != nil {
				errs = append(errs, fmt.Errorf("reveil %s/%s%s: %w", r.MIA, r.AffaireID, r.ApporteurID, err))
				continue
			}
			if err := d.Store.DeleteReveil(ctx, r); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}, nil
}

func relance(ctx context.Context, d Deps, r crm.Reveil, today string) error {
	if r.Kind == crm.RelanceORIAS || r.Kind == crm.RelanceRCPro {
		return statutRelance(ctx, d, r, today)
	}
	a, err := d.Store.AffaireOf(ctx, r.MIA, r.AffaireID)
	if crm.ErrorCode(err) == crm.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	cible := &crm.Cible{Type: crm.CibleAffaire, ID: string(a.ID), Nom: a.ClientNom + " – " + a.ProduitNom, ClientID: a.ClientID, ApporteurID: a.ApporteurID}
	now := time.Now().UTC()
	t := crm.Tache{Cible: cible, Statut: crm.TacheAFaire, Relance: r.Kind, CreatedAt: now, UpdatedAt: now, Version: 1}
	switch r.Kind {
	case crm.RelanceEnCours:
		if a.Statut != crm.AffaireEnCours || a.Version != r.N {
			return nil // changed since: its own wake-up is set
		}
		t.ID = crm.TacheID(crm.DerivedID(fmt.Sprintf("encours#%s#%s#%d", r.MIA, a.ID, r.N)))
		t.Titre, t.Echeance = "Relancer "+a.ClientNom+" pour "+a.ProduitNom, today
	case crm.RelanceEcheance:
		if a.Statut != crm.AffaireSignee {
			return nil
		}
		wake, _ := time.Parse(time.DateOnly, r.Day)
		anniversary := wake.AddDate(0, 0, 30)
		t.ID = crm.TacheID(crm.DerivedID(fmt.Sprintf("echeance#%s#%s#%d", r.MIA, a.ID, r.N)))
		t.Titre = "Préparer l'échéance : " + a.ClientNom + " – " + a.ProduitNom + " (" + anniversary.Format("02/01/2006") + ")"
		t.Echeance = anniversary.Format(time.DateOnly)
		next := crm.Reveil{Day: wake.AddDate(1, 0, 0).Format(time.DateOnly), Kind: r.Kind, MIA: r.MIA, AffaireID: a.ID, N: r.N + 1}
		if err := d.Store.PutReveil(ctx, next); err != nil {
			return err
		}
	default:
		return nil
	}
	return d.Store.PutRelance(ctx, r.MIA, t)
}

// statutRelance makes the relance of an apporteur's ORIAS check or RC Pro
// (crm.StatutRelance): a tâche of the MIA on the apporteur, once per date.
func statutRelance(ctx context.Context, d Deps, r crm.Reveil, today string) error {
	a, err := d.Store.GetApporteur(ctx, r.MIA, r.ApporteurID)
	if crm.ErrorCode(err) == crm.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	t, ok := crm.StatutRelance(r, a, today)
	if !ok {
		return nil
	}
	now := time.Now().UTC()
	t.CreatedAt, t.UpdatedAt = now, now
	return d.Store.PutRelance(ctx, r.MIA, t)
}
