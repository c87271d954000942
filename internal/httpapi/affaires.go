package httpapi

import (
	"context"
	"net/http"

	"github.com/assentis/mycrm/internal/crm"
)

type affaireCreator interface {
	CreateAffaire(ctx context.Context, m crm.MIAID, n crm.NewAffaire, idem *crm.Idempotency) (crm.Affaire, *crm.Replay, error)
}

// CreateAffaire serves POST /affaires (Nouvelle affaire → en cours).
func CreateAffaire(d Deps) (Func, error) {
	return needs(d, handleCreateAffaire(d.Store), store)
}

func handleCreateAffaire(s affaireCreator) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		return create(w, r, p, "/affaires/", func(in crm.NewAffaire, idem *crm.Idempotency) (crm.Affaire, *crm.Replay, error) {
			return s.CreateAffaire(r.Context(), p.MIA, in, idem)
		})
	}
}

type affaireLister interface {
	ListAffaires(ctx context.Context, m crm.MIAID, f crm.AffaireFilter) (crm.Page[crm.Affaire], error)
}

// ListAffaires serves GET /affaires?statut= (en_cours by default) and
// GET /affaires?apporteurId=[&statut=] (an apporteur's affaires, every statut by default).
func ListAffaires(d Deps) (Func, error) {
	return needs(d, handleListAffaires(d.Store), store)
}

func handleListAffaires(s affaireLister) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Page[crm.Affaire], error) {
		q := r.URL.Query()
		return s.ListAffaires(r.Context(), p.MIA, crm.AffaireFilter{Statut: crm.AffaireStatut(q.Get("statut")),
			ApporteurID: crm.ApporteurID(q.Get("apporteurId")), ListOptions: o})
	})
}

type affaireGetter interface {
	GetAffaire(ctx context.Context, m crm.MIAID, id crm.AffaireID) (crm.AffaireView, error)
}

// GetAffaire serves GET /affaires/{affaireId}: with its historique.
func GetAffaire(d Deps) (Func, error) {
	return needs(d, handleGetAffaire(d.Store), store)
}

func handleGetAffaire(s affaireGetter) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		v, err := s.GetAffaire(r.Context(), p.MIA, crm.AffaireID(r.PathValue("affaireId")))
		if err != nil {
			return err
		}
		writeEntity(w, http.StatusOK, v.Version, v)
		return nil
	}
}

type affaireUpdater interface {
	UpdateAffaire(ctx context.Context, m crm.MIAID, id crm.AffaireID, p crm.AffairePatch, ifMatch *int) (crm.Affaire, error)
}

// UpdateAffaire serves PATCH /affaires/{affaireId} ("Mettre à jour").
func UpdateAffaire(d Deps) (Func, error) {
	return needs(d, handleUpdateAffaire(d.Store, d.Store), store)
}

// signatureChecker reads what the DDA check of a signature needs.
type signatureChecker interface {
	documentLister
	GetParametres(ctx context.Context, m crm.MIAID) (crm.Parametres, error)
}

func handleUpdateAffaire(s affaireUpdater, c signatureChecker) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		id := crm.AffaireID(r.PathValue("affaireId"))
		return update(w, r, func(in crm.AffairePatch, im *int) (crm.Affaire, error) {
			if in.Statut != nil && *in.Statut == crm.AffaireSignee {
				if err := ddaPieces(r.Context(), c, p.MIA, id); err != nil {
					return crm.Affaire{}, err
				}
			}
			return s.UpdateAffaire(r.Context(), p.MIA, id, in, im)
		}, func(a crm.Affaire) int { return a.Version })
	}
}

// ddaPieces refuses a signature without the verified DDA pieces when the
// MIA's setting asks for them. The setting and the documents are read
// together (one round trip) before the update.
func ddaPieces(ctx context.Context, c signatureChecker, m crm.MIAID, id crm.AffaireID) error {
	type listed struct {
		docs []crm.Document
		err  error
	}
	ch := make(chan listed, 1)
	go func() {
		docs, err := c.ListDocuments(ctx, m, crm.DocumentOwner{AffaireID: id})
		ch <- listed{docs, err}
	}()
	set, err := c.GetParametres(ctx, m)
	l := <-ch
	if err != nil {
		return err
	}
	if !set.PiecesDDAObligatoires {
		return nil
	}
	if l.err != nil {
		return l.err
	}
	if missing := crm.MissingPieces(l.docs); len(missing) > 0 {
		return missingPieces(missing)
	}
	return nil
}
