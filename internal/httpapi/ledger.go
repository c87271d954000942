package httpapi

import (
	"context"
	"net/http"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/releve"
)

// The commission ledger: encaissements (the insurer pays the MIA),
// versements (the MIA pays its apporteur), the lines and balances they and
// the affaires' changes write, and the monthly relevés. The apporteur sees
// its own lines and relevés, never the MIA's premium, rate or received
// amount.

type encaissementCreator interface {
	CreateEncaissement(ctx context.Context, m crm.MIAID, a crm.AffaireID, n crm.NewEncaissement, idem *crm.Idempotency) (crm.Encaissement, *crm.Replay, error)
}

// CreateEncaissement serves POST /affaires/{affaireId}/encaissements.
func CreateEncaissement(d Deps) (Func, error) {
	return needs(d, handleCreateEncaissement(d.Store), store)
}

func handleCreateEncaissement(s encaissementCreator) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		a := crm.AffaireID(r.PathValue("affaireId"))
		return create(w, r, p, "/affaires/"+string(a)+"/encaissements/", func(in crm.NewEncaissement, idem *crm.Idempotency) (crm.Encaissement, *crm.Replay, error) {
			return s.CreateEncaissement(r.Context(), p.MIA, a, in, idem)
		})
	}
}

type encaissementLister interface {
	ListEncaissements(ctx context.Context, m crm.MIAID, a crm.AffaireID, o crm.ListOptions) (crm.Page[crm.Encaissement], error)
}

// ListEncaissements serves GET /affaires/{affaireId}/encaissements.
func ListEncaissements(d Deps) (Func, error) {
	return needs(d, handleListEncaissements(d.Store), store)
}

func handleListEncaissements(s encaissementLister) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Page[crm.Encaissement], error) {
		return s.ListEncaissements(r.Context(), p.MIA, crm.AffaireID(r.PathValue("affaireId")), o)
	})
}

type affaireLignesReader interface {
	AffaireLignes(ctx context.Context, m crm.MIAID, a crm.AffaireID, o crm.ListOptions) (crm.Page[crm.Ligne], error)
}

// GetAffaireLignes serves GET /affaires/{affaireId}/lignes: the affaire's
// ledger lines, oldest first.
func GetAffaireLignes(d Deps) (Func, error) {
	return needs(d, handleAffaireLignes(d.Store), store)
}

func handleAffaireLignes(s affaireLignesReader) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Page[crm.Ligne], error) {
		return s.AffaireLignes(r.Context(), p.MIA, crm.AffaireID(r.PathValue("affaireId")), o)
	})
}

type versementCreator interface {
	CreateVersement(ctx context.Context, m crm.MIAID, p crm.ApporteurID, n crm.NewVersement, idem *crm.Idempotency) (crm.Versement, *crm.Replay, error)
}

// CreateVersement serves POST /apporteurs/{apporteurId}/versements.
func CreateVersement(d Deps) (Func, error) {
	return needs(d, handleCreateVersement(d.Store), store)
}

func handleCreateVersement(s versementCreator) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		id := crm.ApporteurID(r.PathValue("apporteurId"))
		return create(w, r, p, "/apporteurs/"+string(id)+"/versements/", func(in crm.NewVersement, idem *crm.Idempotency) (crm.Versement, *crm.Replay, error) {
			return s.CreateVersement(r.Context(), p.MIA, id, in, idem)
		})
	}
}

type versementLister interface {
	ListVersements(ctx context.Context, m crm.MIAID, p crm.ApporteurID, o crm.ListOptions) (crm.Page[crm.Versement], error)
}

// ListVersements serves GET /apporteurs/{apporteurId}/versements.
func ListVersements(d Deps) (Func, error) {
	return needs(d, handleListVersements(d.Store), store)
}

func handleListVersements(s versementLister) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Page[crm.Versement], error) {
		return s.ListVersements(r.Context(), p.MIA, crm.ApporteurID(r.PathValue("apporteurId")), o)
	})
}

type registreReader interface {
	ApporteurRegistre(ctx context.Context, m crm.MIAID, p crm.ApporteurID, o crm.ListOptions) (crm.Registre, error)
}

// GetApporteurRegistre serves GET /apporteurs/{apporteurId}/lignes: its
// balances and its lines, newest first, in one Query.
func GetApporteurRegistre(d Deps) (Func, error) {
	return needs(d, handleApporteurRegistre(d.Store), store)
}

func handleApporteurRegistre(s registreReader) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Registre, error) {
		return s.ApporteurRegistre(r.Context(), p.MIA, crm.ApporteurID(r.PathValue("apporteurId")), o)
	})
}

type soldesLister interface {
	Soldes(ctx context.Context, m crm.MIAID, o crm.ListOptions) (crm.Page[crm.Solde], error)
}

// ListSoldes serves GET /soldes: the balances of every apporteur in one call.
func ListSoldes(d Deps) (Func, error) {
	return needs(d, handleListSoldes(d.Store), store)
}

func handleListSoldes(s soldesLister) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Page[crm.Solde], error) {
		return s.Soldes(r.Context(), p.MIA, o)
	})
}

type releveLister interface {
	ListReleves(ctx context.Context, m crm.MIAID, p crm.ApporteurID, o crm.ListOptions) (crm.Page[crm.Releve], error)
}

// ListReleves serves GET /releves?apporteurId=: the MIA's relevés (of one
// apporteur), newest month first, without their lines.
func ListReleves(d Deps) (Func, error) {
	return needs(d, handleListReleves(d.Store), store)
}

func handleListReleves(s releveLister) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Page[crm.Releve], error) {
		return s.ListReleves(r.Context(), p.MIA, crm.ApporteurID(r.URL.Query().Get("apporteurId")), o)
	})
}

type releveIssuer interface {
	IssueReleve(ctx context.Context, m crm.MIAID, p crm.ApporteurID, mois string, idem *crm.Idempotency) (crm.Releve, *crm.Replay, error)
}

// releveRequest asks for the relevé of an apporteur for a closed month.
type releveRequest struct {
	ApporteurID crm.ApporteurID `json:"apporteurId"`
	Mois        string          `json:"mois"`
}

// IssueReleve serves POST /releves: the MIA issues an apporteur's relevé of
// a closed month on demand (the 1st of each month, the schedule does it).
func IssueReleve(d Deps) (Func, error) {
	return needs(d, handleIssueReleve(d.Store), store)
}

func handleIssueReleve(s releveIssuer) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		return create(w, r, p, "/releves/", func(in releveRequest, idem *crm.Idempotency) (crm.Releve, *crm.Replay, error) {
			if in.ApporteurID == "" {
				return crm.Releve{}, nil, crm.Invalid(crm.FieldError{Champ: "apporteurId", Message: "Ce champ est obligatoire."})
			}
			return s.IssueReleve(r.Context(), p.MIA, in.ApporteurID, in.Mois, idem)
		})
	}
}

type releveGetter interface {
	GetReleve(ctx context.Context, m crm.MIAID, p crm.ApporteurID, mois string) (crm.Releve, error)
}

// GetReleve serves GET /releves/{releveId}?format=json|pdf|csv.
func GetReleve(d Deps) (Func, error) {
	return needs(d, handleGetReleve(d.Store), store)
}

func handleGetReleve(s releveGetter) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		format, err := releveFormat(r)
		if err != nil {
			return err
		}
		ap, mois, ok := crm.ParseReleveID(r.PathValue("releveId"))
		if !ok {
			return crm.Errorf(crm.ENOTFOUND, "Relevé introuvable.")
		}
		rel, err := s.GetReleve(r.Context(), p.MIA, ap, mois)
		if err != nil {
			return err
		}
		return writeReleve(w, rel, format)
	}
}

// releveFormat reads ?format= (json by default).
func releveFormat(r *http.Request) (string, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "", "json":
		return "json", nil
	case "pdf", "csv":
		return f, nil
	}
	return "", crm.Invalid(crm.FieldError{Champ: "format", Message: "Le format doit être « json », « pdf » ou « csv »."})
}

// writeReleve answers with the relevé in format: its JSON, or the document
// to download.
func writeReleve(w http.ResponseWriter, rel crm.Releve, format string) error {
	var (
		body []byte
		err  error
		ct   string
	)
	switch format {
	case "pdf":
		body, err = releve.PDF(rel)
		ct = "application/pdf"
	case "csv":
		body, err = releve.CSV(rel)
		ct = csvType
	default:
		writeEntity(w, http.StatusOK, rel.Version, rel)
		return nil
	}
	if err != nil {
		return &crm.Error{Code: crm.EINTERNAL, Message: "Erreur interne.", Err: err}
	}
	w.Header().Set("ETag", etag(rel.Version))
	writeAttachment(w, ct, releve.Filename(rel, format), body)
	return nil
}

type profilReader interface {
	GetMIA(ctx context.Context, m crm.MIAID) (crm.MIA, error)
}

// GetProfil serves GET /profil: the MIA's own profile, with the identity
// its relevés print and its reprise settings.
func GetProfil(d Deps) (Func, error) {
	return needs(d, handleGetProfil(d.Store), store)
}

func handleGetProfil(s profilReader) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		m, err := s.GetMIA(r.Context(), p.MIA)
		if err != nil {
			return err
		}
		writeEntity(w, http.StatusOK, m.Version, m)
		return nil
	}
}

type profilUpdater interface {
	UpdateProfil(ctx context.Context, m crm.MIAID, p crm.ProfilPatch, ifMatch *int) (crm.MIA, error)
}

// UpdateProfil serves PATCH /profil (If-Match honoured).
func UpdateProfil(d Deps) (Func, error) {
	return needs(d, handleUpdateProfil(d.Store), store)
}

func handleUpdateProfil(s profilUpdater) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		return update(w, r, func(in crm.ProfilPatch, im *int) (crm.MIA, error) {
			return s.UpdateProfil(r.Context(), p.MIA, in, im)
		}, func(m crm.MIA) int { return m.Version })
	}
}

// espaceLigne is a ledger line as its apporteur sees it: no premium, MIA
// rate or amount received by the MIA.
func espaceLigne(l crm.Ligne) crm.Ligne {
	l.PrimeAnnuelleCentimes, l.TauxCommissionMIA, l.EncaisseCentimes = 0, 0, 0
	return l
}

type espaceRegistreReader interface {
	activeChecker
	OwnRegistre(ctx context.Context, m crm.MIAID, p crm.ApporteurID, o crm.ListOptions) (crm.Registre, error)
}

// GetEspaceRegistre serves GET /espace-apporteur/lignes: its own balances
// and lines (actif check concurrent with the one Query).
func GetEspaceRegistre(d Deps) (Func, error) {
	return needs(d, handleEspaceRegistre(d.Store), store)
}

func handleEspaceRegistre(s espaceRegistreReader) apiFunc {
	return ownPage(s, func(ctx context.Context, p crm.Principal, o crm.ListOptions) (crm.Registre, error) {
		reg, err := s.OwnRegistre(ctx, p.MIA, p.Apporteur, o)
		for i, l := range reg.Items {
			reg.Items[i] = espaceLigne(l)
		}
		return reg, err
	})
}

type espaceReleveLister interface {
	activeChecker
	releveLister
}

// ListEspaceReleves serves GET /espace-apporteur/releves: its own relevés.
func ListEspaceReleves(d Deps) (Func, error) {
	return needs(d, handleListEspaceReleves(d.Store), store)
}

func handleListEspaceReleves(s espaceReleveLister) apiFunc {
	return ownPage(s, func(ctx context.Context, p crm.Principal, o crm.ListOptions) (crm.Page[crm.Releve], error) {
		return s.ListReleves(ctx, p.MIA, p.Apporteur, o)
	})
}

type espaceReleveGetter interface {
	activeChecker
	releveGetter
}

// GetEspaceReleve serves GET /espace-apporteur/releves/{releveId}?format=:
// one of its own relevés (another's id is a 404).
func GetEspaceReleve(d Deps) (Func, error) {
	return needs(d, handleGetEspaceReleve(d.Store), store)
}

func handleGetEspaceReleve(s espaceReleveGetter) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		format, err := releveFormat(r)
		if err != nil {
			return err
		}
		ap, mois, ok := crm.ParseReleveID(r.PathValue("releveId"))
		if !ok || ap != p.Apporteur {
			ap, mois = p.Apporteur, "" // read nothing, answer 404 after the actif check
		}
		var rel crm.Releve
		if _, err := whileActive(r.Context(), s, p, func(ctx context.Context) error {
			if mois == "" {
				return crm.Errorf(crm.ENOTFOUND, "Relevé introuvable.")
			}
			rel, err = s.GetReleve(ctx, p.MIA, ap, mois)
			return err
		}); err != nil {
			return err
		}
		for i, l := range rel.Lignes {
			rel.Lignes[i] = espaceLigne(l)
		}
		return writeReleve(w, rel, format)
	}
}
