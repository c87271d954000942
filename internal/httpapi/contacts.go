package httpapi

import (
	"context"
	"net/http"

	"github.com/assentis/mycrm/internal/crm"
)

// contactInput is what a MIA sends to create a contact (no id, dates or version).
type contactInput struct {
	Nom           string            `json:"nom"`
	Prenom        string            `json:"prenom"`
	Telephone     string            `json:"telephone"`
	Email         string            `json:"email"`
	Adresse       string            `json:"adresse"`
	DateNaissance string            `json:"dateNaissance"`
	Profession    string            `json:"profession"`
	Remarques     string            `json:"remarques"`
	Statut        crm.ContactStatut `json:"statut"`
	ApporteurID   crm.ApporteurID   `json:"apporteurId"`
}

func (in contactInput) contact() crm.Contact {
	return crm.Contact{Nom: in.Nom, Prenom: in.Prenom, Telephone: in.Telephone, Email: in.Email,
		Adresse: in.Adresse, DateNaissance: in.DateNaissance, Profession: in.Profession,
		Remarques: in.Remarques, Statut: in.Statut, ApporteurID: in.ApporteurID}
}

type contactCreator interface {
	CreateContact(ctx context.Context, m crm.MIAID, c crm.Contact, idem *crm.Idempotency) (crm.Contact, *crm.Replay, error)
}

// CreateContact serves POST /contacts (Nouveau contact).
func CreateContact(d Deps) (Func, error) {
	return needs(d, handleCreateContact(d.Store), store, phoneNumbers)
}

func handleCreateContact(s contactCreator) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		return create(w, r, p, "/contacts/", func(in contactInput, idem *crm.Idempotency) (crm.Contact, *crm.Replay, error) {
			return s.CreateContact(r.Context(), p.MIA, in.contact(), idem)
		})
	}
}

type contactLister interface {
	ListContacts(ctx context.Context, m crm.MIAID, f crm.ContactFilter) (crm.Page[crm.Contact], error)
}

// ListContacts serves GET /contacts?statut=&apporteurId=&q=&limit=&cursor=.
func ListContacts(d Deps) (Func, error) {
	return needs(d, handleListContacts(d.Store), store)
}

func handleListContacts(s contactLister) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Page[crm.Contact], error) {
		q := r.URL.Query()
		return s.ListContacts(r.Context(), p.MIA, crm.ContactFilter{
			Statut: crm.ContactStatut(q.Get("statut")), ApporteurID: crm.ApporteurID(q.Get("apporteurId")),
			Q: q.Get("q"), ListOptions: o})
	})
}

type contactGetter interface {
	GetContact(ctx context.Context, m crm.MIAID, id crm.ContactID) (crm.ContactView, error)
}

// GetContact serves GET /contacts/{contactId}: the contact with its affaires.
func GetContact(d Deps) (Func, error) {
	return needs(d, handleGetContact(d.Store), store)
}

func handleGetContact(s contactGetter) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		v, err := s.GetContact(r.Context(), p.MIA, crm.ContactID(r.PathValue("contactId")))
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

type contactUpdater interface {
	UpdateContact(ctx context.Context, m crm.MIAID, id crm.ContactID, p crm.ContactPatch, ifMatch *int) (crm.Contact, error)
}

// UpdateContact serves PATCH /contacts/{contactId} (If-Match honoured).
func UpdateContact(d Deps) (Func, error) {
	return needs(d, handleUpdateContact(d.Store), store, phoneNumbers)
}

func handleUpdateContact(s contactUpdater) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		id := crm.ContactID(r.PathValue("contactId"))
		return update(w, r, func(in crm.ContactPatch, im *int) (crm.Contact, error) {
			return s.UpdateContact(r.Context(), p.MIA, id, in, im)
		}, func(c crm.Contact) int { return c.Version })
	}
}
