package crm

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/phone"
)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"  Jean.Dupont@Exemple.FR ", "jean.dupont@exemple.fr", true},
		{"a+b@sub.domaine.com", "a+b@sub.domaine.com", true},
		{"jean@localhost", "", false},
		{"Jean <jean@exemple.fr>", "", false},
		{"pas-un-email", "", false},
		{"@exemple.fr", "", false},
		{"jean@exemple.", "", false},
		{"", "", false},
		{strings.Repeat("a", 250) + "@x.fr", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := NormalizeEmail(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("NormalizeEmail(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestNormalizeSIREN(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"443061841", "443061841", true},
		{"443 061 841", "443061841", true},
		{"732829320", "732829320", true},
		{"443061842", "443061842", false}, // bad Luhn key
		{"123456789", "123456789", false},
		{"44306184", "", false},
		{"4430618411", "", false},
		{"44306184A", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := NormalizeSIREN(tt.in)
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("NormalizeSIREN(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Éléonore  Çàvé", "eleonore cave"},
		{"Cœur d'Alène", "coeur d alene"},
		{"jean.dupont@exemple.fr", "jean.dupont@exemple.fr"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func champs(errs []FieldError) string {
	var s []string
	for _, e := range errs {
		if e.Message == "" {
			s = append(s, e.Champ+":<no message>")
		}
		s = append(s, e.Champ)
	}
	return strings.Join(s, ",")
}

func TestContactValidate(t *testing.T) {
	ok := Contact{Nom: "Dupont", Prenom: "Jean", Telephone: "06 12 34 56 78", Email: " Jean@Exemple.fr"}
	tests := []struct {
		name   string
		edit   func(*Contact)
		champs string
	}{
		{"valid", func(c *Contact) {}, ""},
		{"email only", func(c *Contact) { c.Telephone = "" }, ""},
		{"telephone only", func(c *Contact) { c.Email = "" }, ""},
		{"nom missing", func(c *Contact) { c.Nom = "  " }, "nom"},
		{"neither telephone nor email", func(c *Contact) { c.Telephone, c.Email = "", "" }, "telephone,email"},
		{"bad telephone", func(c *Contact) { c.Telephone = "12" }, "telephone"},
		{"bad email", func(c *Contact) { c.Email = "x@" }, "email"},
		{"bad statut", func(c *Contact) { c.Statut = "vip" }, "statut"},
		{"bad date", func(c *Contact) { c.DateNaissance = "31/12/1980" }, "dateNaissance"},
		{"good date", func(c *Contact) { c.DateNaissance = "1980-12-31" }, ""},
		{"future date", func(c *Contact) { c.DateNaissance = "2999-01-01" }, "dateNaissance"},
		{"today in Paris", func(c *Contact) { c.DateNaissance = Day(time.Now()) }, ""},
		{"tomorrow in Paris", func(c *Contact) { c.DateNaissance = DayPlus(time.Now(), 0, 0, 1) }, "dateNaissance"},
		{"date before 1900", func(c *Contact) { c.DateNaissance = "1850-01-01" }, "dateNaissance"},
		{"bad apporteur id", func(c *Contact) { c.ApporteurID = "abc" }, "apporteurId"},
		{"nom too long", func(c *Contact) { c.Nom = strings.Repeat("é", 101) }, "nom"},
		{"remarques too long", func(c *Contact) { c.Remarques = strings.Repeat("x", 2001) }, "remarques"},
		{"note apporteur on several lines", func(c *Contact) { c.NoteApporteur = "Rappeler après 18 h.\r\n\tPas le lundi." }, ""},
		{"note apporteur at its limit", func(c *Contact) { c.NoteApporteur = strings.Repeat("é", 1000) }, ""},
		{"note apporteur too long", func(c *Contact) { c.NoteApporteur = strings.Repeat("é", 1001) }, "noteApporteur"},
		{"note apporteur with an escape sequence", func(c *Contact) { c.NoteApporteur = "appeler \x1b[2J" }, "noteApporteur"},
		{"note apporteur with NUL", func(c *Contact) { c.NoteApporteur = "a\x00b" }, "noteApporteur"},
		{"note apporteur with DEL", func(c *Contact) { c.NoteApporteur = "a\x7fb" }, "noteApporteur"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			if got := champs(c.Validate(phone.Normalize)); got != tt.champs {
				t.Errorf("fields at fault = %q, want %q", got, tt.champs)
			}
		})
	}
	c := ok
	c.Validate(phone.Normalize)
	if c.Telephone != "+33612345678" || c.Email != "jean@exemple.fr" || c.Statut != ContactProspect {
		t.Errorf("normalised = %q %q %q", c.Telephone, c.Email, c.Statut)
	}
}

func TestEntrepriseValidate(t *testing.T) {
	ok := Entreprise{RaisonSociale: "Boulangerie Martin", Siren: "443 061 841", Adresse: "1 rue de Paris, 75001 Paris",
		DirigeantID: "01J0000000000000000000000A"}
	tests := []struct {
		name   string
		edit   func(*Entreprise)
		champs string
	}{
		{"valid", func(e *Entreprise) {}, ""},
		{"raison sociale missing", func(e *Entreprise) { e.RaisonSociale = "" }, "raisonSociale"},
		{"siren missing", func(e *Entreprise) { e.Siren = "" }, "siren"},
		{"siren luhn", func(e *Entreprise) { e.Siren = "443061842" }, "siren"},
		{"siren length", func(e *Entreprise) { e.Siren = "1234" }, "siren"},
		{"adresse missing", func(e *Entreprise) { e.Adresse = "" }, "adresse"},
		{"dirigeant missing", func(e *Entreprise) { e.DirigeantID = "" }, "dirigeantId"},
		{"dirigeant malformed", func(e *Entreprise) { e.DirigeantID = "x" }, "dirigeantId"},
		{"bad telephone", func(e *Entreprise) { e.Telephone = "0" }, "telephone"},
		{"bad email", func(e *Entreprise) { e.Email = "contact" }, "email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok
			tt.edit(&e)
			if got := champs(e.Validate(phone.Normalize)); got != tt.champs {
				t.Errorf("fields at fault = %q, want %q", got, tt.champs)
			}
		})
	}
}

func TestProduitValidate(t *testing.T) {
	ok := Produit{ID: "cyber-pro", Nom: "Cyber risques", Categorie: CategorieRCPro, Assureur: "Assentis Pro", TauxCommissionMIA: 12}
	tests := []struct {
		name   string
		edit   func(*Produit)
		champs string
	}{
		{"valid", func(p *Produit) {}, ""},
		{"bad code", func(p *Produit) { p.ID = "Cyber Pro" }, "id"},
		{"nom missing", func(p *Produit) { p.Nom = "" }, "nom"},
		{"unknown categorie", func(p *Produit) { p.Categorie = "spatial" }, "categorie"},
		{"assureur missing", func(p *Produit) { p.Assureur = "" }, "assureur"},
		{"taux negative", func(p *Produit) { p.TauxCommissionMIA = -1 }, "tauxCommissionMIA"},
		{"taux over 100", func(p *Produit) { p.TauxCommissionMIA = 101 }, "tauxCommissionMIA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.edit(&p)
			if got := champs(p.Validate()); got != tt.champs {
				t.Errorf("fields at fault = %q, want %q", got, tt.champs)
			}
		})
	}
}

func TestCatalogue(t *testing.T) {
	seen := map[ProduitID]bool{}
	cats := map[Categorie]bool{}
	for _, p := range Catalogue() {
		if errs := p.Validate(); errs != nil {
			t.Errorf("%s: %v", p.ID, errs)
		}
		if seen[p.ID] {
			t.Errorf("duplicate id %s", p.ID)
		}
		seen[p.ID] = true
		cats[p.Categorie] = true
		if !p.Actif || p.TauxCommissionMIA == 0 {
			t.Errorf("%s: actif %v taux %d", p.ID, p.Actif, p.TauxCommissionMIA)
		}
	}
	for c := range categories {
		if !cats[c] {
			t.Errorf("no produit of categorie %s", c)
		}
	}
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		from, to AffaireStatut
		want     bool
	}{
		{AffaireEnCours, AffaireSignee, true},
		{AffaireEnCours, AffairePerdue, true},
		{AffaireSignee, AffaireResiliee, true},
		{AffaireEnCours, AffaireEnCours, true},
		{AffaireEnCours, AffaireResiliee, false},
		{AffaireSignee, AffaireEnCours, false},
		{AffaireSignee, AffairePerdue, false},
		{AffairePerdue, AffaireSignee, false},
		{AffairePerdue, AffaireEnCours, false},
		{AffaireResiliee, AffaireSignee, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"→"+string(tt.to), func(t *testing.T) {
			if got := tt.from.CanBecome(tt.to); got != tt.want {
				t.Errorf("CanBecome = %v, want %v", got, tt.want)
			}
			inBefore := false
			for _, s := range StatutsBefore(tt.to) {
				inBefore = inBefore || s == tt.from
			}
			if inBefore != tt.want {
				t.Errorf("StatutsBefore(%s) contains %s = %v, want %v", tt.to, tt.from, inBefore, tt.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestCommissions(t *testing.T) {
	tests := []struct {
		prime         int64
		tauxMIA       int
		tauxApporteur *int
		wantMIA       int64
		wantApporteur int64
	}{
		{120000, 15, ptr(20), 18000, 3600},
		{99999, 15, ptr(25), 15000, 3750}, // 14999.85 → 15000; 3750
		{10, 15, ptr(15), 2, 0},           // 1.5 → 2 (half-up); 0.3 → 0
		{50, 1, nil, 1, 0},                // 0.5 → 1
		{49, 1, nil, 0, 0},                // 0.49 → 0
		{33333, 10, ptr(15), 3333, 500},   // 3333.3 → 3333; 499.95 → 500
		{1_000_000_000, 100, ptr(25), 1_000_000_000, 250_000_000},
		{0, 20, ptr(20), 0, 0},
	}
	for _, tt := range tests {
		a := Affaire{PrimeAnnuelleCentimes: tt.prime, TauxCommissionMIA: tt.tauxMIA, TauxCommissionApporteur: tt.tauxApporteur}
		if got := a.CommissionMIACentimes(); got != tt.wantMIA {
			t.Errorf("prime %d taux %d: commission MIA = %d, want %d", tt.prime, tt.tauxMIA, got, tt.wantMIA)
		}
		if got := a.CommissionApporteurCentimes(); got != tt.wantApporteur {
			t.Errorf("prime %d: commission apporteur = %d, want %d", tt.prime, got, tt.wantApporteur)
		}
	}
}

func TestAffaireJSONDerivesCommissions(t *testing.T) {
	v := AffaireView{Affaire: Affaire{ID: "A", PrimeAnnuelleCentimes: 100000, TauxCommissionMIA: 10,
		ApporteurID: "P", TauxCommissionApporteur: ptr(20)}, Historique: []Historique{}}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if got["commissionMIACentimes"] != 10000.0 || got["commissionApporteurCentimes"] != 2000.0 || got["historique"] == nil {
		t.Errorf("json = %s", b)
	}
	b, err = json.Marshal(Affaire{PrimeAnnuelleCentimes: 100, TauxCommissionMIA: 10})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "commissionApporteurCentimes") {
		t.Errorf("commission apporteur without an apporteur rate: %s", b)
	}
}

func TestNewAffaireValidate(t *testing.T) {
	ok := NewAffaire{ClientID: "01J0000000000000000000000A", ProduitID: "auto", PrimeAnnuelleCentimes: 60000}
	tests := []struct {
		name   string
		edit   func(*NewAffaire)
		champs string
	}{
		{"valid", func(n *NewAffaire) {}, ""},
		{"client missing", func(n *NewAffaire) { n.ClientID = "" }, "clientId"},
		{"produit missing", func(n *NewAffaire) { n.ProduitID = "" }, "produitId"},
		{"produit malformed", func(n *NewAffaire) { n.ProduitID = "A B" }, "produitId"},
		{"prime negative", func(n *NewAffaire) { n.PrimeAnnuelleCentimes = -1 }, "primeAnnuelleCentimes"},
		{"prime too large", func(n *NewAffaire) { n.PrimeAnnuelleCentimes = 1_000_000_001 }, "primeAnnuelleCentimes"},
		{"taux MIA over 100", func(n *NewAffaire) { n.TauxCommissionMIA = ptr(120) }, "tauxCommissionMIA"},
		{"taux apporteur 10", func(n *NewAffaire) { n.TauxCommissionApporteur = ptr(10) }, "tauxCommissionApporteur"},
		{"taux apporteur 25", func(n *NewAffaire) { n.TauxCommissionApporteur = ptr(25) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := ok
			tt.edit(&n)
			if got := champs(n.Validate()); got != tt.champs {
				t.Errorf("fields at fault = %q, want %q", got, tt.champs)
			}
		})
	}
}

func TestAffairePatchValidate(t *testing.T) {
	tests := []struct {
		name   string
		p      AffairePatch
		champs string
	}{
		{"statut", AffairePatch{Statut: ptr(AffaireSignee)}, ""},
		{"unknown statut", AffairePatch{Statut: ptr(AffaireStatut("gagnee"))}, "statut"},
		{"prime", AffairePatch{PrimeAnnuelleCentimes: ptr(int64(-5))}, "primeAnnuelleCentimes"},
		{"taux MIA", AffairePatch{TauxCommissionMIA: ptr(-1)}, "tauxCommissionMIA"},
		{"taux apporteur", AffairePatch{TauxCommissionApporteur: ptr(30)}, "tauxCommissionApporteur"},
		{"taux apporteur ok", AffairePatch{TauxCommissionApporteur: ptr(15)}, ""},
		{"empty", AffairePatch{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := tt.p.Validate()
			if tt.name == "empty" {
				if len(errs) != 1 {
					t.Errorf("empty patch: %v, want one problem", errs)
				}
				return
			}
			if got := champs(errs); got != tt.champs {
				t.Errorf("fields at fault = %q, want %q", got, tt.champs)
			}
		})
	}
}

func TestListOptions(t *testing.T) {
	tests := []struct {
		limit, want int
		bad         bool
	}{{0, 50, false}, {1, 1, false}, {200, 200, false}, {201, 0, true}, {-1, 0, true}}
	for _, tt := range tests {
		o := ListOptions{Limit: tt.limit}
		errs := o.Validate()
		if (errs != nil) != tt.bad || (!tt.bad && o.Limit != tt.want) {
			t.Errorf("limit %d: %v, %d", tt.limit, errs, o.Limit)
		}
	}
}

// A function wired without a PhoneNormalizer rejects a number, never stores it raw.
func TestValidateWithoutPhoneNormalizer(t *testing.T) {
	c := Contact{Nom: "Dupont", Telephone: "06 12 34 56 78"}
	if errs := c.Validate(nil); len(errs) != 1 || errs[0].Champ != "telephone" {
		t.Errorf("Validate(nil) = %v, want a telephone error", errs)
	}
	c = Contact{Nom: "Dupont", Email: "a@b.fr"}
	if errs := c.Validate(nil); errs != nil {
		t.Errorf("Validate(nil) without a number = %v", errs)
	}
}
