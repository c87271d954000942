package crm

// ContactFilter selects a list of contacts.
type ContactFilter struct {
	Statut      ContactStatut
	ApporteurID ApporteurID
	// Q matches, accent- and case-insensitively, nom, prénom, email and téléphone.
	Q string
	ListOptions
}

// EntrepriseFilter selects a list of entreprises.
type EntrepriseFilter struct {
	ApporteurID ApporteurID
	// Q matches raison sociale, SIREN, email and téléphone.
	Q string
	ListOptions
}

// AffaireFilter selects a list of affaires.
type AffaireFilter struct {
	// Statut defaults to en_cours, the menu's "En cours", unless ApporteurID
	// is set: then every statut.
	Statut AffaireStatut
	// ApporteurID lists the affaires of one apporteur (of the MIA).
	ApporteurID ApporteurID
	ListOptions
}
