package crm

import "time"

// Entreprise is a personne morale client; its dirigeant is a physical contact
// of the same MIA.
type Entreprise struct {
	ID            EntrepriseID `json:"id"`
	RaisonSociale string       `json:"raisonSociale"`
	Siren         string       `json:"siren"`
	Adresse       string       `json:"adresse"`
	DirigeantID   ContactID    `json:"dirigeantId"`
	Telephone     string       `json:"telephone,omitempty"`
	Email         string       `json:"email,omitempty"`
	Remarques     string       `json:"remarques,omitempty"`
	ApporteurID   ApporteurID  `json:"apporteurId,omitempty"`
	CreatedAt     time.Time    `json:"createdAt"`
	UpdatedAt     time.Time    `json:"updatedAt"`
	Version       int          `json:"version"`
}

// Validate normalises e in place (telephone in E.164 by phone) and returns
// the fields at fault.
func (e *Entreprise) Validate(phone PhoneNormalizer) []FieldError {
	var v fieldChecker
	v.text("raisonSociale", &e.RaisonSociale, true, 200)
	if s, ok := NormalizeSIREN(e.Siren); ok {
		e.Siren = s
	} else if e.Siren == "" {
		v.add("siren", "Ce champ est obligatoire.")
	} else {
		v.add("siren", "Le SIREN doit comporter 9 chiffres avec une clé de contrôle valide.")
	}
	v.text("adresse", &e.Adresse, true, 300)
	v.ref("dirigeantId", string(e.DirigeantID), true)
	v.phone("telephone", &e.Telephone, phone)
	v.email("email", &e.Email)
	v.note("remarques", &e.Remarques, false, 2000)
	v.ref("apporteurId", string(e.ApporteurID), false)
	return v.errs
}

// EntreprisePatch is a partial update of an entreprise.
type EntreprisePatch struct {
	RaisonSociale *string      `json:"raisonSociale"`
	Siren         *string      `json:"siren"`
	Adresse       *string      `json:"adresse"`
	DirigeantID   *ContactID   `json:"dirigeantId"`
	Telephone     *string      `json:"telephone"`
	Email         *string      `json:"email"`
	Remarques     *string      `json:"remarques"`
	ApporteurID   *ApporteurID `json:"apporteurId"`
}

// Apply returns e with the patch applied (not yet validated).
func (p EntreprisePatch) Apply(e Entreprise) Entreprise {
	set(&e.RaisonSociale, p.RaisonSociale)
	set(&e.Siren, p.Siren)
	set(&e.Adresse, p.Adresse)
	set(&e.DirigeantID, p.DirigeantID)
	set(&e.Telephone, p.Telephone)
	set(&e.Email, p.Email)
	set(&e.Remarques, p.Remarques)
	set(&e.ApporteurID, p.ApporteurID)
	return e
}
