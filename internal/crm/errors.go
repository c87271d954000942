package crm

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. They say what went wrong in terms a client can act on; the
// HTTP layer maps each to one status.
const (
	EINVALID       = "invalid"       // the request is malformed or breaks a field rule (400)
	EUNPROCESSABLE = "unprocessable" // well formed, but not applicable to the stored data (422)
	ENOTFOUND      = "not_found"     // no such thing for this tenant (404)
	ECONFLICT      = "conflict"      // it would duplicate or contradict existing data (409)
	EUNAUTHORIZED  = "unauthorized"  // no valid identity (401)
	EFORBIDDEN     = "forbidden"     // identity known, action not allowed (403)
	EPRECONDITION  = "precondition"  // If-Match does not match the stored version (412)
	ETOOLARGE      = "too_large"     // request body over the limit (413)
	EUNSUPPORTED   = "unsupported"   // wrong content type (415)
	ETOOMANY       = "too_many"      // rate limited (429)
	EINTERNAL      = "internal"      // a fault of ours; details are logged, never sent (500)
)

// FieldError tells which field of a request is wrong and why, in French.
type FieldError struct {
	Champ   string `json:"champ"`
	Message string `json:"message"`
}

// Error is the domain error: a code, a French message for the client and,
// for validation, the fields at fault. Internal causes stay in Err and are
// never shown to clients.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	// Ref optionally names the existing resource a conflict is about
	// (e.g. the contact that already has this email).
	Ref string
	// RetryAfter, for ETOOMANY, is when the client may try again (the
	// Retry-After header).
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and French message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error listing the fields at fault.
func Invalid(fields ...FieldError) *Error {
	return &Error{Code: EINVALID, Message: "La requête contient des données invalides.", Fields: fields}
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}
