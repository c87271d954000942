package csvfr

import (
	"bytes"
	"encoding/csv"
	"math"
	"strings"
	"testing"
	"time"
)

func TestNeutralise(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Dupont", "Dupont"},
		{"", ""},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+33 6 12", "'+33 6 12"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"  =1", "'  =1"},
		{"a=1", "a=1"},
		{"Élodie", "Élodie"},
	} {
		if got := Neutralise(c.in); got != c.want {
			t.Errorf("Neutralise(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFormatCentimes(t *testing.T) {
	for _, c := range []struct {
		in   int64
		want string
	}{
		{0, "0,00"}, {5, "0,05"}, {123456, "1234,56"}, {-1250, "-12,50"}, {-5, "-0,05"},
		{math.MinInt64, "-92233720368547758,08"}, {math.MaxInt64, "92233720368547758,07"},
	} {
		if got := FormatCentimes(c.in); got != c.want {
			t.Errorf("FormatCentimes(%d) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWriterOpensInFrenchExcel(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	if err := w.Header("Nom", "Montant", "Date"); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC) // already 1 December in Paris
	if err := w.Write(Text("=cmd|' /C calc'!A0"), Amount(-1250), Date(day)); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Text("Dupont; \"Jean\"\nligne 2"), Amount(99), Empty()); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, BOM+"Nom;Montant;Date\r\n") {
		t.Fatalf("no BOM or header first: %q", out)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, BOM)))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"Nom", "Montant", "Date"}, {"'=cmd|' /C calc'!A0", "-12,50", "01/12/2026"}, {"Dupont; \"Jean\"\nligne 2", "0,99", ""}}
	if len(rows) != len(want) {
		t.Fatalf("rows = %q", rows)
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i, rows[i], want[i])
		}
	}
}

func TestEmptyFileStillHasBOM(t *testing.T) {
	var b bytes.Buffer
	if err := NewWriter(&b).Flush(); err != nil {
		t.Fatal(err)
	}
	if b.String() != BOM {
		t.Fatalf("got %q", b.String())
	}
}

// FuzzText: no text cell, once written and read back, starts a formula.
func FuzzText(f *testing.F) {
	for _, s := range []string{"=1+1", "-3", "  @x", "\t+", "ok", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b bytes.Buffer
		w := NewWriter(&b)
		if err := w.Write(Text(s), Amount(int64(len(s)))); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), BOM)))
		r.Comma = ';'
		r.LazyQuotes = true
		rows, err := r.ReadAll()
		if err != nil || len(rows) != 1 {
			return // encoding/csv cannot read back every string it writes (e.g. a lone \r); Excel is the reader that matters
		}
		cell := strings.TrimLeft(rows[0][0], " ")
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Fatalf("cell %q starts a formula", rows[0][0])
		}
	})
}
