package devstack

import (
	"context"
	"fmt"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// The daily-work demo (make dev): a MIA whose progression is complete, so
// its home page is the dashboard, with a year of affaires signed month
// after month, apporteurs who brought contacts, tâches for today, overdue
// and to come, and notes. Its own account, so the demo MIA keeps the empty
// start the onboarding walk expects.
const (
	DemoAgendaEmail    = "demo.agenda@assentis.test"
	DemoAgendaPassword = "Demo-Agenda-2026!"
)

// SeedDailyDemo creates the daily-work demo once (nothing when its MIA
// already has contacts). The stream consumers then build its dashboard,
// timelines and relances, as for any write.
func (s *Stack) SeedDailyDemo(ctx context.Context) error {
	m, err := s.CreateMIAProfile(ctx, crm.MIA{Email: DemoAgendaEmail, Nom: "Lambert", Prenom: "Sophie", Cabinet: "Cabinet Lambert"}, DemoAgendaPassword, false)
	if err != nil {
		return fmt.Errorf("demo agenda MIA: %w", err)
	}
	st := s.store()
	if p, err := st.ListContacts(ctx, m, crm.ContactFilter{ListOptions: crm.ListOptions{Limit: 1}}); err != nil || len(p.Items) > 0 {
		return err
	}
	now := time.Now()
	var apps []crm.ApporteurID
	for _, a := range []crm.NewApporteur{
		{Nom: "Roux", Prenom: "Karim", Email: "karim.roux@agence-roux.test", Localisation: "Lyon (69)", Remarques: "Agent immobilier."},
		{Nom: "Petit", Prenom: "Léa", Email: "lea.petit@courtage-petit.test", Localisation: "Villeurbanne (69)", Remarques: "Expert-comptable."},
	} {
		ap, _, err := st.CreateApporteur(ctx, m, a, nil)
		if err != nil {
			return fmt.Errorf("demo apporteur: %w", err)
		}
		apps = append(apps, ap.ID)
	}
	noms := [][2]string{{"Bernard", "Alice"}, {"Dubois", "Marc"}, {"Thomas", "Julie"}, {"Robert", "Paul"}, {"Richard", "Inès"},
		{"Durand", "Hugo"}, {"Leroy", "Emma"}, {"Moreau", "Louis"}, {"Simon", "Chloé"}, {"Laurent", "Nathan"}}
	var contacts []crm.Contact
	for i, n := range noms {
		c := crm.Contact{Nom: n[0], Prenom: n[1], Email: fmt.Sprintf("%s.%s@exemple.test", n[1], n[0]), Statut: crm.ContactProspect}
		if i%3 != 2 {
			c.ApporteurID = apps[i%2]
		}
		// Created over the last months, so their relances are done or due.
		st.Now = func() time.Time { return now.AddDate(0, 0, -3*(len(noms)-i)) }
		ct, _, err := st.CreateContact(ctx, m, c, nil)
		if err != nil {
			return fmt.Errorf("demo contact: %w", err)
		}
		contacts = append(contacts, ct)
	}
	produits := []crm.ProduitID{"auto", "mrh", "sante-individuelle"}
	taux := 20
	for i := range 18 {
		opened := now.AddDate(0, -(i % 12), -(i % 5))
		st.Now = func() time.Time { return opened }
		a, _, err := st.CreateAffaire(ctx, m, crm.NewAffaire{ClientID: string(contacts[i%len(contacts)].ID), ProduitID: produits[i%3],
			PrimeAnnuelleCentimes: int64(40000 + 23000*(i%7))}, nil)
		if err != nil {
			return fmt.Errorf("demo affaire: %w", err)
		}
		var p crm.AffairePatch
		switch {
		case i%4 == 3:
			s := crm.AffairePerdue
			p.Statut = &s
		case i%4 != 0:
			s := crm.AffaireSignee
			p.Statut = &s
			if a.ApporteurID != "" {
				p.TauxCommissionApporteur = &taux
			}
		default:
			continue // stays en cours
		}
		st.Now = func() time.Time { return opened.AddDate(0, 0, 4) }
		if _, err := st.UpdateAffaire(ctx, m, a.ID, p, nil); err != nil {
			return fmt.Errorf("demo affaire update: %w", err)
		}
	}
	st.Now = time.Now
	day := func(d int) string { return crm.Day(now.AddDate(0, 0, d)) }
	for _, t := range []crm.NewTache{
		{Titre: "Appeler Alice Bernard pour son devis auto", Echeance: day(0), Heure: "09:30", CibleType: crm.CibleContact, CibleID: string(contacts[0].ID)},
		{Titre: "Envoyer les conditions générales MRH", Echeance: day(0), CibleType: crm.CibleContact, CibleID: string(contacts[1].ID)},
		{Titre: "Récupérer le RIB du client", Echeance: day(0), Heure: "14:00", CibleType: crm.CibleContact, CibleID: string(contacts[3].ID), ApporteurID: apps[0]},
		{Titre: "Relancer Julie Thomas (pièces manquantes)", Echeance: day(-2), CibleType: crm.CibleContact, CibleID: string(contacts[2].ID)},
		{Titre: "Préparer le rendez-vous annuel", Echeance: day(3), Heure: "11:00"},
		{Titre: "Point trimestriel avec Léa Petit", Echeance: day(8)},
	} {
		if _, _, err := st.CreateTache(ctx, m, t, nil); err != nil {
			return fmt.Errorf("demo tâche: %w", err)
		}
	}
	for _, n := range []crm.NewNote{
		{CibleType: crm.CibleContact, CibleID: string(contacts[0].ID), Texte: "Premier rendez-vous très positif.\nCompare avec son assureur actuel : rappeler jeudi."},
		{CibleType: crm.CibleContact, CibleID: string(contacts[0].ID), Texte: "Karim confirme l'intérêt pour une MRH aussi.", Partagee: true},
	} {
		if _, _, err := st.CreateNote(ctx, m, "", n, nil); err != nil {
			return fmt.Errorf("demo note: %w", err)
		}
	}
	return nil
}
