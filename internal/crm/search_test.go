package crm

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSearchTokens(t *testing.T) {
	tests := []struct {
		in   []string
		want []string
	}{
		{[]string{"Élodie", "DUPONT-Lefèvre"}, []string{"elodie", "dupont", "lefevre"}},
		{[]string{"elodie.dupont@exemple.fr"}, []string{"elodie", "dupont", "exemple", "fr"}},
		{[]string{"+33612345678", "0612345678"}, []string{"33612345678", "0612345678"}},
		{[]string{"Œuvre  d'Art", "oeuvre"}, []string{"oeuvre", "d", "art"}},
		{[]string{"732 829 320"}, []string{"732", "829", "320"}},
		{[]string{"", "  ", "#§!"}, nil},
	}
	for _, tt := range tests {
		if got := SearchTokens(tt.in...); !slices.Equal(got, tt.want) {
			t.Errorf("SearchTokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSearchQueryWords(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"elo", []string{"elo"}},
		{"ÉLO", []string{"elo"}},
		{"dup elo", []string{"dup", "elo"}},
		{"e elodie", []string{"elodie"}},
		{"06 12 34", []string{"061234"}},
		{"SIREN: 732829320", []string{"732829320", "siren"}},
		{"   ", nil},
		{"a b c d e f g", []string{"a", "b", "c", "d", "e"}},
	}
	for _, tt := range tests {
		if got := SearchQueryWords(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("SearchQueryWords(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestSearchMatches(t *testing.T) {
	tokens := SearchTokens("Élodie", "Dupont", "elodie.dupont@exemple.fr")
	tests := []struct {
		q    string
		want bool
	}{
		{"elo", true}, {"Élo dup", true}, {"dupont elodie", true}, {"lodie", false}, {"elo martin", false}, {"EXEMPLE", true},
	}
	for _, tt := range tests {
		if got := SearchMatches(tokens, SearchQueryWords(tt.q)); got != tt.want {
			t.Errorf("%q matches %q: got %v, want %v", tt.q, tokens, got, tt.want)
		}
	}
}

func TestSearchEntryOfErasedContact(t *testing.T) {
	c := Contact{ID: "c", Nom: "Dupont", Prenom: "Élodie", Email: "e@x.fr"}
	if _, ok := SearchEntryOfContact(c.Erased(c.CreatedAt)); ok {
		t.Error("an erased contact has an index entry, want none")
	}
}

// FuzzSearch: whatever the text, its tokens are folded words of bounded size
// and number, and any query made of one of the text's words prefixed finds it.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"Élodie Dupont", "jean-pierre@ex.fr", "+33 6 12 34 56 78", "ŒUVRE", "\xff\xfe", strings.Repeat("é", 60), "ß ǅ ﬁ İ"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, text string, n int) {
		tokens := SearchTokens(text)
		if len(tokens) > SearchMaxTokens {
			t.Fatalf("%d tokens", len(tokens))
		}
		for _, tok := range tokens {
			if tok == "" || len(tok) > SearchMaxTokenLen || !utf8.ValidString(tok) || strings.ContainsAny(tok, " #") {
				t.Fatalf("token %q of %q", tok, text)
			}
			if Fold(tok) != tok {
				t.Fatalf("token %q not folded", tok)
			}
		}
		if len(tokens) == 0 {
			return
		}
		tok := tokens[0]
		k := 1 + (n%len(tok)+len(tok))%len(tok)
		for k < len(tok) && !utf8.RuneStart(tok[k]) {
			k++
		}
		words := SearchQueryWords(tok[:k])
		if len(words) == 0 {
			t.Fatalf("query %q of token %q has no words", tok[:k], tok)
		}
		if !SearchMatches(tokens, words) {
			t.Fatalf("query %q (%q) does not find %q", tok[:k], words, tokens)
		}
	})
}

func TestSearchResultsAdd(t *testing.T) {
	s := NewSearchResults()
	for i := range SearchGroupResults + 2 {
		s.Add(SearchResult{Kind: SearchContact, ID: fmt.Sprint("c", i)})
	}
	s.Add(SearchResult{Kind: SearchContact, ID: "c0"})
	s.Add(SearchResult{Kind: SearchAffaire, ID: "a"})
	s.Add(SearchResult{Kind: SearchAffaire, ID: "a"})
	if len(s.Contacts) != SearchGroupResults || len(s.Affaires) != 1 || len(s.Entreprises) != 0 {
		t.Errorf("groups %d/%d/%d, want %d contacts, 1 affaire, no entreprise", len(s.Contacts), len(s.Affaires), len(s.Entreprises), SearchGroupResults)
	}
	if !slices.Equal(s.Plus, []string{"contacts"}) {
		t.Errorf("plus %v, want contacts only (a repeated affaire is not more)", s.Plus)
	}
}

func TestSearchEntryOfApporteur(t *testing.T) {
	julie := Apporteur{ID: "p1", Nom: "Lefèvre", Prenom: "Julie", Email: "julie@exemple.fr", Telephone: "+33612345678",
		Localisation: "Lyon (69)", Statut: ApporteurActif}
	desactive := julie
	desactive.Statut = ApporteurDesactive
	sansPrenom := julie
	sansPrenom.Prenom = ""
	erased := Apporteur{ID: "p1", Nom: ApporteurEffaceNom, Statut: ApporteurDesactive}
	tests := []struct {
		name        string
		in          Apporteur
		ok          bool
		libelle     string
		detail      string
		finds, miss []string
	}{
		{"active", julie, true, "Julie Lefèvre", "julie@exemple.fr", []string{"jul", "JULIE", "lefev", "exemple", "0612", "lyon", "69"}, []string{"ulie", "martin"}},
		{"deactivated", desactive, true, "Julie Lefèvre", "Désactivé", []string{"julie lef"}, nil},
		{"no prénom", sansPrenom, true, "Lefèvre", "julie@exemple.fr", []string{"lefevre"}, nil},
		{"erased", erased, false, "", "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := SearchEntryOfApporteur(tt.in)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if e.Kind != SearchApporteur || e.ID != "p1" || e.Libelle != tt.libelle || e.Detail != tt.detail {
				t.Errorf("entry %+v, want libellé %q, detail %q", e, tt.libelle, tt.detail)
			}
			for _, q := range tt.finds {
				if !SearchMatches(e.Tokens, SearchQueryWords(q)) {
					t.Errorf("%q does not find %q", q, e.Tokens)
				}
			}
			for _, q := range tt.miss {
				if SearchMatches(e.Tokens, SearchQueryWords(q)) {
					t.Errorf("%q finds %q", q, e.Tokens)
				}
			}
		})
	}
}

func TestSearchResultsAddApporteurs(t *testing.T) {
	s := NewSearchResults()
	for i := range SearchGroupResults + 1 {
		s.Add(SearchResult{Kind: SearchApporteur, ID: fmt.Sprint(i)})
	}
	s.Add(SearchResult{Kind: SearchApporteur, ID: "0"})
	if len(s.Apporteurs) != SearchGroupResults || !slices.Equal(s.Plus, []string{"apporteurs"}) || len(s.Contacts) != 0 {
		t.Errorf("%d apporteurs, plus %v; want %d and [apporteurs]", len(s.Apporteurs), s.Plus, SearchGroupResults)
	}
}
