package httpapi

import (
	"context"
	"net/http"

	"github.com/assentis/mycrm/internal/crm"
)

type produitLister interface {
	ListProduits(ctx context.Context) ([]crm.Produit, error)
}

// ListProduits serves GET /produits: the whole catalogue, in one page.
func ListProduits(d Deps) (Func, error) {
	return needs(d, handleListProduits(d.Store), store)
}

func handleListProduits(s produitLister) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		ps, err := s.ListProduits(r.Context())
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, crm.Page[crm.Produit]{Items: ps})
		return nil
	}
}

// produitInput is what Assentis staff send to add a produit.
type produitInput struct {
	ID                crm.ProduitID `json:"id"`
	Nom               string        `json:"nom"`
	Categorie         crm.Categorie `json:"categorie"`
	Assureur          string        `json:"assureur"`
	Description       string        `json:"description"`
	TauxCommissionMIA int           `json:"tauxCommissionMIA"`
	Actif             *bool         `json:"actif"`
}

type produitCreator interface {
	CreateProduit(ctx context.Context, p crm.Produit, m crm.MIAID, idem *crm.Idempotency) (crm.Produit, *crm.Replay, error)
}

// CreateProduit serves POST /admin/produits (Assentis staff only).
func CreateProduit(d Deps) (Func, error) {
	return needs(d, handleCreateProduit(d.Store), store)
}

func handleCreateProduit(s produitCreator) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		return create(w, r, p, "/admin/produits/", func(in produitInput, idem *crm.Idempotency) (crm.Produit, *crm.Replay, error) {
			pr := crm.Produit{ID: in.ID, Nom: in.Nom, Categorie: in.Categorie, Assureur: in.Assureur,
				Description: in.Description, TauxCommissionMIA: in.TauxCommissionMIA, Actif: in.Actif == nil || *in.Actif}
			return s.CreateProduit(r.Context(), pr, staffTenant(p), idem)
		})
	}
}

type produitUpdater interface {
	UpdateProduit(ctx context.Context, id crm.ProduitID, p crm.ProduitPatch, ifMatch *int) (crm.Produit, error)
}

// UpdateProduit serves PATCH /admin/produits/{produitId} (Assentis staff only).
func UpdateProduit(d Deps) (Func, error) {
	return needs(d, handleUpdateProduit(d.Store), store)
}

func handleUpdateProduit(s produitUpdater) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		id := crm.ProduitID(r.PathValue("produitId"))
		return update(w, r, func(in crm.ProduitPatch, im *int) (crm.Produit, error) {
			return s.UpdateProduit(r.Context(), id, in, im)
		}, func(p crm.Produit) int { return p.Version })
	}
}
