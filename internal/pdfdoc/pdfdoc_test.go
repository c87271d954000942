package pdfdoc

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func sample(lines int) *Doc {
	d := New("Relevé de commissions n° 12", time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC))
	d.Title("Relevé de commissions — novembre 2026")
	d.Facts(Fact{"Apporteur", "Élodie Müller"}, Fact{"Solde d'ouverture", Euros(-123456)})
	d.Paragraph("Ligne 1\nLigne 2 avec des accents : éàçœ€ et une espace fine\u202f: oui.")
	rows := make([][]string, lines)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("%02d/11/2026", i%30+1), fmt.Sprintf("Affaire %d — un libellé bien trop long pour tenir dans sa colonne", i), Euros(int64(i * 1234))}
	}
	d.Table([]Column{{"Date", 2, false}, {"Libellé", 6, false}, {"Montant", 2, true}}, rows)
	return d
}

func TestSameContentSameBytes(t *testing.T) {
	a, err := sample(50).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	b, err := sample(50).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of the same document differ")
	}
	if !bytes.HasPrefix(a, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", a[:8])
	}
}

func TestEuros(t *testing.T) {
	for _, c := range []struct {
		in   int64
		want string
	}{{0, "0,00 €"}, {123456, "1 234,56 €"}, {-5, "-0,05 €"}, {100000000, "1 000 000,00 €"}} {
		if got := strings.ReplaceAll(Euros(c.in), "\u00a0", " "); got != c.want {
			t.Errorf("Euros(%d) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestTextReadable reads the PDF back with poppler's pdftotext when the machine
// has it (make browser-deps installs it): French text survives, pages are numbered.
func TestTextReadable(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext is missing (make browser-deps installs poppler-utils)")
	}
	pdf, err := sample(200).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(out), "\u00a0", " ")
	for _, want := range []string{"Relevé de commissions — novembre 2026", "Élodie Müller", "-1 234,56 €", "éàçœ€", "Page 1/", "Affaire 199"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q", want)
		}
	}
}

func BenchmarkRelevé1000Lines(b *testing.B) {
	for b.Loop() {
		if _, err := sample(1000).Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}
