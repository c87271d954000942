package crm

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A PhoneNormalizer returns a telephone number in E.164 (+33612345678), or
// ok false when it is not a valid number. Package phone provides it
// (phone.Normalize); it is a dependency of the validations that take a
// number, so that only the functions that accept one link its tables.
type PhoneNormalizer func(s string) (e164 string, ok bool)

// NormalizeEmail trims and lowercases an address and checks its syntax: a bare
// address (no display name) with a dotted domain.
func NormalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > 254 {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", false
	}
	return s, true
}

// NormalizeSIREN strips spaces and checks 9 digits with a valid Luhn key.
func NormalizeSIREN(s string) (string, bool) {
	s = strings.Join(strings.Fields(s), "")
	if len(s) != 9 {
		return "", false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return "", false
		}
		d := int(c - '0')
		// Luhn from the right: the digits at even positions from the right are doubled.
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return s, sum%10 == 0
}

// Fold lowercases s and strips French diacritics, for accent-insensitive search.
func Fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if f, ok := folds[r]; ok {
			b.WriteString(f)
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '@' || r == '+' || r == '.' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteRune(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

var folds = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'á': "a", 'ã': "a",
	'ç': "c",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'í': "i", 'ì': "i",
	'ô': "o", 'ö': "o", 'ó': "o", 'ò': "o", 'õ': "o",
	'ù': "u", 'û': "u", 'ü': "u", 'ú': "u",
	'ÿ': "y", 'ñ': "n", 'œ': "oe", 'æ': "ae",
}

// fieldChecker accumulates field problems while normalising a request.
type fieldChecker struct{ errs []FieldError }

func (c *fieldChecker) add(champ, msg string) { c.errs = append(c.errs, FieldError{champ, msg}) }

// text trims *s and checks a single-line field (a name, a town, an
// address…): its length in characters, and no control character at all,
// since such values reach email subjects and headers, where a CR or LF would
// start a new header; required text must not be empty.
func (c *fieldChecker) text(champ string, s *string, required bool, max int) {
	c.checkText(champ, s, required, max, false)
}

// note is text for a multi-line field (remarques, description): line breaks
// and tabs are kept, other control characters refused.
func (c *fieldChecker) note(champ string, s *string, required bool, max int) {
	c.checkText(champ, s, required, max, true)
}

func (c *fieldChecker) checkText(champ string, s *string, required bool, max int, multiline bool) {
	*s = strings.TrimSpace(*s)
	switch {
	case required && *s == "":
		c.add(champ, "Ce champ est obligatoire.")
	case !utf8.ValidString(*s):
		c.add(champ, "Le texte n'est pas valide.")
	case !multiline && hasLineControl(*s):
		c.add(champ, "Ce champ tient sur une ligne : retours à la ligne, tabulations et caractères de contrôle sont refusés.")
	case hasControl(*s):
		c.add(champ, "Le texte contient des caractères de contrôle.")
	case utf8.RuneCountInString(*s) > max:
		c.add(champ, "Ce champ dépasse "+strconv.Itoa(max)+" caractères.")
	}
}

// hasControl reports control characters other than tab and line breaks
// (NUL, escape sequences…), which have no place in a name or a note.
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
			return true
		}
	}
	return false
}

// hasLineControl reports any character that breaks or controls a line:
// C0 and C1 controls (CR, LF, TAB included), DEL, and the Unicode line and
// paragraph separators.
func hasLineControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

// phone normalises *s with normalize. A nil normalize (a function wired
// without app.WithPhone) rejects every non-empty number.
func (c *fieldChecker) phone(champ string, s *string, normalize PhoneNormalizer) {
	if strings.TrimSpace(*s) == "" {
		*s = ""
		return
	}
	var n string
	ok := false
	if normalize != nil {
		n, ok = normalize(*s)
	}
	if !ok {
		// Normalize also refuses the spellings it does not read (letters,
		// extensions…): the message says which ones it does.
		c.add(champ, "Le numéro de téléphone n'est pas valide : écrivez ses seuls chiffres, "+
			"au format français (06 12 34 56 78) ou international, + et l'indicatif du pays (+32 470 12 34 56).")
		return
	}
	*s = n
}

// email normalises *s; a blank one becomes "" without an error (the
// caller tells when the field is required).
func (c *fieldChecker) email(champ string, s *string) {
	if strings.TrimSpace(*s) == "" {
		*s = ""
		return
	}
	n, ok := NormalizeEmail(*s)
	if !ok {
		c.add(champ, "L'adresse email n'est pas valide.")
		return
	}
	*s = n
}

var ulidRe = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`)

// IsULID reports whether s has the shape of a ULID (ids of stored entities).
func IsULID(s string) bool { return ulidRe.MatchString(s) }

func (c *fieldChecker) ref(champ, s string, required bool) {
	switch {
	case s == "" && required:
		c.add(champ, "Ce champ est obligatoire.")
	case s != "" && !IsULID(s):
		c.add(champ, "Identifiant invalide.")
	}
}

func (c *fieldChecker) date(champ string, s *string) {
	*s = strings.TrimSpace(*s)
	if *s == "" {
		return
	}
	d, err := time.Parse(time.DateOnly, *s)
	switch {
	case err != nil || d.Year() < 1900:
		c.add(champ, "La date doit être au format AAAA-MM-JJ.")
	case *s > Day(time.Now()): // today in Paris, where the user is
		c.add(champ, "La date ne peut pas être dans le futur.")
	}
}

func (c *fieldChecker) has(champ string) bool {
	for _, e := range c.errs {
		if e.Champ == champ {
			return true
		}
	}
	return false
}
