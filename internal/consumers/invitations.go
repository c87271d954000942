package consumers

import (
	"context"
	"fmt"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/assentis/mycrm/internal/mail"
)

// Invitations turns a new apporteur (or MIA account), or a new invitation
// asked for by the MIA, into a Cognito user (no Cognito message), a fresh
// single-use activation token and the French activation email.
//
// Idempotence: the Cognito creation is idempotent; the token and the
// "invitation n handled" marker are written in one conditional transaction
// before the email is sent, so a redelivered record finds the marker and
// sends nothing. If the email fails, the marker is removed and the record
// reported, so the retry sends it.
func Invitations(d Deps) Handler {
	return each("stream-invitations", d, func(ctx context.Context, c change) error {
		if c.New == nil {
			return nil
		}
		acc, ok, err := dynamo.AccountFromImage(c.New)
		if err != nil {
			return fmt.Errorf("decode account: %w", err)
		}
		if !ok || !acc.PendingInvitation() {
			return nil
		}
		return invite(ctx, d, acc)
	})
}

func invite(ctx context.Context, d Deps, acc dynamo.Account) error {
	pool, user := d.ApporteurPool, accounts.NewUser{Email: acc.Email, MiaID: acc.Mia, ApporteurID: string(acc.Apporteur)}
	if acc.Kind == crm.AccountMIA {
		pool = d.MiaPool
	}
	if _, err := pool.CreateUser(ctx, user); err != nil {
		return fmt.Errorf("create cognito user: %w", err)
	}
	var data any
	token, hash, err := d.newToken()
	if err != nil {
		return fmt.Errorf("new token: %w", err)
	}
	lien := mail.ActivationLink(d.WebBaseURL, token)
	if acc.Kind == crm.AccountMIA {
		data = mail.MiaActivation{To: acc.Email, Prenom: acc.Prenom, Lien: lien}
	} else {
		inv := mail.ApporteurInvitation{To: acc.Email, Prenom: acc.Prenom, MiaNom: "votre mandataire", Lien: lien}
		mia, err := d.Store.GetMIA(ctx, acc.Mia)
		switch {
		case err == nil:
			inv.MiaNom = displayName(mia.Prenom, mia.Nom)
			inv.Cabinet = mia.Cabinet
		case crm.ErrorCode(err) != crm.ENOTFOUND:
			return fmt.Errorf("read mia profile: %w", err)
		}
		data = inv
	}
	msg, err := mail.Compose(data)
	if err != nil {
		return err
	}
	claimed, err := d.Store.ClaimInvitation(ctx, acc, hash, d.now().Add(crm.ActivationValidity))
	if err != nil {
		return fmt.Errorf("claim invitation %d: %w", acc.InvitationN, err)
	}
	if !claimed {
		return nil // already sent (redelivery), superseded, or no longer pending
	}
	if _, err := d.Mailer.Send(ctx, msg); err != nil {
		if rerr := d.Store.ReleaseInvitation(ctx, acc, hash); rerr != nil {
			return fmt.Errorf("%w (and release: %v)", err, rerr)
		}
		return err
	}
	return nil
}

func displayName(prenom, nom string) string {
	if prenom == "" {
		return nom
	}
	return prenom + " " + nom
}
