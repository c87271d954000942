// Package csvimport reads the CSV files a MIA imports (contacts or
// entreprises exported from a spreadsheet or another CRM): it detects the
// encoding and the separator, guesses which column holds which field from
// French and English headers, decodes each line into a crm entity with crm's
// own rules, and marks the lines that repeat an earlier one. It writes
// nothing: Run drives a store through the lines, resumably.
package csvimport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/assentis/mycrm/internal/crm"
)

// Limits of a file: the upload policy caps its size; rows and columns are
// capped here so that a hostile file costs bounded work.
const (
	MaxFileBytes = 20 << 20
	MaxRows      = 50000
	MaxColumns   = 256
	PreviewRows  = 10
)

// Encodings detected.
const (
	UTF8        = "utf-8"
	Windows1252 = "windows-1252"
)

// File is a parsed CSV file: its header and its data lines as text.
type File struct {
	Encoding  string
	Separator rune
	Header    []string
	// Rows are the data lines; Lines[i] is the file line Rows[i] starts on.
	Rows  [][]string
	Lines []int
}

// Decode returns data as UTF-8 text and the encoding it was in: UTF-8 (with
// or without BOM) when it is valid UTF-8, Windows-1252 otherwise (what
// Excel for Windows writes as "CSV (séparateur : point-virgule)"). UTF-16
// and binary files are refused.
func Decode(data []byte) (string, string, error) {
	text, enc, err := decode(data)
	if err == nil {
		err = checkText(text)
	}
	if err != nil {
		return "", "", err
	}
	return text, enc, nil
}

func decode(data []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
		if !utf8.Valid(data) {
			return "", "", fileError("Le fichier annonce l'UTF-8 mais contient des caractères invalides.")
		}
		return string(data), UTF8, nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return "", "", fileError("Le fichier est en UTF-16 : enregistrez-le en CSV UTF-8 ou en CSV (séparateur : point-virgule).")
	case utf8.Valid(data):
		return string(data), UTF8, nil
	}
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	for _, c := range data {
		if c >= 0x80 && c < 0xA0 {
			b.WriteRune(cp1252[c-0x80])
		} else {
			b.WriteRune(rune(c)) // the rest of Windows-1252 is Latin-1
		}
	}
	return b.String(), Windows1252, nil
}

// checkText refuses a binary file (NUL bytes): a spreadsheet never writes them.
func checkText(s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return fileError("Ce fichier n'est pas un fichier texte CSV.")
	}
	return nil
}

// cp1252 maps Windows-1252 bytes 0x80–0x9F; the five undefined ones stay
// C1 controls, which field validation refuses.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// DetectSeparator picks `;`, `,` or tab: the one found most often outside
// quotes on the first line (the header), ties going to `;` (French Excel),
// then `,`.
func DetectSeparator(text string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range text {
		if r == '"' {
			quoted = !quoted
			continue
		}
		if !quoted && (r == '\n' || r == '\r') {
			break
		}
		if !quoted {
			counts[r]++
		}
	}
	best := ';'
	for _, r := range []rune{',', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// Parse decodes and splits a file. A file that cannot be read as CSV is an
// EINVALID error in French; lines with more or fewer cells than the header
// are kept (missing cells are empty, extra ones ignored by the mapping).
func Parse(data []byte) (*File, error) {
	if len(data) > MaxFileBytes {
		return nil, fileError("Le fichier dépasse 20 Mo.")
	}
	text, enc, err := Decode(data)
	if err != nil {
		return nil, err
	}
	f := &File{Encoding: enc, Separator: DetectSeparator(text)}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = f.Separator
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, fileError("Le fichier n'est pas un CSV lisible (ligne " + strconv.Itoa(line) + ").")
		}
		if len(rec) > MaxColumns {
			return nil, fileError("Le fichier a plus de " + strconv.Itoa(MaxColumns) + " colonnes.")
		}
		if f.Header == nil {
			f.Header = rec
			for i := range f.Header {
				f.Header[i] = strings.TrimSpace(f.Header[i])
			}
			continue
		}
		if blank(rec) {
			continue
		}
		if len(f.Rows) == MaxRows {
			return nil, fileError("Le fichier dépasse " + strconv.Itoa(MaxRows) + " lignes : découpez-le.")
		}
		f.Rows = append(f.Rows, rec)
		f.Lines = append(f.Lines, line)
	}
	if len(f.Header) == 0 {
		return nil, fileError("Le fichier est vide.")
	}
	return f, nil
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// SeparatorName is how the UI and the API name a separator.
func SeparatorName(r rune) string {
	switch r {
	case ',':
		return ","
	case '\t':
		return "tab"
	}
	return ";"
}

func fileError(msg string) error {
	return &crm.Error{Code: crm.EUNPROCESSABLE, Message: msg,
		Fields: []crm.FieldError{{Champ: "fichier", Message: msg}}}
}
