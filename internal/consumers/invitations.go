package consumers

import (
	"context"
	"fmt"
	"time"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/mail"
)

// Invitations turns a new apporteur (or MIA account), or a new invitation
// asked for by the MIA, into a Cognito user (no Cognito message), a fresh
// single-use activation token and the French activation email.
//
// Idempotence: the token and the "invitation n handled" marker are written
// in one conditional transaction before anything else, so a redelivered
// record finds the marker and creates nothing, sends nothing. If the Cognito
// creation (itself idempotent), the recording of the account's sub or the
// email fails, the marker is removed and the record reported, so the retry
// does it all again.
//
// A person may already have an apporteur account with another MIA (the
// email is the pool's username, and each MIA's email guard is its own): one
// login, several MIA. That account is left exactly as it is — no password,
// attribute or state changes —; the apporteur item becomes an invitation of
// that person (its sub as inviteSub, in the person's GSI1 collection) and
// the person gets "<MIA> vous propose de travailler avec lui" with a link to
// its espace, where it accepts. The inviting MIA's apporteur stays
// invitation_envoyee like any invitation not yet activated, its token is
// never sent (so nobody can activate it), and a new invitation later sends
// the same email: the MIA learns nothing until the person accepts, and
// nobody's invitation is blocked.
func Invitations(d Deps) Handler {
	return each("invitations", d, func(ctx context.Context, c change) error {
		acc := c.New.Account
		if acc == nil || !acc.PendingInvitation() {
			return nil
		}
		return invite(ctx, d, *acc)
	})
}

// invitationClaims records an invitation's token and the Cognito account
// made for it.
type invitationClaims interface {
	ClaimInvitation(ctx context.Context, acc crm.Account, hash string, expire time.Time) (claimed bool, err error)
	ReleaseInvitation(ctx context.Context, acc crm.Account, hash string) error
	RecordAccountSub(ctx context.Context, acc crm.Account, hash, sub string) error
	RecordMembership(ctx context.Context, acc crm.Account, hash, sub, miaNom string, pending bool) error
}

// profiles reads the MIA and apporteurs a consumer writes to.
type profiles interface {
	GetMIA(ctx context.Context, m crm.MIAID) (crm.MIA, error)
	GetApporteur(ctx context.Context, m crm.MIAID, p crm.ApporteurID) (crm.Apporteur, error)
}

func invite(ctx context.Context, d Deps, acc crm.Account) error {
	pool, user := d.ApporteurPool, accounts.NewUser{Email: acc.Email, MIAID: acc.MIA, ApporteurID: string(acc.Apporteur)}
	if acc.Kind == crm.AccountMIA {
		pool = d.MIAPool
	}
	token, hash, err := crm.NewActivationToken()
	if err != nil {
		return fmt.Errorf("new token: %w", err)
	}
	lien := mail.ActivationLink(d.WebBaseURL, token)
	var data, autre any = mail.MIAActivation{To: acc.Email, Prenom: acc.Prenom, Lien: lien}, nil
	if acc.Kind == crm.AccountApporteur {
		inv := mail.ApporteurInvitation{To: acc.Email, Prenom: acc.Prenom, MIANom: "votre mandataire", Lien: lien}
		mia, err := d.Store.GetMIA(ctx, acc.MIA)
		switch {
		case err == nil:
			inv.MIANom = displayName(mia.Prenom, mia.Nom)
			inv.Cabinet = mia.Cabinet
		case crm.ErrorCode(err) != crm.ENOTFOUND:
			return fmt.Errorf("read mia profile: %w", err)
		}
		data = inv
		autre = mail.ApporteurAutreMIA{To: acc.Email, Prenom: acc.Prenom, MIANom: inv.MIANom, Cabinet: inv.Cabinet,
			Lien: mail.EspaceMandatairesLink(d.WebBaseURL)}
	}
	miaNom := ""
	if inv, ok := data.(mail.ApporteurInvitation); ok {
		miaNom = inv.MIANom
		if inv.Cabinet != "" {
			miaNom += " — " + inv.Cabinet
		}
	}
	// Claim first: a redelivered or superseded invitation, or an account no
	// longer waiting (e.g. deactivated meanwhile), gets no Cognito user and no email.
	return once(func() (bool, error) {
		claimed, err := d.Store.ClaimInvitation(ctx, acc, hash, d.now().Add(crm.ActivationValidity))
		if err != nil {
			return false, fmt.Errorf("claim invitation %d: %w", acc.InvitationN, err)
		}
		return claimed, nil
	}, func() error {
		sub, err := pool.CreateUser(ctx, user)
		switch {
		case crm.ErrorCode(err) == crm.ECONFLICT && autre != nil:
			// The person's account with another MIA stays untouched: this
			// MIA's apporteur becomes an invitation the person accepts.
			existing, err := pool.SubOf(ctx, acc.Email)
			if err != nil {
				return fmt.Errorf("find existing account: %w", err)
			}
			if err := d.Store.RecordMembership(ctx, acc, hash, existing, miaNom, true); err != nil {
				return fmt.Errorf("record invitation: %w", err)
			}
			data = autre
		case err != nil:
			return fmt.Errorf("create cognito user: %w", err)
		default:
			if err := d.Store.RecordAccountSub(ctx, acc, hash, sub); err != nil {
				return fmt.Errorf("record account sub: %w", err)
			}
			if acc.Kind == crm.AccountApporteur {
				if err := d.Store.RecordMembership(ctx, acc, hash, sub, miaNom, false); err != nil {
					return fmt.Errorf("record membership: %w", err)
				}
			}
		}
		msg, err := mail.Compose(data)
		if err != nil {
			return err
		}
		if _, err := d.Mailer.Send(ctx, msg); err != nil {
			return fmt.Errorf("send activation email: %w", err)
		}
		return nil
	}, func() error { return d.Store.ReleaseInvitation(ctx, acc, hash) })
}

func displayName(prenom, nom string) string {
	if prenom == "" {
		return nom
	}
	return prenom + " " + nom
}
