package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/crm"
)

// The MIA's apporteurs d'affaires. Creating one only writes it: the stream
// consumer (internal/consumers) creates its Cognito account and sends the
// activation email.

type apporteurCreator interface {
	CreateApporteur(ctx context.Context, m crm.MIAID, n crm.NewApporteur, idem *crm.Idempotency) (crm.Apporteur, *crm.Replay, error)
}

// CreateApporteur serves POST /apporteurs (Nouvel apporteur → Ajouter).
func CreateApporteur(d Deps) (Func, error) {
	return needs(d, handleCreateApporteur(d.Store), store, phoneNumbers)
}

func handleCreateApporteur(s apporteurCreator) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		return create(w, r, p, "/apporteurs/", func(in crm.NewApporteur, idem *crm.Idempotency) (crm.Apporteur, *crm.Replay, error) {
			return s.CreateApporteur(r.Context(), p.MIA, in, idem)
		})
	}
}

type apporteurLister interface {
	ListApporteurs(ctx context.Context, m crm.MIAID, statut crm.ApporteurStatut, o crm.ListOptions) (crm.Page[crm.Apporteur], error)
}

// ListApporteurs serves GET /apporteurs?statut=&limit=&cursor=.
func ListApporteurs(d Deps) (Func, error) {
	return needs(d, handleListApporteurs(d.Store, d.now), store)
}

func handleListApporteurs(s apporteurLister, now func() time.Time) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Page[crm.Apporteur], error) {
		page, err := s.ListApporteurs(r.Context(), p.MIA, crm.ApporteurStatut(r.URL.Query().Get("statut")), o)
		for i := range page.Items {
			page.Items[i] = page.Items[i].WithAlertes(now())
		}
		return page, err
	})
}

type apporteurGetter interface {
	GetApporteur(ctx context.Context, m crm.MIAID, id crm.ApporteurID) (crm.Apporteur, error)
}

// GetApporteur serves GET /apporteurs/{apporteurId}.
func GetApporteur(d Deps) (Func, error) {
	return needs(d, handleGetApporteur(d.Store, d.now), store)
}

func handleGetApporteur(s apporteurGetter, now func() time.Time) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		a, err := s.GetApporteur(r.Context(), p.MIA, crm.ApporteurID(r.PathValue("apporteurId")))
		if err != nil {
			return err
		}
		writeEntity(w, http.StatusOK, a.Version, a.WithAlertes(now()))
		return nil
	}
}

type apporteurUpdater interface {
	UpdateApporteur(ctx context.Context, m crm.MIAID, id crm.ApporteurID, p crm.ApporteurPatch, ifMatch *int) (before, after crm.Apporteur, err error)
	Memberships(ctx context.Context, sub string) ([]crm.Membre, error)
}

// accountSwitch turns a Cognito account, named by its sub, off and on.
type accountSwitch interface {
	Disable(ctx context.Context, sub string) error
	Enable(ctx context.Context, sub string) error
	Find(ctx context.Context, u accounts.NewUser) (sub string, err error)
}

// UpdateApporteur serves PATCH /apporteurs/{apporteurId} (If-Match
// honoured). Setting statut desactive also disables the Cognito user, actif
// enables it again; the API itself refuses a deactivated apporteur's tokens
// (even those issued before), whatever Cognito does.
func UpdateApporteur(d Deps) (Func, error) {
	return needs(d, handleUpdateApporteur(d.Store, d.ApporteurAccounts, d.now), store, phoneNumbers, apporteurPool)
}

func handleUpdateApporteur(s apporteurUpdater, sw accountSwitch, now func() time.Time) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		id := crm.ApporteurID(r.PathValue("apporteurId"))
		return update(w, r, func(in crm.ApporteurPatch, im *int) (crm.Apporteur, error) {
			_, after, err := s.UpdateApporteur(r.Context(), p.MIA, id, in, im)
			after = after.WithAlertes(now())
			if err != nil || in.Statut == nil || sw == nil {
				return after, err
			}
			if after.CognitoSub != "" {
				// One login, several MIA: the account stays enabled while
				// another membership is actif (this one is refused by the
				// table, whatever Cognito does).
				ms, err := s.Memberships(r.Context(), after.CognitoSub)
				if err != nil {
					return after, err
				}
				for _, m := range ms {
					if m.MIA != p.MIA && m.Statut == crm.MembreActif {
						return after, nil
					}
				}
			}
			sub := after.CognitoSub
			if sub == "" {
				// No account recorded: none created yet (or the person's
				// account is another MIA's, which must stay untouched), or one
				// created before subs were recorded, found by email only if
				// it is this apporteur's.
				sub, err = sw.Find(r.Context(), accounts.NewUser{Email: after.Email, MIAID: p.MIA, ApporteurID: string(id)})
				if c := crm.ErrorCode(err); c == crm.ENOTFOUND || c == crm.ECONFLICT {
					return after, nil
				}
				if err != nil {
					return after, &crm.Error{Code: crm.EINTERNAL, Message: "Erreur interne.", Err: fmt.Errorf("find cognito account: %w", err)}
				}
			}
			// Done even when the statut did not change, so a retried PATCH
			// repairs a Cognito call that failed the first time. The account
			// exists: "not found" is a fault, never "nothing to do".
			if after.Statut == crm.ApporteurDesactive {
				err = sw.Disable(r.Context(), sub)
			} else {
				err = sw.Enable(r.Context(), sub)
			}
			if err != nil {
				return after, &crm.Error{Code: crm.EINTERNAL, Message: "Erreur interne.", Err: fmt.Errorf("switch cognito account: %w", err)}
			}
			return after, nil
		}, func(a crm.Apporteur) int { return a.Version })
	}
}

type invitationReissuer interface {
	ReissueInvitation(ctx context.Context, m crm.MIAID, id crm.ApporteurID) (crm.Apporteur, error)
}

// InviteApporteur serves POST /apporteurs/{apporteurId}/invitation: a new
// activation email (sent by the stream consumer); the previous link dies at
// once. 202: the email leaves shortly after.
func InviteApporteur(d Deps) (Func, error) {
	return needs(d, handleInviteApporteur(d.Store), store)
}

func handleInviteApporteur(s invitationReissuer) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		a, err := s.ReissueInvitation(r.Context(), p.MIA, crm.ApporteurID(r.PathValue("apporteurId")))
		if err != nil {
			return err
		}
		writeEntity(w, http.StatusAccepted, a.Version, a)
		return nil
	}
}

type miaAccountCreator interface {
	CreateMIAAccount(ctx context.Context, n crm.NewMIAAccount, staff crm.MIAID, idem *crm.Idempotency) (crm.MIA, *crm.Replay, error)
}

// CreateMIA serves POST /admin/mias (Assentis staff): a MIA account waiting
// for its activation; the stream consumer creates the Cognito user and sends
// the activation email. Idempotency-Key is honoured.
func CreateMIA(d Deps) (Func, error) {
	return needs(d, handleCreateMIA(d.Store), store, phoneNumbers)
}

func handleCreateMIA(s miaAccountCreator) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		return create(w, r, p, "/admin/mias/", func(in crm.NewMIAAccount, idem *crm.Idempotency) (crm.MIA, *crm.Replay, error) {
			return s.CreateMIAAccount(r.Context(), in, staffTenant(p), idem)
		})
	}
}
