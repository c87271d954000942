package crm

import "time"

// ContactStatut is where a physical-person contact stands commercially.
type ContactStatut string

// A contact is a prospect until one of its affaires is signed.
const (
	ContactProspect ContactStatut = "prospect"
	ContactClient   ContactStatut = "client"
)

// Valid reports whether s is a known statut.
func (s ContactStatut) Valid() bool { return s == ContactProspect || s == ContactClient }

// Contact is a personne physique of a MIA's base. Remarques are the MIA's
// own, never shown to an apporteur; NoteApporteur is what the apporteur wrote
// when it brought the contact ("rappeler après 18 h"), shown to the MIA and to
// that apporteur and written only by the apporteur.
type Contact struct {
	ID            ContactID     `json:"id"`
	Nom           string        `json:"nom"`
	Prenom        string        `json:"prenom,omitempty"`
	Telephone     string        `json:"telephone,omitempty"` // E.164
	Email         string        `json:"email,omitempty"`     // lowercase
	Adresse       string        `json:"adresse,omitempty"`
	DateNaissance string        `json:"dateNaissance,omitempty"` // AAAA-MM-JJ
	Profession    string        `json:"profession,omitempty"`
	Remarques     string        `json:"remarques,omitempty"` // private to the MIA
	NoteApporteur string        `json:"noteApporteur,omitempty"`
	Statut        ContactStatut `json:"statut"`
	ApporteurID   ApporteurID   `json:"apporteurId,omitempty"`
	// Efface: the person was erased (RGPD): every personal field is
	// blank, the name is ContactEffaceNom; the affaires' figures remain.
	Efface    bool      `json:"efface,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Version   int       `json:"version"`
}

// NoteApporteurMax is the length, in characters, of an apporteur's note on
// its contact: a few lines for the MIA, not a file.
const NoteApporteurMax = 1000

// DisplayName is how the contact is named in lists and on its affaires.
func (c *Contact) DisplayName() string { return fullName(c.Prenom, c.Nom) }

// Validate normalises c in place (trimmed text, telephone in E.164 by phone,
// lowercase email, default statut) and returns the fields at fault, in French.
func (c *Contact) Validate(phone PhoneNormalizer) []FieldError {
	var v fieldChecker
	v.text("nom", &c.Nom, true, 100)
	v.text("prenom", &c.Prenom, false, 100)
	v.phone("telephone", &c.Telephone, phone)
	v.email("email", &c.Email)
	if c.Telephone == "" && c.Email == "" && !v.has("telephone") && !v.has("email") {
		v.add("telephone", "Indiquez un téléphone ou un email.")
		v.add("email", "Indiquez un téléphone ou un email.")
	}
	v.text("adresse", &c.Adresse, false, 300)
	v.date("dateNaissance", &c.DateNaissance)
	v.text("profession", &c.Profession, false, 100)
	v.note("remarques", &c.Remarques, false, 2000)
	v.note("noteApporteur", &c.NoteApporteur, false, NoteApporteurMax)
	if c.Statut == "" {
		c.Statut = ContactProspect
	}
	if !c.Statut.Valid() {
		v.add("statut", "Le statut doit être « prospect » ou « client ».")
	}
	v.ref("apporteurId", string(c.ApporteurID), false)
	return v.errs
}

// ContactPatch is a partial update: nil fields are left as they are, an empty
// string clears an optional field.
type ContactPatch struct {
	Nom           *string        `json:"nom"`
	Prenom        *string        `json:"prenom"`
	Telephone     *string        `json:"telephone"`
	Email         *string        `json:"email"`
	Adresse       *string        `json:"adresse"`
	DateNaissance *string        `json:"dateNaissance"`
	Profession    *string        `json:"profession"`
	Remarques     *string        `json:"remarques"`
	Statut        *ContactStatut `json:"statut"`
	ApporteurID   *ApporteurID   `json:"apporteurId"`
}

// Apply returns c with the patch applied (not yet validated).
func (p ContactPatch) Apply(c Contact) Contact {
	set(&c.Nom, p.Nom)
	set(&c.Prenom, p.Prenom)
	set(&c.Telephone, p.Telephone)
	set(&c.Email, p.Email)
	set(&c.Adresse, p.Adresse)
	set(&c.DateNaissance, p.DateNaissance)
	set(&c.Profession, p.Profession)
	set(&c.Remarques, p.Remarques)
	set(&c.Statut, p.Statut)
	set(&c.ApporteurID, p.ApporteurID)
	return c
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// DateNaissanceFR is the birth date as jj/mm/aaaa ("" when unknown).
func (c *Contact) DateNaissanceFR() string {
	if len(c.DateNaissance) != 10 {
		return c.DateNaissance
	}
	return c.DateNaissance[8:10] + "/" + c.DateNaissance[5:7] + "/" + c.DateNaissance[0:4]
}
