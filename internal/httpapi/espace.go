package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// The espace apporteur (apporteur pool). Tenant and apporteur come from the
// token only. Every request also checks in the table that the apporteur is
// still actif — Cognito does not revoke tokens issued before a deactivation
// (and cognito-local does not even block the login) — with a GetItem issued
// concurrently with the data read, so the latency stays one round trip; the
// data is sent only when the check passed. What an apporteur sees never
// includes the MIA's commission, premium, rates or private remarks.

type activeChecker interface {
	ActiveApporteur(ctx context.Context, who crm.Principal) (crm.Apporteur, error)
}

// whileActive runs read concurrently with the actif check of p's apporteur;
// the check's refusal wins over whatever read found.
func whileActive(ctx context.Context, s activeChecker, p crm.Principal, read func(context.Context) error) (crm.Apporteur, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		a   crm.Apporteur
		err error
	}
	check := make(chan result, 1)
	go func() {
		a, err := s.ActiveApporteur(ctx, p)
		check <- result{a, err}
	}()
	rerr := read(ctx)
	c := <-check
	if c.err != nil {
		return crm.Apporteur{}, c.err
	}
	return c.a, rerr
}

// espaceContact is a contact as its apporteur sees it: its own note, never
// the MIA's remarques.
type espaceContact struct {
	ID            crm.ContactID     `json:"id"`
	Nom           string            `json:"nom"`
	Prenom        string            `json:"prenom,omitempty"`
	Telephone     string            `json:"telephone,omitempty"`
	Email         string            `json:"email,omitempty"`
	Adresse       string            `json:"adresse,omitempty"`
	DateNaissance string            `json:"dateNaissance,omitempty"`
	Profession    string            `json:"profession,omitempty"`
	NoteApporteur string            `json:"noteApporteur,omitempty"`
	Statut        crm.ContactStatut `json:"statut"`
	ApporteurID   crm.ApporteurID   `json:"apporteurId"`
	CreatedAt     time.Time         `json:"createdAt"`
	UpdatedAt     time.Time         `json:"updatedAt"`
	Version       int               `json:"version"`
}

func toEspaceContact(c crm.Contact) espaceContact {
	return espaceContact{ID: c.ID, Nom: c.Nom, Prenom: c.Prenom, Telephone: c.Telephone, Email: c.Email,
		Adresse: c.Adresse, DateNaissance: c.DateNaissance, Profession: c.Profession, NoteApporteur: c.NoteApporteur,
		Statut: c.Statut, ApporteurID: c.ApporteurID, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version}
}

// espaceContactInput is what an apporteur may send: its note for the MIA,
// but no statut, attribution or MIA remarques (those are the MIA's).
type espaceContactInput struct {
	Nom           string `json:"nom"`
	Prenom        string `json:"prenom"`
	Telephone     string `json:"telephone"`
	Email         string `json:"email"`
	Adresse       string `json:"adresse"`
	DateNaissance string `json:"dateNaissance"`
	Profession    string `json:"profession"`
	NoteApporteur string `json:"noteApporteur"`
}

type profilResponse struct {
	ID           crm.ApporteurID      `json:"id"`
	Nom          string               `json:"nom"`
	Prenom       string               `json:"prenom,omitempty"`
	Email        string               `json:"email"`
	Telephone    string               `json:"telephone,omitempty"`
	Localisation string               `json:"localisation,omitempty"`
	Statut       crm.ApporteurStatut  `json:"statut"`
	ActiveLe     *time.Time           `json:"activeLe,omitempty"`
	Commissions  crm.CommissionTotaux `json:"commissions"`
	MIANom       string               `json:"miaNom"`
	MIA          profilMIA            `json:"mia"`
	MembreID     string               `json:"membreId"`
}

type profilMIA struct {
	Nom     string `json:"nom"`
	Prenom  string `json:"prenom,omitempty"`
	Cabinet string `json:"cabinet,omitempty"`
	Email   string `json:"email,omitempty"`
}

type profilStore interface {
	activeChecker
	GetMIA(ctx context.Context, m crm.MIAID) (crm.MIA, error)
}

// GetEspaceProfil serves GET /espace-apporteur/profil: its own profile and its MIA's name.
func GetEspaceProfil(d Deps) (Func, error) {
	return needs(d, handleEspaceProfil(d.Store), store)
}

func handleEspaceProfil(s profilStore) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		var m crm.MIA
		a, err := whileActive(r.Context(), s, p, func(ctx context.Context) error {
			var err error
			m, err = s.GetMIA(ctx, p.MIA)
			if crm.ErrorCode(err) == crm.ENOTFOUND {
				return nil
			}
			return err
		})
		if err != nil {
			return err
		}
		nom := m.DisplayName()
		if m.Cabinet != "" {
			nom += " — " + m.Cabinet
		}
		encode(w, http.StatusOK, profilResponse{ID: a.ID, Nom: a.Nom, Prenom: a.Prenom, Email: a.Email,
			Telephone: a.Telephone, Localisation: a.Localisation, Statut: a.Statut, ActiveLe: a.ActiveLe,
			Commissions: a.Commissions, MIANom: nom,
			MIA:      profilMIA{Nom: m.Nom, Prenom: m.Prenom, Cabinet: m.Cabinet, Email: m.Email},
			MembreID: crm.MembreID(p.MIA, p.Apporteur)})
		return nil
	}
}

type espaceContactCreator interface {
	CreateContactByApporteur(ctx context.Context, who crm.Principal, c crm.Contact, idem *crm.Idempotency) (crm.Contact, *crm.Replay, error)
}

// CreateEspaceContact serves POST /espace-apporteur/contacts: the contact
// lands in its MIA's base, attributed to the apporteur (the actif check is a
// condition of the same transaction). A duplicate is a 409 that names nothing.
func CreateEspaceContact(d Deps) (Func, error) {
	return needs(d, handleCreateEspaceContact(d.Store), store, phoneNumbers)
}

func handleCreateEspaceContact(s espaceContactCreator) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		return create(w, r, p, "/espace-apporteur/contacts/", func(in espaceContactInput, idem *crm.Idempotency) (espaceContact, *crm.Replay, error) {
			if idem != nil {
				// The store renders the crm.Contact it wrote: a replay, like
				// the first answer, must be the apporteur's view of it.
				answer := idem.Answer
				idem.Answer = func(v any) ([]byte, error) {
					c, _ := v.(crm.Contact)
					return answer(toEspaceContact(c))
				}
			}
			c, replay, err := s.CreateContactByApporteur(r.Context(), p, crm.Contact{
				Nom: in.Nom, Prenom: in.Prenom, Telephone: in.Telephone, Email: in.Email, Adresse: in.Adresse,
				DateNaissance: in.DateNaissance, Profession: in.Profession, NoteApporteur: in.NoteApporteur}, idem)
			if err != nil || replay != nil {
				return espaceContact{}, replay, err
			}
			return toEspaceContact(c), nil, nil
		})
	}
}

type espaceContactLister interface {
	activeChecker
	ApporteurContacts(ctx context.Context, m crm.MIAID, p crm.ApporteurID, o crm.ListOptions) (crm.Page[crm.Contact], error)
}

// ListEspaceContacts serves GET /espace-apporteur/contacts: its own contacts only.
func ListEspaceContacts(d Deps) (Func, error) {
	return needs(d, handleListEspaceContacts(d.Store), store)
}

func handleListEspaceContacts(s espaceContactLister) apiFunc {
	return ownPage(s, func(ctx context.Context, p crm.Principal, o crm.ListOptions) (crm.Page[espaceContact], error) {
		page, err := s.ApporteurContacts(ctx, p.MIA, p.Apporteur, o)
		out := crm.Page[espaceContact]{Items: make([]espaceContact, 0, len(page.Items)), NextCursor: page.NextCursor}
		for _, c := range page.Items {
			out.Items = append(out.Items, toEspaceContact(c))
		}
		return out, err
	})
}

// espaceAffaire is an affaire as its apporteur sees it: produit, statut, its
// own rate and commission, and the history of statut and rate changes.
type espaceAffaire struct {
	ID                          crm.AffaireID      `json:"id"`
	ClientID                    string             `json:"clientId"`
	ClientNom                   string             `json:"clientNom"`
	ProduitID                   crm.ProduitID      `json:"produitId"`
	ProduitNom                  string             `json:"produitNom"`
	Statut                      crm.AffaireStatut  `json:"statut"`
	TauxCommissionApporteur     *int               `json:"tauxCommissionApporteur"`
	CommissionApporteurCentimes int64              `json:"commissionApporteurCentimes"`
	CreatedAt                   time.Time          `json:"createdAt"`
	UpdatedAt                   time.Time          `json:"updatedAt"`
	Historique                  []espaceHistorique `json:"historique"`
}

type espaceHistorique struct {
	At          time.Time         `json:"at"`
	Evenement   string            `json:"evenement"`
	StatutAvant crm.AffaireStatut `json:"statutAvant,omitempty"`
	Statut      crm.AffaireStatut `json:"statut"`
	Changements []crm.Changement  `json:"changements,omitempty"`
}

// visibleChanges are the fields of a historique entry an apporteur may see.
var visibleChanges = map[string]bool{"statut": true, "tauxCommissionApporteur": true}

func toEspaceAffaire(v crm.AffaireView) espaceAffaire {
	out := espaceAffaire{ID: v.ID, ClientID: v.ClientID, ClientNom: v.ClientNom, ProduitID: v.ProduitID,
		ProduitNom: v.ProduitNom, Statut: v.Statut, TauxCommissionApporteur: v.TauxCommissionApporteur,
		CommissionApporteurCentimes: v.CommissionApporteurCentimes(), CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
		Historique: []espaceHistorique{}}
	// Rates set before the affaire came to this apporteur (up to its last
	// change of apporteur) were agreed with another one: not shown.
	mine := 0
	for i, h := range v.Historique {
		for _, c := range h.Changements {
			if c.Champ == "apporteurId" {
				mine = i + 1
			}
		}
	}
	for i, h := range v.Historique {
		e := espaceHistorique{At: h.At, Evenement: h.Evenement, StatutAvant: h.StatutAvant, Statut: h.Statut}
		for _, c := range h.Changements {
			if visibleChanges[c.Champ] && (i >= mine || c.Champ == "statut") {
				e.Changements = append(e.Changements, c)
			}
		}
		if h.Evenement != "creation" && len(e.Changements) == 0 {
			continue // only the MIA's figures changed
		}
		out.Historique = append(out.Historique, e)
	}
	return out
}

type espaceAffaireLister interface {
	activeChecker
	ApporteurAffaires(ctx context.Context, m crm.MIAID, p crm.ApporteurID) ([]crm.AffaireView, error)
}

// ListEspaceAffaires serves GET /espace-apporteur/affaires: the affaires of
// its contacts with produit, statut and historique, newest first (one page).
func ListEspaceAffaires(d Deps) (Func, error) {
	return needs(d, handleListEspaceAffaires(d.Store), store)
}

func handleListEspaceAffaires(s espaceAffaireLister) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		views, err := espaceAffaires(r.Context(), s, p)
		if err != nil {
			return err
		}
		out := crm.Page[espaceAffaire]{Items: make([]espaceAffaire, 0, len(views))}
		for _, v := range views {
			out.Items = append(out.Items, toEspaceAffaire(v))
		}
		encode(w, http.StatusOK, out)
		return nil
	}
}

func espaceAffaires(ctx context.Context, s espaceAffaireLister, p crm.Principal) ([]crm.AffaireView, error) {
	var views []crm.AffaireView
	_, err := whileActive(ctx, s, p, func(ctx context.Context) error {
		var err error
		views, err = s.ApporteurAffaires(ctx, p.MIA, p.Apporteur)
		return err
	})
	return views, err
}

type commissionLine struct {
	AffaireID                        crm.AffaireID     `json:"affaireId"`
	ClientNom                        string            `json:"clientNom"`
	ProduitNom                       string            `json:"produitNom"`
	Statut                           crm.AffaireStatut `json:"statut"`
	TauxCommissionApporteur          *int              `json:"tauxCommissionApporteur"`
	CommissionPrevisionnelleCentimes int64             `json:"commissionPrevisionnelleCentimes"`
}

type commissionsResponse struct {
	Items  []commissionLine     `json:"items"`
	Totaux crm.CommissionTotaux `json:"totaux"`
}

// GetEspaceCommissions serves GET /espace-apporteur/commissions: per affaire
// its rate and commission prévisionnelle (cents), and the totals over the
// affaires en_cours and signee, split by statut.
func GetEspaceCommissions(d Deps) (Func, error) {
	return needs(d, handleEspaceCommissions(d.Store), store)
}

func handleEspaceCommissions(s espaceAffaireLister) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		views, err := espaceAffaires(r.Context(), s, p)
		if err != nil {
			return err
		}
		out := commissionsResponse{Items: make([]commissionLine, 0, len(views))}
		for _, v := range views {
			c := v.CommissionApporteurCentimes()
			out.Items = append(out.Items, commissionLine{AffaireID: v.ID, ClientNom: v.ClientNom, ProduitNom: v.ProduitNom,
				Statut: v.Statut, TauxCommissionApporteur: v.TauxCommissionApporteur, CommissionPrevisionnelleCentimes: c})
			out.Totaux.Add(v.Statut, c)
		}
		encode(w, http.StatusOK, out)
		return nil
	}
}
