package crm

import (
	"regexp"
	"time"
)

// Categorie groups produits as the MIA's menu does.
type Categorie string

// The categories of the Assentis catalogue.
const (
	CategorieSante           Categorie = "sante"
	CategoriePrevoyance      Categorie = "prevoyance"
	CategorieEmprunteur      Categorie = "emprunteur"
	CategorieHabitation      Categorie = "habitation"
	CategorieAuto            Categorie = "auto"
	CategorieRCPro           Categorie = "rc_pro"
	CategorieMultirisquePro  Categorie = "multirisque_pro"
	CategorieEpargneRetraite Categorie = "epargne_retraite"
	CategorieObseques        Categorie = "obseques"
	CategorieAccidents       Categorie = "accidents_vie"
)

var categories = map[Categorie]bool{
	CategorieSante: true, CategoriePrevoyance: true, CategorieEmprunteur: true,
	CategorieHabitation: true, CategorieAuto: true, CategorieRCPro: true,
	CategorieMultirisquePro: true, CategorieEpargneRetraite: true,
	CategorieObseques: true, CategorieAccidents: true,
}

// Valid reports whether c is a known category.
func (c Categorie) Valid() bool { return categories[c] }

// Produit is an insurance product of the global catalogue Assentis distributes.
type Produit struct {
	ID                ProduitID `json:"id"` // stable code, e.g. "sante-individuelle"
	Nom               string    `json:"nom"`
	Categorie         Categorie `json:"categorie"`
	Assureur          string    `json:"assureur"`
	Description       string    `json:"description,omitempty"`
	TauxCommissionMIA int       `json:"tauxCommissionMIA"` // percent of the annual premium
	Actif             bool      `json:"actif"`
	CreatedAt         time.Time `json:"createdAt"`
	UpdatedAt         time.Time `json:"updatedAt"`
	Version           int       `json:"version"`
}

var produitCodeRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,47}$`)

// Validate normalises p in place and returns the fields at fault.
func (p *Produit) Validate() []FieldError {
	var v fieldChecker
	if !produitCodeRe.MatchString(string(p.ID)) {
		v.add("id", "Le code produit doit faire 2 à 48 caractères : minuscules, chiffres et tirets.")
	}
	v.text("nom", &p.Nom, true, 120)
	if !p.Categorie.Valid() {
		v.add("categorie", "Catégorie inconnue.")
	}
	v.text("assureur", &p.Assureur, true, 120)
	v.note("description", &p.Description, false, 1000)
	if p.TauxCommissionMIA < 0 || p.TauxCommissionMIA > 100 {
		v.add("tauxCommissionMIA", "Le taux doit être compris entre 0 et 100.")
	}
	return v.errs
}

// ValidProduitID reports whether s has the shape of a produit code.
func ValidProduitID(s string) bool { return produitCodeRe.MatchString(s) }

// ProduitPatch is a partial update of a produit by Assentis staff.
type ProduitPatch struct {
	Nom               *string    `json:"nom"`
	Categorie         *Categorie `json:"categorie"`
	Assureur          *string    `json:"assureur"`
	Description       *string    `json:"description"`
	TauxCommissionMIA *int       `json:"tauxCommissionMIA"`
	Actif             *bool      `json:"actif"`
}

// Apply returns p with the patch applied (not yet validated).
func (pp ProduitPatch) Apply(p Produit) Produit {
	set(&p.Nom, pp.Nom)
	set(&p.Categorie, pp.Categorie)
	set(&p.Assureur, pp.Assureur)
	set(&p.Description, pp.Description)
	set(&p.TauxCommissionMIA, pp.TauxCommissionMIA)
	set(&p.Actif, pp.Actif)
	return p
}
