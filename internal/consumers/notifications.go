package consumers

import (
	"context"
	"fmt"
	"strconv"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/mail"
)

// Notifications emails, in French: the MIA when one of its apporteurs adds a
// contact (its name only), and the apporteur when an affaire of its contacts
// changes statut. Each notification is recorded (conditional put) before it
// is sent, so a redelivered record sends nothing; a failed send removes the
// record and reports the stream record, so the retry sends it.
func Notifications(d Deps) Handler {
	return each("notifications", d, func(ctx context.Context, c change) error {
		switch c.New.Kind {
		case crm.KindContact:
			if c.Name != "INSERT" {
				return nil
			}
			return contactAdded(ctx, d, c)
		case crm.KindAffaire:
			return statutChanged(ctx, d, c)
		case crm.KindConvention:
			return conventionChanged(ctx, d, c)
		}
		return nil
	})
}

// conventionChanged emails the apporteur a new convention to accept, and
// the MIA a convention accepted.
func conventionChanged(ctx context.Context, d Deps, c change) error {
	m, cv := c.New.MIA, c.New.Convention
	if cv == nil {
		return nil
	}
	accepted := cv.Acceptee && (c.Old.Convention == nil || !c.Old.Convention.Acceptee)
	if c.Name != "INSERT" && !accepted {
		return nil
	}
	app, err := d.Store.GetApporteur(ctx, m, cv.Apporteur)
	if crm.ErrorCode(err) == crm.ENOTFOUND {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read apporteur: %w", err)
	}
	mia, err := d.Store.GetMIA(ctx, m)
	if crm.ErrorCode(err) == crm.ENOTFOUND {
		mia = crm.MIA{Nom: "votre mandataire"}
	} else if err != nil {
		return fmt.Errorf("read mia: %w", err)
	}
	v := strconv.Itoa(cv.Version)
	if accepted {
		if mia.Email == "" {
			return nil
		}
		msg, err := mail.Compose(mail.ConventionAcceptee{To: mia.Email, MIAPrenom: mia.Prenom, ApporteurNom: app.DisplayName(),
			Version: cv.Version, Lien: mail.ApporteurLink(d.WebBaseURL, string(app.ID))})
		if err != nil {
			return err
		}
		return sendOnce(ctx, d, m, "CONVENTION_ACCEPTEE#"+string(app.ID)+"#"+v, msg)
	}
	if app.Statut == crm.ApporteurDesactive {
		return nil
	}
	// A person who has not activated its account (or accepted the
	// invitation) yet finds the convention there once it has.
	msg, err := mail.Compose(mail.ConventionAAccepter{To: app.Email, Prenom: app.Prenom, MIANom: displayName(mia.Prenom, mia.Nom),
		Version: cv.Version, Lien: mail.EspaceConventionLink(d.WebBaseURL, crm.MembreID(m, app.ID))})
	if err != nil {
		return err
	}
	return sendOnce(ctx, d, m, "CONVENTION#"+string(app.ID)+"#"+v, msg)
}

func contactAdded(ctx context.Context, d Deps, c change) error {
	m, contact := c.New.MIA, c.New.Contact
	if contact == nil || !c.New.ByApporteur || contact.ApporteurID == "" {
		return nil
	}
	mia, err := d.Store.GetMIA(ctx, m)
	if crm.ErrorCode(err) == crm.ENOTFOUND || err == nil && mia.Email == "" {
		return nil // no profile to write to
	}
	if err != nil {
		return fmt.Errorf("read mia: %w", err)
	}
	app, err := d.Store.GetApporteur(ctx, m, contact.ApporteurID)
	if err != nil {
		return fmt.Errorf("read apporteur: %w", err)
	}
	msg, err := mail.Compose(mail.ContactAjoute{To: mia.Email, MIAPrenom: mia.Prenom, ApporteurNom: app.DisplayName(),
		ContactNom: contact.DisplayName(), Lien: mail.ContactLink(d.WebBaseURL, string(contact.ID))})
	if err != nil {
		return err
	}
	if err := sendOnce(ctx, d, m, "CONTACT_AJOUTE#"+string(contact.ID), msg); err != nil {
		return err
	}
	return emailActivite(ctx, d, m, []string{string(contact.ID)}, "contact_ajoute", contact.CreatedAt,
		"Email envoyé au MIA : nouveau contact transmis par "+app.DisplayName())
}

func statutChanged(ctx context.Context, d Deps, c change) error {
	m, old, cur, ok := affaires(c)
	if !ok || old == nil || cur == nil {
		return nil
	}
	if old.Statut == cur.Statut || cur.ApporteurID == "" {
		return nil
	}
	app, err := d.Store.GetApporteur(ctx, m, cur.ApporteurID)
	if crm.ErrorCode(err) == crm.ENOTFOUND {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read apporteur: %w", err)
	}
	if app.Statut != crm.ApporteurActif {
		return nil // a deactivated or not yet activated apporteur gets no news
	}
	msg, err := mail.Compose(mail.StatutAffaire{To: app.Email, ApporteurPrenom: app.Prenom, ContactNom: cur.ClientNom,
		ProduitNom: cur.ProduitNom, Avant: string(old.Statut), Apres: string(cur.Statut),
		Lien: mail.EspaceAffairesLink(d.WebBaseURL)})
	if err != nil {
		return err
	}
	if err := sendOnce(ctx, d, m, "STATUT#"+string(cur.ID)+"#"+strconv.Itoa(cur.Version), msg); err != nil {
		return err
	}
	return emailActivite(ctx, d, m, []string{string(cur.ID), cur.ClientID}, "statut#"+strconv.Itoa(cur.Version), cur.UpdatedAt,
		"Email envoyé à l'apporteur : affaire "+statutFR[old.Statut]+" → "+statutFR[cur.Statut])
}

// notificationClaims records the notifications sent.
type notificationClaims interface {
	ClaimNotification(ctx context.Context, m crm.MIAID, key string) (claimed bool, err error)
	ReleaseNotification(ctx context.Context, m crm.MIAID, key string) error
}

// sendOnce sends msg unless notification key was already recorded.
func sendOnce(ctx context.Context, d Deps, m crm.MIAID, key string, msg mail.Message) error {
	return once(func() (bool, error) { return d.Store.ClaimNotification(ctx, m, key) },
		func() error { _, err := d.Mailer.Send(ctx, msg); return err },
		func() error { return d.Store.ReleaseNotification(ctx, m, key) })
}

// parametres reads a MIA's settings, and a contact as it is now.
type parametres interface {
	GetParametres(ctx context.Context, m crm.MIAID) (crm.Parametres, error)
	ContactOf(ctx context.Context, m crm.MIAID, id crm.ContactID) (crm.Contact, error)
}

// InformationArticle14 emails a contact entered by an apporteur, when its
// MIA chose so (Parametres.InformationArticle14), who holds its data, why
// and how to exercise its rights: the data was not collected from the
// person (RGPD article 14). Once per contact (notification record).
func InformationArticle14(d Deps) Handler {
	return each("information-article14", d, func(ctx context.Context, c change) error {
		contact := c.New.Contact
		if c.Name != "INSERT" || c.New.Kind != crm.KindContact || contact == nil || !c.New.ByApporteur ||
			contact.Email == "" || contact.ApporteurID == "" {
			return nil
		}
		m := c.New.MIA
		p, err := d.Store.GetParametres(ctx, m)
		if err != nil {
			return fmt.Errorf("read parametres: %w", err)
		}
		if !p.InformationArticle14 {
			return nil
		}
		// The record may be replayed long after: a contact since erased (or
		// deleted) is written to no more; a rectified address is the one to use.
		now, err := d.Store.ContactOf(ctx, m, contact.ID)
		if crm.ErrorCode(err) == crm.ENOTFOUND || err == nil && (now.Efface || now.Email == "") {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read contact: %w", err)
		}
		contact = &now
		mia, err := d.Store.GetMIA(ctx, m)
		if crm.ErrorCode(err) == crm.ENOTFOUND {
			return nil // no profile to name the holder: nothing truthful to send
		}
		if err != nil {
			return fmt.Errorf("read mia: %w", err)
		}
		app, err := d.Store.GetApporteur(ctx, m, contact.ApporteurID)
		if err != nil {
			return fmt.Errorf("read apporteur: %w", err)
		}
		msg, err := mail.Compose(mail.InformationArticle14{To: contact.Email, ContactPrenom: contact.Prenom,
			MIANom: mia.DisplayName(), Cabinet: mia.Cabinet, MIAEmail: mia.Email, ApporteurNom: app.DisplayName()})
		if err != nil {
			return err
		}
		return sendOnce(ctx, d, m, "ARTICLE14#"+string(contact.ID), msg)
	})
}
