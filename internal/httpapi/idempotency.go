package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/assentis/mycrm/internal/crm"
)

// idempotency reads the Idempotency-Key header of a POST: nil without one.
// The hash covers method, path and body, so the same key with another request
// is refused; create sets Answer.
func idempotency(r *http.Request, p crm.Principal, body []byte) (*crm.Idempotency, error) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		return nil, nil
	}
	if len(key) > 128 || !printable(key) {
		return nil, crm.Invalid(crm.FieldError{Champ: "Idempotency-Key", Message: "La clé doit faire au plus 128 caractères ASCII imprimables."})
	}
	h := sha256.New()
	h.Write([]byte(r.Method + "\n" + r.URL.Path + "\n"))
	h.Write(body)
	return &crm.Idempotency{Sub: p.Sub, Key: key, Hash: hex.EncodeToString(h.Sum(nil))}, nil
}

// staffTenant is the partition of a staff route's idempotency records: the
// caller's MIA, or one shared partition for staff accounts that have none.
func staffTenant(p crm.Principal) crm.MIAID {
	if p.MIA == "" {
		return "assentis"
	}
	return p.MIA
}

// response is a rendered HTTP response: the 201 of a create, which a create
// with an Idempotency-Key records (as JSON, opaque to the store) to send it
// again on a replay.
type response struct {
	Status int               `json:"status"`
	Header map[string]string `json:"header"`
	Body   []byte            `json:"body"`
}

// created renders the 201 of a new entity: its JSON, ETag and Location.
func created(v any, location string) (response, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return response{}, err
	}
	var meta struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(body, &meta); err != nil {
		return response{}, err
	}
	return response{Status: http.StatusCreated, Body: append(body, '\n'), Header: map[string]string{
		"Content-Type": "application/json; charset=utf-8",
		"ETag":         etag(meta.Version),
		"Location":     location + meta.ID,
	}}, nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// writeResponse sends a rendered response.
func writeResponse(w http.ResponseWriter, resp response) {
	for k, v := range resp.Header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

// create runs a POST that creates an entity: decode the input, build the
// idempotency record, create, answer 201 (or replay the first answer). With
// an Idempotency-Key the store asks for the 201 (body, ETag, Location under
// the given prefix) to record it: that same response is sent.
func create[In, Out any](w http.ResponseWriter, r *http.Request, p crm.Principal, location string,
	do func(in In, idem *crm.Idempotency) (Out, *crm.Replay, error)) error {
	in, body, err := decode[In](w, r)
	if err != nil {
		return err
	}
	idem, err := idempotency(r, p, body)
	if err != nil {
		return err
	}
	var rendered *response
	if idem != nil {
		idem.Answer = func(v any) ([]byte, error) {
			resp, err := created(v, location)
			if err != nil {
				return nil, err
			}
			rendered = &resp
			return json.Marshal(resp)
		}
	}
	out, replay, err := do(in, idem)
	if err != nil {
		return err
	}
	if replay != nil {
		var resp response
		if err := json.Unmarshal(replay.Answer, &resp); err != nil {
			return fmt.Errorf("decode replayed answer: %w", err)
		}
		w.Header().Set("Idempotent-Replayed", "true")
		writeResponse(w, resp)
		return nil
	}
	if rendered == nil {
		resp, err := created(out, location)
		if err != nil {
			return err
		}
		rendered = &resp
	}
	writeResponse(w, *rendered)
	return nil
}

// update runs a PATCH: decode the patch, read If-Match, update, answer 200
// with the new ETag.
func update[In, Out any](w http.ResponseWriter, r *http.Request, do func(in In, ifMatch *int) (Out, error), version func(Out) int) error {
	in, _, err := decode[In](w, r)
	if err != nil {
		return err
	}
	im, err := ifMatch(r)
	if err != nil {
		return err
	}
	out, err := do(in, im)
	if err != nil {
		return err
	}
	writeEntity(w, http.StatusOK, version(out), out)
	return nil
}
