package phone

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// result is what parse decided.
type result int

const (
	invalid result = iota // phonenumbers would refuse it too
	valid                 // phonenumbers would return the same E.164
	refused               // a spelling parse does not follow the library on
)

// separators may stand between the digits; phonenumbers drops them.
const separators = " .-()/"

// parse follows phonenumbers' Parse(s, "FR"), IsValidNumber and Format
// E164 on the spellings made of ASCII digits and separators, with one
// optional leading "+". Other spellings are refused, not guessed at.
func parse(s string) (string, result) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 32 {
		return "", invalid
	}
	plus := s[0] == '+'
	if plus {
		s = s[1:]
	}
	digits := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits = append(digits, c)
		case strings.IndexByte(separators, c) < 0:
			return "", refused
		}
	}
	// Fewer than 3 digits is never a valid number (nor a viable one for
	// the library, but for two bare digits, too short to be valid).
	if len(digits) < 3 {
		return "", invalid
	}
	cc, nsn, r := countryCode(string(digits), plus)
	if r != valid {
		return "", r
	}
	return validate(cc, nsn)
}

// countryCode is maybeExtractCountryCode with France as the default
// region: the calling code and the rest of the digits.
func countryCode(d string, plus bool) (*callingCode, string, result) {
	if plus {
		if len(d) <= 2 { // too short after the international prefix
			return nil, "", invalid
		}
		if cc, rest := lookup(d); cc != nil {
			return cc, rest, valid
		}
		// The library tries again without the "+": only a French
		// international prefix can then give a calling code.
		if cc, rest, idd := afterFrenchIDD(d); idd {
			return cc, rest, resultOf(cc != nil)
		}
		return nil, "", invalid
	}
	if cc, rest, idd := afterFrenchIDD(d); idd {
		return cc, rest, resultOf(cc != nil)
	}
	fr := france()
	main := &fr.regions[0]
	if strings.HasPrefix(d, "33") {
		// A French number written with its calling code but no "+": the
		// library keeps the code off when that makes the number viable.
		national, r := main.stripNationalPrefix(d[2:])
		if r != valid {
			return nil, "", r
		}
		main.compile()
		fullOK := main.c.general.MatchString(d)
		nationalOK := main.c.general.MatchString(national)
		if (!fullOK && nationalOK) || main.testLength(d) == tooLong {
			return fr, national, valid
		}
	}
	return fr, d, valid
}

// afterFrenchIDD strips France's international prefix, 00, when a digit
// other than 0 follows; idd tells whether it did. cc is nil when what
// follows is not a calling code.
func afterFrenchIDD(d string) (cc *callingCode, rest string, idd bool) {
	if !strings.HasPrefix(d, "00") || len(d) > 2 && d[2] == '0' {
		return nil, "", false
	}
	d = d[2:]
	if len(d) <= 2 {
		return nil, "", true
	}
	cc, rest = lookup(d)
	return cc, rest, true
}

func resultOf(ok bool) result {
	if ok {
		return valid
	}
	return invalid
}

// lookup is extractCountryCode: the shortest prefix of d, up to 3
// digits and not starting with 0, that is a calling code.
func lookup(d string) (*callingCode, string) {
	if d == "" || d[0] == '0' {
		return nil, ""
	}
	for n := 1; n <= 3 && n <= len(d); n++ {
		code, _ := strconv.Atoi(d[:n])
		i := sort.Search(len(callingCodes), func(i int) bool { return callingCodes[i].code >= code })
		if i < len(callingCodes) && callingCodes[i].code == code {
			return &callingCodes[i], d[n:]
		}
	}
	return nil, ""
}

func france() *callingCode {
	cc, _ := lookup("33")
	return cc
}

// validate is the end of parseHelper (the national prefix stripped after
// the calling code when what remains has a possible length), then
// IsValidNumber and Format E164.
func validate(cc *callingCode, nsn string) (string, result) {
	if len(nsn) < minNSN {
		return "", invalid
	}
	main := &cc.regions[0]
	stripped, r := main.stripNationalPrefix(nsn)
	if r != valid {
		return "", r
	}
	switch main.testLength(stripped) {
	case tooShort, localOnly, invalidLength:
	default:
		nsn = stripped
	}
	if len(nsn) < minNSN || len(nsn) > maxNSN || !cc.valid(nsn) {
		return "", invalid
	}
	e164 := "+" + strconv.Itoa(cc.code) + nsn
	if len(e164) > maxE164Len {
		return "", invalid
	}
	return e164, valid
}

// The library's bounds of a national significant number.
const (
	minNSN = 2
	maxNSN = 17
)

// desc is a PhoneNumberDesc: a national number pattern and its possible
// lengths, one byte each (0xff for -1: no number of this kind); empty
// lengths are the general description's.
type desc struct {
	pattern string
	lengths string
}

// region is what parsing and validation need of one region's metadata.
type region struct {
	id               string
	leading          string // leading digits, for a calling code shared by several regions
	prefixForParsing string // national prefix for parsing, a pattern
	transformRule    string
	general          desc
	localOnly        string // lengths possible only for local dialling
	types            []desc // the number types: any match is valid

	once sync.Once
	c    *compiled
}

type compiled struct {
	general, leading, prefix *regexp.Regexp
	types                    []*regexp.Regexp
}

type callingCode struct {
	code    int
	regions []region
}

// compile compiles r's patterns as the library does, on r's first number
// (not in an init: that is the cost this package exists to avoid).
func (r *region) compile() {
	r.once.Do(func() {
		full := func(p string) *regexp.Regexp { return regexp.MustCompile("^(?:" + p + ")$") }
		c := &compiled{general: full(r.general.pattern)}
		if r.leading != "" {
			c.leading = regexp.MustCompile("^(?:" + r.leading + ")")
		}
		if r.prefixForParsing != "" {
			c.prefix = regexp.MustCompile("^(?:" + r.prefixForParsing + ")")
		}
		for _, d := range r.types {
			c.types = append(c.types, full(d.pattern))
		}
		r.c = c
	})
}

// stripNationalPrefix is maybeStripNationalPrefixAndCarrierCode. A prefix
// the metadata transforms (rather than drops) is refused: such numbers
// are asked for in the international format.
func (r *region) stripNationalPrefix(n string) (string, result) {
	if n == "" || r.prefixForParsing == "" {
		return n, valid
	}
	r.compile()
	g := r.c.prefix.FindStringSubmatchIndex(n)
	if g == nil {
		return n, valid
	}
	if last := len(g)/2 - 1; r.transformRule != "" && g[2*last] >= 0 {
		return "", refused
	}
	if r.c.general.MatchString(n) && !r.c.general.MatchString(n[g[1]:]) {
		return n, valid
	}
	return n[g[1]:], valid
}

type lengthResult int

const (
	possible lengthResult = iota
	localOnly
	tooShort
	tooLong
	invalidLength
)

// testLength is testNumberLength for any number type.
func (r *region) testLength(n string) lengthResult {
	p := r.general.lengths
	if p[0] == 0xff {
		return invalidLength
	}
	l := byte(len(n))
	switch {
	case len(n) > 127:
		return tooLong
	case strings.IndexByte(r.localOnly, l) >= 0:
		return localOnly
	case p[0] == l:
		return possible
	case p[0] > l:
		return tooShort
	case p[len(p)-1] < l:
		return tooLong
	case strings.IndexByte(p[1:], l) >= 0:
		return possible
	}
	return invalidLength
}

// hasType is getNumberTypeHelper(nsn, r) != UNKNOWN.
func (r *region) hasType(nsn string) bool {
	r.compile()
	if !matches(r.general, r.c.general, nsn) {
		return false
	}
	for i, d := range r.types {
		if matches(d, r.c.types[i], nsn) {
			return true
		}
	}
	return false
}

func matches(d desc, re *regexp.Regexp, nsn string) bool {
	if d.lengths != "" && (len(nsn) > 127 || strings.IndexByte(d.lengths, byte(len(nsn))) < 0) {
		return false
	}
	return re.MatchString(nsn)
}

// valid is IsValidNumber: the region of the number is the only one of
// its calling code or the first whose leading digits match or, without
// leading digits, one of whose number types matches.
func (cc *callingCode) valid(nsn string) bool {
	if len(cc.regions) == 1 {
		return cc.regions[0].hasType(nsn)
	}
	for i := range cc.regions {
		r := &cc.regions[i]
		if r.leading == "" {
			if r.hasType(nsn) {
				return true
			}
			continue
		}
		r.compile()
		if r.c.leading.MatchString(nsn) {
			return r.hasType(nsn)
		}
	}
	return false
}
