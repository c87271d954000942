package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/pdfdoc"
)

// Search across everything, the RGPD rights and the MIA's settings (issue 15).

type searcher interface {
	Search(ctx context.Context, m crm.MIAID, q string) (crm.SearchResults, error)
}

// Search serves GET /recherche?q=: contacts, entreprises and affaires whose
// words start with the query's words, grouped by kind (one Query).
func Search(d Deps) (Func, error) {
	return needs(d, handleSearch(d.Store), store)
}

func handleSearch(s searcher) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		res, err := s.Search(r.Context(), p.MIA, r.URL.Query().Get("q"))
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, res)
		return nil
	}
}

type contactData interface {
	contactGetter
	GetConservation(ctx context.Context, m crm.MIAID, c crm.ContactID) (*crm.Conservation, error)
}

// ContactData serves GET /contacts/{contactId}/donnees-personnelles: all
// MyCRM holds on the contact, as JSON (portability) or, with ?format=pdf,
// as a readable PDF (access).
func ContactData(d Deps) (Func, error) {
	return needs(d, handleContactData(d.Store, nowOf(d)), store)
}

func nowOf(d Deps) func() time.Time {
	if d.Now != nil {
		return d.Now
	}
	return time.Now
}

func handleContactData(s contactData, now func() time.Time) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		format, err := dataFormat(r)
		if err != nil {
			return err
		}
		id := crm.ContactID(r.PathValue("contactId"))
		// The clock is keyed by the contact id from the path, so it is read
		// concurrently with the contact: one round trip. The contact's 404
		// wins over whatever the clock read found.
		var (
			v    crm.ContactView
			cons *crm.Conservation
		)
		err = alongside(func() (err error) {
			v, err = s.GetContact(r.Context(), p.MIA, id)
			return err
		}, func() (err error) {
			if !crm.IsULID(string(id)) { // any other id is a 404 without a read
				return nil
			}
			cons, err = s.GetConservation(r.Context(), p.MIA, id)
			return err
		})
		if err != nil {
			return err
		}
		data := crm.DonneesContact{Contact: v.Contact, Affaires: v.Affaires, Conservation: cons, GenereLe: now().UTC()}
		if data.Affaires == nil {
			data.Affaires = []crm.Affaire{}
		}
		if format == "json" {
			w.Header().Set("Content-Disposition", `attachment; filename="donnees-contact-`+string(id)+`.json"`)
			encode(w, http.StatusOK, data)
			return nil
		}
		doc := contactPDF(data)
		return writeDataPDF(w, doc, "donnees-contact-"+string(id))
	}
}

// dataFormat reads ?format= (json by default, or pdf).
func dataFormat(r *http.Request) (string, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "", "json":
		return "json", nil
	case "pdf":
		return "pdf", nil
	}
	return "", crm.Invalid(crm.FieldError{Champ: "format", Message: "Le format doit être « json » ou « pdf »."})
}

func writeDataPDF(w http.ResponseWriter, doc *pdfdoc.Doc, name string) error {
	b, err := doc.Bytes()
	if err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	writeAttachment(w, "application/pdf", name+".pdf", b)
	return nil
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(paris).Format("02/01/2006")
}

var paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return l
}()

func contactPDF(d crm.DonneesContact) *pdfdoc.Doc {
	c := d.Contact
	doc := pdfdoc.New("Données personnelles – "+c.DisplayName(), d.GenereLe)
	doc.Title("Données personnelles")
	doc.Paragraph("Ce document reprend l'ensemble des données que votre intermédiaire d'assurance conserve à votre sujet dans MyCRM, au " + day(d.GenereLe) + ".")
	doc.Heading("Identité et coordonnées")
	doc.Facts(pdfdoc.Fact{Label: "Nom", Value: c.Nom}, pdfdoc.Fact{Label: "Prénom", Value: c.Prenom},
		pdfdoc.Fact{Label: "Téléphone", Value: crm.NationalPhoneOr(c.Telephone)}, pdfdoc.Fact{Label: "Email", Value: c.Email},
		pdfdoc.Fact{Label: "Adresse", Value: c.Adresse}, pdfdoc.Fact{Label: "Date de naissance", Value: c.DateNaissanceFR()},
		pdfdoc.Fact{Label: "Profession", Value: c.Profession}, pdfdoc.Fact{Label: "Statut", Value: string(c.Statut)},
		pdfdoc.Fact{Label: "Remarques", Value: c.Remarques}, pdfdoc.Fact{Label: "Note de l'apporteur", Value: c.NoteApporteur},
		pdfdoc.Fact{Label: "Enregistré le", Value: day(c.CreatedAt)}, pdfdoc.Fact{Label: "Modifié le", Value: day(c.UpdatedAt)})
	if d.Conservation != nil {
		doc.Heading("Durée de conservation")
		doc.Facts(pdfdoc.Fact{Label: "Dernier contact", Value: day(d.Conservation.DernierContactLe)},
			pdfdoc.Fact{Label: "Conservé jusqu'au", Value: day(d.Conservation.ExpireLe)})
	}
	doc.Heading("Affaires")
	if len(d.Affaires) == 0 {
		doc.Paragraph("Aucune affaire.")
	} else {
		rows := make([][]string, 0, len(d.Affaires))
		for _, a := range d.Affaires {
			rows = append(rows, []string{a.ProduitNom, statutLabel(string(a.Statut)), pdfdoc.Euros(a.PrimeAnnuelleCentimes), day(a.CreatedAt)})
		}
		doc.Table([]pdfdoc.Column{{Header: "Produit", Width: 4}, {Header: "Statut", Width: 2}, {Header: "Prime annuelle", Width: 2, Right: true},
			{Header: "Créée le", Width: 2}}, rows)
	}
	return doc
}

type apporteurData interface {
	apporteurGetter
	ApporteurAffaires(ctx context.Context, m crm.MIAID, p crm.ApporteurID) ([]crm.AffaireView, error)
}

// ApporteurData serves GET /apporteurs/{apporteurId}/donnees-personnelles.
func ApporteurData(d Deps) (Func, error) {
	return needs(d, handleApporteurData(d.Store, nowOf(d)), store)
}

func handleApporteurData(s apporteurData, now func() time.Time) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		format, err := dataFormat(r)
		if err != nil {
			return err
		}
		id := crm.ApporteurID(r.PathValue("apporteurId"))
		// The affaires' collection is keyed by the apporteur id from the
		// path: its Queries run concurrently with the apporteur's GetItem
		// (one round trip), whose 404 wins.
		var (
			a    crm.Apporteur
			affs []crm.AffaireView
		)
		err = alongside(func() (err error) {
			a, err = s.GetApporteur(r.Context(), p.MIA, id)
			return err
		}, func() (err error) {
			if !crm.IsULID(string(id)) { // any other id is a 404 without a read
				return nil
			}
			affs, err = s.ApporteurAffaires(r.Context(), p.MIA, id)
			return err
		})
		if err != nil {
			return err
		}
		if affs == nil {
			affs = []crm.AffaireView{}
		}
		data := crm.DonneesApporteur{Apporteur: a, Affaires: affs, GenereLe: now().UTC()}
		if format == "json" {
			w.Header().Set("Content-Disposition", `attachment; filename="donnees-apporteur-`+string(id)+`.json"`)
			encode(w, http.StatusOK, data)
			return nil
		}
		return writeDataPDF(w, apporteurPDF(data), "donnees-apporteur-"+string(id))
	}
}

func apporteurPDF(d crm.DonneesApporteur) *pdfdoc.Doc {
	a := d.Apporteur
	doc := pdfdoc.New("Données personnelles – "+a.DisplayName(), d.GenereLe)
	doc.Title("Données personnelles")
	doc.Paragraph("Ce document reprend l'ensemble des données que votre mandataire conserve à votre sujet, comme apporteur d'affaires, dans MyCRM, au " + day(d.GenereLe) + ".")
	doc.Heading("Identité et coordonnées")
	activeLe := ""
	if a.ActiveLe != nil {
		activeLe = day(*a.ActiveLe)
	}
	doc.Facts(pdfdoc.Fact{Label: "Nom", Value: a.Nom}, pdfdoc.Fact{Label: "Prénom", Value: a.Prenom},
		pdfdoc.Fact{Label: "Téléphone", Value: crm.NationalPhoneOr(a.Telephone)}, pdfdoc.Fact{Label: "Email", Value: a.Email},
		pdfdoc.Fact{Label: "Localisation", Value: a.Localisation}, pdfdoc.Fact{Label: "Remarques", Value: a.Remarques},
		pdfdoc.Fact{Label: "Statut", Value: statutLabel(string(a.Statut))}, pdfdoc.Fact{Label: "Espace activé le", Value: activeLe},
		pdfdoc.Fact{Label: "Enregistré le", Value: day(a.CreatedAt)})
	doc.Heading("Affaires apportées et commissions")
	if len(d.Affaires) == 0 {
		doc.Paragraph("Aucune affaire.")
	} else {
		rows := make([][]string, 0, len(d.Affaires))
		for _, v := range d.Affaires {
			taux := ""
			if v.TauxCommissionApporteur != nil {
				taux = strconv.Itoa(*v.TauxCommissionApporteur) + " %"
			}
			rows = append(rows, []string{v.ClientNom, v.ProduitNom, statutLabel(string(v.Statut)), taux, pdfdoc.Euros(v.CommissionApporteurCentimes())})
		}
		doc.Table([]pdfdoc.Column{{Header: "Client", Width: 3}, {Header: "Produit", Width: 3}, {Header: "Statut", Width: 2},
			{Header: "Taux", Width: 1, Right: true}, {Header: "Commission", Width: 2, Right: true}}, rows)
	}
	return doc
}

type contactEraser interface {
	EraseContact(ctx context.Context, m crm.MIAID, id crm.ContactID, audit crm.AuditEntry) (crm.Contact, error)
}

// EraseContact serves POST /contacts/{contactId}/effacement: the contact
// anonymised (its affaires' figures kept), audited without its data.
func EraseContact(d Deps) (Func, error) {
	return needs(d, handleEraseContact(d.Store), store)
}

func handleEraseContact(s contactEraser) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		in, _, err := decode[crm.Effacement](w, r)
		if err != nil {
			return err
		}
		if errs := in.Validate(); errs != nil {
			return crm.Invalid(errs...)
		}
		id := crm.ContactID(r.PathValue("contactId"))
		if !crm.IsULID(string(id)) {
			return crm.Errorf(crm.ENOTFOUND, "Contact introuvable.")
		}
		c, err := s.EraseContact(r.Context(), p.MIA, id, crm.AuditEntry{Action: crm.AuditEffacement, Par: p.Sub, Motif: in.Motif})
		if err != nil {
			return err
		}
		writeEntity(w, http.StatusOK, c.Version, c)
		return nil
	}
}

type apporteurEraser interface {
	apporteurGetter
	EraseApporteur(ctx context.Context, m crm.MIAID, p crm.ApporteurID, audit crm.AuditEntry) error
}

type accountDeleter interface {
	Delete(ctx context.Context, sub string) error
}

// EraseApporteur serves POST /apporteurs/{apporteurId}/effacement: its
// Cognito account deleted (its email is the username), then the apporteur
// anonymised and deactivated, its commissions kept, audited.
func EraseApporteur(d Deps) (Func, error) {
	f, err := needs(d, nil, store, apporteurPool)
	if err != nil {
		return f, err
	}
	return handleEraseApporteur(d.Store, d.ApporteurAccounts), nil
}

func handleEraseApporteur(s apporteurEraser, pool accountDeleter) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		in, _, err := decode[crm.Effacement](w, r)
		if err != nil {
			return err
		}
		if errs := in.Validate(); errs != nil {
			return crm.Invalid(errs...)
		}
		id := crm.ApporteurID(r.PathValue("apporteurId"))
		a, err := s.GetApporteur(r.Context(), p.MIA, id)
		if err != nil {
			return err
		}
		if a.CognitoSub != "" {
			if err := pool.Delete(r.Context(), a.CognitoSub); err != nil {
				return err
			}
		}
		if err := s.EraseApporteur(r.Context(), p.MIA, id, crm.AuditEntry{Action: crm.AuditEffacement, Par: p.Sub, Motif: in.Motif}); err != nil {
			return err
		}
		a, err = s.GetApporteur(r.Context(), p.MIA, id)
		if err != nil {
			return err
		}
		writeEntity(w, http.StatusOK, a.Version, a)
		return nil
	}
}

type auditLister interface {
	ListAudit(ctx context.Context, m crm.MIAID, o crm.ListOptions) (crm.Page[crm.AuditEntry], error)
}

// ListAudit serves GET /rgpd/journal: the MIA's RGPD journal, newest first.
func ListAudit(d Deps) (Func, error) {
	return needs(d, handleListAudit(d.Store), store)
}

func handleListAudit(s auditLister) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Page[crm.AuditEntry], error) {
		return s.ListAudit(r.Context(), p.MIA, o)
	})
}

type purgeLister interface {
	ListPurges(ctx context.Context, m crm.MIAID, o crm.ListOptions) (crm.Page[crm.PurgeProposee], error)
}

// ListPurges serves GET /conservation: the prospects past their retention
// that the monthly run proposes to purge.
func ListPurges(d Deps) (Func, error) {
	return needs(d, handleListPurges(d.Store), store)
}

func handleListPurges(s purgeLister) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Page[crm.PurgeProposee], error) {
		return s.ListPurges(r.Context(), p.MIA, o)
	})
}

type purgeDecider interface {
	contactEraser
	GetPurge(ctx context.Context, m crm.MIAID, c crm.ContactID) (crm.PurgeProposee, error)
	KeepProspect(ctx context.Context, m crm.MIAID, c crm.ContactID, audit crm.AuditEntry) error
}

// DecidePurge serves POST /conservation/{contactId}/decision: "purger"
// erases the prospect now; "conserver" (with a reason) restarts its clock.
// Both are audited.
func DecidePurge(d Deps) (Func, error) {
	return needs(d, handleDecidePurge(d.Store), store)
}

func handleDecidePurge(s purgeDecider) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		in, _, err := decode[crm.Decision](w, r)
		if err != nil {
			return err
		}
		if errs := in.Validate(); errs != nil {
			return crm.Invalid(errs...)
		}
		id := crm.ContactID(r.PathValue("contactId"))
		if !crm.IsULID(string(id)) {
			return crm.Errorf(crm.ENOTFOUND, "Aucune purge n'est proposée pour ce contact.")
		}
		if in.Decision == crm.DecisionConserver {
			if err := s.KeepProspect(r.Context(), p.MIA, id, crm.AuditEntry{Par: p.Sub, Motif: in.Motif}); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		if _, err := s.GetPurge(r.Context(), p.MIA, id); err != nil {
			if crm.ErrorCode(err) == crm.ENOTFOUND {
				return crm.Errorf(crm.ENOTFOUND, "Aucune purge n'est proposée pour ce contact.")
			}
			return err
		}
		if _, err := s.EraseContact(r.Context(), p.MIA, id, crm.AuditEntry{Action: crm.AuditPurge, Par: p.Sub, Motif: in.Motif}); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

type parametresStore interface {
	GetParametres(ctx context.Context, m crm.MIAID) (crm.Parametres, error)
	UpdateParametres(ctx context.Context, m crm.MIAID, p crm.ParametresPatch) (crm.Parametres, error)
}

// GetParametres serves GET /parametres: the MIA's settings.
func GetParametres(d Deps) (Func, error) {
	return needs(d, handleGetParametres(d.Store), store)
}

func handleGetParametres(s parametresStore) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		v, err := s.GetParametres(r.Context(), p.MIA)
		if err != nil {
			return err
		}
		writeEntity(w, http.StatusOK, v.Version, v)
		return nil
	}
}

// UpdateParametres serves PATCH /parametres.
func UpdateParametres(d Deps) (Func, error) {
	return needs(d, handleUpdateParametres(d.Store), store)
}

func handleUpdateParametres(s parametresStore) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		in, _, err := decode[crm.ParametresPatch](w, r)
		if err != nil {
			return err
		}
		v, err := s.UpdateParametres(r.Context(), p.MIA, in)
		if err != nil {
			return err
		}
		writeEntity(w, http.StatusOK, v.Version, v)
		return nil
	}
}
