// Package phone normalises telephone numbers to E.164 with
// nyaruka/phonenumbers. It is kept out of package crm on purpose:
// phonenumbers decodes every region's metadata in its init (≈ 5 ms and
// ≈ 5 MB with protobuf), so only the functions that accept a phone number
// import this package and hand Normalize to crm's validation as a
// crm.PhoneNormalizer (app.WithPhone). Read functions and stream consumers
// must not import it.
package phone

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Normalize parses a French or international number and returns it in
// E.164 (+33612345678). ok is false when it is not a valid number.
//
// phonenumbers' metadata lets some numbers run past the 15 digits ITU-T
// E.164 allows (German ones with long extensions, +49 and 14 more digits):
// those are refused, since no carrier or SMS provider takes them.
func Normalize(s string) (e164 string, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 32 {
		return "", false
	}
	n, err := phonenumbers.Parse(s, "FR")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", false
	}
	e164 = phonenumbers.Format(n, phonenumbers.E164)
	if len(e164) > maxE164Len {
		return "", false
	}
	return e164, true
}

// maxE164Len is "+" and the 15 digits ITU-T E.164 allows at most.
const maxE164Len = 1 + 15
