package crm

import (
	"slices"
	"strings"
	"testing"
)

func TestNewDocumentValidate(t *testing.T) {
	limits := DocumentLimits{ContentTypes: []string{"application/pdf", "image/jpeg", "image/png"}, MaxBytes: 10 << 20}
	ok := NewDocument{Nom: "Kbis 2026.pdf", Type: DocKbis, ContentType: "application/pdf", Taille: 1234}
	cases := []struct {
		name   string
		edit   func(*NewDocument)
		champs []string
	}{
		{"valid", func(*NewDocument) {}, nil},
		{"accents and spaces", func(n *NewDocument) { n.Nom = "Relevé d'identité bancaire.png"; n.ContentType = "image/png" }, nil},
		{"path", func(n *NewDocument) { n.Nom = "../../etc/passwd" }, []string{"nom"}},
		{"backslash", func(n *NewDocument) { n.Nom = `..\boot.ini` }, []string{"nom"}},
		{"dots only", func(n *NewDocument) { n.Nom = ".." }, []string{"nom"}},
		{"NUL", func(n *NewDocument) { n.Nom = "a\x00.pdf" }, []string{"nom"}},
		{"line break", func(n *NewDocument) { n.Nom = "a\r\nContent-Type: text/html" }, []string{"nom"}},
		{"500 characters", func(n *NewDocument) { n.Nom = strings.Repeat("é", 500) + ".pdf" }, []string{"nom"}},
		{"empty", func(n *NewDocument) { n.Nom = "  " }, []string{"nom"}},
		{"a DDA piece for an apporteur", func(n *NewDocument) { n.Type = DocDER }, []string{"type"}},
		{"HTML", func(n *NewDocument) { n.ContentType = "text/html" }, []string{"contentType"}},
		{"11 MB", func(n *NewDocument) { n.Taille = 11 << 20 }, []string{"taille"}},
		{"empty file", func(n *NewDocument) { n.Taille = 0 }, []string{"taille"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := ok
			c.edit(&n)
			var got []string
			for _, e := range n.Validate(ApporteurDocumentTypes, limits) {
				got = append(got, e.Champ)
			}
			if !slices.Equal(got, c.champs) {
				t.Errorf("fields in error %v, want %v", got, c.champs)
			}
		})
	}
}

func TestMissingPieces(t *testing.T) {
	doc := func(ty DocumentType, e DocumentEtat) Document { return Document{Type: ty, Etat: e} }
	cases := []struct {
		name string
		docs []Document
		want []DocumentType
	}{
		{"none", nil, PiecesDDA},
		{"all verified", []Document{doc(DocDER, DocVerifie), doc(DocRecueilBesoins, DocVerifie), doc(DocDevoirConseil, DocVerifie)}, nil},
		{"one refused, one deleted, one pending", []Document{doc(DocDER, DocRefuse), doc(DocRecueilBesoins, DocSupprime),
			doc(DocDevoirConseil, DocEnAttente)}, PiecesDDA},
		{"the DER twice", []Document{doc(DocDER, DocVerifie), doc(DocDER, DocVerifie), doc(DocAutre, DocVerifie)},
			[]DocumentType{DocRecueilBesoins, DocDevoirConseil}},
	}
	for _, c := range cases {
		if got := MissingPieces(c.docs); !slices.Equal(got, c.want) {
			t.Errorf("%s: missing %v, want %v", c.name, got, c.want)
		}
	}
}
