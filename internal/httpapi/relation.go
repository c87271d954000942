package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/assentis/mycrm/internal/convention"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// The relation between a MIA and an apporteur (issue 12): the person's
// memberships (one login, several MIA), the convention d'apport generated
// by the MIA and accepted online by the apporteur.

type membershipLister interface {
	Memberships(ctx context.Context, sub string) ([]crm.Membre, error)
}

// ListEspaceMandataires serves GET /espace-apporteur/mandataires: the
// memberships of the caller (its sub), actif, to accept or deactivated.
// The caller's own list by its verified sub: no membership to check.
func ListEspaceMandataires(d Deps) (Func, error) {
	return needs(d, handleListMandataires(d.Store), store)
}

func handleListMandataires(s membershipLister) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		ms, err := s.Memberships(r.Context(), p.Sub)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, crm.Page[crm.Membre]{Items: ms})
		return nil
	}
}

type membershipAccepter interface {
	AcceptMembership(ctx context.Context, sub string, m crm.MIAID, p crm.ApporteurID) (crm.Membre, error)
}

// AcceptEspaceMandataire serves POST /espace-apporteur/mandataires/{membreId}/acceptation:
// the caller accepts a MIA's invitation sent to its existing account.
func AcceptEspaceMandataire(d Deps) (Func, error) {
	return needs(d, handleAcceptMandataire(d.Store), store)
}

func handleAcceptMandataire(s membershipAccepter) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		m, a, ok := crm.ParseMembreID(r.PathValue("membreId"))
		if !ok {
			return crm.Errorf(crm.ENOTFOUND, "Invitation introuvable ou déjà acceptée.")
		}
		mb, err := s.AcceptMembership(r.Context(), p.Sub, m, a)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, mb)
		return nil
	}
}

// conventionsResponse lists a membership's convention versions, newest
// (the current one) first.
type conventionsResponse struct {
	Items []crm.Convention `json:"items"`
}

type conventionReader interface {
	GetApporteur(ctx context.Context, m crm.MIAID, p crm.ApporteurID) (crm.Apporteur, error)
	Conventions(ctx context.Context, m crm.MIAID, p crm.ApporteurID, current int) ([]crm.Convention, error)
	ConventionPDF(ctx context.Context, m crm.MIAID, p crm.ApporteurID, v int) (crm.Convention, []byte, error)
}

// ListConventions serves GET /apporteurs/{apporteurId}/convention: every
// version with its acceptance proof. The apporteur (404 when not this
// MIA's) and the versions are read concurrently: one round trip.
func ListConventions(d Deps) (Func, error) {
	return needs(d, handleListConventions(d.Store), store)
}

func handleListConventions(s conventionReader) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		id := crm.ApporteurID(r.PathValue("apporteurId"))
		var list []crm.Convention
		err := alongside(func() error {
			_, err := s.GetApporteur(r.Context(), p.MIA, id)
			return err
		}, func() (err error) {
			list, err = s.Conventions(r.Context(), p.MIA, id, 0)
			return err
		})
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, conventionsResponse{Items: list})
		return nil
	}
}

// GetConventionPDF serves GET /apporteurs/{apporteurId}/convention/pdf?version=:
// the exact PDF of a version (the current one by default).
func GetConventionPDF(d Deps) (Func, error) {
	return needs(d, handleConventionPDF(d.Store), store)
}

func handleConventionPDF(s conventionReader) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		id := crm.ApporteurID(r.PathValue("apporteurId"))
		v, err := versionParam(r)
		if err != nil {
			return err
		}
		if v == 0 {
			a, err := s.GetApporteur(r.Context(), p.MIA, id)
			if err != nil {
				return err
			}
			if a.Convention == nil {
				return crm.Errorf(crm.ENOTFOUND, "Aucune convention n'a encore été générée pour cet apporteur.")
			}
			v = a.Convention.Version
		}
		c, pdf, err := s.ConventionPDF(r.Context(), p.MIA, id, v)
		if err != nil {
			return err
		}
		writePDF(w, c, pdf)
		return nil
	}
}

// versionParam reads ?version= (0 when absent).
func versionParam(r *http.Request) (int, error) {
	q := r.URL.Query().Get("version")
	if q == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(q)
	if err != nil || v < 1 || v > 999999 {
		return 0, crm.Invalid(crm.FieldError{Champ: "version", Message: "La version est un entier positif."})
	}
	return v, nil
}

func writePDF(w http.ResponseWriter, c crm.Convention, pdf []byte) {
	w.Header().Set("X-Content-SHA256", c.SHA256)
	writeAttachment(w, "application/pdf", fmt.Sprintf("convention-apport-v%d.pdf", c.Version), pdf)
}

type conventionCreator interface {
	GetApporteur(ctx context.Context, m crm.MIAID, p crm.ApporteurID) (crm.Apporteur, error)
	GetMIA(ctx context.Context, m crm.MIAID) (crm.MIA, error)
	SaveConvention(ctx context.Context, m crm.MIAID, p crm.ApporteurID, c crm.Convention, pdf []byte) error
}

// CreateConvention serves POST /apporteurs/{apporteurId}/convention: a new
// version of the convention d'apport, generated from the MIA's and the
// apporteur's data and legal status (set first: 422 otherwise). The
// apporteur is emailed (stream consumer) and must accept this version.
func CreateConvention(d Deps) (Func, error) {
	return needs(d, handleCreateConvention(d.Store, d.now), store)
}

func handleCreateConvention(s conventionCreator, now func() time.Time) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		if r.ContentLength > 0 {
			// No body expected; a JSON "{}" is tolerated.
			if _, _, err := decode[struct{}](w, r); err != nil {
				return err
			}
		}
		id := crm.ApporteurID(r.PathValue("apporteurId"))
		var (
			a   crm.Apporteur
			mia crm.MIA
		)
		err := alongside(func() (err error) {
			a, err = s.GetApporteur(r.Context(), p.MIA, id)
			return err
		}, func() (err error) {
			mia, err = s.GetMIA(r.Context(), p.MIA)
			if crm.ErrorCode(err) == crm.ENOTFOUND {
				return nil
			}
			return err
		})
		if err != nil {
			return err
		}
		if a.StatutLegal == nil {
			return &crm.Error{Code: crm.EUNPROCESSABLE, Message: "Renseignez d'abord le statut légal de l'apporteur (indicateur ou intermédiaire immatriculé à l'ORIAS) : la convention le reprend.",
				Fields: []crm.FieldError{{Champ: "statutLegal", Message: "Statut légal manquant."}}}
		}
		if a.Statut == crm.ApporteurDesactive {
			return crm.Errorf(crm.EUNPROCESSABLE, "Cet apporteur est désactivé : réactivez-le avant de lui proposer une convention.")
		}
		v := 1
		if a.Convention != nil {
			v = a.Convention.Version + 1
		}
		at := now().UTC().Truncate(time.Second)
		pdf, err := convention.PDF(crm.ConventionData{Version: v, Date: at, MIA: mia, Apporteur: a, StatutLegal: *a.StatutLegal})
		if err != nil {
			return &crm.Error{Code: crm.EINTERNAL, Message: "Erreur interne.", Err: fmt.Errorf("render convention: %w", err)}
		}
		sum := sha256.Sum256(pdf)
		c := crm.Convention{Version: v, SHA256: hex.EncodeToString(sum[:]), Taille: len(pdf), GenereeLe: at,
			StatutLegal: a.StatutLegal.Type, Courante: true}
		if err := s.SaveConvention(r.Context(), p.MIA, id, c, pdf); err != nil {
			return err
		}
		w.Header().Set("Location", fmt.Sprintf("/apporteurs/%s/convention/pdf?version=%d", id, v))
		encode(w, http.StatusCreated, c)
		return nil
	}
}

type espaceConventionReader interface {
	activeChecker
	Conventions(ctx context.Context, m crm.MIAID, p crm.ApporteurID, current int) ([]crm.Convention, error)
	ConventionPDF(ctx context.Context, m crm.MIAID, p crm.ApporteurID, v int) (crm.Convention, []byte, error)
}

// GetEspaceConvention serves GET /espace-apporteur/convention: the versions
// of the convention with the MIA the caller works in, newest first (the
// membership check runs concurrently with the Query).
func GetEspaceConvention(d Deps) (Func, error) {
	return needs(d, handleEspaceConvention(d.Store), store)
}

func handleEspaceConvention(s espaceConventionReader) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		var list []crm.Convention
		if _, err := whileActive(r.Context(), s, p, func(ctx context.Context) error {
			var err error
			list, err = s.Conventions(ctx, p.MIA, p.Apporteur, 0)
			return err
		}); err != nil {
			return err
		}
		encode(w, http.StatusOK, conventionsResponse{Items: list})
		return nil
	}
}

// GetEspaceConventionPDF serves GET /espace-apporteur/convention/pdf?version=.
func GetEspaceConventionPDF(d Deps) (Func, error) {
	return needs(d, handleEspaceConventionPDF(d.Store), store)
}

func handleEspaceConventionPDF(s espaceConventionReader) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		v, err := versionParam(r)
		if err != nil {
			return err
		}
		var (
			c   crm.Convention
			pdf []byte
		)
		a, err := whileActive(r.Context(), s, p, func(ctx context.Context) error {
			if v == 0 {
				return nil // the current version: known from the check
			}
			var err error
			c, pdf, err = s.ConventionPDF(ctx, p.MIA, p.Apporteur, v)
			return err
		})
		if err != nil {
			return err
		}
		if v == 0 {
			if a.Convention == nil {
				return crm.Errorf(crm.ENOTFOUND, "Votre mandataire ne vous a pas encore proposé de convention.")
			}
			if c, pdf, err = s.ConventionPDF(r.Context(), p.MIA, p.Apporteur, a.Convention.Version); err != nil {
				return err
			}
		}
		writePDF(w, c, pdf)
		return nil
	}
}

type conventionAccepter interface {
	ActiveApporteur(ctx context.Context, who crm.Principal) (crm.Apporteur, error)
	AcceptConvention(ctx context.Context, who crm.Principal, v int, proof crm.Acceptation) (crm.Convention, error)
}

type acceptationInput struct {
	Version int    `json:"version"`
	SHA256  string `json:"sha256"`
}

// AcceptEspaceConvention serves POST /espace-apporteur/convention/acceptation
// {version, sha256}: "J'accepte la convention". The hash is the one of the
// PDF the apporteur read (the web client computes it from the bytes it
// shows); it must be the stored one. The proof records who, when, the
// client's IP and user agent, and that hash.
func AcceptEspaceConvention(d Deps) (Func, error) {
	return needs(d, handleAcceptConvention(d.Store, d.now), store)
}

func handleAcceptConvention(s conventionAccepter, now func() time.Time) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		in, _, err := decode[acceptationInput](w, r)
		if err != nil {
			return err
		}
		in.SHA256 = strings.ToLower(in.SHA256)
		var errs []crm.FieldError
		if in.Version < 1 {
			errs = append(errs, crm.FieldError{Champ: "version", Message: "Indiquez la version de la convention acceptée."})
		}
		if b, err := hex.DecodeString(in.SHA256); err != nil || len(b) != sha256.Size {
			errs = append(errs, crm.FieldError{Champ: "sha256", Message: "L'empreinte SHA-256 compte 64 caractères hexadécimaux."})
		}
		if errs != nil {
			return crm.Invalid(errs...)
		}
		a, err := s.ActiveApporteur(r.Context(), p)
		if err != nil {
			return err
		}
		proof := crm.Acceptation{Le: now().UTC(), Email: a.Email, Nom: a.DisplayName(), Sub: p.Sub,
			SHA256: in.SHA256, UserAgent: clip(r.UserAgent(), 500)}
		if rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok {
			proof.AdresseIP = clip(rc.HTTP.SourceIP, 64)
		}
		c, err := s.AcceptConvention(r.Context(), p, in.Version, proof)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, c)
		return nil
	}
}

// clip bounds a client-sent string kept in a proof.
func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}
