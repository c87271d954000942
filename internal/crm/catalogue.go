package crm

// Catalogue returns the produits an Assentis MIA distributes, as seeded on a
// new deployment. Ids are stable codes; rates are typical first-year
// commissions in percent of the annual premium (lower on savings products,
// where the premium is mostly invested).
func Catalogue() []Produit {
	p := func(id string, cat Categorie, nom, assureur string, taux int, desc string) Produit {
		return Produit{ID: ProduitID(id), Nom: nom, Categorie: cat, Assureur: assureur,
			TauxCommissionMIA: taux, Description: desc, Actif: true, Version: 1}
	}
	return []Produit{
		p("sante-individuelle", CategorieSante, "Santé individuelle", "Assentis Santé", 15,
			"Complémentaire santé des particuliers, formules modulables de l'essentiel au haut de gamme."),
		p("sante-senior", CategorieSante, "Santé seniors", "Assentis Santé", 15,
			"Complémentaire santé adaptée aux retraités : optique, dentaire, audiologie, hospitalisation."),
		p("mutuelle-tns-madelin", CategorieSante, "Mutuelle TNS (loi Madelin)", "Assentis Santé", 15,
			"Complémentaire santé des travailleurs non salariés, cotisations déductibles au titre de la loi Madelin."),
		p("sante-collective", CategorieSante, "Santé collective entreprise", "Assentis Santé", 8,
			"Mutuelle obligatoire des salariés (ANI), de la TPE à la PME."),
		p("prevoyance-tns", CategoriePrevoyance, "Prévoyance TNS", "Assentis Prévoyance", 20,
			"Indemnités journalières, invalidité et capital décès pour indépendants et professions libérales."),
		p("prevoyance-individuelle", CategoriePrevoyance, "Prévoyance individuelle", "Assentis Prévoyance", 20,
			"Capital ou rente en cas de décès ou d'invalidité, pour protéger la famille."),
		p("emprunteur", CategorieEmprunteur, "Assurance emprunteur", "Assentis Prévoyance", 25,
			"Garantie décès, PTIA, ITT du prêt immobilier, en délégation d'assurance (loi Lemoine)."),
		p("mrh", CategorieHabitation, "Multirisque habitation", "Assentis IARD", 15,
			"Résidence principale ou secondaire, locataire ou propriétaire occupant."),
		p("pno", CategorieHabitation, "Propriétaire non occupant (PNO)", "Assentis IARD", 15,
			"Assurance du bailleur pour les logements mis en location."),
		p("auto", CategorieAuto, "Assurance auto", "Assentis IARD", 10,
			"Du tiers au tous risques, assistance 0 km et véhicule de remplacement."),
		p("moto", CategorieAuto, "Assurance moto et scooter", "Assentis IARD", 10,
			"Deux-roues de 50 cm³ à grosse cylindrée, équipement du pilote inclus."),
		p("rc-pro", CategorieRCPro, "Responsabilité civile professionnelle", "Assentis Pro", 15,
			"RC professionnelle des artisans, commerçants et professions libérales."),
		p("decennale", CategorieRCPro, "Responsabilité civile décennale", "Assentis Pro", 12,
			"Garantie décennale obligatoire des entreprises du bâtiment."),
		p("multirisque-pro", CategorieMultirisquePro, "Multirisque professionnelle", "Assentis Pro", 15,
			"Locaux, matériel, marchandises et perte d'exploitation des commerces et TPE."),
		p("flotte-auto", CategorieMultirisquePro, "Flotte automobile", "Assentis Pro", 8,
			"Véhicules de l'entreprise assurés sous un seul contrat."),
		p("assurance-vie", CategorieEpargneRetraite, "Assurance-vie multisupport", "Assentis Vie", 2,
			"Épargne en fonds euros et unités de compte, transmission hors succession."),
		p("per-individuel", CategorieEpargneRetraite, "PER individuel", "Assentis Vie", 3,
			"Plan d'épargne retraite, versements déductibles du revenu imposable."),
		p("obseques", CategorieObseques, "Assurance obsèques", "Assentis Prévoyance", 20,
			"Capital versé aux proches pour financer les obsèques, avec assistance."),
		p("gav", CategorieAccidents, "Garantie des accidents de la vie (GAV)", "Assentis Prévoyance", 20,
			"Indemnisation des accidents de la vie privée : domestiques, loisirs, médicaux."),
	}
}
