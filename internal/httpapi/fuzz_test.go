package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/phone"
)

// Fuzz targets of the request decoders (issue 5): the JSON body of every
// create and patch route goes through decode[T] and the type's validation.
// Invariants: no panic; a refusal is a coded 4xx error; an accepted body is
// valid UTF-8 with exactly the type's keys, each once; validation of what
// it accepted is idempotent.

// validator is a decoded input's validation, given phone.Normalize.
type validator interface {
	Validate(crm.PhoneNormalizer) []crm.FieldError
}

// newAffaire and affairePatch validate without a phone normalizer.
type (
	newAffaire   crm.NewAffaire
	affairePatch crm.AffairePatch
)

func (a *newAffaire) Validate(crm.PhoneNormalizer) []crm.FieldError {
	return (*crm.NewAffaire)(a).Validate()
}

func (a *affairePatch) Validate(crm.PhoneNormalizer) []crm.FieldError {
	return (*crm.AffairePatch)(a).Validate()
}

// bodyKinds decode the body as each route's input type; the fuzzer's first
// byte picks the type.
var bodyKinds = []func(t *testing.T, body []byte){
	fuzzDecode[contactInput](func(in *contactInput) validator { c := in.contact(); return &c }),
	fuzzDecode[crm.ContactPatch](func(in *crm.ContactPatch) validator { c := in.Apply(crm.Contact{Nom: "N", Email: "a@b.fr"}); return &c }),
	fuzzDecode[entrepriseInput](func(in *entrepriseInput) validator { e := in.entreprise(); return &e }),
	fuzzDecode[crm.EntreprisePatch](nil),
	fuzzDecode[crm.NewAffaire](func(in *crm.NewAffaire) validator { return (*newAffaire)(in) }),
	fuzzDecode[crm.AffairePatch](func(in *crm.AffairePatch) validator { return (*affairePatch)(in) }),
	fuzzDecode[crm.NewApporteur](func(in *crm.NewApporteur) validator { return in }),
	fuzzDecode[crm.ApporteurPatch](func(in *crm.ApporteurPatch) validator { return in }),
	fuzzDecode[crm.NewMIAAccount](func(in *crm.NewMIAAccount) validator { return in }),
	fuzzDecode[produitInput](nil),
	fuzzDecode[crm.ProduitPatch](nil),
	fuzzDecode[espaceContactInput](nil),
	fuzzDecode[activationInput](nil),
	fuzzDecode[crm.Effacement](func(in *crm.Effacement) validator { return noPhone(in.Validate) }),
	fuzzDecode[crm.Decision](func(in *crm.Decision) validator { return noPhone(in.Validate) }),
	fuzzDecode[crm.ParametresPatch](nil),
}

func fuzzDecode[T any](validate func(*T) validator) func(t *testing.T, body []byte) {
	return func(t *testing.T, body []byte) {
		for _, ct := range []string{"application/json", "application/json; charset=utf-8"} {
			r := httptest.NewRequest("POST", "/x", bytes.NewReader(body))
			r.Header.Set("Content-Type", ct)
			v, raw, err := decode[T](httptest.NewRecorder(), r)
			if err != nil {
				if s := StatusOf(err); s < 400 || s > 499 {
					t.Fatalf("refused with %d (%v)", s, err)
				}
				continue
			}
			if !bytes.Equal(raw, body) || !utf8.Valid(body) {
				t.Fatalf("accepted %q: raw %q", body, raw)
			}
			// Exact keys, once each: re-decoding the keys gives the same set.
			var keys map[string]json.RawMessage
			if json.Unmarshal(body, &keys) == nil {
				fields := jsonFields(reflect.TypeOf(v), map[string]bool{})
				for k := range keys {
					if !fields[k] {
						t.Fatalf("accepted unknown key %q in %q", k, body)
					}
				}
			}
			if validate == nil {
				continue
			}
			x := validate(&v)
			if errs := x.Validate(phone.Normalize); len(errs) > 0 {
				continue
			}
			before := reflect.ValueOf(x).Elem().Interface()
			if errs := x.Validate(phone.Normalize); len(errs) > 0 || !reflect.DeepEqual(before, reflect.ValueOf(x).Elem().Interface()) {
				t.Fatalf("validation not idempotent on %q: %+v → %+v (%v)", body, before, x, errs)
			}
		}
	}
}

func FuzzDecodeBodies(f *testing.F) {
	seeds := []string{
		`{"nom":"Dupont","prenom":"Jean","email":"Jean@Ex.fr","telephone":"06 12 34 56 78","statut":"prospect"}`,
		`{"nom":"x","Nom":"y"}`, `{"nom":"x","nom":"y"}`, "{\"nom\":\"\xff\"}", `{"nom":null}`, `null`, `[]`, `{}`,
		`{"raisonSociale":"A","siren":"732 829 320","adresse":"1 rue","dirigeantId":"01ARZ3NDEKTSV4RRFFQ69G5FAV"}`,
		`{"clientId":"01ARZ3NDEKTSV4RRFFQ69G5FAV","produitId":"auto","primeAnnuelleCentimes":1e3,"tauxCommissionApporteur":15}`,
		`{"statut":"signee","primeAnnuelleCentimes":9223372036854775808}`, `{"primeAnnuelleCentimes":-1}`,
		`{"token":"AAAA","motDePasse":"x"}`, `{"nom":"a"} {"nom":"b"}`, `{"nom":"a\u0000"}`, `{"nom":"\ud800"}`,
		`{"id":"auto","nom":"Auto","categorie":"auto","assureur":"A","tauxCommissionMIA":10,"actif":true}`,
	}
	for i, s := range seeds {
		for k := range bodyKinds {
			if (i+k)%3 == 0 {
				f.Add(byte(k), []byte(s))
			}
		}
	}
	f.Fuzz(func(t *testing.T, kind byte, body []byte) {
		bodyKinds[int(kind)%len(bodyKinds)](t, body)
	})
}

// FuzzRequestHeaders: If-Match, Idempotency-Key and the list query.
func FuzzRequestHeaders(f *testing.F) {
	for _, s := range []string{`"1"`, `W/"2"`, `*`, `"0"`, `"-1"`, `"99999999999999999999"`, `"1", "2"`, "", "\x00"} {
		f.Add(s, "cle-1", "limit=10&cursor=abc")
	}
	f.Add(`"3"`, strings.Repeat("k", 300), "limit=0")
	f.Add(`"3"`, "clé é", "limit=-5&limit=500&cursor=%ff")
	f.Fuzz(func(t *testing.T, ifm, key, query string) {
		r := httptest.NewRequest("PATCH", "/x", nil)
		r.Header.Set("If-Match", ifm)
		r.Header.Set("Idempotency-Key", key)
		if v, err := ifMatch(r); err == nil && v != nil && *v < 1 {
			t.Fatalf("If-Match %q gave version %d", ifm, *v)
		} else if err != nil && StatusOf(err) != http.StatusPreconditionFailed {
			t.Fatalf("If-Match %q: %v", ifm, err)
		}
		idem, err := idempotency(r, crm.Principal{Sub: "s", MIA: "m"}, []byte("{}"))
		if err != nil && StatusOf(err)/100 != 4 {
			t.Fatalf("Idempotency-Key %q: %v", key, err)
		}
		if err == nil && (key == "") != (idem == nil) || idem != nil && (idem.Key != key || len(idem.Hash) != 64) {
			t.Fatalf("Idempotency-Key %q gave %+v", key, idem)
		}
		r.URL.RawQuery = query
		o, err := listOptions(r)
		if err != nil && StatusOf(err) != http.StatusBadRequest {
			t.Fatalf("query %q: %v", query, err)
		}
		if err == nil {
			if errs := o.Validate(); len(errs) == 0 && (o.Limit < 0 || o.Limit > 200) {
				t.Fatalf("query %q: limit %d accepted", query, o.Limit)
			}
		}
	})
}

// noPhone is a validation that takes no telephone, as a validator.
type noPhone func() []crm.FieldError

func (v noPhone) Validate(crm.PhoneNormalizer) []crm.FieldError { return v() }
