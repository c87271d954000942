// Package phone normalises telephone numbers to E.164 the way
// nyaruka/phonenumbers does (Parse with region FR, IsValidNumber, Format
// E164), without linking it: the library decodes every region's metadata
// in its package init, which made every cold start of a function that
// accepts a phone number several times slower. What validation needs of
// that metadata is generated into table.go (go generate, gen/), as static
// data; each region's patterns are compiled on its first number. The
// library stays the oracle of the tests (oracle_test.go).
package phone

//go:generate go run ./gen

// Normalize parses a French or international number and returns it in
// E.164 (+33612345678). ok is false when it is not a valid number, or when
// it is spelt in a way Normalize does not read (letters, extensions,
// digits other than ASCII, a "+" inside): the message of crm then asks for
// the digits alone, with +CC for a foreign number.
//
// phonenumbers' metadata lets some numbers run past the 15 digits ITU-T
// E.164 allows (German ones with long extensions, +49 and 14 more digits):
// those are refused, since no carrier or SMS provider takes them.
func Normalize(s string) (e164 string, ok bool) {
	e164, r := parse(s)
	return e164, r == valid
}

// maxE164Len is "+" and the 15 digits ITU-T E.164 allows at most.
const maxE164Len = 1 + 15
