package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/assentis/mycrm/internal/crm"
)

// apiFunc is a route's logic: it writes the response, or returns the error
// to render as a problem.
type apiFunc func(w http.ResponseWriter, r *http.Request, p crm.Principal) error

// access says who may call a route.
type access int

const (
	public    access = iota
	mia              // MIA pool, with a tenant
	staff            // MIA pool, Assentis group
	apporteur        // apporteur pool
)

// route mounts f on its Go 1.22 pattern behind the checks of its access
// level, with the security headers every response carries.
func route(d Deps, pattern string, who access, f apiFunc) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		var p crm.Principal
		var err error
		switch who {
		case mia:
			p, err = miaPrincipal(r, d.Config)
			if err == nil && p.Mia == "" {
				err = crm.Errorf(crm.EFORBIDDEN, "Ce compte n'est rattaché à aucun MIA.")
			}
		case staff:
			p, err = miaPrincipal(r, d.Config)
			if err == nil && !p.Staff {
				err = crm.Errorf(crm.EFORBIDDEN, "Cette action est réservée à l'équipe Assentis.")
			}
		case apporteur:
			p, err = apporteurPrincipal(r, d.Config)
		}
		if err == nil {
			err = f(w, r, p)
		}
		if err != nil {
			writeError(w, r, d.Log, err)
		}
	})
	return secure(mux)
}

// secure sets the headers every API response carries.
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Cache-Control", "no-store")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		hd.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}

// etag is the entity tag of a stored version.
func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// ifMatch reads If-Match: nil when absent or "*"; a tag that is not one of
// our versions can never match (412).
func ifMatch(r *http.Request) (*int, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return nil, nil
	}
	v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
	if err != nil || v < 1 {
		return nil, crm.Errorf(crm.EPRECONDITION, "En-tête If-Match invalide : utilisez l'ETag reçu.")
	}
	return &v, nil
}

// listOptions reads ?limit= and ?cursor=.
func listOptions(r *http.Request) (crm.ListOptions, error) {
	q := r.URL.Query()
	o := crm.ListOptions{Cursor: q.Get("cursor")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return o, crm.Invalid(crm.FieldError{Champ: "limit", Message: "La limite doit être un nombre entier."})
		}
		if n == 0 {
			n = -1 // an explicit 0 is out of range, not "default"
		}
		o.Limit = n
	}
	return o, nil
}

// writeEntity answers with an entity and its ETag.
func writeEntity[T any](w http.ResponseWriter, status, version int, v T) {
	w.Header().Set("ETag", etag(version))
	encode(w, status, v)
}
