package httpapi

import (
	"context"
	"net/http"

	"github.com/assentis/mycrm/internal/crm"
)

// entrepriseInput is what a MIA sends to create an entreprise.
type entrepriseInput struct {
	RaisonSociale string          `json:"raisonSociale"`
	Siren         string          `json:"siren"`
	Adresse       string          `json:"adresse"`
	DirigeantID   crm.ContactID   `json:"dirigeantId"`
	Telephone     string          `json:"telephone"`
	Email         string          `json:"email"`
	Remarques     string          `json:"remarques"`
	ApporteurID   crm.ApporteurID `json:"apporteurId"`
}

func (in entrepriseInput) entreprise() crm.Entreprise {
	return crm.Entreprise{RaisonSociale: in.RaisonSociale, Siren: in.Siren, Adresse: in.Adresse,
		DirigeantID: in.DirigeantID, Telephone: in.Telephone, Email: in.Email, Remarques: in.Remarques,
		ApporteurID: in.ApporteurID}
}

type entrepriseCreator interface {
	CreateEntreprise(ctx context.Context, m crm.MIAID, e crm.Entreprise, idem *crm.Idempotency) (crm.Entreprise, *crm.Replay, error)
}

// CreateEntreprise serves POST /entreprises (Nouvelle entreprise).
func CreateEntreprise(d Deps) (Func, error) {
	return needs(d, handleCreateEntreprise(d.Store), store, phoneNumbers)
}

func handleCreateEntreprise(s entrepriseCreator) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		return create(w, r, p, "/entreprises/", func(in entrepriseInput, idem *crm.Idempotency) (crm.Entreprise, *crm.Replay, error) {
			return s.CreateEntreprise(r.Context(), p.MIA, in.entreprise(), idem)
		})
	}
}

type entrepriseLister interface {
	ListEntreprises(ctx context.Context, m crm.MIAID, f crm.EntrepriseFilter) (crm.Page[crm.Entreprise], error)
}

// ListEntreprises serves GET /entreprises?apporteurId=&q=&limit=&cursor=.
func ListEntreprises(d Deps) (Func, error) {
	return needs(d, handleListEntreprises(d.Store), store)
}

func handleListEntreprises(s entrepriseLister) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Page[crm.Entreprise], error) {
		q := r.URL.Query()
		return s.ListEntreprises(r.Context(), p.MIA, crm.EntrepriseFilter{
			ApporteurID: crm.ApporteurID(q.Get("apporteurId")), Q: q.Get("q"), ListOptions: o})
	})
}

type entrepriseGetter interface {
	GetEntreprise(ctx context.Context, m crm.MIAID, id crm.EntrepriseID) (crm.EntrepriseView, error)
}

// GetEntreprise serves GET /entreprises/{entrepriseId}: with its affaires.
func GetEntreprise(d Deps) (Func, error) {
	return needs(d, handleGetEntreprise(d.Store), store)
}

func handleGetEntreprise(s entrepriseGetter) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		v, err := s.GetEntreprise(r.Context(), p.MIA, crm.EntrepriseID(r.PathValue("entrepriseId")))
		if err != nil {
			return err
		}
		if v.Affaires == nil {
			v.Affaires = []crm.Affaire{}
		}
		writeEntity(w, http.StatusOK, v.Version, v)
		return nil
	}
}

type entrepriseUpdater interface {
	UpdateEntreprise(ctx context.Context, m crm.MIAID, id crm.EntrepriseID, p crm.EntreprisePatch, ifMatch *int) (crm.Entreprise, error)
}

// UpdateEntreprise serves PATCH /entreprises/{entrepriseId}.
func UpdateEntreprise(d Deps) (Func, error) {
	return needs(d, handleUpdateEntreprise(d.Store), store, phoneNumbers)
}

func handleUpdateEntreprise(s entrepriseUpdater) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		id := crm.EntrepriseID(r.PathValue("entrepriseId"))
		return update(w, r, func(in crm.EntreprisePatch, im *int) (crm.Entreprise, error) {
			return s.UpdateEntreprise(r.Context(), p.MIA, id, in, im)
		}, func(e crm.Entreprise) int { return e.Version })
	}
}
