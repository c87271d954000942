// Package convention writes the convention d'apport between a MIA and an
// apporteur as a PDF, from their data only, through internal/pdfdoc: the
// same data and date give the same bytes, so the SHA-256 recorded when the
// apporteur accepts it proves which document was accepted.
package convention

import (
	"fmt"
	"strings"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/pdfdoc"
)

// PDF renders convention d. Its date is d.Date (the document's creation
// date, so fixed by the caller).
func PDF(d crm.ConventionData) ([]byte, error) {
	doc := pdfdoc.New(fmt.Sprintf("Convention d'apport — version %d", d.Version), d.Date)
	doc.Title("Convention d'apport d'affaires")
	doc.Paragraph(fmt.Sprintf("Version %d, établie le %s. Elle remplace toute version antérieure entre les parties.",
		d.Version, frDate(d.Date)))

	doc.Heading("Entre les soussignés")
	mia := d.MIA
	doc.Facts(
		pdfdoc.Fact{Label: "Le mandataire (MIA)", Value: name(mia.Prenom, mia.Nom)},
		pdfdoc.Fact{Label: "Cabinet", Value: orDash(mia.Cabinet)},
		pdfdoc.Fact{Label: "Email", Value: orDash(mia.Email)},
		pdfdoc.Fact{Label: "Téléphone", Value: orDash(mia.Telephone)},
	)
	doc.Paragraph("Mandataire d'intermédiaire d'assurance du réseau Assentis, ci-après « le mandataire », d'une part,")
	a := d.Apporteur
	doc.Facts(
		pdfdoc.Fact{Label: "L'apporteur", Value: name(a.Prenom, a.Nom)},
		pdfdoc.Fact{Label: "Email", Value: a.Email},
		pdfdoc.Fact{Label: "Téléphone", Value: orDash(a.Telephone)},
		pdfdoc.Fact{Label: "Localisation", Value: orDash(a.Localisation)},
	)
	doc.Paragraph("ci-après « l'apporteur », d'autre part.")

	doc.Heading("1. Statut de l'apporteur")
	switch s := d.StatutLegal; s.Type {
	case crm.Indicateur:
		doc.Paragraph("L'apporteur agit en qualité d'indicateur au sens de l'article R. 511-3 du Code des assurances : " +
			"il se borne à mettre en relation des personnes intéressées avec le mandataire, sans présenter, proposer " +
			"ni conseiller d'opération d'assurance. Il ne perçoit qu'une commission d'apport ponctuelle, due sur la " +
			"première année du contrat ; aucune commission récurrente ne lui est due sur les années suivantes.")
	default:
		doc.Paragraph("L'apporteur est un intermédiaire immatriculé au registre de l'ORIAS ; il s'engage à maintenir " +
			"son immatriculation (renouvelée chaque année) et son assurance de responsabilité civile professionnelle " +
			"pendant toute la durée de la convention et à en justifier à première demande.")
		doc.Facts(
			pdfdoc.Fact{Label: "N° ORIAS", Value: s.NumeroORIAS},
			pdfdoc.Fact{Label: "Catégorie", Value: crm.CategoriesORIAS[s.Categorie]},
			pdfdoc.Fact{Label: "Vérifié par le MIA le", Value: frDay(s.VerifieLe)},
			pdfdoc.Fact{Label: "Assureur RC Pro", Value: s.RCProAssureur},
			pdfdoc.Fact{Label: "RC Pro valable jusqu'au", Value: frDay(s.RCProExpiration)},
		)
	}

	doc.Heading("2. Rémunération")
	doc.Paragraph("Pour chaque affaire signée issue d'un contact transmis par l'apporteur, le mandataire lui verse une " +
		"commission égale à 15 %, 20 % ou 25 % de la commission que le mandataire perçoit lui-même sur cette affaire. " +
		"Le taux est fixé affaire par affaire et communiqué à l'apporteur dans son espace avant la signature. " +
		"La commission est due sur les sommes effectivement encaissées par le mandataire ; elle est calculée en centimes, " +
		"arrondie au centime le plus proche.")
	doc.Heading("3. Reprise")
	reprise := d.Reprise
	if reprise == "" {
		reprise = "Si un contrat est résilié ou annulé dans le délai de reprise appliqué au mandataire, la commission " +
			"déjà versée à l'apporteur au titre de ce contrat est reprise, selon les mêmes règles (totalité ou prorata " +
			"temporis), par imputation sur les versements suivants."
	}
	doc.Paragraph(reprise)
	doc.Heading("4. Protection des données personnelles")
	doc.Paragraph("Les données des personnes transmises par l'apporteur sont traitées par le mandataire, responsable " +
		"de traitement, pour l'étude et la gestion de leurs besoins d'assurance. L'apporteur ne transmet que des " +
		"personnes qui ont accepté d'être contactées, les en informe, et ne conserve ni n'utilise leurs données à " +
		"d'autres fins. Chaque partie respecte le règlement (UE) 2016/679 (RGPD) et la loi Informatique et Libertés.")
	doc.Heading("5. Durée, acceptation")
	doc.Paragraph("La convention prend effet à son acceptation par l'apporteur dans son espace MyCRM et dure tant que " +
		"l'apporteur travaille avec le mandataire. Chaque partie peut y mettre fin à tout moment ; les commissions " +
		"acquises restent dues. L'acceptation en ligne (« J'accepte la convention ») vaut signature électronique " +
		"simple : sont conservés l'identité du compte, la date et l'heure, l'adresse IP et le navigateur, et " +
		"l'empreinte SHA-256 de ce document.")
	return doc.Bytes()
}

func name(prenom, nom string) string { return strings.TrimSpace(prenom + " " + nom) }

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

var mois = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

func frDate(t time.Time) string {
	t = t.In(crm.Paris)
	return fmt.Sprintf("%d %s %d", t.Day(), mois[t.Month()-1], t.Year())
}

func frDay(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return orDash(s)
	}
	return fmt.Sprintf("%d %s %d", t.Day(), mois[t.Month()-1], t.Year())
}
