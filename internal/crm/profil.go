package crm

import "strings"

// ProfilPatch is what a MIA edits of its own profile: the identity printed
// on its relevés de commissions and its reprise settings.
type ProfilPatch struct {
	RaisonSociale *string          `json:"raisonSociale"`
	ORIAS         *string          `json:"orias"`
	SIREN         *string          `json:"siren"`
	Adresse       *string          `json:"adresse"`
	Reprise       *RepriseSettings `json:"reprise"`
}

// Validate checks and normalises the patch (SIREN without spaces, ORIAS
// number of 8 digits).
func (p *ProfilPatch) Validate() []FieldError {
	var v fieldChecker
	if p.RaisonSociale != nil {
		v.text("raisonSociale", p.RaisonSociale, false, 200)
	}
	if p.Adresse != nil {
		v.note("adresse", p.Adresse, false, 500)
	}
	if p.ORIAS != nil {
		o := strings.Join(strings.Fields(*p.ORIAS), "")
		if o != "" && (len(o) != 8 || strings.Trim(o, "0123456789") != "") {
			v.add("orias", "Le numéro ORIAS compte 8 chiffres.")
		}
		*p.ORIAS = o
	}
	if p.SIREN != nil && strings.TrimSpace(*p.SIREN) != "" {
		s, ok := NormalizeSIREN(*p.SIREN)
		if !ok {
			v.add("siren", "Le SIREN doit compter 9 chiffres avec une clé valide.")
		}
		*p.SIREN = s
	} else if p.SIREN != nil {
		*p.SIREN = ""
	}
	if r := p.Reprise; r != nil {
		if r.DelaiMois < 1 || r.DelaiMois > maxDelaiReprise {
			v.add("reprise.delaiMois", "Le délai de reprise doit être compris entre 1 et 36 mois.")
		}
		if r.Mode != RepriseTotale && r.Mode != RepriseProrata {
			v.add("reprise.mode", "Le mode de reprise doit être « totale » ou « prorata ».")
		}
	}
	if p.RaisonSociale == nil && p.ORIAS == nil && p.SIREN == nil && p.Adresse == nil && p.Reprise == nil {
		v.add("", "Aucune modification demandée.")
	}
	return v.errs
}
