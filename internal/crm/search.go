package crm

import (
	"slices"
	"strings"
	"unicode"
)

// Search across everything (issue 15): the header box finds contacts,
// entreprises, affaires and apporteurs by the prefix of any word of what they show,
// accent- and case-insensitively. A stream handler keeps one index item per
// (word, entity); a query reads the items whose word starts with the query's
// longest word, in one Query, and keeps those whose other words also start
// one of the entity's words.

// SearchKind is the kind of entity a search result names.
type SearchKind string

// The kinds the search finds, in the order the results are grouped.
const (
	SearchContact    SearchKind = "contact"
	SearchEntreprise SearchKind = "entreprise"
	SearchAffaire    SearchKind = "affaire"
	SearchApporteur  SearchKind = "apporteur"
)

// Limits of the index and of a query: an entity's words are capped so that
// its index items fit one transaction, a word so that keys stay small.
const (
	SearchMaxTokens    = 40
	SearchMaxTokenLen  = 40
	SearchMaxWords     = 5
	SearchMaxQueryLen  = 100
	SearchGroupResults = 8
)

// SearchEntry is what the index holds for one entity: its words and what a
// result shows. Erased entities have none (SearchEntryOf returns ok false).
type SearchEntry struct {
	Kind    SearchKind
	ID      string
	Libelle string
	Detail  string
	Tokens  []string
}

// SearchResult is one entity found.
type SearchResult struct {
	Kind    SearchKind `json:"-"`
	ID      string     `json:"id"`
	Libelle string     `json:"libelle"`
	Detail  string     `json:"detail,omitempty"`
}

// SearchResults are the results grouped by kind.
type SearchResults struct {
	Contacts    []SearchResult `json:"contacts"`
	Entreprises []SearchResult `json:"entreprises"`
	Affaires    []SearchResult `json:"affaires"`
	Apporteurs  []SearchResult `json:"apporteurs"`
	// Plus names the groups that found more than they show ("contacts",
	// "entreprises", "affaires", "apporteurs"): the client offers the full list.
	Plus []string `json:"plus"`
}

// NewSearchResults is an empty result, every group present.
func NewSearchResults() SearchResults {
	return SearchResults{Contacts: []SearchResult{}, Entreprises: []SearchResult{}, Affaires: []SearchResult{},
		Apporteurs: []SearchResult{}, Plus: []string{}}
}

// Add puts r in its group, unless the group already has it; when the group
// is full, it records that there is more.
func (s *SearchResults) Add(r SearchResult) {
	var g *[]SearchResult
	var name string
	switch r.Kind {
	case SearchContact:
		g, name = &s.Contacts, "contacts"
	case SearchEntreprise:
		g, name = &s.Entreprises, "entreprises"
	case SearchAffaire:
		g, name = &s.Affaires, "affaires"
	case SearchApporteur:
		g, name = &s.Apporteurs, "apporteurs"
	default:
		return
	}
	for _, x := range *g {
		if x.ID == r.ID {
			return
		}
	}
	if len(*g) >= SearchGroupResults {
		if !slices.Contains(s.Plus, name) {
			s.Plus = append(s.Plus, name)
		}
		return
	}
	*g = append(*g, r)
}

// SearchTokens are the distinct index words of texts: folded (lowercase,
// no accents), split on anything that is not a letter or a digit, each
// capped at SearchMaxTokenLen bytes on a rune boundary, at most
// SearchMaxTokens in all, in first-seen order.
func SearchTokens(texts ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range texts {
		for _, w := range searchWords(t) {
			if !seen[w] && len(out) < SearchMaxTokens {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

// searchWords splits folded text into capped words.
func searchWords(s string) []string {
	f := strings.FieldsFunc(Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range f {
		f[i] = capWord(w)
	}
	return f
}

func capWord(w string) string {
	if len(w) <= SearchMaxTokenLen {
		return w
	}
	cut := SearchMaxTokenLen
	for cut > 0 && !isRuneStart(w[cut]) {
		cut--
	}
	return w[:cut]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// SearchQueryWords are the words of a query, longest first (the most
// selective one keys the index read). A query made only of digits and
// spaces ("06 12 34") is one number. Empty when nothing searchable.
func SearchQueryWords(q string) []string {
	ws := searchWords(q)
	if len(ws) > 1 && onlyDigitsAndSpaces(q) {
		ws = []string{capWord(strings.Join(ws, ""))}
	}
	// Distinct, and a word that is the prefix of another adds nothing.
	var out []string
	for _, w := range ws {
		dup := false
		for i, o := range out {
			if strings.HasPrefix(o, w) {
				dup = true
				break
			}
			if strings.HasPrefix(w, o) {
				out[i] = w
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, w)
		}
	}
	// Longest first, stable.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	if len(out) > SearchMaxWords {
		out = out[:SearchMaxWords]
	}
	return out
}

func onlyDigitsAndSpaces(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) && !unicode.IsSpace(r) && r != '.' && r != '-' && r != '+' {
			return false
		}
	}
	return true
}

// SearchText is the entity's words as one string, each preceded by a space:
// " w" is in it exactly when w starts one of its words.
func SearchText(tokens []string) string {
	if len(tokens) == 0 {
		return ""
	}
	return " " + strings.Join(tokens, " ")
}

// SearchMatches tells whether every query word starts one of the tokens.
func SearchMatches(tokens, words []string) bool {
	text := SearchText(tokens)
	for _, w := range words {
		if !strings.Contains(text, " "+w) {
			return false
		}
	}
	return true
}

// ValidateSearch checks a query: the French problem when it is too long.
func ValidateSearch(q string) error {
	if len([]rune(q)) > SearchMaxQueryLen {
		return Invalid(FieldError{Champ: "q", Message: "La recherche dépasse 100 caractères."})
	}
	return nil
}

// SearchEntryOfContact is a contact's index entry; ok false for an erased one.
func SearchEntryOfContact(c Contact) (SearchEntry, bool) {
	if c.Efface {
		return SearchEntry{}, false
	}
	nationalPhone := NationalPhone(c.Telephone)
	detail := c.Email
	if detail == "" {
		detail = nationalPhone
	}
	return SearchEntry{Kind: SearchContact, ID: string(c.ID), Libelle: c.DisplayName(), Detail: detail,
		Tokens: SearchTokens(c.Prenom, c.Nom, c.Email, c.Telephone, nationalPhone)}, true
}

// SearchEntryOfEntreprise is an entreprise's index entry (found by SIREN too).
func SearchEntryOfEntreprise(e Entreprise) SearchEntry {
	return SearchEntry{Kind: SearchEntreprise, ID: string(e.ID), Libelle: e.RaisonSociale, Detail: "SIREN " + e.Siren,
		Tokens: SearchTokens(e.RaisonSociale, e.Siren, e.Email)}
}

// SearchEntryOfAffaire is an affaire's index entry: by client or produit.
func SearchEntryOfAffaire(a Affaire) SearchEntry {
	return SearchEntry{Kind: SearchAffaire, ID: string(a.ID), Libelle: a.ClientNom + " — " + a.ProduitNom,
		Detail: string(a.Statut), Tokens: SearchTokens(a.ClientNom, a.ProduitNom)}
}

// SearchEntryOfApporteur is an apporteur's index entry, found by its names,
// email, telephone and localisation; ok false for an erased one (its name
// is ApporteurEffaceNom and its email gone, see ApporteurErased).
func SearchEntryOfApporteur(p Apporteur) (SearchEntry, bool) {
	if ApporteurErased(p.Nom, p.Email) {
		return SearchEntry{}, false
	}
	detail := p.Email
	if p.Statut == ApporteurDesactive {
		detail = "Désactivé"
	}
	nationalPhone := NationalPhone(p.Telephone)
	return SearchEntry{Kind: SearchApporteur, ID: string(p.ID), Libelle: strings.TrimSpace(p.Prenom + " " + p.Nom), Detail: detail,
		Tokens: SearchTokens(p.Prenom, p.Nom, p.Email, p.Telephone, nationalPhone, p.Localisation)}, true
}

// ApporteurErased tells an erased apporteur from its nom and email: the
// erasure sets the one to ApporteurEffaceNom and empties the other (an
// apporteur always has an email until then).
func ApporteurErased(nom, email string) bool { return nom == ApporteurEffaceNom && email == "" }

// NationalPhone is the French national form (0612345678) of a +33 number,
// "" for any other.
func NationalPhone(e164 string) string {
	if strings.HasPrefix(e164, "+33") {
		return "0" + e164[3:]
	}
	return ""
}

// NationalPhoneOr is the national form of a +33 number, the number as
// stored (E.164) otherwise: how exports and documents show it.
func NationalPhoneOr(e164 string) string {
	if n := NationalPhone(e164); n != "" {
		return n
	}
	return e164
}
