package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

const benchPassword = "Bench-Perf-2026!"

// session is a logged-in user of one pool.
type session struct {
	email, token string
	claims       map[string]string
}

// data is what prepare created for the bench MIA, through the API.
type data struct {
	contacts, entreprises, affaires []string
	etags                           map[string]string // id → ETag of its last write
	produit                         string            // a produit created by staff
	apporteurs                      []string          // created, not activated
	activations                     []string          // activation tokens not used yet
	apporteur                       string            // the activated apporteur
	membre                          string            // its membership id (X-Mandataire)
	convention                      bool              // it has a convention (statut légal set)
	out                             dataOut           // issue 15's setup (dataout.go)
	tache                           string            // a tâche due today
}

// prepare creates the MIA, staff and apporteur sessions and the bench MIA's
// data, all through the gateway with real tokens. A step that cannot run
// (route not there yet, or failing) leaves its routes without a scenario,
// with the reason.
func (st *benchStack) prepare(ctx context.Context, log io.Writer) error {
	start := time.Now()
	stamp := time.Now().UTC().Format("150405")
	d := &st.data
	d.etags = map[string]string{}
	mia := st.mia.token
	created := func(r reply) string {
		id := r.id()
		d.etags[id] = r.header.Get("ETag")
		return id
	}

	if st.skip("POST /contacts", "POST /contacts") == nil {
		for i := 0; i < 20; i++ {
			r, err := st.api.must(ctx, call{method: "POST", path: "/contacts", token: mia, body: newContact("setup", i)})
			if err != nil {
				st.fail(err, "GET /contacts/{contactId}", "PATCH /contacts/{contactId}", "POST /entreprises", "POST /affaires")
				break
			}
			d.contacts = append(d.contacts, created(r))
		}
	}
	if len(d.contacts) > 0 && st.skip("POST /entreprises", "POST /entreprises") == nil {
		for i := 0; i < 2; i++ {
			r, err := st.api.must(ctx, call{method: "POST", path: "/entreprises", token: mia, body: newEntreprise(d.contacts[0], 900+i)})
			if err != nil {
				st.fail(err, "GET /entreprises/{entrepriseId}", "PATCH /entreprises/{entrepriseId}")
				break
			}
			d.entreprises = append(d.entreprises, created(r))
		}
	}
	if len(d.contacts) > 0 && st.skip("POST /affaires", "POST /affaires") == nil {
		clients := append(append([]string(nil), d.contacts[:5]...), d.entreprises...)
		for i := 0; i < 10; i++ {
			r, err := st.api.must(ctx, call{method: "POST", path: "/affaires", token: mia, body: newAffaire(clients[i%len(clients)], i, nil)})
			if err != nil {
				st.fail(err, "GET /affaires/{affaireId}", "PATCH /affaires/{affaireId}")
				break
			}
			d.affaires = append(d.affaires, created(r))
		}
	}
	if st.skip("POST /admin/produits", "POST /admin/produits") == nil {
		r, err := st.api.must(ctx, call{method: "POST", path: "/admin/produits", token: st.staff.token, body: newProduit("setup", 0)})
		if err != nil {
			st.fail(err, "PATCH /admin/produits/{produitId}")
		} else {
			d.produit = created(r)
		}
	}
	if st.skip("POST /taches", "POST /taches") == nil {
		body := map[string]any{"titre": "Rappeler (bench)", "echeance": crm.Day(time.Now())}
		if r, err := st.api.must(ctx, call{method: "POST", path: "/taches", token: mia, body: body}); err != nil {
			st.fail(err, "GET /taches/{tacheId}")
		} else {
			d.tache = created(r)
		}
	}
	if err := st.prepareApporteurs(ctx, stamp); err != nil {
		fmt.Fprintln(log, "bench: apporteurs:", err)
	}
	st.prepareDataOut(ctx, log)
	fmt.Fprintf(log, "bench: prepared MIA %s (%d contacts, %d entreprises, %d affaires, apporteur %q) in %s\n", st.miaID,
		len(d.contacts), len(d.entreprises), len(d.affaires), d.apporteur, time.Since(start).Round(time.Millisecond))
	return nil
}

// prepareApporteurs creates apporteurs, waits for their invitation emails,
// activates one (its session drives the espace apporteur) and keeps the
// other tokens for POST /activation; the apporteur then creates contacts
// on which the MIA opens affaires with a commission rate.
func (st *benchStack) prepareApporteurs(ctx context.Context, stamp string) error {
	espace := []string{"GET /espace-apporteur/profil", "POST /espace-apporteur/contacts", "GET /espace-apporteur/contacts",
		"GET /espace-apporteur/affaires", "GET /espace-apporteur/commissions", "POST /activation"}
	if err := st.skip("POST /apporteurs", append(espace, "GET /apporteurs/{apporteurId}", "PATCH /apporteurs/{apporteurId}",
		"POST /apporteurs/{apporteurId}/invitation")...); err != nil {
		return err
	}
	d := &st.data
	since := time.Now().Add(-time.Second)
	var emails []string
	// Apporteur 0 is activated here (its session drives the espace
	// apporteur), 1 stays invited (POST .../invitation), the others' tokens
	// are for POST /activation.
	for i := 0; i < 9; i++ {
		email := fmt.Sprintf("apporteur-%s-%d@bench.test", stamp, i)
		r, err := st.api.must(ctx, call{method: "POST", path: "/apporteurs", token: st.mia.token, body: map[string]any{
			"nom": "Apporteur", "prenom": fmt.Sprint("Bench ", i), "email": email,
			"telephone": fmt.Sprintf("+33 6 7%d %02d %02d %02d", i, seq/10000%100, seq/100%100, seq%100), "localisation": "Lyon (69)",
		}})
		if err != nil {
			st.fail(err, append(espace, "GET /apporteurs/{apporteurId}", "PATCH /apporteurs/{apporteurId}", "POST /apporteurs/{apporteurId}/invitation")...)
			return err
		}
		id := r.id()
		d.etags[id] = r.header.Get("ETag")
		d.apporteurs = append(d.apporteurs, id)
		emails = append(emails, email)
	}
	tokens, err := st.activationTokens(ctx, emails, since)
	if err != nil {
		st.fail(err, espace...)
		return err
	}
	if _, err := st.api.must(ctx, call{method: "POST", path: "/activation", body: map[string]string{"token": tokens[0], "motDePasse": benchPassword}}); err != nil {
		st.fail(err, espace...)
		return err
	}
	d.activations = tokens[2:]
	tok, err := st.ls.Login(ctx, "apporteur", emails[0], benchPassword)
	if err != nil {
		st.fail(fmt.Errorf("apporteur login: %w", err), espace...)
		return err
	}
	claims, _ := tokenClaims(tok)
	st.apporteur = session{email: emails[0], token: tok, claims: claims}
	d.apporteur = d.apporteurs[0]
	d.apporteurs = d.apporteurs[1:2] // stays "invitation envoyée"
	d.membre = string(st.miaID) + "." + d.apporteur
	// Issue 12: its relation is formalised (statut légal, convention v1).
	if _, err := st.api.must(ctx, call{method: "PATCH", path: "/apporteurs/" + d.apporteur, token: st.mia.token,
		body: map[string]any{"statutLegal": map[string]any{"type": "indicateur"}}}); err == nil {
		if _, err := st.api.must(ctx, call{method: "POST", path: "/apporteurs/" + d.apporteur + "/convention", token: st.mia.token}); err == nil {
			d.convention = true
		}
	}
	if st.skip("POST /espace-apporteur/contacts", "POST /espace-apporteur/contacts") != nil {
		return nil
	}
	for i := 0; i < 5; i++ {
		r, err := st.api.must(ctx, call{method: "POST", path: "/espace-apporteur/contacts", token: tok, body: newContact("apporteur", i)})
		if err != nil {
			return err
		}
		if st.skip("POST /affaires", "POST /affaires") != nil {
			continue
		}
		taux := []int{15, 20, 25}[i%3]
		if _, err := st.api.must(ctx, call{method: "POST", path: "/affaires", token: st.mia.token, body: newAffaire(r.id(), i, &taux)}); err != nil {
			return err
		}
	}
	return nil
}

var activationTokenRE = regexp.MustCompile(`[?#&]token=([A-Za-z0-9_\-.~%]+)`)

// activationTokens waits for the invitation email of each address and reads
// the token of its activation link.
func (st *benchStack) activationTokens(ctx context.Context, to []string, since time.Time) ([]string, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		mails, err := st.ls.Emails(ctx)
		if err != nil {
			return nil, fmt.Errorf("read emails: %w", err)
		}
		found := map[string]string{}
		for _, m := range mails {
			for _, addr := range m.To {
				if m := activationTokenRE.FindStringSubmatch(m.Text + " " + m.HTML); m != nil {
					found[strings.ToLower(addr)] = m[1]
				}
			}
		}
		var out []string
		for _, a := range to {
			if t, ok := found[a]; ok {
				out = append(out, t)
			}
		}
		if len(out) == len(to) {
			return out, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%d of %d invitation emails after 30 s", len(out), len(to))
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// scenarios returns the scenario of every route it can drive with the data
// prepare created.
func (st *benchStack) scenarios() map[string]*scenario {
	d := &st.data
	mia, staff, app := st.mia.token, st.staff.token, st.apporteur.token
	s := map[string]*scenario{}
	get := func(key, name, path, token string) {
		if st.has(key) {
			s[key] = &scenario{name: name, next: func(int) (call, error) { return call{method: "GET", path: path, token: token}, nil }}
		}
	}
	post := func(key, name, token string, body func(i int) any) {
		if st.has(key) {
			path := strings.TrimPrefix(key, "POST ")
			s[key] = &scenario{name: name, next: func(i int) (call, error) { return call{method: "POST", path: path, token: token, body: body(i)}, nil }}
		}
	}
	// patch sends body(i) to path with the ETag of the entity's last write.
	patch := func(key, name, id, path, token string, body func(i int) any) {
		if !st.has(key) || id == "" {
			return
		}
		refresh := st.has("GET " + strings.TrimPrefix(key, "PATCH "))
		s[key] = &scenario{name: name,
			next: func(i int) (call, error) {
				if i == 0 && refresh { // the entity may have changed since setup (activation, stream consumers)
					r, err := st.api.must(context.Background(), call{method: "GET", path: path, token: token})
					if err != nil {
						return call{}, err
					}
					d.etags[id] = r.header.Get("ETag")
				}
				return call{method: "PATCH", path: path, token: token, body: body(i), header: map[string]string{"If-Match": d.etags[id]}}, nil
			},
			after: func(r reply) {
				if e := r.header.Get("ETag"); r.ok() && e != "" {
					d.etags[id] = e
				}
			}}
	}
	first := func(ids []string) string {
		if len(ids) == 0 {
			return ""
		}
		return ids[0]
	}

	for k, sc := range st.extra {
		s[k] = sc
	}
	get("GET /config", "public configuration", "/config", "")
	get("GET /produits", "catalogue", "/produits", mia)
	post("POST /contacts", "new contact each time", mia, func(i int) any { return newContact("post", i) })
	get("GET /contacts", fmt.Sprintf("first page, MIA with %d+ contacts", len(d.contacts)), "/contacts", mia)
	if c := first(d.contacts); c != "" {
		get("GET /contacts/{contactId}", "contact with its affaires", "/contacts/"+c, mia)
	}
	if len(d.contacts) > 1 {
		c := d.contacts[1]
		patch("PATCH /contacts/{contactId}", "change profession (If-Match)", c, "/contacts/"+c, mia,
			func(i int) any { return map[string]any{"profession": fmt.Sprint("Artisan ", i)} })
	}
	if c := first(d.contacts); c != "" {
		post("POST /entreprises", "new entreprise, dirigeant = a contact", mia, func(i int) any { return newEntreprise(c, i) })
	}
	get("GET /entreprises", "first page", "/entreprises", mia)
	if e := first(d.entreprises); e != "" {
		get("GET /entreprises/{entrepriseId}", "entreprise with its affaires", "/entreprises/"+e, mia)
		patch("PATCH /entreprises/{entrepriseId}", "change adresse (If-Match)", e, "/entreprises/"+e, mia,
			func(i int) any { return map[string]any{"adresse": fmt.Sprintf("%d rue de la Paix, 75002 Paris", i+1)} })
	}
	if len(d.contacts) > 2 {
		c := d.contacts[2]
		post("POST /affaires", "new affaire on a contact", mia, func(i int) any { return newAffaire(c, i, nil) })
	}
	get("GET /affaires", "?statut=en_cours", "/affaires?statut=en_cours", mia)
	if a := first(d.affaires); a != "" {
		get("GET /affaires/{affaireId}", "affaire with historique", "/affaires/"+a, mia)
	}
	if len(d.affaires) > 1 {
		a := d.affaires[1]
		patch("PATCH /affaires/{affaireId}", "change prime (If-Match)", a, "/affaires/"+a, mia,
			func(i int) any { return map[string]any{"primeAnnuelleCentimes": 100000 + i} })
	}
	// Daily work (issue 14): the dashboard is one GetItem, a task list one Query.
	get("GET /tableau-de-bord", "dashboard (one item of counters)", "/tableau-de-bord", mia)
	get("GET /taches", "Aujourd'hui (open tâches of the day)", "/taches?vue=aujourdhui", mia)
	if d.tache != "" {
		get("GET /taches/{tacheId}", "one tâche (one GetItem)", "/taches/"+d.tache, mia)
	}
	today := crm.Day(time.Now())
	post("POST /taches", "new tâche due today", mia, func(i int) any {
		return map[string]any{"titre": fmt.Sprint("Rappeler ", i), "echeance": today, "heure": "10:00"}
	})
	if c := first(d.contacts); c != "" {
		get("GET /activite/{cibleId}", "a contact's timeline, first page", "/activite/"+c, mia)
		post("POST /notes", "new private note on a contact", mia, func(i int) any {
			return map[string]any{"cibleType": "contact", "cibleId": c, "texte": fmt.Sprint("Note ", i, "\nligne 2")}
		})
	}
	if app != "" {
		get("GET /espace-apporteur/taches", "apporteur: Mes tâches", "/espace-apporteur/taches", app)
		get("GET /espace-apporteur/notes", "apporteur: notes shared with it", "/espace-apporteur/notes", app)
	}
	post("POST /admin/produits", "staff: new produit", staff, func(i int) any { return newProduit("post", i) })
	if d.produit != "" {
		p := d.produit
		patch("PATCH /admin/produits/{produitId}", "staff: change description (If-Match)", p, "/admin/produits/"+p, staff,
			func(i int) any { return map[string]any{"description": fmt.Sprint("Description ", i)} })
	}
	post("POST /admin/mias", "staff: new MIA account (Cognito + email)", staff, func(i int) any {
		return map[string]any{"nom": "Bench", "prenom": fmt.Sprint("MIA ", i), "cabinet": "Cabinet Bench",
			"email": fmt.Sprintf("mia-%d-%d@bench.test", time.Now().UnixNano(), i)}
	})
	if sc := s["POST /admin/mias"]; sc != nil {
		sc.max = warmups + 10
	}

	get("GET /apporteurs", "first page", "/apporteurs", mia)
	post("POST /apporteurs", "new apporteur (invitation by stream consumer)", mia, func(i int) any {
		return map[string]any{"nom": "Apporteur", "prenom": fmt.Sprint("Post ", i),
			"email":        fmt.Sprintf("apporteur-%d-%d@bench.test", time.Now().UnixNano(), i),
			"telephone":    fmt.Sprintf("+33 6 8%d %02d %02d %02d", i/1000000%10, i/10000%100, i/100%100, i%100),
			"localisation": "Villeurbanne"}
	})
	if sc := s["POST /apporteurs"]; sc != nil {
		sc.max = warmups + 20
	}
	if a := d.apporteur; a != "" {
		get("GET /apporteurs/{apporteurId}", "apporteur with commission totals", "/apporteurs/"+a, mia)
		patch("PATCH /apporteurs/{apporteurId}", "change localisation (If-Match)", a, "/apporteurs/"+a, mia,
			func(i int) any { return map[string]any{"localisation": fmt.Sprint("Lyon ", i)} })
	}
	if a := first(d.apporteurs); a != "" && st.has("POST /apporteurs/{apporteurId}/invitation") {
		s["POST /apporteurs/{apporteurId}/invitation"] = &scenario{name: "new activation email", max: warmups + 10,
			next: func(int) (call, error) {
				return call{method: "POST", path: "/apporteurs/" + a + "/invitation", token: mia}, nil
			}}
	}
	if len(d.activations) > 0 && st.has("POST /activation") {
		s["POST /activation"] = &scenario{name: "activate an invited apporteur (one-shot tokens)", max: len(d.activations),
			next: func(i int) (call, error) {
				return call{method: "POST", path: "/activation", body: map[string]string{"token": d.activations[i], "motDePasse": benchPassword}}, nil
			}}
	}
	if app != "" {
		get("GET /espace-apporteur/profil", "own profile", "/espace-apporteur/profil", app)
		post("POST /espace-apporteur/contacts", "apporteur: new contact", app, func(i int) any { return newContact("espace", i) })
		get("GET /espace-apporteur/contacts", "own contacts", "/espace-apporteur/contacts", app)
		get("GET /espace-apporteur/affaires", "affaires of own contacts", "/espace-apporteur/affaires", app)
		get("GET /espace-apporteur/commissions", "commission prévisionnelle", "/espace-apporteur/commissions", app)
		get("GET /espace-apporteur/mandataires", "own memberships (GSI1)", "/espace-apporteur/mandataires", app)
		get("GET /espace-apporteur/convention", "convention versions", "/espace-apporteur/convention", app)
		if d.convention {
			get("GET /espace-apporteur/convention/pdf", "convention PDF, version 1", "/espace-apporteur/convention/pdf?version=1", app)
		}
	}
	// The ledger's reads (issue 11): each one Query or GetItem. The bench
	// data has no encaissement, so the pages are short; the shape of the
	// request (one round trip) is what is measured.
	get("GET /soldes", "balances of every apporteur", "/soldes", mia)
	get("GET /releves", "latest relevés", "/releves", mia)
	if a := first(d.affaires); a != "" {
		get("GET /affaires/{affaireId}/encaissements", "encaissements of an affaire", "/affaires/"+a+"/encaissements", mia)
		get("GET /affaires/{affaireId}/lignes", "ledger lines of an affaire", "/affaires/"+a+"/lignes", mia)
	}
	if a := d.apporteur; a != "" {
		get("GET /apporteurs/{apporteurId}/lignes", "apporteur's lines and balance", "/apporteurs/"+a+"/lignes", mia)
		get("GET /apporteurs/{apporteurId}/versements", "apporteur's versements", "/apporteurs/"+a+"/versements", mia)
	}
	if app != "" {
		get("GET /espace-apporteur/lignes", "own lines and balance", "/espace-apporteur/lignes", app)
		get("GET /espace-apporteur/releves", "own relevés", "/espace-apporteur/releves", app)
	}
	if a := d.apporteur; a != "" && d.convention {
		get("GET /apporteurs/{apporteurId}/convention", "convention versions and proofs", "/apporteurs/"+a+"/convention", mia)
		get("GET /apporteurs/{apporteurId}/convention/pdf", "convention PDF, version 1", "/apporteurs/"+a+"/convention/pdf?version=1", mia)
		post("POST /apporteurs/{apporteurId}/convention", "new convention version (PDF)", mia, func(int) any { return nil })
		if sc := s["POST /apporteurs/{apporteurId}/convention"]; sc != nil {
			path := "/apporteurs/" + a + "/convention"
			sc.next = func(int) (call, error) { return call{method: "POST", path: path, token: mia}, nil }
			sc.max = warmups + 20
		}
	}

	// Documents (issue 13): a presigned upload is one transaction, the
	// signature computed locally; the lists one Query with the owner's
	// GetItem (or the actif check) alongside.
	newDocument := func(typ string) func(int) any {
		return func(i int) any {
			return map[string]any{"nom": fmt.Sprintf("piece-%d.pdf", i), "type": typ, "contentType": "application/pdf", "taille": 120000}
		}
	}
	postTo := func(key, name, path, token string, body func(int) any) {
		if st.has(key) {
			s[key] = &scenario{name: name, next: func(i int) (call, error) { return call{method: "POST", path: path, token: token, body: body(i)}, nil }}
		}
	}
	if a := first(d.affaires); a != "" {
		postTo("POST /affaires/{affaireId}/documents", "presigned upload of a DDA piece", "/affaires/"+a+"/documents", mia, newDocument("der"))
		get("GET /affaires/{affaireId}/documents", "an affaire's documents", "/affaires/"+a+"/documents", mia)
	}
	if a := d.apporteur; a != "" {
		postTo("POST /apporteurs/{apporteurId}/documents", "presigned upload of a Kbis", "/apporteurs/"+a+"/documents", mia, newDocument("kbis"))
		get("GET /apporteurs/{apporteurId}/documents", "an apporteur's documents", "/apporteurs/"+a+"/documents", mia)
	}
	if app != "" {
		post("POST /espace-apporteur/documents", "apporteur: presigned upload of its RC Pro", app, newDocument("rc_pro"))
		get("GET /espace-apporteur/documents", "apporteur: own documents", "/espace-apporteur/documents", app)
	}
	get("GET /parametres", "MIA settings", "/parametres", mia)
	st.dataOutScenarios(s, get, patch)
	return s
}

// espaceVariant is the variant of the espace routes measured with the
// membership named by the client (X-Mandataire): checked against the table
// concurrently with the read, still one round trip.
const espaceVariant = "X-Mandataire"

// variants are the list filters measured besides each list route's default
// (each served by its own access pattern), by route key.
func (st *benchStack) variants() map[string][]string {
	v := map[string][]string{
		"GET /contacts":   {"statut=prospect", "q=durand"},
		"GET /apporteurs": {"statut=actif"},
		// Two words: the longest keys the index read, the other filters it.
		"GET /recherche": {"q=durand+setup"},
	}
	a := st.data.apporteur
	if a != "" {
		v["GET /contacts"] = append(v["GET /contacts"], "apporteurId={apporteurId}")
		v["GET /affaires"] = append(v["GET /affaires"], "apporteurId={apporteurId}")
	}
	for key, qs := range v {
		for _, q := range qs {
			path := strings.TrimPrefix(key, "GET ") + "?" + strings.ReplaceAll(q, "{apporteurId}", a)
			if st.has(key) {
				st.variantScenario(key+"?"+q, path)
			}
		}
	}
	if m := st.data.membre; m != "" {
		if st.extra == nil {
			st.extra = map[string]*scenario{}
		}
		for _, key := range []string{"GET /espace-apporteur/contacts", "GET /espace-apporteur/affaires", "GET /espace-apporteur/profil"} {
			if !st.has(key) {
				continue
			}
			v[key] = append(v[key], espaceVariant)
			path := strings.TrimPrefix(key, "GET ")
			st.extra[key+"?"+espaceVariant] = &scenario{name: "membership named by the client", next: func(int) (call, error) {
				return call{method: "GET", path: path, token: st.apporteur.token, header: map[string]string{"X-Mandataire": m}}, nil
			}}
		}
	}
	return v
}

// variantScenario registers the scenario of a list variant.
func (st *benchStack) variantScenario(key, path string) {
	if st.extra == nil {
		st.extra = map[string]*scenario{}
	}
	name := "list filter"
	if strings.HasPrefix(key, "GET /recherche") {
		name = "two words: the longer keys the index read, the other filters it"
	}
	st.extra[key] = &scenario{name: name, next: func(int) (call, error) {
		return call{method: "GET", path: path, token: st.mia.token}, nil
	}}
}

var seq = time.Now().UnixNano() % 1e6

func newContact(kind string, i int) map[string]any {
	n := seq*1000 + int64(i)
	tag := map[string]int64{"setup": 1, "post": 2, "apporteur": 4, "espace": 5, "erase": 8}[kind] // +33 6[0-24-8]: allocated mobile ranges
	return map[string]any{
		"nom": "Durand", "prenom": fmt.Sprintf("%s %d", kind, i),
		"email":     fmt.Sprintf("%s-%d-%d@bench.test", kind, seq, i),
		"telephone": fmt.Sprintf("+336%d%07d", tag, n%1e7),
		"adresse":   "3 place Bellecour, 69002 Lyon",
	}
}

func newEntreprise(dirigeant string, i int) map[string]any {
	return map[string]any{
		"raisonSociale": fmt.Sprintf("Bench %d SAS", i), "siren": siren(seq*1000 + int64(i)),
		"adresse": "10 quai Perrache, 69002 Lyon", "dirigeantId": dirigeant,
	}
}

func newAffaire(client string, i int, tauxApporteur *int) map[string]any {
	a := map[string]any{"clientId": client, "produitId": "sante-individuelle", "primeAnnuelleCentimes": 120000 + 100*i}
	if tauxApporteur != nil {
		a["tauxCommissionApporteur"] = *tauxApporteur
	}
	return a
}

func newProduit(kind string, i int) map[string]any {
	return map[string]any{"id": fmt.Sprintf("bench-%s-%d-%d", kind, seq, i), "nom": fmt.Sprint("Produit bench ", i),
		"categorie": "sante", "assureur": "Assentis Santé", "tauxCommissionMIA": 12}
}

// siren makes a valid SIREN (Luhn key) from n.
func siren(n int64) string {
	base := fmt.Sprintf("%08d", n%1e8)
	for k := 0; k < 10; k++ {
		if s, ok := crm.NormalizeSIREN(base + fmt.Sprint(k)); ok {
			return s
		}
	}
	return base + "0"
}
