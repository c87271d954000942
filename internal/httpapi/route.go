package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/assentis/mycrm/internal/crm"
)

// apiFunc is the handlers' name for Func.
type apiFunc = Func

// Func is a route's logic: it writes the response, or returns the error to
// render as a problem. p is the caller, checked against the route's Access.
type Func func(w http.ResponseWriter, r *http.Request, p crm.Principal) error

// A Maker builds a route's logic from the dependencies it names; it fails,
// at start, when one of them is missing (see needs).
type Maker func(Deps) (Func, error)

// Access says who may call a route: Public, MIA, Staff or Apporteur. Each
// level is its own type, so a function links the checks of its level only
// (GET /config parses no token).
type Access interface {
	fmt.Stringer
	// principal is the caller of r, or why it may not call the route.
	principal(r *http.Request, c Config) (crm.Principal, error)
}

var (
	Public    Access = public{}
	MIA       Access = mia{}       // MIA pool, with a tenant
	Staff     Access = staff{}     // MIA pool, Assentis group
	Apporteur Access = apporteur{} // apporteur pool
)

type (
	public    struct{}
	mia       struct{}
	staff     struct{}
	apporteur struct{}
)

func (public) String() string    { return "public" }
func (mia) String() string       { return "MIA" }
func (staff) String() string     { return "staff" }
func (apporteur) String() string { return "apporteur" }

func (public) principal(*http.Request, Config) (crm.Principal, error) { return crm.Principal{}, nil }

func (mia) principal(r *http.Request, c Config) (crm.Principal, error) {
	p, err := miaPrincipal(r, c)
	if err == nil && p.MIA == "" {
		err = crm.Errorf(crm.EFORBIDDEN, "Ce compte n'est rattaché à aucun MIA.")
	}
	return p, err
}

func (staff) principal(r *http.Request, c Config) (crm.Principal, error) {
	p, err := miaPrincipal(r, c)
	if err == nil && !p.Staff {
		err = crm.Errorf(crm.EFORBIDDEN, "Cette action est réservée à l'équipe Assentis.")
	}
	return p, err
}

func (apporteur) principal(r *http.Request, c Config) (crm.Principal, error) {
	return apporteurPrincipal(r, c)
}

// Handler builds mk's logic and mounts it on pattern ("POST /contacts")
// behind the checks of who: the route of a function, as its main.go and the
// local gateway serve it (internal/routes lists them all).
func Handler(d Deps, pattern string, who Access, mk Maker) (http.Handler, error) {
	f, err := mk(d)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pattern, err)
	}
	return route(d, pattern, who, f), nil
}

// A client is a dependency of Deps that a maker may need.
type client int

const (
	store         client = iota // Deps.Store
	phoneNumbers                // Deps.Store.Phone
	miaPool                     // Deps.MIAAccounts
	apporteurPool               // Deps.ApporteurAccounts
	filesBucket                 // Deps.Files
)

// needs returns f when d holds every client in cs, and an error naming the
// first missing one otherwise: a function built without a client fails at
// start instead of, say, rejecting every telephone number as invalid.
func needs(d Deps, f Func, cs ...client) (Func, error) {
	for _, c := range cs {
		if name, ok := c.in(d); !ok {
			return nil, fmt.Errorf("missing dependency: %s", name)
		}
	}
	return f, nil
}

// in names c and tells whether d holds it.
func (c client) in(d Deps) (name string, ok bool) {
	switch c {
	case store:
		return "store", d.Store != nil
	case phoneNumbers:
		return "phone normaliser (app.WithPhone)", d.Store != nil && d.Store.Phone != nil
	case miaPool:
		return "MIA pool administration", d.MIAAccounts != nil
	case apporteurPool:
		return "apporteur pool administration", d.ApporteurAccounts != nil
	case filesBucket:
		return "files bucket (app.WithFiles)", d.Files != nil
	}
	return "client " + strconv.Itoa(int(c)), false
}

// route mounts f on its Go 1.22 pattern behind the checks of its access
// level, with the security headers every response carries.
func route(d Deps, pattern string, who Access, f apiFunc) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		p, err := who.principal(r, d.Config)
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

// listPage is the logic of a list route: it reads ?limit= and ?cursor=,
// asks list for that page (list reads the route's own filters from r) and
// answers it. P is a crm.Page, or a page with more (crm.Registre).
func listPage[P any](list func(r *http.Request, p crm.Principal, o crm.ListOptions) (P, error)) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		o, err := listOptions(r)
		if err != nil {
			return err
		}
		page, err := list(r, p, o)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, page)
		return nil
	}
}

// ownPage is listPage for an apporteur's own list: read concurrently with
// the actif check (whileActive), whose refusal wins.
func ownPage[P any](s activeChecker, list func(ctx context.Context, p crm.Principal, o crm.ListOptions) (P, error)) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (P, error) {
		var page P
		_, err := whileActive(r.Context(), s, p, func(ctx context.Context) error {
			var err error
			page, err = list(ctx, p, o)
			return err
		})
		return page, err
	})
}

// alongside runs second concurrently with first, so that two reads cost
// one round trip; first's error wins (its 404 says the thing is not
// there, whatever second found), then second's.
func alongside(first, second func() error) error {
	done := make(chan error, 1)
	go func() { done <- second() }()
	err := first()
	if serr := <-done; err == nil {
		err = serr
	}
	return err
}

// writeEntity answers with an entity and its ETag.
func writeEntity[T any](w http.ResponseWriter, status, version int, v T) {
	w.Header().Set("ETag", etag(version))
	encode(w, status, v)
}
