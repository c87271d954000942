package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// problem is an RFC 9457 problem detail, in French.
type problem struct {
	Type     string           `json:"type"`
	Title    string           `json:"title"`
	Status   int              `json:"status"`
	Detail   string           `json:"detail,omitempty"`
	Instance string           `json:"instance,omitempty"`
	Errors   []crm.FieldError `json:"errors,omitempty"`
	// ExistantID names the existing resource a conflict is about.
	ExistantID string `json:"existantId,omitempty"`
}

// statuses is THE mapping of error codes to HTTP statuses, with their titles.
var statuses = map[string]struct {
	status int
	title  string
}{
	crm.EINVALID:       {http.StatusBadRequest, "Requête invalide"},
	crm.EUNPROCESSABLE: {http.StatusUnprocessableEntity, "Requête impossible à traiter"},
	crm.ENOTFOUND:      {http.StatusNotFound, "Introuvable"},
	crm.ECONFLICT:      {http.StatusConflict, "Conflit"},
	crm.EUNAUTHORIZED:  {http.StatusUnauthorized, "Authentification requise"},
	crm.EFORBIDDEN:     {http.StatusForbidden, "Accès refusé"},
	crm.EPRECONDITION:  {http.StatusPreconditionFailed, "Version périmée"},
	crm.ETOOLARGE:      {http.StatusRequestEntityTooLarge, "Requête trop volumineuse"},
	crm.EUNSUPPORTED:   {http.StatusUnsupportedMediaType, "Type de contenu non pris en charge"},
	crm.ETOOMANY:       {http.StatusTooManyRequests, "Trop de requêtes"},
	crm.EINTERNAL:      {http.StatusInternalServerError, "Erreur interne"},
}

// StatusOf is the HTTP status of an error's code.
func StatusOf(err error) int { return statuses[crm.ErrorCode(err)].status }

// writeError answers with the problem of err. Only internal errors are logged
// (their cause, never request data); their details never reach the client.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := crm.ErrorCode(err)
	s := statuses[code]
	p := problem{Type: "about:blank", Title: s.title, Status: s.status, Instance: r.URL.Path}
	var e *crm.Error
	if code != crm.EINTERNAL && errors.As(err, &e) {
		p.Detail, p.Errors, p.ExistantID = e.Message, e.Fields, e.Ref
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter/time.Second)))
		}
	} else {
		p.Detail = "Une erreur inattendue s'est produite. Réessayez plus tard."
		if log != nil {
			log.Error("request failed", "method", r.Method, "path", r.Pattern, "err", err)
		}
	}
	if code == crm.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="mycrm"`)
	}
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
	w.WriteHeader(s.status)
	_ = json.NewEncoder(w).Encode(p)
}
