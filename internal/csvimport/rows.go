package csvimport

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/assentis/mycrm/internal/crm"
)

// Plan decodes every data line of f with mapping (one target field per
// column, "" = ignored, checked by CheckMapping) into the rows to import.
// A line that breaks a rule of crm is rejected with the reason; a line that
// repeats the email, telephone or SIREN of an earlier valid line of the file
// is a duplicate of that line. The rest carry the entity to write. Plan is
// deterministic: a resumed import plans the same rows again.
func Plan(f *File, k crm.ImportKind, mapping []string, phone crm.PhoneNormalizer) []crm.ImportRow {
	rows := make([]crm.ImportRow, len(f.Rows))
	firstLine := map[string]int{} // normalised key → first line holding it
	for i, rec := range f.Rows {
		row := decodeRow(k, mapping, rec, phone)
		row.Line = f.Lines[i]
		if row.Outcome == "" {
			for _, key := range rowKeys(row) {
				if l, ok := firstLine[key]; ok {
					row.Outcome, row.Reason = crm.LineDuplicate, "Doublon de la ligne "+strconv.Itoa(l)+" du fichier ("+keyName(key)+")."
					row.Contact, row.Entreprise = nil, nil
					break
				}
			}
		}
		if row.Outcome == "" {
			for _, key := range rowKeys(row) {
				firstLine[key] = row.Line
			}
		}
		rows[i] = row
	}
	return rows
}

// rowKeys are the normalised values that make two rows the same person or company.
func rowKeys(r crm.ImportRow) []string {
	var keys []string
	if c := r.Contact; c != nil {
		if c.Email != "" {
			keys = append(keys, "email:"+c.Email)
		}
		if c.Telephone != "" {
			keys = append(keys, "telephone:"+c.Telephone)
		}
	}
	if e := r.Entreprise; e != nil {
		keys = append(keys, "siren:"+e.Siren)
	}
	return keys
}

func keyName(key string) string {
	switch {
	case strings.HasPrefix(key, "email:"):
		return "même email"
	case strings.HasPrefix(key, "telephone:"):
		return "même téléphone"
	}
	return "même SIREN"
}

// textFields are the free-text fields a spreadsheet would evaluate if a
// cell started like a formula; telephone, email, SIREN and dates are
// normalised, so they cannot carry one.
var textFields = map[string]bool{FNom: true, FPrenom: true, FAdresse: true, FCodePostal: true, FVille: true,
	FProfession: true, FRemarques: true, FRaisonSociale: true}

// formulaStart reports a cell a spreadsheet would run as a formula (the
// characters OWASP lists for CSV injection).
func formulaStart(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

func decodeRow(k crm.ImportKind, mapping []string, rec []string, phone crm.PhoneNormalizer) crm.ImportRow {
	v := map[string]string{}
	given := map[string]bool{}
	for i, f := range mapping {
		if f == "" || i >= len(rec) {
			continue
		}
		cell := strings.TrimSpace(rec[i])
		if cell == "" {
			continue
		}
		if textFields[f] && formulaStart(cell) {
			return crm.ImportRow{Outcome: crm.LineRejected,
				Reason: "Cellule commençant par =, +, -, @ (formule de tableur) refusée : " + f + "."}
		}
		v[f], given[f] = cell, true
	}
	adresse := joinAddress(v[FAdresse], v[FCodePostal], v[FVille])
	if adresse != "" {
		given[FAdresse] = true
	}
	row := crm.ImportRow{Fields: given}
	var errs []crm.FieldError
	if k == crm.ImportEntreprises {
		e := &crm.Entreprise{RaisonSociale: v[FRaisonSociale], Siren: sirenOf(v[FSiren]), Adresse: adresse,
			Telephone: v[FTelephone], Email: v[FEmail], Remarques: v[FRemarques],
			// A placeholder: the store puts the dirigeant found by email or
			// telephone here; the rules check everything else now.
			DirigeantID: "00000000000000000000000000"}
		errs = e.Validate(phone)
		row.Label = clip(e.RaisonSociale, 100)
		if de, ok := crm.NormalizeEmail(v[FDirigeantEmail]); ok {
			row.DirigeantEmail = de
		} else if v[FDirigeantEmail] != "" {
			errs = append(errs, crm.FieldError{Champ: FDirigeantEmail, Message: "L'adresse email n'est pas valide."})
		}
		if t := v[FDirigeantTelephone]; t != "" {
			if n, ok := normalizePhone(phone, t); ok {
				row.DirigeantTelephone = n
			} else {
				errs = append(errs, crm.FieldError{Champ: FDirigeantTelephone, Message: "Le numéro de téléphone n'est pas valide."})
			}
		}
		if row.DirigeantEmail == "" && row.DirigeantTelephone == "" && len(errs) == 0 {
			errs = append(errs, crm.FieldError{Champ: FDirigeantEmail, Message: "Indiquez l'email ou le téléphone du dirigeant."})
		}
		e.DirigeantID = ""
		row.Entreprise = e
	} else {
		tel := v[FTelephone]
		if tel == "" {
			tel = v[FMobile]
			given[FTelephone] = given[FMobile]
		}
		c := &crm.Contact{Nom: v[FNom], Prenom: v[FPrenom], Telephone: tel, Email: v[FEmail], Adresse: adresse,
			DateNaissance: dateOf(v[FDateNaissance]), Profession: v[FProfession], Remarques: v[FRemarques]}
		errs = c.Validate(phone)
		row.Label = clip(c.DisplayName(), 100)
		row.Contact = c
	}
	if len(errs) > 0 {
		return crm.ImportRow{Outcome: crm.LineRejected, Reason: reason(errs), Label: row.Label}
	}
	return row
}

func normalizePhone(phone crm.PhoneNormalizer, s string) (string, bool) {
	if phone == nil {
		return "", false
	}
	return phone(s)
}

// joinAddress writes "12 rue X, 75001 Paris" from the address columns.
func joinAddress(rue, cp, ville string) string {
	town := strings.TrimSpace(cp + " " + ville)
	switch {
	case rue == "":
		return town
	case town == "":
		return rue
	}
	return rue + ", " + town
}

// sirenOf reads a SIREN, or the SIREN inside a SIRET (its first 9 digits).
func sirenOf(s string) string {
	d := strings.Join(strings.Fields(s), "")
	if len(d) == 14 && strings.Trim(d, "0123456789") == "" {
		return d[:9]
	}
	return s
}

var frDate = regexp.MustCompile(`^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$`)

// dateOf turns jj/mm/aaaa (as French spreadsheets write dates) into
// AAAA-MM-JJ; anything else is left for the rules to judge.
func dateOf(s string) string {
	m := frDate.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	pad := func(x string) string {
		if len(x) == 1 {
			return "0" + x
		}
		return x
	}
	return m[3] + "-" + pad(m[2]) + "-" + pad(m[1])
}

// reason writes a line's field problems in one sentence for the report.
func reason(errs []crm.FieldError) string {
	var parts []string
	seen := map[string]bool{}
	for _, e := range errs {
		p := e.Champ + " : " + e.Message
		if !seen[p] {
			parts, seen[p] = append(parts, p), true
		}
	}
	return strings.Join(parts, " ; ")
}
