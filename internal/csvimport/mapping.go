package csvimport

import (
	"strings"

	"github.com/assentis/mycrm/internal/crm"
)

// Target fields a column can be mapped to. Contacts and entreprises share
// telephone, email, adresse, codePostal, ville and remarques.
const (
	FNom                = "nom"
	FPrenom             = "prenom"
	FTelephone          = "telephone"
	FMobile             = "mobile"
	FEmail              = "email"
	FAdresse            = "adresse"
	FCodePostal         = "codePostal"
	FVille              = "ville"
	FDateNaissance      = "dateNaissance"
	FProfession         = "profession"
	FRemarques          = "remarques"
	FRaisonSociale      = "raisonSociale"
	FSiren              = "siren"
	FDirigeantEmail     = "dirigeantEmail"
	FDirigeantTelephone = "dirigeantTelephone"
)

// Fields lists the fields a kind of import fills, in the order the UI shows them.
func Fields(k crm.ImportKind) []string {
	if k == crm.ImportEntreprises {
		return []string{FRaisonSociale, FSiren, FAdresse, FCodePostal, FVille, FTelephone, FEmail,
			FRemarques, FDirigeantEmail, FDirigeantTelephone}
	}
	return []string{FNom, FPrenom, FTelephone, FMobile, FEmail, FAdresse, FCodePostal, FVille,
		FDateNaissance, FProfession, FRemarques}
}

// headers are the spellings a header is recognised by, folded (lowercase,
// no accents) with every non-alphanumeric character removed.
var headers = map[string][]string{
	FNom:                {"nom", "nomdefamille", "lastname", "surname", "familyname", "name", "nomcontact"},
	FPrenom:             {"prenom", "firstname", "givenname", "prenomcontact"},
	FTelephone:          {"telephone", "tel", "phone", "telephonefixe", "telfixe", "fixe", "phonenumber", "numerodetelephone", "telephonepro", "telephoneprofessionnel", "workphone", "businessphone"},
	FMobile:             {"mobile", "portable", "telportable", "telephoneportable", "telmobile", "telephonemobile", "mobilephone", "cellphone", "cell", "gsm"},
	FEmail:              {"email", "mail", "courriel", "adresseemail", "adressemail", "emailaddress", "adressecourriel", "emailpro"},
	FAdresse:            {"adresse", "address", "rue", "street", "adressepostale", "adresse1", "address1", "streetaddress", "adresseligne1", "voie"},
	FCodePostal:         {"codepostal", "cp", "zip", "zipcode", "postalcode", "postcode"},
	FVille:              {"ville", "city", "commune", "town", "localite"},
	FDateNaissance:      {"datedenaissance", "datenaissance", "naissance", "birthdate", "dateofbirth", "birthday", "nele", "nee"},
	FProfession:         {"profession", "metier", "job", "jobtitle", "occupation", "fonction", "poste"},
	FRemarques:          {"remarques", "remarque", "notes", "note", "commentaire", "commentaires", "comments", "comment", "observations"},
	FRaisonSociale:      {"raisonsociale", "societe", "entreprise", "company", "companyname", "denomination", "nomentreprise", "nomdelentreprise", "organisation", "organization", "nomsociete"},
	FSiren:              {"siren", "numerosiren", "nsiren", "sirennumber", "siret", "numerosiret", "nsiret"},
	FDirigeantEmail:     {"emaildirigeant", "emaildudirigeant", "dirigeantemail", "maildirigeant", "courrieldirigeant"},
	FDirigeantTelephone: {"telephonedirigeant", "telephonedudirigeant", "teldirigeant", "dirigeanttelephone", "mobiledirigeant"},
}

// squash folds a header for matching: "E-mail du dirigeant" → "emaildudirigeant".
func squash(h string) string {
	var b strings.Builder
	for _, r := range crm.Fold(h) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// GuessMapping proposes a target field for each column of header (""
// leaves the column out): exact spellings first, each field at most once,
// left to right. For entreprises, "nom" means the raison sociale.
func GuessMapping(k crm.ImportKind, header []string) []string {
	allowed := map[string]bool{}
	for _, f := range Fields(k) {
		allowed[f] = true
	}
	byHeader := map[string]string{}
	for f, hs := range headers {
		if !allowed[f] {
			continue
		}
		for _, h := range hs {
			byHeader[h] = f
		}
	}
	if k == crm.ImportEntreprises {
		byHeader["nom"], byHeader["name"] = FRaisonSociale, FRaisonSociale
	}
	out := make([]string, len(header))
	used := map[string]bool{}
	for i, h := range header {
		if f, ok := byHeader[squash(h)]; ok && !used[f] {
			out[i], used[f] = f, true
		}
	}
	return out
}

// CheckMapping reports what is wrong with a mapping of n columns for kind
// k: an unknown field, a field mapped twice, a required field missing.
func CheckMapping(k crm.ImportKind, mapping []string, n int) []crm.FieldError {
	var errs []crm.FieldError
	bad := func(msg string) { errs = append(errs, crm.FieldError{Champ: "correspondance", Message: msg}) }
	if len(mapping) != n {
		bad("La correspondance doit donner un champ (ou rien) pour chacune des colonnes du fichier.")
		return errs
	}
	allowed := map[string]bool{}
	for _, f := range Fields(k) {
		allowed[f] = true
	}
	seen := map[string]bool{}
	for _, f := range mapping {
		switch {
		case f == "":
		case !allowed[f]:
			bad("Champ inconnu : « " + clip(f, 40) + " ».")
		case seen[f]:
			bad("Le champ « " + f + " » est choisi pour plusieurs colonnes.")
		}
		seen[f] = true
	}
	if k == crm.ImportEntreprises {
		for _, f := range []string{FRaisonSociale, FSiren, FAdresse} {
			if !seen[f] {
				bad("Choisissez la colonne du champ « " + f + " ».")
			}
		}
		if !seen[FDirigeantEmail] && !seen[FDirigeantTelephone] {
			bad("Choisissez la colonne de l'email ou du téléphone du dirigeant (un de vos contacts).")
		}
		return errs
	}
	if !seen[FNom] {
		bad("Choisissez la colonne du champ « nom ».")
	}
	if !seen[FTelephone] && !seen[FMobile] && !seen[FEmail] {
		bad("Choisissez la colonne du téléphone ou de l'email.")
	}
	return errs
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
