package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Hostile bodies on every POST and PATCH route of template.yaml (issue 5):
// malformed JSON, wrong types, unknown fields, hostile values, a body over
// the documented 1 MiB limit (413) and wrong content types (415). Every one
// gets a 4xx problem, never a 500, and the table is byte-for-byte unchanged
// after each (the caller's partition, the global items naming it and the
// catalogue).

// validBodies are accepted bodies of each write route, the base of the
// mutations (one field at a time).
func validBodies(ids map[string]string) map[string]map[string]any {
	return map[string]map[string]any{
		"POST /contacts": {"nom": "Valide", "prenom": "Vic", "email": uniqEmail("valide"), "telephone": uniqPhone(),
			"statut": "prospect", "apporteurId": ids["apporteur"], "dateNaissance": "1980-01-02", "remarques": "r"},
		"POST /entreprises": {"raisonSociale": "Valide SA", "siren": uniqSiren(), "adresse": "1 rue Valide", "dirigeantId": ids["contact"]},
		"POST /affaires": {"clientId": ids["contact"], "produitId": "auto", "primeAnnuelleCentimes": 10000,
			"tauxCommissionMIA": 10, "tauxCommissionApporteur": 15, "remarques": "r"},
		"POST /apporteurs":                {"nom": "Valide", "prenom": "Val", "email": uniqEmail("val-app"), "telephone": uniqPhone(), "localisation": "Lyon"},
		"POST /espace-apporteur/contacts": {"nom": "Valide", "prenom": "Esp", "email": uniqEmail("val-esp"), "telephone": uniqPhone(), "noteApporteur": "n"},
		"POST /admin/mias":                {"nom": "Valide", "prenom": "Mia", "email": uniqEmail("val-mia"), "cabinet": "Cabinet V"},
		"POST /admin/produits": {"id": "valide-" + fmt.Sprint(uniq()), "nom": "Valide", "categorie": "auto", "assureur": "Assureur",
			"tauxCommissionMIA": 10, "actif": true},
		"POST /activation":                  {"token": strings.Repeat("A", 43), "motDePasse": "Valide-2026-Long"},
		"PATCH /contacts/{contactId}":       {"nom": "Patch", "email": uniqEmail("patch"), "statut": "client"},
		"PATCH /entreprises/{entrepriseId}": {"adresse": "2 rue Patch", "siren": uniqSiren(), "raisonSociale": "Patch SA"},
		"PATCH /affaires/{affaireId}":       {"statut": "signee", "primeAnnuelleCentimes": 20000, "tauxCommissionApporteur": 20},
		"PATCH /apporteurs/{apporteurId}":   {"nom": "Patch", "localisation": "Nantes", "telephone": uniqPhone()},
		"PATCH /admin/produits/{produitId}": {"nom": "Patch", "tauxCommissionMIA": 12, "actif": false},
		// Documents: the name is the user's label (path-like, NUL, 500 characters are refused).
		"POST /affaires/{affaireId}/documents":          {"nom": "der.pdf", "type": "der", "contentType": "application/pdf", "taille": 1000},
		"POST /apporteurs/{apporteurId}/documents":      {"nom": "kbis.pdf", "type": "kbis", "contentType": "application/pdf", "taille": 1000},
		"POST /espace-apporteur/documents":              {"nom": "rib.png", "type": "rib", "contentType": "image/png", "taille": 1000},
		"PATCH /parametres":                             {"piecesDDAObligatoires": true, "informationArticle14": true},
		"POST /imports":                                 {"type": "contacts", "nomFichier": "valide.csv"},
		"POST /imports/{importId}/confirmation":         {"correspondance": []string{"nom", "email"}, "mettreAJourDoublons": true},
		"POST /espace-apporteur/convention/acceptation": {"version": 1, "sha256": strings.Repeat("ab", 32)},
		"POST /affaires/{affaireId}/encaissements":      {"date": "2026-11-02", "montantCentimes": 1000, "anneeContrat": 1, "remarques": "r"},
		"POST /apporteurs/{apporteurId}/versements":     {"date": "2026-11-02", "montantCentimes": 1000, "mode": "virement", "reference": "r"},
		"POST /releves":                                 {"apporteurId": ids["apporteur"], "mois": "2026-10"},
		"PATCH /profil":                                 {"raisonSociale": "Valide SARL", "orias": "12345678", "siren": "732829320", "adresse": "1 rue Valide"},
		"POST /taches": {"titre": "Valide", "echeance": "2026-12-01", "heure": "10:00", "cibleType": "contact", "cibleId": ids["contact"],
			"apporteurId": ids["apporteur"]},
		"PATCH /taches/{tacheId}":                  {"titre": "Patch", "echeance": "2026-12-02", "heure": "11:00", "statut": "faite", "apporteurId": ids["apporteur"]},
		"PATCH /espace-apporteur/taches/{tacheId}": {"statut": "faite"},
		"POST /notes":                              {"cibleType": "contact", "cibleId": ids["contact"], "texte": "Valide\nligne 2", "partagee": true},
		"PATCH /notes/{noteId}":                    {"texte": "Patch", "partagee": false},
		"POST /espace-apporteur/notes":             {"contactId": ids["contact"], "texte": "Valide"},
		// Erasure is refused unconfirmed, and no purge is proposed: the
		// matrix probes the decoding and validation, and erases nothing.
		"POST /contacts/{contactId}/effacement":     {"confirmation": false, "motif": "m"},
		"POST /apporteurs/{apporteurId}/effacement": {"confirmation": false, "motif": "m"},
		"POST /conservation/{contactId}/decision":   {"decision": "purger", "motif": "m"},
	}
}

// wrongValues are values of another JSON type than v.
func wrongValues(v any) []any {
	switch v.(type) {
	case string:
		return []any{123, true, []any{"x"}, map[string]any{"x": 1}}
	case int, int64, float64:
		return []any{"10", 1.5, 1e300, -9223372036854775809.0, []any{1}, true}
	case bool:
		return []any{"true", 1}
	}
	return []any{nil}
}

// hostileStrings are accepted by JSON but aimed at keys, expressions and parsers.
var hostileStrings = []string{
	strings.Repeat("é", 5000), "\u0000nul", "MIA#01ARZ3NDEKTSV4RRFFQ69G5FAV", "#", "../../etc/passwd",
	"' OR '1'='1", "{{.}}", "<script>alert(1)</script>", "\u202e\u0007", "1e999", "-0", "０６１２３４５６７８",
}

func TestHostileInput(t *testing.T) {
	h := newTenant(t, true) // a staff MIA: every route of the pool is open to it
	app, tokApp := newActiveApporteur(t, h.token, "hostile")
	c := createContact(t, h.token, map[string]any{"nom": "Cible", "email": uniqEmail("cible"), "apporteurId": app.ID})
	r := call(t, "POST", "/entreprises", h.token, map[string]any{"raisonSociale": "Cible SA", "siren": uniqSiren(), "adresse": "1 rue", "dirigeantId": c.ID})
	wantStatus(t, r, 201)
	var e struct{ ID string }
	r.JSON(t, &e)
	r = call(t, "POST", "/affaires", h.token, map[string]any{"clientId": c.ID, "produitId": "auto", "primeAnnuelleCentimes": 5000})
	wantStatus(t, r, 201)
	var af struct{ ID string }
	r.JSON(t, &af)
	prod := "hostile-" + fmt.Sprint(uniq())
	wantStatus(t, call(t, "POST", "/admin/produits", h.token, map[string]any{"id": prod, "nom": "Cible", "categorie": "auto",
		"assureur": "A", "tauxCommissionMIA": 10}), 201)
	r = call(t, "POST", "/taches", h.token, map[string]any{"titre": "Cible", "echeance": "2026-12-01", "apporteurId": app.ID})
	wantStatus(t, r, 201)
	var tj struct{ ID string }
	r.JSON(t, &tj)
	r = call(t, "POST", "/notes", h.token, map[string]any{"cibleType": "contact", "cibleId": c.ID, "texte": "Cible"})
	wantStatus(t, r, 201)
	var nj struct{ ID string }
	r.JSON(t, &nj)
	ids := map[string]string{"contact": string(c.ID), "apporteur": app.ID}
	path := strings.NewReplacer("{contactId}", string(c.ID), "{entrepriseId}", e.ID, "{affaireId}", af.ID,
		"{apporteurId}", app.ID, "{produitId}", prod, "{tacheId}", tj.ID, "{noteId}", nj.ID, "{cibleId}", string(c.ID),
		"{importId}", string(depositImport(t, h.id, crm.ImportContacts, []byte("Nom;Email\nCible;"+uniqEmail("imp")+"\n")).ID))
	waitStreams(t)
	state := func() string { return snapshot(t, h.id) + partition(t, "CATALOGUE") }
	before := state()

	valid := validBodies(ids)
	probed := map[string]bool{}
	for _, rt := range stack.Template.Routes {
		if rt.Method != "POST" && rt.Method != "PATCH" {
			continue
		}
		key := rt.Key()
		base, ok := valid[key]
		if !ok {
			switch key {
			case "POST /apporteurs/{apporteurId}/invitation", "POST /apporteurs/{apporteurId}/convention",
				"POST /espace-apporteur/mandataires/{membreId}/acceptation", "POST /imports/{importId}/annulation",
				"POST /documents/{documentId}/restauration", "POST /espace-apporteur/documents/{documentId}/restauration":
				continue // no body: nothing to decode
			}
			t.Errorf("%s: no valid body in the hostile matrix: add one", key)
			continue
		}
		tok := h.token
		if rt.Authorizer == "ApporteurAuthorizer" {
			tok = tokApp
		} else if rt.Authorizer == "" {
			tok = ""
		}
		p := path.Replace(rt.Path)
		probed[key] = true
		t.Run(key, func(t *testing.T) {
			send := func(name, contentType string, body []byte, want int) {
				t.Helper()
				r := rawCall(t, rt.Method, p, tok, contentType, string(body))
				ok := r.Status == want && strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json")
				if !ok {
					b := string(body)
					if len(b) > 200 {
						b = b[:200] + "…"
					}
					t.Errorf("%s %q: %d %s, want a %d problem", name, b, r.Status, truncate(r.Body), want)
				}
				if after := state(); after != before {
					ok = false
					t.Errorf("%s %.200q: the table changed after a rejected request", name, body)
					before = after
				}
				probe(key, name, ok)
			}
			// Malformed JSON.
			for _, b := range []string{`{"nom": "x"`, `{nom: 1}`, `[`, `nul`, ``, `{"nom":"x"}{"nom":"y"}`, `{"nom":"x",}`,
				"{\"nom\":\"\xff\xfe\"}", strings.Repeat("[", 100000), `"just a string"`, `[{"nom":"x"}]`, `123`} {
				send("malformed JSON", "application/json", []byte(b), 400)
			}
			// Wrong types, one field at a time.
			fields := make([]string, 0, len(base))
			for f := range base {
				fields = append(fields, f)
			}
			sort.Strings(fields)
			for _, f := range fields {
				for _, wv := range wrongValues(base[f]) {
					m := maps.Clone(base)
					m[f] = wv
					b := mustJSON(t, m)
					send("wrong type", "application/json", b, 400)
				}
			}
			// Unknown fields (including the server's own).
			for _, extra := range []string{"pirate", "id", "version", "createdAt", "miaId", "PK", "Nom"} {
				m := maps.Clone(base)
				if _, dup := m[extra]; dup {
					continue
				}
				m[extra] = "x"
				b := mustJSON(t, m)
				send("unknown field", "application/json", b, 400)
			}
			// Hostile values in each text field: refused, or (when a text
			// field takes anything) accepted — the invariant checked here is
			// no 500; accepted ones are undone by the snapshot's reset below.
			for _, f := range fields {
				if _, isString := base[f].(string); !isString {
					continue
				}
				for _, hv := range hostileStrings {
					m := maps.Clone(base)
					m[f] = hv
					b := mustJSON(t, m)
					r := rawCall(t, rt.Method, p, tok, "application/json", string(b))
					ok := r.Status < 500
					if !ok {
						t.Errorf("hostile %s=%.40q: %d %s", f, hv, r.Status, truncate(r.Body))
					}
					if r.Status < 400 {
						waitStreams(t) // the consumers' own writes follow an accepted request
					} else {
						if after := state(); after != before {
							ok = false
							t.Errorf("hostile %s=%.40q: rejected (%d) but the table changed", f, hv, r.Status)
						}
					}
					before = state()
					probe(key, "hostile value", ok)
				}
			}
			// Over the documented limit (1 MiB): 413.
			huge := `{"nom":"` + strings.Repeat("a", 1<<20) + `"}`
			send("huge body", "application/json", []byte(huge), 413)
			// Wrong content types: 415.
			b := mustJSON(t, base)
			for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "", "multipart/form-data; boundary=x",
				"application/json-patch+json", "application/xml", "application/jsonx", "text/json"} {
				send("content type", ct, b, 415)
			}
		})
	}
	// The matrix is template.yaml's: a route renamed there (or a template
	// read without its routes) would otherwise drop out of it silently.
	for key := range valid {
		if !probed[key] {
			t.Errorf("%s: in the hostile matrix but not a route of template.yaml", key)
		}
	}
}

// partition is every item under pk, canonical.
func partition(t *testing.T, pk string) string {
	t.Helper()
	out, err := stack.Services.DynamoDB.Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String(stack.Table),
		ConsistentRead: aws.Bool(true), KeyConditionExpression: aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.LastEvaluatedKey != nil { // the comparison would miss the items past the first page
		t.Fatalf("partition %s is over one Query page: page it", pk)
	}
	var sb strings.Builder
	for _, it := range out.Items {
		b := mustJSON(t, canonical(it))
		sb.Write(b)
		sb.WriteByte('\n')
	}
	return sb.String()
}

// mustJSON marshals v: a body that failed to marshal would be sent empty,
// and its expected 400 would then hold whatever the field under test.
func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
