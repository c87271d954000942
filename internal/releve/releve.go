// Package releve renders an issued relevé de commissions as the documents
// the MIA and its apporteur download: a PDF (internal/pdfdoc) and a CSV for
// French Excel (internal/csvfr). Both come from the relevé's frozen content
// only, so a relevé downloaded twice gives the same bytes. Neither shows
// the MIA's own figures (premium, MIA rate, amount received).
package releve

import (
	"bytes"
	"fmt"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/csvfr"
	"github.com/assentis/mycrm/internal/pdfdoc"
)

// Libelle is the French label of a line's nature.
func Libelle(n crm.Nature) string {
	switch n {
	case crm.NatureAcquise:
		return "Commission acquise"
	case crm.NatureRegularisation:
		return "Régularisation"
	case crm.NatureEncaissement:
		return "Commission à verser"
	case crm.NatureReprise:
		return "Reprise"
	case crm.NatureAnnulation:
		return "Annulation"
	case crm.NatureVersement:
		return "Versement"
	}
	return string(n)
}

// StatutLibelle is the French label of a line's statut.
func StatutLibelle(s crm.LigneStatut) string {
	switch s {
	case crm.LigneAcquise:
		return "acquise"
	case crm.LigneRegularisation:
		return "régularisation"
	case crm.LigneAVerser:
		return "à verser"
	case crm.LigneVersee:
		return "versée"
	case crm.LigneAnnulee:
		return "annulée"
	case crm.LigneReprise:
		return "reprise"
	case crm.LigneVersement:
		return "versement"
	case crm.LigneNonEligible:
		return "non éligible : indicateur"
	}
	return string(s)
}

var moisFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// Mois is "novembre 2026" for "2026-11".
func Mois(mois string) string {
	t, err := time.Parse("2006-01", mois)
	if err != nil {
		return mois
	}
	return fmt.Sprintf("%s %d", moisFR[t.Month()-1], t.Year())
}

// Numero is the relevé's number as printed: "R-000012".
func Numero(r crm.Releve) string { return fmt.Sprintf("R-%06d", r.Numero) }

// dateFR is jj/mm/aaaa for "2006-01-02".
func dateFR(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("02/01/2006")
}

func affaireOf(l crm.Ligne) string {
	switch {
	case l.ClientNom != "" && l.ProduitNom != "":
		return l.ClientNom + " – " + l.ProduitNom
	case l.ClientNom != "":
		return l.ClientNom
	}
	return l.ProduitNom
}

// Filename is the download name of the relevé in format ext ("pdf", "csv").
func Filename(r crm.Releve, ext string) string {
	return fmt.Sprintf("releve-%s-%s.%s", r.Mois, Numero(r), ext)
}

// PDF renders the relevé; the same relevé gives the same bytes (its issue
// time is the document's date).
func PDF(r crm.Releve) ([]byte, error) {
	title := "Relevé de commissions " + Numero(r) + " – " + Mois(r.Mois)
	d := pdfdoc.New(title, r.EmisLe)
	d.Title(title)
	e := r.Emetteur
	facts := []pdfdoc.Fact{{Label: "Émis par", Value: e.RaisonSociale}}
	if e.Nom != "" {
		facts = append(facts, pdfdoc.Fact{Label: "Mandataire", Value: e.Nom})
	}
	if e.ORIAS != "" {
		facts = append(facts, pdfdoc.Fact{Label: "N° ORIAS", Value: e.ORIAS})
	}
	if e.SIREN != "" {
		facts = append(facts, pdfdoc.Fact{Label: "SIREN", Value: e.SIREN})
	}
	if e.Adresse != "" {
		facts = append(facts, pdfdoc.Fact{Label: "Adresse", Value: e.Adresse})
	}
	facts = append(facts,
		pdfdoc.Fact{Label: "Apporteur", Value: r.ApporteurNom},
		pdfdoc.Fact{Label: "Période", Value: Mois(r.Mois)},
		pdfdoc.Fact{Label: "Émis le", Value: r.EmisLe.In(crm.Paris).Format("02/01/2006")},
	)
	d.Facts(facts...)
	d.Heading("Soldes")
	d.Facts(
		pdfdoc.Fact{Label: "Solde d'ouverture", Value: pdfdoc.Euros(r.SoldeInitialCentimes)},
		pdfdoc.Fact{Label: "Commissions à verser", Value: pdfdoc.Euros(sum(r, crm.NatureEncaissement))},
		pdfdoc.Fact{Label: "Reprises et annulations", Value: pdfdoc.Euros(sum(r, crm.NatureReprise) + sum(r, crm.NatureAnnulation))},
		pdfdoc.Fact{Label: "Versements", Value: pdfdoc.Euros(sum(r, crm.NatureVersement))},
		pdfdoc.Fact{Label: "Solde de clôture", Value: pdfdoc.Euros(r.SoldeFinalCentimes)},
	)
	if r.SoldeFinalCentimes < 0 {
		d.Paragraph("Solde négatif : l'apporteur doit ce montant au mandataire ; il sera déduit des prochaines commissions.")
	}
	d.Heading("Lignes du mois")
	rows := make([][]string, 0, len(r.Lignes))
	for _, l := range r.Lignes {
		taux := ""
		if l.TauxCommissionApporteur > 0 {
			taux = fmt.Sprintf("%d %%", l.TauxCommissionApporteur)
		}
		rows = append(rows, []string{dateFR(l.Date), Libelle(l.Nature), affaireOf(l), taux, StatutLibelle(l.Statut), pdfdoc.Euros(l.MontantCentimes)})
	}
	if len(rows) == 0 {
		d.Paragraph("Aucun mouvement ce mois-ci.")
	} else {
		d.Table([]pdfdoc.Column{{Header: "Date", Width: 2}, {Header: "Nature", Width: 3.2}, {Header: "Affaire", Width: 5},
			{Header: "Taux", Width: 1.2, Right: true}, {Header: "Statut", Width: 2}, {Header: "Montant", Width: 2.4, Right: true}}, rows)
	}
	d.Paragraph("Les commissions acquises et régularisations sont indicatives : seules les commissions à verser, reprises, annulations et versements entrent dans le solde. Un relevé émis n'est jamais modifié ; toute correction figure sur un relevé suivant.")
	return d.Bytes()
}

func sum(r crm.Releve, n crm.Nature) int64 {
	var s int64
	for _, l := range r.Lignes {
		if l.Nature == n {
			s += l.MontantCentimes
		}
	}
	return s
}

// CSV renders the relevé's lines, with its balances as the first and last rows.
func CSV(r crm.Releve) ([]byte, error) {
	var b bytes.Buffer
	w := csvfr.NewWriter(&b)
	day := func(d string) csvfr.Field {
		t, err := time.ParseInLocation(time.DateOnly, d, crm.Paris)
		if err != nil {
			return csvfr.Text(d)
		}
		return csvfr.Date(t)
	}
	if err := w.Header("Relevé", "Date", "Nature", "Affaire", "Année du contrat", "Taux apporteur (%)", "Statut", "Montant (€)"); err != nil {
		return nil, err
	}
	start, _, _ := crm.MonthBounds(r.Mois)
	_ = w.Write(csvfr.Text(Numero(r)), csvfr.Date(start), csvfr.Text("Solde d'ouverture"), csvfr.Empty(), csvfr.Empty(),
		csvfr.Empty(), csvfr.Empty(), csvfr.Amount(r.SoldeInitialCentimes))
	for _, l := range r.Lignes {
		annee, taux := csvfr.Empty(), csvfr.Empty()
		if l.AnneeContrat > 0 {
			annee = csvfr.Int(int64(l.AnneeContrat))
		}
		if l.TauxCommissionApporteur > 0 {
			taux = csvfr.Int(int64(l.TauxCommissionApporteur))
		}
		_ = w.Write(csvfr.Text(Numero(r)), day(l.Date), csvfr.Text(Libelle(l.Nature)), csvfr.Text(affaireOf(l)), annee, taux,
			csvfr.Text(StatutLibelle(l.Statut)), csvfr.Amount(l.MontantCentimes))
	}
	_, end, _ := crm.MonthBounds(r.Mois)
	_ = w.Write(csvfr.Text(Numero(r)), csvfr.Date(end.AddDate(0, 0, -1)), csvfr.Text("Solde de clôture"), csvfr.Empty(), csvfr.Empty(),
		csvfr.Empty(), csvfr.Empty(), csvfr.Amount(r.SoldeFinalCentimes))
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
