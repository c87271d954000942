package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/golang-jwt/jwt/v5"
)

// Tenant isolation, route by route (issue 5): the matrix is generated from
// the routes of template.yaml (the gateway's own parse), so a new route is
// probed without anyone remembering to. For every route: no token, a token
// signed by another key (bad signature), an unsigned token, a token of the
// other pool, a MIA token on another MIA's ids (and bodies naming them), an
// apporteur token on another apporteur's data (same MIA and other MIA),
// forged and foreign cursors on every list. Expected: 401/403/404 (or the
// caller's own, empty view) and not a byte of the victim's data in any
// answer, the victim's partition byte-for-byte unchanged.
//
// Expired tokens, tokens of another audience and access tokens are signed
// with cognito-local's own key (shipped in its npm package) so that only
// the claim is wrong; the gateway's unit tests also cover not-yet-valid and
// exp-less tokens (internal/devstack/gateway TestAuthorizer).

// world is the victim MIA (a) with two apporteurs and planted data, and the
// attacker MIA (b) with its own apporteur.
type world struct {
	a, b            tenant
	a1, a2          apporteurJSON
	tokA1, tokA2    string
	tokB1           string
	contact, espace string // ids of A's contacts (the second created by A1 in its espace)
	tache, note     string // A's tâche assigned to A1 and A's note shared with A1, on the contact
	// Memberships (issue 12): A1's with A, and A2's second one, with B (A2
	// is one person working with A and B).
	membreA1, membreA2B string
	conventionSHA       string // of A1's accepted convention
	a3Email             string // of A's third apporteur (never activated)
	entreprise          string
	affaire             string
	document            string // A1's own verified RC Pro
	imp                 string // an import of A, its file read, waiting for confirmation
	releve              string // A1's relevé de commissions
	contactEmail        string
	mark                string
	markers             []string // victim data that must never reach an attacker
	cursors             map[string]string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{a: newTenant(t, false), b: newTenant(t, false)}
	w.a1, w.tokA1 = newActiveApporteur(t, w.a.token, "iso-a1")
	w.a2, w.tokA2 = newActiveApporteur(t, w.a.token, "iso-a2")
	_, w.tokB1 = newActiveApporteur(t, w.b.token, "iso-b1")
	mark := fmt.Sprintf("Zqv%dx", uniq())
	w.mark = mark
	w.contactEmail = uniqEmail(strings.ToLower(mark))
	phone := uniqPhone()
	c := createContact(t, w.a.token, map[string]any{"nom": "Nom" + mark, "prenom": "Prenom" + mark, "email": w.contactEmail,
		"telephone": phone, "remarques": "Remarque" + mark, "apporteurId": w.a1.ID})
	w.contact = string(c.ID)
	r := call(t, "POST", "/espace-apporteur/contacts", w.tokA1, map[string]any{"nom": "Espace" + mark, "email": uniqEmail("esp" + strings.ToLower(mark))})
	wantStatus(t, r, 201)
	var ec struct{ ID string }
	r.JSON(t, &ec)
	w.espace = ec.ID
	for i := range 2 {
		r = call(t, "POST", "/entreprises", w.a.token, map[string]any{"raisonSociale": fmt.Sprintf("Societe%s%d", mark, i),
			"siren": uniqSiren(), "adresse": "1 rue " + mark, "dirigeantId": w.contact})
		wantStatus(t, r, 201)
		var e struct{ ID string }
		r.JSON(t, &e)
		w.entreprise = e.ID
		r = call(t, "POST", "/affaires", w.a.token, map[string]any{"clientId": w.contact, "produitId": "auto",
			"primeAnnuelleCentimes": 123457 + i, "tauxCommissionApporteur": 20, "remarques": "Marge" + mark})
		wantStatus(t, r, 201)
		var af struct{ ID string }
		r.JSON(t, &af)
		w.affaire = af.ID
	}
	// A1's commission ledger: the affaire signed, an encaissement, a relevé.
	wantStatus(t, call(t, "PATCH", "/affaires/"+w.affaire, w.a.token, map[string]any{"statut": "signee"}), 200)
	waitStreams(t)
	wantStatus(t, call(t, "POST", "/affaires/"+w.affaire+"/encaissements", w.a.token, map[string]any{
		"date": crm.Day(time.Now()), "montantCentimes": 12345, "anneeContrat": 1, "remarques": "Encaisse" + mark}), 201)
	r = call(t, "POST", "/releves", w.a.token, map[string]any{"apporteurId": w.a1.ID, "mois": crm.PreviousMonth(time.Now())})
	wantStatus(t, r, 201)
	var rel struct{ ID string }
	r.JSON(t, &rel)
	w.releve = rel.ID
	r = call(t, "POST", "/taches", w.a.token, map[string]any{"titre": "Tache" + mark, "echeance": time.Now().Format(time.DateOnly),
		"cibleType": "contact", "cibleId": w.contact, "apporteurId": w.a1.ID})
	wantStatus(t, r, 201)
	var tj struct{ ID string }
	r.JSON(t, &tj)
	w.tache = tj.ID
	r = call(t, "POST", "/notes", w.a.token, map[string]any{"cibleType": "contact", "cibleId": w.contact, "texte": "Note" + mark, "partagee": true})
	wantStatus(t, r, 201)
	var nj struct{ ID string }
	r.JSON(t, &nj)
	w.note = nj.ID
	w.a3Email = uniqEmail("iso-a3")
	wantStatus(t, call(t, "POST", "/apporteurs", w.a.token, map[string]any{"nom": "Trois", "email": w.a3Email}), 201)
	// A1's relation with A is formalised: legal status, convention accepted.
	w.membreA1 = string(w.a.id) + "." + w.a1.ID
	wantStatus(t, call(t, "PATCH", "/apporteurs/"+w.a1.ID, w.a.token, map[string]any{"statutLegal": map[string]any{"type": "indicateur"}}), 200)
	r = call(t, "POST", "/apporteurs/"+w.a1.ID+"/convention", w.a.token, nil)
	wantStatus(t, r, 201)
	var conv struct{ SHA256 string }
	r.JSON(t, &conv)
	w.conventionSHA = conv.SHA256
	wantStatus(t, call(t, "POST", "/espace-apporteur/convention/acceptation", w.tokA1, map[string]any{"version": 1, "sha256": conv.SHA256}), 200)
	// A2's person also works with B.
	wantStatus(t, call(t, "POST", "/apporteurs", w.b.token, map[string]any{"nom": "Martin", "email": w.a2.Email}), 201)
	waitStreams(t)
	mB, ok := membreOf(mandataires(t, w.tokA2, 2), string(w.b.id))
	if !ok {
		t.Fatal("A2's invitation from B is not among its memberships")
	}
	wantStatus(t, call(t, "POST", "/espace-apporteur/mandataires/"+mB.ID+"/acceptation", w.tokA2, nil), 200)
	w.membreA2B = mB.ID
	w.document = string(uploadDocument(t, "POST", "/espace-apporteur/documents", w.tokA1, "rc_pro", "RCPro"+mark+".pdf", samplePDF).ID)
	w.imp = string(depositImport(t, w.a.id, crm.ImportContacts, []byte("Nom;Email\nImport"+mark+";"+uniqEmail("imp")+"\n")).ID)
	waitStreams(t)
	w.markers = []string{mark, string(w.a.id), w.contact, w.espace, w.entreprise, w.affaire, w.imp, w.contactEmail,
		"+33" + phone[1:], w.a1.ID, w.a1.Email, w.conventionSHA, w.document}
	// A's cursors on every list (limit=1 leaves a next page).
	w.cursors = map[string]string{}
	for _, rt := range stack.Template.Routes {
		if rt.Method != "GET" || strings.Contains(rt.Path, "{") {
			continue
		}
		tok := w.a.token
		if rt.Authorizer == "ApporteurAuthorizer" {
			tok = w.tokA1
		}
		r := call(t, "GET", rt.Path+"?limit=1", tok, nil)
		var p struct{ NextCursor string }
		if json.Unmarshal(r.Body, &p) == nil && p.NextCursor != "" {
			w.cursors[rt.Path] = p.NextCursor
		}
	}
	return w
}

// path substitutes the victim's ids into a route's path.
func (w *world) path(p string) string {
	return strings.NewReplacer("{contactId}", w.contact, "{entrepriseId}", w.entreprise, "{affaireId}", w.affaire,
		"{apporteurId}", w.a1.ID, "{produitId}", "auto", "{membreId}", w.membreA1, "{tacheId}", w.tache, "{noteId}", w.note, "{cibleId}", w.contact, "{releveId}", w.releve, "{documentId}", w.document, "{importId}", w.imp).Replace(p)
}

// body is a request body for a write route, naming the victim's ids where
// the route takes references.
func (w *world) body(rt string) any {
	switch rt {
	case "POST /affaires":
		return map[string]any{"clientId": w.contact, "produitId": "auto", "primeAnnuelleCentimes": 1000}
	case "POST /entreprises":
		return map[string]any{"raisonSociale": "Intrus SA", "siren": uniqSiren(), "adresse": "2 rue de l'Intrus", "dirigeantId": w.contact}
	case "POST /contacts":
		return map[string]any{"nom": "Intrus", "email": uniqEmail("intrus"), "apporteurId": w.a1.ID}
	case "POST /apporteurs":
		// A3's email, not a marker: once B has written it, B knows it.
		return map[string]any{"nom": "Intrus", "email": w.a3Email}
	case "POST /espace-apporteur/contacts":
		return map[string]any{"nom": "Doublon", "email": w.contactEmail}
	case "POST /admin/mias":
		return map[string]any{"nom": "Intrus", "prenom": "Ivan", "email": uniqEmail("intrus-mia"), "cabinet": "Intrus"}
	case "POST /admin/produits": // a valid body: only the staff check may refuse it
		return map[string]any{"id": "intrus-" + fmt.Sprint(uniq()), "nom": "Intrus", "categorie": "auto", "assureur": "Intrus", "tauxCommissionMIA": 10}
	case "PATCH /affaires/{affaireId}":
		return map[string]any{"primeAnnuelleCentimes": 1}
	case "PATCH /contacts/{contactId}", "PATCH /entreprises/{entrepriseId}":
		return map[string]any{"adresse": "Chez l'intrus"}
	case "PATCH /apporteurs/{apporteurId}":
		return map[string]any{"localisation": "Chez l'intrus"}
	case "POST /imports":
		return map[string]any{"type": "contacts", "nomFichier": "intrus.csv"}
	case "POST /imports/{importId}/confirmation":
		return map[string]any{"correspondance": []string{"nom", "email"}}
	case "PATCH /admin/produits/{produitId}":
		return map[string]any{"nom": "Intrus"}
	case "POST /activation":
		return map[string]any{"token": strings.Repeat("A", 43), "motDePasse": "Intrus-2026-Long"}
	case "POST /affaires/{affaireId}/documents":
		return map[string]any{"nom": "intrus.pdf", "type": "der", "contentType": "application/pdf", "taille": 100}
	case "POST /apporteurs/{apporteurId}/documents":
		return map[string]any{"nom": "intrus.pdf", "type": "rc_pro", "contentType": "application/pdf", "taille": 100}
	case "POST /espace-apporteur/documents":
		// A DDA piece, which no apporteur may upload (400): an upload of its
		// own would change the victim MIA's partition (A2 is A's apporteur).
		return map[string]any{"nom": "intrus.pdf", "type": "der", "contentType": "application/pdf", "taille": 100}
	case "POST /affaires/{affaireId}/encaissements":
		return map[string]any{"date": crm.Day(time.Now()), "montantCentimes": 1000, "anneeContrat": 1}
	case "POST /apporteurs/{apporteurId}/versements":
		return map[string]any{"date": crm.Day(time.Now()), "montantCentimes": 1000, "mode": "virement"}
	case "POST /releves":
		return map[string]any{"apporteurId": w.a1.ID, "mois": crm.PreviousMonth(time.Now())}
	case "PATCH /profil":
		return map[string]any{"adresse": "Chez l'intrus"}
	case "POST /espace-apporteur/convention/acceptation": // A1's convention
		return map[string]any{"version": 1, "sha256": w.conventionSHA}
	case "POST /taches":
		return map[string]any{"titre": "Intrus", "echeance": "2026-12-01", "cibleType": "contact", "cibleId": w.contact}
	case "POST /notes":
		return map[string]any{"cibleType": "contact", "cibleId": w.contact, "texte": "Intrus"}
	case "PATCH /taches/{tacheId}", "PATCH /espace-apporteur/taches/{tacheId}":
		return map[string]any{"statut": "faite"}
	case "PATCH /notes/{noteId}":
		return map[string]any{"texte": "Intrus"}
	case "POST /espace-apporteur/notes":
		return map[string]any{"contactId": w.contact, "texte": "Intrus"}
	case "POST /contacts/{contactId}/effacement", "POST /apporteurs/{apporteurId}/effacement":
		return map[string]any{"confirmation": true, "motif": "Intrus"}
	case "POST /conservation/{contactId}/decision":
		return map[string]any{"decision": "purger"}
	case "PATCH /parametres": // B's own settings: nothing of A's
		return map[string]any{"piecesDDAObligatoires": false, "informationArticle14": false}
	}
	return nil
}

// espaceWant is the answer of each espace route to an apporteur who is not
// the victim A1, per attacker: A2 (same MIA), B1 (other MIA), A2 working in
// its relation with B, B1 naming A1's membership (X-Mandataire). Absent
// routes answer 200 to the first three and 403 to the last.
var espaceWant = map[string][4]int{
	"POST /espace-apporteur/contacts":                           {409, 201, 201, 403},
	"GET /espace-apporteur/convention/pdf":                      {404, 404, 404, 403},
	"POST /espace-apporteur/convention/acceptation":             {404, 404, 404, 403},
	"POST /espace-apporteur/mandataires/{membreId}/acceptation": {404, 404, 404, 404},
	"GET /espace-apporteur/mandataires":                         {200, 200, 200, 200},
	// Documents: A1's RC Pro is nobody else's; a DDA piece no apporteur's.
	"POST /espace-apporteur/documents":                            {400, 400, 400, 400}, // the body is refused first
	"GET /espace-apporteur/documents/{documentId}/telechargement": {404, 404, 404, 403},
	"DELETE /espace-apporteur/documents/{documentId}":             {404, 404, 404, 403},
	"POST /espace-apporteur/documents/{documentId}/restauration":  {404, 404, 404, 403},
	"GET /espace-apporteur/releves/{releveId}":                    {404, 404, 404, 403},
	"POST /espace-apporteur/notes":                                {422, 422, 422, 403}, // not its contact
	"PATCH /espace-apporteur/taches/{tacheId}":                    {404, 404, 404, 403}, // not its tâche
}

// otherMIAWrite is the answer to another MIA's write whose body names the
// victim's ids or data: the reference is unknown to it (422); an apporteur
// with the victim's apporteur's email is created as for anybody (201): the
// email guard is per MIA, so the answer tells nothing of the victim.
var otherMIAWrite = map[string]int{
	"POST /imports":  201, // its own import: nothing of the victim
	"POST /contacts": 422, "POST /entreprises": 422, "POST /affaires": 422, "POST /apporteurs": 201,
	"PATCH /parametres": 200, // its own settings
	// A relevé of the victim's apporteur: unknown to the other MIA. Its own profile: its own.
	"POST /releves": 404, "PATCH /profil": 200,
	"POST /taches": 422, "POST /notes": 422,
}

// forge re-signs a real token's header and claims with a key of our own.
func forge(t *testing.T, real string, edit func(jwt.MapClaims)) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return resign(t, real, key, edit)
}

// emulatorKey is cognito-local's own signing key (shipped in its npm package).
var emulatorKey = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(filepath.Join("..", "infra", "local", "node_modules", "cognito-local", "lib", "keys", "cognitoLocal.private.json"))
	if err != nil {
		return nil, err
	}
	var k struct{ Pem string }
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, err
	}
	return jwt.ParseRSAPrivateKeyFromPEM([]byte(k.Pem))
})

// emulatorSigned re-signs a real token's claims, edited, with cognito-local's
// own key: a token the gateway's signature check accepts, so the other
// checks (exp, aud, token_use) are probed end to end. Nothing like it
// exists for real Cognito, whose key is private.
func emulatorSigned(t *testing.T, real string, edit func(jwt.MapClaims)) string {
	t.Helper()
	key, err := emulatorKey()
	if err != nil {
		t.Fatal(err)
	}
	return resign(t, real, key, edit)
}

// resign signs a real token's claims, edited when edit is not nil, with key
// under cognito-local's key id.
func resign(t *testing.T, real string, key *rsa.PrivateKey, edit func(jwt.MapClaims)) string {
	t.Helper()
	parts := strings.Split(real, ".")
	if len(parts) != 3 {
		t.Fatal("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c jwt.MapClaims
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(c)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = "CognitoLocal"
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// unsigned is a real token's claims with alg "none".
func unsigned(real string) string {
	parts := strings.Split(real, ".")
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"CognitoLocal","typ":"JWT"}`))
	return h + "." + parts[1] + "."
}

// securityHeaders are on every answer of a handler.
var securityHeaders = map[string]string{
	"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
	"X-Frame-Options": "DENY", "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
	"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
}

// leaked returns the markers found in an answer that the request did not carry.
func leaked(markers []string, sent string, r response) []string {
	var out []string
	for _, m := range markers {
		if m != "" && !strings.Contains(sent, m) && strings.Contains(string(r.Body)+fmt.Sprint(r.Header), m) {
			out = append(out, m)
		}
	}
	return out
}

func TestIsolationMatrix(t *testing.T) {
	w := newWorld(t)
	before := snapshot(t, w.a.id)
	routes := stack.Template.Routes
	if len(routes) < 20 {
		t.Fatalf("%d routes in template.yaml: the matrix needs them all", len(routes))
	}
	badSig := map[string]string{"mia": forge(t, w.b.token, nil), "apporteur": forge(t, w.tokB1, nil)}
	// A forged token claiming the victim's tenant: the signature must stop it.
	badSigVictim := forge(t, w.b.token, func(c jwt.MapClaims) { c["custom:mia_id"] = string(w.a.id) })
	none := map[string]string{"mia": unsigned(w.b.token), "apporteur": unsigned(w.tokB1)}
	// Properly signed (emulator key) but expired, for another audience, or an access token.
	resigned := map[string]map[string]string{}
	for pool, real := range map[string]string{"mia": w.b.token, "apporteur": w.tokB1} {
		resigned[pool] = map[string]string{
			"expired":        emulatorSigned(t, real, func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }),
			"wrong audience": emulatorSigned(t, real, func(c jwt.MapClaims) { c["aud"] = "another-client" }),
			"access token":   emulatorSigned(t, real, func(c jwt.MapClaims) { c["token_use"] = "access" }),
		}
	}
	// The control: re-signed unchanged, it is accepted (so the refusals above
	// are the claims', not the key's).
	if r := call(t, "GET", "/contacts", emulatorSigned(t, w.b.token, func(jwt.MapClaims) {}), nil); r.Status != 200 {
		t.Fatalf("a token re-signed with the emulator's key, unchanged: %d %s", r.Status, r.Body)
	}

	for _, rt := range routes {
		key := rt.Key()
		t.Run(key, func(t *testing.T) {
			path := w.path(rt.Path)
			body := w.body(key)
			sent := path
			if body != nil {
				b, _ := json.Marshal(body)
				sent += string(b)
			}
			check := func(name, tok string, want []int, markers []string) {
				t.Helper()
				body := body
				if name == "other apporteur, other MIA" && key == "POST /espace-apporteur/contacts" {
					// Its own new contact (the victim's email would be its own data there).
					body = map[string]any{"nom": "Intrus", "email": uniqEmail("intrus")}
				}
				r := call(t, rt.Method, path, tok, body)
				ok := slices.Contains(want, r.Status)
				if !ok {
					t.Errorf("%s: status %d, want one of %v: %s", name, r.Status, want, r.Body)
				}
				if l := leaked(markers, sent, r); len(l) > 0 {
					ok = false
					t.Errorf("%s: answer shows the victim's %q: %s", name, l, r.Body)
				}
				// Handler answers carry the security headers (the gateway's own
				// 401s are API Gateway's, which a function cannot decorate).
				if r.Status != 401 || r.Header.Get("X-Content-Type-Options") != "" {
					for h, v := range securityHeaders {
						if h == "Cache-Control" && key == "GET /config" {
							v = "public, max-age=300" // the same for everyone, cacheable on purpose
						}
						if got := r.Header.Get(h); got != v {
							ok = false
							t.Errorf("%s: header %s = %q, want %q", name, h, got, v)
						}
					}
				}
				probe(key, name, ok)
			}
			unauth := []int{401}
			switch rt.Authorizer {
			case "":
				// Public: a token of any kind changes nothing. GET /config
				// answers; POST /activation refuses the made-up link.
				want := []int{200}
				if rt.Method != "GET" {
					want = []int{400}
				}
				check("public, no token", "", want, w.markers)
				check("public, bad signature", badSig["mia"], want, w.markers)
				return
			case "MiaAuthorizer":
				check("no token", "", unauth, w.markers)
				check("bad signature", badSig["mia"], unauth, w.markers)
				check("bad signature, victim tenant", badSigVictim, unauth, w.markers)
				check("unsigned", none["mia"], unauth, w.markers)
				check("other pool", w.tokB1, unauth, w.markers)
				check("other pool, victim's apporteur", w.tokA1, unauth, w.markers)
				for name, tok := range resigned["mia"] {
					check(name, tok, unauth, w.markers)
				}
				var want []int
				switch {
				case strings.HasPrefix(rt.Path, "/admin/"):
					want = []int{403}
				case strings.Contains(rt.Path, "{"):
					want = []int{404}
				case rt.Method == "GET":
					want = []int{200}
				default: // a body naming the victim's ids or data
					st, ok := otherMIAWrite[key]
					if !ok {
						t.Fatalf("no expected answer to another MIA's %s: add it to otherMIAWrite", key)
					}
					want = []int{st}
				}
				check("other MIA", w.b.token, want, w.markers)
			case "ApporteurAuthorizer":
				check("no token", "", unauth, w.markers)
				check("bad signature", badSig["apporteur"], unauth, w.markers)
				check("unsigned", none["apporteur"], unauth, w.markers)
				check("other pool", w.b.token, unauth, w.markers)
				check("other pool, victim MIA", w.a.token, unauth, w.markers)
				for name, tok := range resigned["apporteur"] {
					check(name, tok, unauth, w.markers)
				}
				// A2 (same MIA) must see nothing of A1's; B1 nothing of MIA A's;
				// A2 in its relation with B nothing of A; B1 naming A1's
				// membership is refused.
				sameMIA := []string{w.mark, w.contact, w.espace, w.affaire, w.entreprise, w.contactEmail, w.a1.ID, w.a1.Email, w.conventionSHA}
				want, ok := espaceWant[key]
				if !ok {
					want = [4]int{200, 200, 200, 403}
				}
				inB := w.markers
				if key == "GET /espace-apporteur/mandataires" {
					inB = sameMIA // its own memberships: A's id is A2's to see
				}
				check("other apporteur, same MIA", w.tokA2, []int{want[0]}, sameMIA)
				check("other apporteur, other MIA", w.tokB1, []int{want[1]}, w.markers)
				checkAs := func(name, tok, membre string, want []int, markers []string) {
					t.Helper()
					b := body
					if b != nil && key == "POST /espace-apporteur/contacts" {
						b = map[string]any{"nom": "Intrus", "email": uniqEmail("intrus")}
					}
					r := call(t, rt.Method, path, tok, b, "X-Mandataire", membre)
					ok := slices.Contains(want, r.Status) && len(leaked(markers, sent, r)) == 0
					if !ok {
						t.Errorf("%s: %d %s, want %v and nothing of the victim", name, r.Status, r.Body, want)
					}
					probe(key, name, ok)
				}
				checkAs("member of A and B, in B's context", w.tokA2, w.membreA2B, []int{want[2]}, inB)
				checkAs("other MIA's apporteur naming the victim's membership", w.tokB1, w.membreA1, []int{want[3]}, w.markers)
			default:
				t.Fatalf("authorizer %q not covered by the matrix", rt.Authorizer)
			}
		})
	}

	t.Run("references to the victim's ids in the attacker's own writes", func(t *testing.T) {
		// B's own contact, entreprise and affaire, patched or created to
		// point at A's apporteur, contact or entreprise: refused, nothing of A shown.
		own := createContact(t, w.b.token, map[string]any{"nom": "Propre", "email": uniqEmail("propre")})
		r := call(t, "POST", "/entreprises", w.b.token, map[string]any{"raisonSociale": "Propre SA", "siren": uniqSiren(),
			"adresse": "1 rue", "dirigeantId": own.ID})
		wantStatus(t, r, 201)
		var ent struct{ ID string }
		r.JSON(t, &ent)
		for _, tc := range []struct {
			name, method, path string
			body               map[string]any
		}{
			{"contact attributed to the victim's apporteur", "PATCH", "/contacts/" + string(own.ID), map[string]any{"apporteurId": w.a1.ID}},
			{"entreprise led by the victim's contact", "PATCH", "/entreprises/" + ent.ID, map[string]any{"dirigeantId": w.contact}},
			{"entreprise attributed to the victim's apporteur", "PATCH", "/entreprises/" + ent.ID, map[string]any{"apporteurId": w.a1.ID}},
			{"entreprise created for the victim's apporteur", "POST", "/entreprises", map[string]any{"raisonSociale": "Autre SA",
				"siren": uniqSiren(), "adresse": "1 rue", "dirigeantId": own.ID, "apporteurId": w.a1.ID}},
			{"affaire on the victim's entreprise", "POST", "/affaires", map[string]any{"clientId": w.entreprise, "produitId": "auto"}},
			{"affaire on the victim's espace contact", "POST", "/affaires", map[string]any{"clientId": w.espace, "produitId": "auto"}},
		} {
			r := call(t, tc.method, tc.path, w.b.token, tc.body)
			b, _ := json.Marshal(tc.body)
			ok := r.Status == http.StatusUnprocessableEntity && len(leaked(w.markers, tc.path+string(b), r)) == 0
			if !ok {
				t.Errorf("%s: %d %s, want a 422 (unknown reference) showing nothing of the victim", tc.name, r.Status, r.Body)
			}
			probe(tc.method+" "+routeOf(tc.path), "other MIA's ids in the body", ok)
		}
	})

	t.Run("cursors", func(t *testing.T) {
		for _, l := range []string{"/contacts", "/entreprises", "/affaires", "/apporteurs", "/espace-apporteur/contacts"} {
			if _, ok := w.cursors[l]; !ok {
				t.Errorf("GET %s?limit=1 gave no next page: its cursors go unprobed (%v)", l, w.cursors)
			}
		}
		for _, rt := range routes {
			if rt.Method != "GET" || strings.Contains(rt.Path, "{") || rt.Authorizer == "" {
				continue
			}
			cur, ok := w.cursors[rt.Path]
			if !ok {
				continue // not a paginated list
			}
			attackers := map[string]string{"other MIA": w.b.token}
			if rt.Authorizer == "ApporteurAuthorizer" {
				attackers = map[string]string{"other apporteur, same MIA": w.tokA2, "other apporteur, other MIA": w.tokB1}
			}
			own := w.a.token
			if rt.Authorizer == "ApporteurAuthorizer" {
				own = w.tokA1
			}
			tampered := []byte(cur)
			tampered[len(tampered)/2] ^= 1
			cases := map[string][2]string{
				"forged cursor":           {own, "eyJQSyI6Ik1JQSMwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMCJ9.AAAA"},
				"tampered cursor":         {own, string(tampered)},
				"garbage cursor":          {own, "%00%ff' OR 1=1 --"},
				"cursor of another route": {own, otherCursor(w.cursors, rt.Path)},
			}
			for name, tok := range attackers {
				cases[name+"'s cursor"] = [2]string{tok, cur}
			}
			for name, c := range cases {
				r := call(t, "GET", rt.Path+"?cursor="+url.QueryEscape(c[1]), c[0], nil)
				ok := r.Status == http.StatusBadRequest && len(leaked(w.markers, "", r)) == 0
				if !ok {
					t.Errorf("%s %s: %d %s, want 400 and nothing of the victim", rt.Key(), name, r.Status, r.Body)
				}
				probe(rt.Key(), "cursor: "+name, ok)
			}
		}
	})

	t.Run("CORS", func(t *testing.T) {
		allowed := stack.APIURL
		for _, rt := range routes {
			path := w.path(rt.Path)
			r := call(t, "OPTIONS", path, "", nil, "Origin", allowed, "Access-Control-Request-Method", rt.Method,
				"Access-Control-Request-Headers", "authorization,content-type,if-match,idempotency-key")
			ok := r.Status == 204 && r.Header.Get("Access-Control-Allow-Origin") == allowed
			r = call(t, "OPTIONS", path, "", nil, "Origin", "https://evil.example", "Access-Control-Request-Method", rt.Method)
			ok = ok && r.Header.Get("Access-Control-Allow-Origin") == "" && r.Header.Get("Access-Control-Allow-Credentials") == ""
			tok := w.a.token
			if rt.Authorizer == "ApporteurAuthorizer" {
				tok = w.tokA1
			}
			if rt.Method == "GET" {
				r = call(t, "GET", path, tok, nil, "Origin", "https://evil.example")
				ok = ok && r.Header.Get("Access-Control-Allow-Origin") == "" && r.Status < 500
				r = call(t, "GET", path, tok, nil, "Origin", allowed)
				ok = ok && r.Header.Get("Access-Control-Allow-Origin") == allowed
			}
			if !ok {
				t.Errorf("%s: CORS not limited to the configured origins (last: %d %v)", rt.Key(), r.Status, r.Header)
			}
			probe(rt.Key(), "CORS", ok)
		}
	})

	waitStreams(t)
	if after := snapshot(t, w.a.id); after != before {
		t.Errorf("the victim's items changed under the attacks:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// otherCursor is a valid cursor of another list.
func otherCursor(cursors map[string]string, not string) string {
	for p, c := range cursors {
		if p != not {
			return c
		}
	}
	return "x"
}

// routeOf is the template path of a concrete path of this test.
func routeOf(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) == 3 {
		parts[2] = map[string]string{"contacts": "{contactId}", "entreprises": "{entrepriseId}", "affaires": "{affaireId}",
			"apporteurs": "{apporteurId}", "imports": "{importId}"}[parts[1]]
	}
	return strings.Join(parts, "/")
}

// TestIsolationClientMovedBetweenApporteurs (issue 9 item 1): after the MIA
// gives a contact and an entreprise to another apporteur, the previous
// apporteur's answers hold nothing of that client (nor of its affaires),
// the new one's hold all of it, and the commission totals of both are exact.
// One probe per apporteur read route.
func TestIsolationClientMovedBetweenApporteurs(t *testing.T) {
	w := newAttributionWorld(t, fmt.Sprintf("iso%d", uniq()))
	w.move(t)
	// The rates agreed with the new apporteurs (not fatal: the probes below
	// are counted either way).
	for _, r := range []struct {
		id   crm.AffaireID
		taux int
	}{{w.affC.ID, 25}, {w.affS.ID, 15}} {
		if resp := call(t, "PATCH", "/affaires/"+string(r.id), w.mia.token, map[string]any{"tauxCommissionApporteur": r.taux}); resp.Status != 200 {
			t.Errorf("rate %d %% on %s: %d %s", r.taux, r.id, resp.Status, resp.Body)
		}
	}
	waitStreams(t)

	moved := []string{string(w.contact.ID), w.contact.Nom, string(w.entreprise.ID), w.entreprise.RaisonSociale,
		string(w.affC.ID), string(w.affE.ID)}
	// What the new apporteur must see, per route; the totals (a: 50000 × 10 %
	// × 15 %; b: 100000 × 10 % × 25 %, the entreprise's affaire without rate).
	held := map[string][]string{
		"GET /espace-apporteur/contacts":    {string(w.contact.ID)},
		"GET /espace-apporteur/affaires":    {string(w.affC.ID), string(w.affE.ID), w.contact.Nom, w.entreprise.RaisonSociale},
		"GET /espace-apporteur/commissions": {string(w.affC.ID), string(w.affE.ID)},
	}
	const totalA, totalB = 750, 2500
	var routes int
	for _, rt := range stack.Template.Routes {
		if rt.Authorizer != "ApporteurAuthorizer" || rt.Method != "GET" || rt.Path == "/espace-apporteur/convention/pdf" ||
			strings.Contains(rt.Path, "{") {
			continue // (the PDF of a convention none of them has is a 404; a relevé is one item of the apporteur's own: the matrix probes it)
		}
		routes++
		key := rt.Key()
		ok := true
		ra, rb := call(t, "GET", rt.Path, w.tokA, nil), call(t, "GET", rt.Path, w.tokB, nil)
		if ra.Status != 200 || rb.Status != 200 {
			ok = false
			t.Errorf("%s: status a %d, b %d; want 200", key, ra.Status, rb.Status)
		}
		if l := leaked(moved, "", ra); len(l) > 0 {
			ok = false
			t.Errorf("%s: the previous apporteur still sees %q: %s", key, l, ra.Body)
		}
		for _, m := range held[key] {
			if !strings.Contains(string(rb.Body), m) {
				ok = false
				t.Errorf("%s: the new apporteur does not see %q: %s", key, m, rb.Body)
			}
		}
		for _, c := range []struct {
			name string
			r    response
			want int64
		}{{"a", ra, totalA}, {"b", rb, totalB}} {
			var totals struct {
				Commissions crm.CommissionTotaux `json:"commissions"` // profil: kept by the commissions handler
				Totaux      crm.CommissionTotaux `json:"totaux"`      // commissions: summed at read time
			}
			if key != "GET /espace-apporteur/profil" && key != "GET /espace-apporteur/commissions" ||
				json.Unmarshal(c.r.Body, &totals) != nil {
				continue
			}
			got := totals.Totaux.TotalCentimes
			if key == "GET /espace-apporteur/profil" {
				got = totals.Commissions.TotalCentimes
			}
			if got != c.want {
				ok = false
				t.Errorf("%s: %s's total %d, want %d", key, c.name, got, c.want)
			}
		}
		probe(key, "client moved between apporteurs", ok)
	}
	if routes < 4 {
		t.Errorf("%d apporteur read routes in template.yaml, want the espace's four at least", routes)
	}
}
