// Package pdfdoc writes the product's PDF documents (relevés, conventions,
// personal-data exports) on github.com/go-pdf/fpdf, a pure-Go library kept
// by the go-pdf project, with the standard Helvetica fonts (no font file to
// ship) in Windows-1252, which covers French.
//
// A document is deterministic: the same content and date give the same
// bytes, because a convention's acceptance proof is the SHA-256 of the
// exact PDF and a replayed relevé must be identical to the first.
package pdfdoc

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// A4 portrait, in millimetres.
const (
	pageWidth = 210.0
	margin    = 18.0
	bodyWidth = pageWidth - 2*margin
	lineH     = 5.0
)

// Doc is a document being written. Methods do nothing once an error
// happened; Bytes reports it.
type Doc struct {
	pdf *fpdf.Fpdf
	tr  func(string) string
}

// New starts a document titled title (shown in the PDF's properties and on
// every page's footer) dated at (its creation date: fix it for identical bytes).
func New(title string, at time.Time) *Doc {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(true, margin)
	p.SetCreationDate(at.UTC())
	p.SetModificationDate(at.UTC())
	p.SetCatalogSort(true)
	p.SetCreator("MyCRM", true)
	d := &Doc{pdf: p, tr: p.UnicodeTranslatorFromDescriptor("")}
	p.SetTitle(title, true)
	p.AliasNbPages("{nb}")
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont("Helvetica", "", 8)
		p.SetTextColor(100, 100, 100)
		p.CellFormat(bodyWidth/2, 4, d.text(title), "", 0, "L", false, 0, "")
		p.CellFormat(bodyWidth/2, 4, fmt.Sprintf("Page %d/{nb}", p.PageNo()), "", 0, "R", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
	p.AddPage()
	return d
}

// text maps s to the fonts' Windows-1252: the narrow no-break space Go's
// French formats use becomes a no-break space, other runes outside the code
// page become "?".
func (d *Doc) text(s string) string {
	s = strings.NewReplacer("\u202f", "\u00a0", "\u2009", " ", "\u2011", "-").Replace(s)
	return d.tr(s)
}

// Title writes the document's main title.
func (d *Doc) Title(s string) {
	d.pdf.SetFont("Helvetica", "B", 16)
	d.pdf.MultiCell(bodyWidth, 8, d.text(s), "", "L", false)
	d.pdf.Ln(2)
}

// Heading writes a section heading.
func (d *Doc) Heading(s string) {
	d.pdf.Ln(3)
	d.pdf.SetFont("Helvetica", "B", 12)
	d.pdf.MultiCell(bodyWidth, 6, d.text(s), "", "L", false)
	d.pdf.Ln(1)
}

// Paragraph writes wrapped text; line breaks in s are kept.
func (d *Doc) Paragraph(s string) {
	d.pdf.SetFont("Helvetica", "", 10)
	d.pdf.MultiCell(bodyWidth, lineH, d.text(s), "", "J", false)
	d.pdf.Ln(2)
}

// Fact is one "label: value" line of a Facts block.
type Fact struct{ Label, Value string }

// Facts writes labels in bold with their values beside them.
func (d *Doc) Facts(facts ...Fact) {
	const labelW = 55.0
	for _, f := range facts {
		d.pdf.SetFont("Helvetica", "B", 10)
		d.pdf.CellFormat(labelW, lineH, d.text(f.Label), "", 0, "L", false, 0, "")
		d.pdf.SetFont("Helvetica", "", 10)
		d.pdf.MultiCell(bodyWidth-labelW, lineH, d.text(f.Value), "", "L", false)
	}
	d.pdf.Ln(2)
}

// Column of a Table: a header, a share of the body's width, and whether its
// cells are right-aligned (amounts).
type Column struct {
	Header string
	Width  float64 // relative: columns share the body width in these proportions
	Right  bool
}

// Table writes rows under a header row; the header is repeated on each new
// page. Cells too long for their column are cut with an ellipsis: a table
// row keeps one line so that thousands of lines stay readable.
func (d *Doc) Table(cols []Column, rows [][]string) {
	var total float64
	for _, c := range cols {
		total += c.Width
	}
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = bodyWidth * c.Width / total
	}
	header := func() {
		d.pdf.SetFont("Helvetica", "B", 9)
		d.pdf.SetFillColor(230, 230, 230)
		for i, c := range cols {
			d.pdf.CellFormat(widths[i], 6, d.fit(c.Header, widths[i]), "1", 0, align(c.Right), true, 0, "")
		}
		d.pdf.Ln(-1)
		d.pdf.SetFont("Helvetica", "", 9)
	}
	header()
	_, pageH := d.pdf.GetPageSize()
	for _, row := range rows {
		if d.pdf.GetY()+6 > pageH-margin {
			d.pdf.AddPage()
			header()
		}
		for i := range cols {
			cell := ""
			if i < len(row) {
				cell = row[i]
			}
			d.pdf.CellFormat(widths[i], 6, d.fit(cell, widths[i]), "1", 0, align(cols[i].Right), false, 0, "")
		}
		d.pdf.Ln(-1)
	}
	d.pdf.Ln(2)
}

func align(right bool) string {
	if right {
		return "R"
	}
	return "L"
}

// fit translates s and cuts it to width w (minus the cell's padding).
func (d *Doc) fit(s string, w float64) string {
	t := d.text(strings.ReplaceAll(s, "\n", " "))
	room := w - 2*d.pdf.GetCellMargin()
	if d.pdf.GetStringWidth(t) <= room {
		return t
	}
	ell := d.tr("…")
	for len(t) > 0 && d.pdf.GetStringWidth(t+ell) > room {
		t = t[:len(t)-1]
	}
	return t + ell
}

// Bytes finishes the document.
func (d *Doc) Bytes() ([]byte, error) {
	var b bytes.Buffer
	if err := d.pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("pdfdoc: %w", err)
	}
	return b.Bytes(), nil
}

// Euros writes centimes as French text: "1 234,56 €" (no-break spaces).
func Euros(centimes int64) string {
	sign := ""
	u := uint64(centimes)
	if centimes < 0 {
		sign = "-"
		u = uint64(-(centimes + 1)) + 1
	}
	units := fmt.Sprint(u / 100)
	var g []string
	for len(units) > 3 {
		g = append([]string{units[len(units)-3:]}, g...)
		units = units[:len(units)-3]
	}
	g = append([]string{units}, g...)
	return fmt.Sprintf("%s%s,%02d\u00a0€", sign, strings.Join(g, "\u00a0"), u%100)
}
