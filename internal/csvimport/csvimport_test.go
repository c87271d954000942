package csvimport

import (
	"reflect"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/phone"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name     string
		in       []byte
		wantText string
		wantEnc  string
		wantErr  bool
	}{
		{"utf-8", []byte("Nom\nÉlodie"), "Nom\nÉlodie", UTF8, false},
		{"utf-8 with BOM", []byte("\xEF\xBB\xBFNom\nÉlodie"), "Nom\nÉlodie", UTF8, false},
		{"windows-1252", []byte("Nom\n\xC9lodie \x80 \x9C"), "Nom\nÉlodie € œ", Windows1252, false},
		{"utf-16", []byte("\xFF\xFEN\x00"), "", "", true},
		{"binary", []byte("a\x00b"), "", "", true},
		{"BOM then invalid", []byte("\xEF\xBB\xBF\xC9"), "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, enc, err := Decode(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if text != tt.wantText || enc != tt.wantEnc {
				t.Errorf("got %q %q, want %q %q", text, enc, tt.wantText, tt.wantEnc)
			}
		})
	}
}

func TestDetectSeparator(t *testing.T) {
	tests := []struct {
		in   string
		want rune
	}{
		{"Nom;Prénom;Email\nA;B;C", ';'},
		{"Nom,Prénom,Email\nA,B,C", ','},
		{"Nom\tPrénom\tEmail\n", '\t'},
		{`"Nom, usage";Prénom` + "\n", ';'},
		{`"a;b;c",d,e` + "\n", ','},
		{"Nom\n", ';'},
		{"", ';'},
	}
	for _, tt := range tests {
		if got := DetectSeparator(tt.in); got != tt.want {
			t.Errorf("DetectSeparator(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGuessMapping(t *testing.T) {
	tests := []struct {
		kind   crm.ImportKind
		header []string
		want   []string
	}{
		{crm.ImportContacts,
			[]string{"Nom", "Prénom", "Téléphone", "Mobile", "E-mail", "Adresse", "Code postal", "Ville", "Date de naissance", "Inconnue"},
			[]string{FNom, FPrenom, FTelephone, FMobile, FEmail, FAdresse, FCodePostal, FVille, FDateNaissance, ""}},
		{crm.ImportContacts,
			[]string{"Last Name", "First Name", "Phone", "Email Address", "City", "ZIP", "Job Title", "Notes"},
			[]string{FNom, FPrenom, FTelephone, FEmail, FVille, FCodePostal, FProfession, FRemarques}},
		{crm.ImportContacts, []string{"NOM", "nom", " Courriel "}, []string{FNom, "", FEmail}},
		{crm.ImportEntreprises,
			[]string{"Raison sociale", "SIREN", "Adresse", "CP", "Ville", "E-mail du dirigeant", "Téléphone"},
			[]string{FRaisonSociale, FSiren, FAdresse, FCodePostal, FVille, FDirigeantEmail, FTelephone}},
		{crm.ImportEntreprises, []string{"Nom", "SIRET", "Prénom"}, []string{FRaisonSociale, FSiren, ""}},
	}
	for _, tt := range tests {
		if got := GuessMapping(tt.kind, tt.header); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("GuessMapping(%s, %q) = %q, want %q", tt.kind, tt.header, got, tt.want)
		}
	}
}

func TestCheckMapping(t *testing.T) {
	tests := []struct {
		name    string
		kind    crm.ImportKind
		mapping []string
		n       int
		wantErr bool
	}{
		{"contacts ok", crm.ImportContacts, []string{FNom, FEmail, ""}, 3, false},
		{"no nom", crm.ImportContacts, []string{FPrenom, FEmail}, 2, true},
		{"no way to reach", crm.ImportContacts, []string{FNom, FVille}, 2, true},
		{"twice", crm.ImportContacts, []string{FNom, FEmail, FEmail}, 3, true},
		{"unknown", crm.ImportContacts, []string{FNom, FEmail, "siren"}, 3, true},
		{"wrong length", crm.ImportContacts, []string{FNom, FEmail}, 3, true},
		{"entreprises ok", crm.ImportEntreprises, []string{FRaisonSociale, FSiren, FAdresse, FDirigeantTelephone}, 4, false},
		{"entreprises no dirigeant", crm.ImportEntreprises, []string{FRaisonSociale, FSiren, FAdresse}, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckMapping(tt.kind, tt.mapping, tt.n); (got != nil) != tt.wantErr {
				t.Errorf("CheckMapping = %v, want error %v", got, tt.wantErr)
			}
		})
	}
}

func TestPlan(t *testing.T) {
	f, err := Parse([]byte("Nom,Prénom,Téléphone,Mobile,Email,Adresse,CP,Ville,Né le\n" +
		"Dupont,Jean,,06 12 34 56 78,Jean@Exemple.fr,1 rue A,75001,Paris,3/4/1980\n" +
		"Durand,,0612345678,,,,,,\n" +
		",Sans,0700000000,,,,,,\n" +
		"@SUM(A1),,0711111111,,,,,,\n" +
		"Martin,,,,pas-un-email,,,,\n" +
		"\n" +
		"Petit,,+33 6 98 76 54 32,,,\"2 rue B\nbât C\",,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := GuessMapping(crm.ImportContacts, f.Header)
	rows := Plan(f, crm.ImportContacts, m, phone.Normalize)
	type got struct {
		Line    int
		Outcome crm.ImportOutcome
	}
	var gots []got
	for _, r := range rows {
		gots = append(gots, got{r.Line, r.Outcome})
	}
	want := []got{{2, ""}, {3, crm.LineDuplicate}, {4, crm.LineRejected}, {5, crm.LineRejected}, {6, crm.LineRejected}, {8, crm.LineRejected}}
	if !reflect.DeepEqual(gots, want) {
		t.Fatalf("rows = %+v, want %+v", gots, want)
	}
	c := rows[0].Contact
	wantC := crm.Contact{Nom: "Dupont", Prenom: "Jean", Telephone: "+33612345678", Email: "jean@exemple.fr",
		Adresse: "1 rue A, 75001 Paris", DateNaissance: "1980-04-03", Statut: crm.ContactProspect}
	if *c != wantC {
		t.Errorf("contact = %+v, want %+v", *c, wantC)
	}
	if !strings.Contains(rows[1].Reason, "ligne 2") {
		t.Errorf("duplicate reason = %q", rows[1].Reason)
	}
	if !strings.Contains(rows[5].Reason, "adresse") {
		t.Errorf("multi-line address reason = %q", rows[5].Reason)
	}
}

func TestParseLimits(t *testing.T) {
	wide := strings.Repeat("c;", MaxColumns) + "c\n"
	for name, in := range map[string]string{"empty": "", "too wide": wide, "utf-16": "\xFF\xFE"} {
		if _, err := Parse([]byte(in)); crm.ErrorCode(err) != crm.EUNPROCESSABLE {
			t.Errorf("%s: err = %v, want unprocessable", name, err)
		}
	}
}
