// Package csvfr writes CSV the way a French Excel opens it by a double
// click: `;` between cells, a decimal comma, dates as jj/mm/aaaa, UTF-8 with
// a byte order mark (without it Excel reads Windows-1252), CRLF line ends.
// Text cells are neutralised against formula injection: a spreadsheet runs a
// cell that starts with = + - @ (or a tab or CR before them) as a formula, so
// such a cell gets a leading apostrophe, which Excel shows as text.
package csvfr

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// BOM is the UTF-8 byte order mark that tells Excel the file's encoding.
const BOM = "\ufeff"

// Field is one cell, built by Text, Amount, Date, Int or Percent so that only
// text is ever neutralised and numbers stay numbers.
type Field struct{ s string }

// Text is a cell of free text, neutralised against formula injection.
func Text(s string) Field { return Field{Neutralise(s)} }

// Amount is a sum of centimes as Excel reads a number: "-1234,56".
func Amount(centimes int64) Field { return Field{FormatCentimes(centimes)} }

// Int is a whole number.
func Int(n int64) Field { return Field{strconv.FormatInt(n, 10)} }

// Percent is a rate in basis points (2000 = 20 %) written "20,00".
func Percent(basisPoints int64) Field { return Field{FormatCentimes(basisPoints)} }

// Date is a day in Paris time, jj/mm/aaaa; the zero time is an empty cell.
func Date(t time.Time) Field {
	if t.IsZero() {
		return Field{}
	}
	return Field{t.In(crm.Paris).Format("02/01/2006")}
}

// Empty is an empty cell.
func Empty() Field { return Field{} }

// String is the cell as written.
func (f Field) String() string { return f.s }

// FormatCentimes writes centimes with a decimal comma and no thousands
// separator, which French Excel parses as a number.
func FormatCentimes(c int64) string {
	sign := ""
	u := uint64(c)
	if c < 0 {
		sign = "-"
		u = uint64(-(c + 1)) + 1 // also right for math.MinInt64
	}
	frac := u % 100
	return sign + strconv.FormatUint(u/100, 10) + "," + string(rune('0'+frac/10)) + string(rune('0'+frac%10))
}

// Neutralise prefixes an apostrophe to a cell a spreadsheet would run as a
// formula: one whose first character, after any spaces, is = + - @, a tab or
// a carriage return.
func Neutralise(s string) string {
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return s
	}
	switch t[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Writer writes one CSV file; the BOM goes out before the first row.
type Writer struct {
	w       *csv.Writer
	out     io.Writer
	started bool
}

// NewWriter writes French-Excel CSV to w.
func NewWriter(w io.Writer) *Writer {
	c := csv.NewWriter(w)
	c.Comma = ';'
	c.UseCRLF = true
	return &Writer{w: c, out: w}
}

// Header writes a row of column titles (text, neutralised like any text).
func (w *Writer) Header(titles ...string) error {
	fs := make([]Field, len(titles))
	for i, t := range titles {
		fs[i] = Text(t)
	}
	return w.Write(fs...)
}

// Write writes one row.
func (w *Writer) Write(fields ...Field) error {
	if !w.started {
		w.started = true
		if _, err := io.WriteString(w.out, BOM); err != nil {
			return err
		}
	}
	row := make([]string, len(fields))
	for i, f := range fields {
		row[i] = f.s
	}
	return w.w.Write(row)
}

// Flush writes what is buffered and reports any write error.
func (w *Writer) Flush() error {
	if !w.started {
		w.started = true
		if _, err := io.WriteString(w.out, BOM); err != nil {
			return err
		}
	}
	w.w.Flush()
	return w.w.Error()
}
