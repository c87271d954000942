package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/crm"
)

// POST /activation {token, motDePasse}: the public end of the emailed link.
//
// Errors are 400 problems whose detail tells, in French, what happened to
// the link: unknown, already used (or replaced by a newer email), expired,
// or locked after crm.ActivationMaxFailures failed attempts; a password that
// breaks the rules is a 400 on "motDePasse" and counts as a failed attempt.

type activationInput struct {
	Token      string `json:"token"`
	MotDePasse string `json:"motDePasse"`
}

type activationResult struct {
	Email  string `json:"email"`
	Pool   string `json:"pool"` // "apporteur" or "mia": where to log in
	Statut string `json:"statut"`
}

type activationStore interface {
	GetActivation(ctx context.Context, hash string) (crm.Activation, error)
	FailActivation(ctx context.Context, hash string) (int, error)
	ConsumeActivation(ctx context.Context, a crm.Activation) error
	UndoActivation(ctx context.Context, a crm.Activation) error
}

type passwordSetter interface {
	SetPassword(ctx context.Context, sub, password string) error
	Find(ctx context.Context, u accounts.NewUser) (sub string, err error)
}

// ActivateAccount serves POST /activation (public route, no authorizer).
func ActivateAccount(d Deps) (Func, error) {
	pools := map[crm.AccountKind]passwordSetter{
		crm.AccountApporteur: d.ApporteurAccounts,
		crm.AccountMIA:       d.MIAAccounts,
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	return needs(d, handleActivate(d.Store, pools, now), store, miaPool, apporteurPool)
}

func handleActivate(s activationStore, pools map[crm.AccountKind]passwordSetter, now func() time.Time) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, _ crm.Principal) error {
		in, _, err := decode[activationInput](w, r)
		if err != nil {
			return err
		}
		if !crm.WellFormedActivationToken(in.Token) {
			return crm.ActivationError("unknown")
		}
		ctx := r.Context()
		hash := crm.HashActivationToken(in.Token)
		act, err := s.GetActivation(ctx, hash)
		if crm.ErrorCode(err) == crm.ENOTFOUND {
			return crm.ActivationError("unknown")
		}
		if err != nil {
			return err
		}
		switch {
		case act.Used:
			return crm.ActivationError("used")
		case act.Echecs >= crm.ActivationMaxFailures:
			return crm.ActivationError("locked")
		case !now().Before(act.ExpireLe):
			return crm.ActivationError("expired")
		}
		// The account is not read: ConsumeActivation's transaction requires it
		// to hold this token's hash and await activation, and says which
		// failed. A weak password on a dead link is counted on the token.
		pool := pools[act.Kind]
		if pool == nil {
			return fmt.Errorf("no pool for %q accounts", act.Kind)
		}
		if err := accounts.CheckPassword(in.MotDePasse); err != nil {
			return failed(ctx, s, hash, err)
		}
		sub := act.Sub
		if sub == "" {
			// A token written before subs were recorded: its account is found
			// by email, and only if it is this token's own account.
			var err error
			sub, err = pool.Find(ctx, accounts.NewUser{Email: act.Email, MIAID: act.MIA, ApporteurID: string(act.Apporteur)})
			if c := crm.ErrorCode(err); c == crm.ENOTFOUND || c == crm.ECONFLICT {
				return crm.ActivationError("unknown")
			}
			if err != nil {
				return err
			}
		}
		if err := s.ConsumeActivation(ctx, act); err != nil {
			return err
		}
		if err := pool.SetPassword(ctx, sub, in.MotDePasse); err != nil {
			if uerr := s.UndoActivation(ctx, act); uerr != nil {
				return errors.Join(err, uerr)
			}
			if crm.ErrorCode(err) == crm.EINVALID {
				return failed(ctx, s, hash, err)
			}
			return err
		}
		encode(w, http.StatusOK, activationResult{Email: act.Email, Pool: string(act.Kind), Statut: string(crm.ApporteurActif)})
		return nil
	}
}

// failed counts a failed attempt and explains it, with the tries left.
func failed(ctx context.Context, s activationStore, hash string, cause error) error {
	n, err := s.FailActivation(ctx, hash)
	if err != nil {
		return err
	}
	if n >= crm.ActivationMaxFailures {
		return crm.ActivationError("locked")
	}
	var e *crm.Error
	if errors.As(cause, &e) {
		out := *e
		out.Message = fmt.Sprintf("%s Essais restants avec ce lien : %d.", accounts.PasswordRules, crm.ActivationMaxFailures-n)
		return &out
	}
	return cause
}
