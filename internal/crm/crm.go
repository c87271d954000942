// Package crm is MyCRM's domain: the MIA's contacts, entreprises, produits and
// affaires, their rules (validation, normalisation, statut transitions,
// commission arithmetic) and the coded errors every other package speaks.
package crm

import "time"

// Named ids make signatures say what they take. All are ULIDs except ProduitID,
// which is the produit's stable code (e.g. "sante-individuelle").
type (
	MIAID        string
	ContactID    string
	EntrepriseID string
	AffaireID    string
	ApporteurID  string
	ProduitID    string
)

// Principal is the authenticated caller, built from the token claims only.
type Principal struct {
	Sub   string
	Email string
	MIA   MIAID
	// Apporteur is set for apporteur-pool tokens.
	Apporteur ApporteurID
	// Choisi: MIA and Apporteur are the membership the client chose (the
	// X-Mandataire header), not the token's own: only a membership recorded
	// for Sub in the table lets it through.
	Choisi bool
	// Staff is true for members of the Assentis group of the MIA pool.
	Staff bool
}

// MIA is the profile of a mandataire d'intermédiaire d'assurance: the tenant.
type MIA struct {
	ID        MIAID  `json:"id"`
	Nom       string `json:"nom"`
	Prenom    string `json:"prenom"`
	Email     string `json:"email"`
	Cabinet   string `json:"cabinet"`
	Telephone string `json:"telephone,omitempty"`
	// The MIA's identity on its relevés de commissions, and its reprise
	// settings (commission ledger), edited by the MIA (PATCH /profil).
	RaisonSociale string          `json:"raisonSociale,omitempty"`
	ORIAS         string          `json:"orias,omitempty"`
	SIREN         string          `json:"siren,omitempty"`
	Adresse       string          `json:"adresse,omitempty"`
	Reprise       RepriseSettings `json:"reprise"`
	CreatedAt     time.Time       `json:"createdAt"`
	UpdatedAt     time.Time       `json:"updatedAt"`
	Version       int             `json:"version"`
}

// DisplayName is "Prénom Nom".
func (m *MIA) DisplayName() string { return fullName(m.Prenom, m.Nom) }

// fullName is "prenom nom", or nom alone without a prénom.
func fullName(prenom, nom string) string {
	if prenom == "" {
		return nom
	}
	return prenom + " " + nom
}

// Page is one page of a list: the items and the opaque cursor of the next
// page ("" on the last page).
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// ListOptions are the paging parameters common to lists.
type ListOptions struct {
	Limit  int
	Cursor string
	// Max, when set by the server (never from a request), raises the bound
	// of Limit: an export chunk reads up to ExportLimit items per Query.
	Max int
}

// ExportLimit is the number of rows of one export chunk: one Query of at
// most 1 MB, a CSV far under the 6 MB of a Lambda response.
const ExportLimit = 1000

// Paging limits of every list.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Validate sets the default limit when none is given and reports one outside 1..MaxLimit.
func (o *ListOptions) Validate() []FieldError {
	if o.Limit == 0 {
		o.Limit = DefaultLimit
	}
	maxLimit := MaxLimit
	if o.Max > 0 {
		maxLimit = o.Max
	}
	if o.Limit < 1 || o.Limit > maxLimit {
		return []FieldError{{Champ: "limit", Message: "La limite doit être comprise entre 1 et 200."}}
	}
	return nil
}
