package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/assentis/mycrm/internal/crm"
)

// maxBody is the largest request body accepted (413 beyond).
const maxBody = 1 << 20

// encode writes v as JSON with the given status.
func encode[T any](w http.ResponseWriter, status int, v T) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// csvType is the Content-Type of a CSV answer (internal/csvfr writes
// UTF-8 with a BOM, for French Excel).
const csvType = "text/csv; charset=utf-8"

// attachment marks an answer of contentType as a file the browser saves
// as filename.
func attachment(h http.Header, contentType, filename string) {
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
}

// writeAttachment answers body (200) as a file the browser saves as
// filename; other headers are set before.
func writeAttachment(w http.ResponseWriter, contentType, filename string, body []byte) {
	attachment(w.Header(), contentType, filename)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// decode reads a JSON body into a T: application/json only (415), at most
// 1 MiB (413), no unknown field, one value (400). It also returns the raw
// body, which the idempotency hash covers.
func decode[T any](w http.ResponseWriter, r *http.Request) (T, []byte, error) {
	var v T
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return v, nil, crm.Errorf(crm.EUNSUPPORTED, "Le corps de la requête doit être du JSON (Content-Type: application/json).")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return v, nil, crm.Errorf(crm.ETOOLARGE, "Le corps de la requête dépasse 1 Mio.")
	} else if err != nil {
		return v, nil, crm.Errorf(crm.EINVALID, "Corps de requête illisible.")
	}
	if !utf8.Valid(body) {
		// encoding/json would silently store U+FFFD in place of the bad bytes.
		return v, nil, crm.Errorf(crm.EINVALID, "Le corps de la requête doit être encodé en UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, nil, jsonError(err)
	}
	if dec.More() {
		return v, nil, crm.Errorf(crm.EINVALID, "Le corps de la requête doit contenir un seul objet JSON.")
	}
	if err := exactKeys(body, reflect.TypeOf(v)); err != nil {
		return v, nil, err
	}
	return v, body, nil
}

// exactKeys refuses what encoding/json lets through in a top-level object:
// a key that matches a field only case-insensitively ("Nom" for "nom") and
// a key given twice (the last one would silently win), both ways for a body
// to mean something else to a proxy or a log than to the handler.
func exactKeys(body []byte, t reflect.Type) error {
	if t.Kind() != reflect.Struct {
		return nil
	}
	fields := jsonFields(t, map[string]bool{})
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil // not an object: Decode already answered
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return crm.Errorf(crm.EINVALID, "Le corps de la requête n'est pas du JSON valide.")
		}
		k, _ := tok.(string)
		switch {
		case seen[k]:
			return crm.Invalid(crm.FieldError{Champ: k, Message: "Champ en double."})
		case !fields[k]:
			return crm.Invalid(crm.FieldError{Champ: k, Message: "Champ inconnu."})
		}
		seen[k] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return crm.Errorf(crm.EINVALID, "Le corps de la requête n'est pas du JSON valide.")
		}
	}
	return nil
}

// jsonFields adds the JSON names of t's fields (embedded structs included) to names.
func jsonFields(t reflect.Type, names map[string]bool) map[string]bool {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				jsonFields(ft, names)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names[name] = true
	}
	return names
}

// jsonError explains a decoding failure in French, naming the field when it can.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return crm.Invalid(crm.FieldError{Champ: typeErr.Field, Message: "Type de valeur incorrect (" + frenchType(typeErr.Type.Kind().String()) + " attendu)."})
	case errors.As(err, &typeErr):
		return crm.Errorf(crm.EINVALID, "Le corps de la requête doit être un objet JSON.")
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return crm.Errorf(crm.EINVALID, "Le corps de la requête n'est pas du JSON valide.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return crm.Invalid(crm.FieldError{Champ: name, Message: "Champ inconnu."})
	default:
		return crm.Errorf(crm.EINVALID, "Le corps de la requête n'est pas du JSON valide.")
	}
}

func frenchType(kind string) string {
	switch kind {
	case "string":
		return "texte"
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "nombre entier"
	case "bool":
		return "booléen"
	case "ptr":
		return "valeur"
	default:
		return kind
	}
}
