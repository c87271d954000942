package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/phone"
	"github.com/oklog/ulid/v2"
)

// End-to-end tests of the MIA's CRM (issue 2): contacts, entreprises,
// produits, affaires, through the local gateway with real Cognito tokens.

var seq atomic.Int64

// uniq gives values unique across the run (emails, phones, SIRENs).
func uniq() int64 { return time.Now().UnixNano()/1000%1_000_000 + seq.Add(1)*1_000_000 }

func uniqEmail(prefix string) string { return fmt.Sprintf("%s-%d@e2e.test", prefix, uniq()) }

// uniqPhone is a valid French mobile number unique in the run.
func uniqPhone() string {
	for {
		// Not every 06 number is allocated (e.g. 0600…): keep valid ones only.
		if p := fmt.Sprintf("06%08d", uniq()%100_000_000); validPhone(p) {
			return p
		}
	}
}

func validPhone(p string) bool { _, ok := phone.Normalize(p); return ok }

// sirenFrom makes a valid SIREN (Luhn) from 8 digits.
func sirenFrom(n int64) string {
	base := fmt.Sprintf("%08d", n%100_000_000)
	for k := 0; k < 10; k++ {
		s := base + fmt.Sprint(k)
		if _, ok := crm.NormalizeSIREN(s); ok {
			return s
		}
	}
	panic("no Luhn key")
}

func uniqSiren() string { return sirenFrom(uniq()) }

// tenant is a fresh MIA: its id and ID token.
type tenant struct {
	id    crm.MIAID
	token string
	email string
}

func newTenant(t *testing.T, staff bool) tenant {
	t.Helper()
	email := uniqEmail("mia")
	const password = "E2e-Password-2026"
	id, err := stack.CreateMIA(context.Background(), email, password, staff)
	if err != nil {
		t.Fatal(err)
	}
	return tenant{id: id, token: login(t, "mia", email, password), email: email}
}

// apporteurToken signs in a user of the apporteur pool, created with admin calls.
func apporteurToken(t *testing.T, m crm.MIAID) string {
	t.Helper()
	ctx := context.Background()
	pool := stack.Services.HTTP.ApporteurAccounts
	email := uniqEmail("apporteur")
	const password = "E2e-Apporteur-2026"
	if _, err := pool.CreateUser(ctx, accounts.NewUser{Email: email, MIAID: m, ApporteurID: ulid.Make().String()}); err != nil {
		t.Fatal(err)
	}
	if err := pool.SetPassword(ctx, email, password); err != nil {
		t.Fatal(err)
	}
	return login(t, "apporteur", email, password)
}

var frenchTitles = map[int]string{
	400: "Requête invalide", 401: "Authentification requise", 403: "Accès refusé", 404: "Introuvable",
	409: "Conflit", 412: "Version périmée", 413: "Requête trop volumineuse",
	415: "Type de contenu non pris en charge", 422: "Requête impossible à traiter",
}

type problem struct {
	Type, Title, Detail, Instance, ExistantID string
	Status                                    int
	Errors                                    []crm.FieldError
}

// wantProblem checks a French problem+json answer with the given status and,
// when champ is set, a field error on it.
func wantProblem(t *testing.T, r response, status int, champ string) problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q: %s", ct, r.Body)
	}
	var p problem
	r.JSON(t, &p)
	if p.Status != status || p.Title != frenchTitles[status] || p.Detail == "" {
		t.Errorf("problem %+v, want title %q", p, frenchTitles[status])
	}
	if champ != "" {
		found := false
		for _, e := range p.Errors {
			found = found || (e.Champ == champ && e.Message != "")
		}
		if !found {
			t.Errorf("errors %+v: want one on %q", p.Errors, champ)
		}
	}
	return p
}

func wantStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
}

type page[T any] struct {
	Items      []T
	NextCursor string
}

func list[T any](t *testing.T, token, path string) page[T] {
	t.Helper()
	r := call(t, "GET", path, token, nil)
	wantStatus(t, r, 200)
	var p page[T]
	r.JSON(t, &p)
	return p
}

func createContact(t *testing.T, token string, body map[string]any) crm.Contact {
	t.Helper()
	r := call(t, "POST", "/contacts", token, body)
	wantStatus(t, r, 201)
	var c crm.Contact
	r.JSON(t, &c)
	return c
}

func TestContacts(t *testing.T) {
	a, b := newTenant(t, false), newTenant(t, false)
	email, phone := uniqEmail("jean"), uniqPhone()

	r := call(t, "POST", "/contacts", a.token, map[string]any{"nom": "Dupont", "prenom": "Jean",
		"email": "  " + strings.ToUpper(email) + " ", "telephone": phone, "profession": "Boulanger",
		"dateNaissance": "1980-05-17", "remarques": "Rappeler en juin"})
	wantStatus(t, r, 201)
	var c crm.Contact
	r.JSON(t, &c)
	if c.Email != email || c.Telephone != "+33"+phone[1:] || c.Statut != crm.ContactProspect || c.Version != 1 {
		t.Errorf("created %+v", c)
	}
	if r.Header.Get("ETag") != `"1"` || r.Header.Get("Location") != "/contacts/"+string(c.ID) {
		t.Errorf("ETag %q Location %q", r.Header.Get("ETag"), r.Header.Get("Location"))
	}
	for _, h := range []string{"X-Content-Type-Options", "Content-Security-Policy", "Strict-Transport-Security", "Referrer-Policy"} {
		if r.Header.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
	}

	t.Run("view with its affaires", func(t *testing.T) {
		r := call(t, "GET", "/contacts/"+string(c.ID), a.token, nil)
		wantStatus(t, r, 200)
		var v struct {
			crm.Contact
			Affaires []crm.Affaire
		}
		r.JSON(t, &v)
		if v.ID != c.ID || v.Affaires == nil || r.Header.Get("ETag") != `"1"` {
			t.Errorf("view %s", r.Body)
		}
	})

	t.Run("a foreign number is stored in E.164, a spelling not read is refused", func(t *testing.T) {
		n := fmt.Sprintf("%03d", uniq()%1000)
		r := call(t, "POST", "/contacts", a.token, map[string]any{"nom": "Smith", "telephone": "+44 (0)20 7946 0" + n})
		wantStatus(t, r, 201)
		var c crm.Contact
		r.JSON(t, &c)
		if want := "+442079460" + n; c.Telephone != want {
			t.Errorf("telephone %q, want %q", c.Telephone, want)
		}
		p := wantProblem(t, call(t, "POST", "/contacts", a.token, map[string]any{"nom": "X", "telephone": phone + " poste 12"}), 400, "telephone")
		if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Message, "international") {
			t.Errorf("errors %+v: want one asking for the international format", p.Errors)
		}
	})

	t.Run("each validation rule: 400 in French, nothing written", func(t *testing.T) {
		before := len(list[crm.Contact](t, a.token, "/contacts?limit=200").Items)
		tests := []struct {
			name  string
			body  map[string]any
			champ string
		}{
			{"nom missing", map[string]any{"email": uniqEmail("x")}, "nom"},
			{"neither telephone nor email", map[string]any{"nom": "X"}, "telephone"},
			{"bad telephone", map[string]any{"nom": "X", "telephone": "12345"}, "telephone"},
			{"bad email", map[string]any{"nom": "X", "email": "pas-un-email"}, "email"},
			{"bad statut", map[string]any{"nom": "X", "email": uniqEmail("x"), "statut": "vip"}, "statut"},
			{"bad date", map[string]any{"nom": "X", "email": uniqEmail("x"), "dateNaissance": "17/05/1980"}, "dateNaissance"},
			{"bad apporteurId", map[string]any{"nom": "X", "email": uniqEmail("x"), "apporteurId": "abc"}, "apporteurId"},
			{"nom too long", map[string]any{"nom": strings.Repeat("x", 101), "email": uniqEmail("x")}, "nom"},
			{"unknown field", map[string]any{"nom": "X", "email": uniqEmail("x"), "id": "01H"}, "id"},
			{"wrong type", map[string]any{"nom": 12, "email": uniqEmail("x")}, "nom"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantProblem(t, call(t, "POST", "/contacts", a.token, tt.body), 400, tt.champ)
			})
		}
		t.Run("unknown apporteur", func(t *testing.T) {
			wantProblem(t, call(t, "POST", "/contacts", a.token, map[string]any{"nom": "X", "email": uniqEmail("x"),
				"apporteurId": ulid.Make().String()}), 422, "apporteurId")
		})
		t.Run("malformed JSON", func(t *testing.T) {
			wantProblem(t, rawCall(t, "POST", "/contacts", a.token, "application/json", `{"nom":`), 400, "")
		})
		t.Run("not JSON", func(t *testing.T) {
			wantProblem(t, rawCall(t, "POST", "/contacts", a.token, "text/plain", `nom=X`), 415, "")
		})
		t.Run("over 1 MiB", func(t *testing.T) {
			wantProblem(t, rawCall(t, "POST", "/contacts", a.token, "application/json",
				`{"nom":"`+strings.Repeat("x", 1<<20)+`"}`), 413, "")
		})
		if after := len(list[crm.Contact](t, a.token, "/contacts?limit=200").Items); after != before {
			t.Errorf("contacts: %d before, %d after refused requests", before, after)
		}
	})

	t.Run("duplicates are 409 naming the existing contact", func(t *testing.T) {
		p := wantProblem(t, call(t, "POST", "/contacts", a.token, map[string]any{"nom": "Autre", "email": email}), 409, "email")
		if p.ExistantID != string(c.ID) {
			t.Errorf("existantId %q, want %s", p.ExistantID, c.ID)
		}
		p = wantProblem(t, call(t, "POST", "/contacts", a.token, map[string]any{"nom": "Autre",
			"telephone": "+33 " + phone[1:]}), 409, "telephone")
		if p.ExistantID != string(c.ID) {
			t.Errorf("existantId %q, want %s", p.ExistantID, c.ID)
		}
		// Another MIA may know the same person.
		createContact(t, b.token, map[string]any{"nom": "Dupont", "email": email})
	})

	t.Run("PATCH with If-Match", func(t *testing.T) {
		wantProblem(t, call(t, "PATCH", "/contacts/"+string(c.ID), a.token, map[string]any{"nom": "Durand"}, "If-Match", `"9"`), 412, "")
		r := call(t, "PATCH", "/contacts/"+string(c.ID), a.token, map[string]any{"nom": "Durand", "statut": "client"}, "If-Match", `"1"`)
		wantStatus(t, r, 200)
		var got crm.Contact
		r.JSON(t, &got)
		if got.Nom != "Durand" || got.Statut != crm.ContactClient || got.Version != 2 || r.Header.Get("ETag") != `"2"` {
			t.Errorf("patched %+v ETag %s", got, r.Header.Get("ETag"))
		}
		wantProblem(t, call(t, "PATCH", "/contacts/"+string(c.ID), a.token, map[string]any{"nom": "X"}, "If-Match", `"1"`), 412, "")
		wantProblem(t, call(t, "PATCH", "/contacts/"+string(c.ID), a.token, map[string]any{"email": "faux"}), 400, "email")
		if v := call(t, "GET", "/contacts/"+string(c.ID), a.token, nil); v.Header.Get("ETag") != `"2"` {
			t.Errorf("after refused PATCHes: ETag %s", v.Header.Get("ETag"))
		}
	})

	t.Run("another MIA's ids are 404", func(t *testing.T) {
		wantProblem(t, call(t, "GET", "/contacts/"+string(c.ID), b.token, nil), 404, "")
		wantProblem(t, call(t, "PATCH", "/contacts/"+string(c.ID), b.token, map[string]any{"nom": "Pirate"}), 404, "")
		wantProblem(t, call(t, "GET", "/contacts/pas-un-id", a.token, nil), 404, "")
	})

	t.Run("an apporteur-pool token is 401", func(t *testing.T) {
		tok := apporteurToken(t, a.id)
		for _, rt := range []struct{ method, path string }{
			{"GET", "/contacts"}, {"POST", "/contacts"}, {"GET", "/contacts/" + string(c.ID)}, {"PATCH", "/contacts/" + string(c.ID)},
			{"GET", "/entreprises"}, {"POST", "/entreprises"}, {"GET", "/produits"}, {"GET", "/affaires"}, {"POST", "/affaires"},
			{"GET", "/affaires/" + ulid.Make().String()}, {"PATCH", "/affaires/" + ulid.Make().String()},
			{"POST", "/admin/produits"}, {"PATCH", "/admin/produits/auto"},
		} {
			var body any
			if rt.method != "GET" {
				body = map[string]any{"nom": "X"}
			}
			if r := call(t, rt.method, rt.path, tok, body); r.Status != 401 {
				t.Errorf("%s %s with an apporteur token: %d, want 401", rt.method, rt.path, r.Status)
			}
		}
	})

	t.Run("filters", func(t *testing.T) {
		clients := list[crm.Contact](t, a.token, "/contacts?statut=client")
		if len(clients.Items) != 1 || clients.Items[0].ID != c.ID {
			t.Errorf("statut=client: %+v", clients.Items)
		}
		q := list[crm.Contact](t, a.token, "/contacts?q="+url.QueryEscape("DURÂND"))
		if len(q.Items) != 1 {
			t.Errorf("q=DURÂND: %d items", len(q.Items))
		}
		wantProblem(t, call(t, "GET", "/contacts?statut=vip", a.token, nil), 400, "statut")
		wantProblem(t, call(t, "GET", "/contacts?limit=500", a.token, nil), 400, "limit")
	})
}

func TestPaginationAndCursors(t *testing.T) {
	a, b := newTenant(t, false), newTenant(t, false)
	var ids []crm.ContactID
	for i := 0; i < 5; i++ {
		ids = append(ids, createContact(t, a.token, map[string]any{"nom": fmt.Sprintf("Contact %d", i), "email": uniqEmail("p")}).ID)
	}
	var got []crm.ContactID
	path := "/contacts?limit=2"
	var first string
	for pages := 0; ; pages++ {
		p := list[crm.Contact](t, a.token, path)
		for _, c := range p.Items {
			got = append(got, c.ID)
		}
		if pages == 0 {
			first = p.NextCursor
		}
		if p.NextCursor == "" {
			break
		}
		if pages > 4 {
			t.Fatal("too many pages")
		}
		path = "/contacts?limit=2&cursor=" + url.QueryEscape(p.NextCursor)
	}
	if len(got) != 5 || got[0] != ids[4] || got[4] != ids[0] {
		t.Errorf("pages gave %v, want newest first of %v", got, ids)
	}
	tampered := []byte(first)
	tampered[2] ^= 1
	wantProblem(t, call(t, "GET", "/contacts?cursor="+url.QueryEscape(string(tampered)), a.token, nil), 400, "cursor")
	wantProblem(t, call(t, "GET", "/contacts?cursor="+url.QueryEscape(first), b.token, nil), 400, "cursor")
	wantProblem(t, call(t, "GET", "/contacts?statut=prospect&cursor="+url.QueryEscape(first), a.token, nil), 400, "cursor")
	wantProblem(t, call(t, "GET", "/affaires?cursor="+url.QueryEscape(first), a.token, nil), 400, "cursor")
}

func TestIdempotencyKey(t *testing.T) {
	a := newTenant(t, false)
	body := map[string]any{"nom": "Idem", "email": uniqEmail("idem")}
	key := "cle-" + ulid.Make().String()
	r1 := call(t, "POST", "/contacts", a.token, body, "Idempotency-Key", key)
	wantStatus(t, r1, 201)
	r2 := call(t, "POST", "/contacts", a.token, body, "Idempotency-Key", key)
	if r2.Status != 201 || string(r2.Body) != string(r1.Body) || r2.Header.Get("ETag") != r1.Header.Get("ETag") ||
		r2.Header.Get("Location") != r1.Header.Get("Location") {
		t.Errorf("replay: %d %s %v, want %s", r2.Status, r2.Body, r2.Header, r1.Body)
	}
	wantProblem(t, call(t, "POST", "/contacts", a.token, map[string]any{"nom": "Autre", "email": uniqEmail("idem")},
		"Idempotency-Key", key), 422, "")

	// Concurrent duplicates resolve to the one stored response.
	key2 := "cle-" + ulid.Make().String()
	body2 := map[string]any{"nom": "Concurrent", "email": uniqEmail("conc")}
	rs := parallel(6, func(int) response { return call(t, "POST", "/contacts", a.token, body2, "Idempotency-Key", key2) })
	for i, r := range rs {
		if r.Status != 201 || string(r.Body) != string(rs[0].Body) {
			t.Errorf("concurrent %d: %d %s, want 201 %s", i, r.Status, r.Body, rs[0].Body)
		}
	}
	if n := len(list[crm.Contact](t, a.token, "/contacts").Items); n != 2 {
		t.Errorf("%d contacts, want 2", n)
	}
}

func TestEntreprises(t *testing.T) {
	a, b := newTenant(t, false), newTenant(t, false)
	d := createContact(t, a.token, map[string]any{"nom": "Martin", "prenom": "Claire", "email": uniqEmail("dir")})
	foreign := createContact(t, b.token, map[string]any{"nom": "Autre", "email": uniqEmail("dir")})
	siren := uniqSiren()

	r := call(t, "POST", "/entreprises", a.token, map[string]any{"raisonSociale": "Boulangerie Martin SARL",
		"siren": siren[:3] + " " + siren[3:6] + " " + siren[6:], "adresse": "12 rue des Lilas, 69003 Lyon", "dirigeantId": d.ID})
	wantStatus(t, r, 201)
	var e crm.Entreprise
	r.JSON(t, &e)
	if e.Siren != siren || e.DirigeantID != d.ID || r.Header.Get("Location") != "/entreprises/"+string(e.ID) {
		t.Errorf("created %+v", e)
	}

	t.Run("each validation rule, nothing written", func(t *testing.T) {
		before := len(list[crm.Entreprise](t, a.token, "/entreprises").Items)
		ok := func(edit func(map[string]any)) map[string]any {
			m := map[string]any{"raisonSociale": "X", "siren": uniqSiren(), "adresse": "1 rue X", "dirigeantId": d.ID}
			edit(m)
			return m
		}
		for _, tt := range []struct {
			name   string
			body   map[string]any
			status int
			champ  string
		}{
			{"raison sociale missing", ok(func(m map[string]any) { delete(m, "raisonSociale") }), 400, "raisonSociale"},
			{"siren missing", ok(func(m map[string]any) { delete(m, "siren") }), 400, "siren"},
			{"siren Luhn", ok(func(m map[string]any) { m["siren"] = "443061842" }), 400, "siren"},
			{"siren length", ok(func(m map[string]any) { m["siren"] = "12345" }), 400, "siren"},
			{"adresse missing", ok(func(m map[string]any) { delete(m, "adresse") }), 400, "adresse"},
			{"dirigeant missing", ok(func(m map[string]any) { delete(m, "dirigeantId") }), 400, "dirigeantId"},
			{"dirigeant of another MIA", ok(func(m map[string]any) { m["dirigeantId"] = foreign.ID }), 422, "dirigeantId"},
			{"dirigeant unknown", ok(func(m map[string]any) { m["dirigeantId"] = ulid.Make().String() }), 422, "dirigeantId"},
			{"bad email", ok(func(m map[string]any) { m["email"] = "x@" }), 400, "email"},
			{"duplicate SIREN", ok(func(m map[string]any) { m["siren"] = siren }), 409, "siren"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				p := wantProblem(t, call(t, "POST", "/entreprises", a.token, tt.body), tt.status, tt.champ)
				if tt.status == 409 && p.ExistantID != string(e.ID) {
					t.Errorf("existantId %q, want %s", p.ExistantID, e.ID)
				}
			})
		}
		if after := len(list[crm.Entreprise](t, a.token, "/entreprises").Items); after != before {
			t.Errorf("entreprises: %d before, %d after", before, after)
		}
	})

	t.Run("view, edit, tenancy", func(t *testing.T) {
		r := call(t, "GET", "/entreprises/"+string(e.ID), a.token, nil)
		wantStatus(t, r, 200)
		wantProblem(t, call(t, "GET", "/entreprises/"+string(e.ID), b.token, nil), 404, "")
		wantProblem(t, call(t, "PATCH", "/entreprises/"+string(e.ID), b.token, map[string]any{"adresse": "x"}), 404, "")
		wantProblem(t, call(t, "GET", "/contacts/"+string(e.ID), a.token, nil), 404, "")
		r = call(t, "PATCH", "/entreprises/"+string(e.ID), a.token, map[string]any{"adresse": "3 place Bellecour, 69002 Lyon"}, "If-Match", `"1"`)
		wantStatus(t, r, 200)
		if r.Header.Get("ETag") != `"2"` {
			t.Errorf("ETag %s", r.Header.Get("ETag"))
		}
		wantProblem(t, call(t, "PATCH", "/entreprises/"+string(e.ID), a.token, map[string]any{"adresse": "x"}, "If-Match", `"1"`), 412, "")
		wantProblem(t, call(t, "PATCH", "/entreprises/"+string(e.ID), a.token, map[string]any{"dirigeantId": foreign.ID}), 422, "dirigeantId")
	})
}

func TestProduitsAndStaff(t *testing.T) {
	a, staff := newTenant(t, false), newTenant(t, true)
	p := list[crm.Produit](t, a.token, "/produits")
	cats := map[crm.Categorie]bool{}
	for _, pr := range p.Items {
		cats[pr.Categorie] = true
	}
	for _, c := range []crm.Categorie{crm.CategorieSante, crm.CategoriePrevoyance, crm.CategorieEmprunteur, crm.CategorieHabitation,
		crm.CategorieAuto, crm.CategorieRCPro, crm.CategorieEpargneRetraite} {
		if !cats[c] {
			t.Errorf("catalogue without %s", c)
		}
	}

	code := fmt.Sprintf("cyber-%d", uniq())
	nouveau := map[string]any{"id": code, "nom": "Cyber-risques TPE", "categorie": "rc_pro", "assureur": "Assentis Pro", "tauxCommissionMIA": 12}
	wantProblem(t, call(t, "POST", "/admin/produits", a.token, nouveau), 403, "")
	wantProblem(t, call(t, "PATCH", "/admin/produits/auto", a.token, map[string]any{"actif": false}), 403, "")
	r := call(t, "POST", "/admin/produits", staff.token, nouveau)
	wantStatus(t, r, 201)
	wantProblem(t, call(t, "POST", "/admin/produits", staff.token, nouveau), 409, "id")
	wantProblem(t, call(t, "POST", "/admin/produits", staff.token, map[string]any{"id": "X Y", "nom": "", "categorie": "spatial",
		"assureur": "A", "tauxCommissionMIA": 120}), 400, "categorie")
	wantProblem(t, call(t, "PATCH", "/admin/produits/"+code, staff.token, map[string]any{"actif": false}, "If-Match", `"7"`), 412, "")
	r = call(t, "PATCH", "/admin/produits/"+code, staff.token, map[string]any{"actif": false}, "If-Match", `"1"`)
	wantStatus(t, r, 200)
	wantProblem(t, call(t, "PATCH", "/admin/produits/inconnu-"+code, staff.token, map[string]any{"actif": false}), 404, "")

	// An inactive produit cannot open an affaire.
	c := createContact(t, a.token, map[string]any{"nom": "Client", "email": uniqEmail("c")})
	wantProblem(t, call(t, "POST", "/affaires", a.token, map[string]any{"clientId": c.ID, "produitId": code}), 422, "produitId")
}

type affaireJSON struct {
	crm.Affaire
	CommissionMIACentimes       int64
	CommissionApporteurCentimes *int64
	Historique                  []crm.Historique
}

// TestOnboarding is the product's path: contact → entreprise with that
// dirigeant → affaire → listed en cours → "Mettre à jour".
func TestOnboarding(t *testing.T) {
	a, b := newTenant(t, false), newTenant(t, false)
	d := createContact(t, a.token, map[string]any{"nom": "Lefèvre", "prenom": "Paul", "telephone": uniqPhone()})
	r := call(t, "POST", "/entreprises", a.token, map[string]any{"raisonSociale": "Garage Lefèvre",
		"siren": uniqSiren(), "adresse": "5 avenue Jean Jaurès, 31000 Toulouse", "dirigeantId": d.ID})
	wantStatus(t, r, 201)
	var e crm.Entreprise
	r.JSON(t, &e)

	r = call(t, "POST", "/affaires", a.token, map[string]any{"clientId": e.ID, "produitId": "multirisque-pro",
		"primeAnnuelleCentimes": 180000}, "Idempotency-Key", "onboarding-"+string(e.ID))
	wantStatus(t, r, 201)
	var af affaireJSON
	r.JSON(t, &af)
	if af.Statut != crm.AffaireEnCours || af.ClientNom != "Garage Lefèvre" || af.ClientType != crm.ClientEntreprise ||
		af.TauxCommissionMIA != 15 || af.CommissionMIACentimes != 27000 || af.ProduitNom == "" {
		t.Errorf("affaire %s", r.Body)
	}

	enCours := list[affaireJSON](t, a.token, "/affaires?statut=en_cours")
	if len(enCours.Items) != 1 || enCours.Items[0].ID != af.ID {
		t.Errorf("en_cours: %+v", enCours.Items)
	}
	if def := list[affaireJSON](t, a.token, "/affaires"); len(def.Items) != 1 {
		t.Errorf("default list: %d items, want the en_cours one", len(def.Items))
	}
	if v := call(t, "GET", "/entreprises/"+string(e.ID), a.token, nil); !strings.Contains(string(v.Body), string(af.ID)) {
		t.Errorf("entreprise view without its affaire: %s", v.Body)
	}

	path := "/affaires/" + string(af.ID)
	t.Run("update refusals", func(t *testing.T) {
		wantProblem(t, call(t, "PATCH", path, a.token, map[string]any{"statut": "resiliee"}), 409, "statut")
		wantProblem(t, call(t, "PATCH", path, a.token, map[string]any{"tauxCommissionApporteur": 20}), 422, "tauxCommissionApporteur")
		wantProblem(t, call(t, "PATCH", path, a.token, map[string]any{"tauxCommissionApporteur": 30}), 400, "tauxCommissionApporteur")
		wantProblem(t, call(t, "PATCH", path, a.token, map[string]any{"primeAnnuelleCentimes": -1}), 400, "primeAnnuelleCentimes")
		wantProblem(t, call(t, "PATCH", path, a.token, map[string]any{"statut": "gagnee"}), 400, "statut")
		wantProblem(t, call(t, "PATCH", path, a.token, map[string]any{"statut": "signee"}, "If-Match", `"5"`), 412, "")
		wantProblem(t, call(t, "PATCH", path, b.token, map[string]any{"statut": "signee"}), 404, "")
		wantProblem(t, call(t, "GET", path, b.token, nil), 404, "")
		if v := call(t, "GET", path, a.token, nil); v.Header.Get("ETag") != `"1"` {
			t.Errorf("refused updates changed the affaire: ETag %s", v.Header.Get("ETag"))
		}
	})

	r = call(t, "PATCH", path, a.token, map[string]any{"statut": "signee", "primeAnnuelleCentimes": 99999, "tauxCommissionMIA": 15}, "If-Match", `"1"`)
	wantStatus(t, r, 200)
	r.JSON(t, &af)
	if af.Statut != crm.AffaireSignee || af.CommissionMIACentimes != 15000 || af.Version != 2 || r.Header.Get("ETag") != `"2"` {
		t.Errorf("updated %s", r.Body)
	}
	if signees := list[affaireJSON](t, a.token, "/affaires?statut=signee"); len(signees.Items) != 1 {
		t.Errorf("signee: %d items", len(signees.Items))
	}
	if n := len(list[affaireJSON](t, a.token, "/affaires?statut=en_cours").Items); n != 0 {
		t.Errorf("en_cours after signature: %d items", n)
	}
	wantProblem(t, call(t, "PATCH", path, a.token, map[string]any{"statut": "en_cours"}), 409, "statut")

	waitStreams(t)
	r = call(t, "GET", path, a.token, nil)
	wantStatus(t, r, 200)
	var view affaireJSON
	r.JSON(t, &view)
	if view.Version != 2 || view.Historique == nil {
		t.Errorf("view %s", r.Body)
	}
	if len(view.Historique) == 0 {
		t.Errorf("no historique entry (written by the stream consumer): %s", r.Body)
	}
}

func TestAffaires(t *testing.T) {
	a, b := newTenant(t, false), newTenant(t, false)
	c := createContact(t, a.token, map[string]any{"nom": "Sans apporteur", "email": uniqEmail("s")})
	foreign := createContact(t, b.token, map[string]any{"nom": "Autre MIA", "email": uniqEmail("f")})

	t.Run("each validation rule, nothing written", func(t *testing.T) {
		before := len(list[affaireJSON](t, a.token, "/affaires").Items)
		for _, tt := range []struct {
			name   string
			body   map[string]any
			status int
			champ  string
		}{
			{"client missing", map[string]any{"produitId": "auto"}, 400, "clientId"},
			{"produit missing", map[string]any{"clientId": c.ID}, 400, "produitId"},
			{"prime negative", map[string]any{"clientId": c.ID, "produitId": "auto", "primeAnnuelleCentimes": -5}, 400, "primeAnnuelleCentimes"},
			{"taux MIA over 100", map[string]any{"clientId": c.ID, "produitId": "auto", "tauxCommissionMIA": 101}, 400, "tauxCommissionMIA"},
			{"taux apporteur 10", map[string]any{"clientId": c.ID, "produitId": "auto", "tauxCommissionApporteur": 10}, 400, "tauxCommissionApporteur"},
			{"taux apporteur without apporteur", map[string]any{"clientId": c.ID, "produitId": "auto", "tauxCommissionApporteur": 15}, 422, "tauxCommissionApporteur"},
			{"client of another MIA", map[string]any{"clientId": foreign.ID, "produitId": "auto"}, 422, "clientId"},
			{"unknown produit", map[string]any{"clientId": c.ID, "produitId": "inconnu"}, 422, "produitId"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				wantProblem(t, call(t, "POST", "/affaires", a.token, tt.body), tt.status, tt.champ)
			})
		}
		if after := len(list[affaireJSON](t, a.token, "/affaires").Items); after != before {
			t.Errorf("affaires: %d before, %d after", before, after)
		}
		wantProblem(t, call(t, "GET", "/affaires?statut=gagnee", a.token, nil), 400, "statut")
	})

	t.Run("apporteur rate on an attributed client", func(t *testing.T) {
		r := call(t, "POST", "/apporteurs", a.token, map[string]any{"nom": "Bernard", "prenom": "Luc",
			"email": uniqEmail("app"), "telephone": uniqPhone(), "localisation": "Lyon"})
		wantStatus(t, r, 201)
		var ap struct{ ID string }
		r.JSON(t, &ap)
		cl := createContact(t, a.token, map[string]any{"nom": "Attribué", "email": uniqEmail("att"), "apporteurId": ap.ID})
		r = call(t, "POST", "/affaires", a.token, map[string]any{"clientId": cl.ID, "produitId": "emprunteur",
			"primeAnnuelleCentimes": 100000, "tauxCommissionApporteur": 20})
		wantStatus(t, r, 201)
		var af affaireJSON
		r.JSON(t, &af)
		if string(af.ApporteurID) != ap.ID || af.CommissionMIACentimes != 25000 || af.CommissionApporteurCentimes == nil ||
			*af.CommissionApporteurCentimes != 5000 {
			t.Errorf("affaire %s", r.Body)
		}
		r = call(t, "PATCH", "/affaires/"+string(af.ID), a.token, map[string]any{"tauxCommissionApporteur": 25})
		wantStatus(t, r, 200)
		r.JSON(t, &af)
		if *af.CommissionApporteurCentimes != 6250 {
			t.Errorf("after 25 %%: %s", r.Body)
		}
		byApporteur := list[crm.Contact](t, a.token, "/contacts?apporteurId="+ap.ID)
		if len(byApporteur.Items) != 1 || byApporteur.Items[0].ID != cl.ID {
			t.Errorf("contacts of the apporteur: %+v", byApporteur.Items)
		}
	})
}
