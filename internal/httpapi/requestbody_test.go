package httpapi

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
)

// requestInputs is the type each write route decodes its body into.
var requestInputs = map[string]any{
	"POST /imports":                                 newImportInput{},
	"POST /imports/{importId}/confirmation":         confirmationInput{},
	"POST /contacts":                                contactInput{},
	"PATCH /contacts/{contactId}":                   crm.ContactPatch{},
	"POST /entreprises":                             entrepriseInput{},
	"PATCH /entreprises/{entrepriseId}":             crm.EntreprisePatch{},
	"POST /affaires":                                crm.NewAffaire{},
	"PATCH /affaires/{affaireId}":                   crm.AffairePatch{},
	"POST /affaires/{affaireId}/documents":          crm.NewDocument{},
	"POST /apporteurs/{apporteurId}/documents":      crm.NewDocument{},
	"POST /espace-apporteur/documents":              crm.NewDocument{},
	"PATCH /parametres":                             crm.ParametresPatch{},
	"POST /admin/produits":                          produitInput{},
	"PATCH /admin/produits/{produitId}":             crm.ProduitPatch{},
	"POST /apporteurs":                              crm.NewApporteur{},
	"PATCH /apporteurs/{apporteurId}":               crm.ApporteurPatch{},
	"POST /activation":                              activationInput{},
	"POST /admin/mias":                              crm.NewMIAAccount{},
	"POST /espace-apporteur/contacts":               espaceContactInput{},
	"POST /espace-apporteur/convention/acceptation": acceptationInput{},
	"POST /affaires/{affaireId}/encaissements":      crm.NewEncaissement{},
	"POST /apporteurs/{apporteurId}/versements":     crm.NewVersement{},
	"POST /releves":                                 releveRequest{},
	"PATCH /profil":                                 crm.ProfilPatch{},
	"POST /taches":                                  crm.NewTache{},
	"PATCH /taches/{tacheId}":                       crm.TachePatch{},
	"POST /notes":                                   crm.NewNote{},
	"PATCH /notes/{noteId}":                         crm.NotePatch{},
	"POST /espace-apporteur/notes":                  espaceNoteInput{},
	"PATCH /espace-apporteur/taches/{tacheId}":      espaceTachePatch{},
	"POST /contacts/{contactId}/effacement":         crm.Effacement{},
	"POST /apporteurs/{apporteurId}/effacement":     crm.Effacement{},
	"POST /conservation/{contactId}/decision":       crm.Decision{},
}

// TestRequestBodiesMatchInputs: each request body the document describes
// lists exactly the JSON fields its handler decodes. decode refuses any other
// field ("Champ inconnu"), so a field the document offers and the handler
// lacks is a 400 for every client written from the document (the espace's
// "Nouveau contact" once was documented with the MIA's remarques, statut and
// apporteurId), and a field the handler takes but the document omits is
// undocumented contract. The fields are read by decode's own jsonFields.
func TestRequestBodiesMatchInputs(t *testing.T) {
	var doc struct {
		Paths      map[string]map[string]json.RawMessage
		Components struct{ Schemas map[string]requestSchema }
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for path, item := range doc.Paths {
		for method, raw := range item {
			var op struct {
				RequestBody *struct {
					Content map[string]struct{ Schema requestSchema }
				}
			}
			if method == "parameters" || json.Unmarshal(raw, &op) != nil || op.RequestBody == nil {
				continue
			}
			route := strings.ToUpper(method) + " " + path
			seen[route] = true
			in, ok := requestInputs[route]
			if !ok {
				t.Errorf("%s: a request body in openapi.json, no input type in requestInputs", route)
				continue
			}
			s := op.RequestBody.Content["application/json"].Schema
			if ref, ok := strings.CutPrefix(s.Ref, "#/components/schemas/"); ok {
				s = doc.Components.Schemas[ref]
			}
			var documented []string
			for name := range s.Properties {
				documented = append(documented, name)
			}
			slices.Sort(documented)
			var decoded []string
			for name := range jsonFields(reflect.TypeOf(in), map[string]bool{}) {
				decoded = append(decoded, name)
			}
			slices.Sort(decoded)
			if !slices.Equal(documented, decoded) {
				t.Errorf("%s: documented fields %v, handler decodes %v", route, documented, decoded)
			}
			if s.AdditionalProperties == nil || *s.AdditionalProperties {
				t.Errorf("%s: additionalProperties must be false (decode refuses unknown fields)", route)
			}
		}
	}
	for route := range requestInputs {
		if !seen[route] {
			t.Errorf("%s: decodes a body that openapi.json does not describe", route)
		}
	}
}

type requestSchema struct {
	Ref                  string `json:"$ref"`
	Properties           map[string]json.RawMessage
	AdditionalProperties *bool
}
