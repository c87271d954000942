package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/assentis/mycrm/internal/crm"
)

// maxBody is the largest request body accepted (413 beyond).
const maxBody = 1 << 20

// encode writes v as JSON with the given status.
func encode[T any](w http.ResponseWriter, _ *http.Request, status int, v T) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
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
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, nil, jsonError(err)
	}
	if dec.More() {
		return v, nil, crm.Errorf(crm.EINVALID, "Le corps de la requête doit contenir un seul objet JSON.")
	}
	return v, body, nil
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
