package crm

import "time"

// ImportID names an import of a CSV file (a ULID).
type ImportID string

// ImportKind is what a file imports: contacts or entreprises.
type ImportKind string

// The kinds of import.
const (
	ImportContacts    ImportKind = "contacts"
	ImportEntreprises ImportKind = "entreprises"
)

// Valid reports whether k is a known kind.
func (k ImportKind) Valid() bool { return k == ImportContacts || k == ImportEntreprises }

// ImportStatut is where an import stands.
type ImportStatut string

// An import waits for its file, then for the MIA to confirm the mapping,
// runs, and ends; it may later be undone (within ImportUndoWindow).
const (
	ImportEnAttenteFichier  ImportStatut = "en_attente_fichier"
	ImportAConfirmer        ImportStatut = "a_confirmer"
	ImportEnCours           ImportStatut = "en_cours"
	ImportTerminee          ImportStatut = "terminee"
	ImportEchec             ImportStatut = "echec"
	ImportAnnulationEnCours ImportStatut = "annulation_en_cours"
	ImportAnnulee           ImportStatut = "annulee"
)

// ImportUndoWindow is how long after its end an import can be undone.
const ImportUndoWindow = 7 * 24 * time.Hour

// ImportOutcome is what became of one line of a file.
type ImportOutcome string

// The outcomes of a line.
const (
	LineCreated   ImportOutcome = "cree"
	LineUpdated   ImportOutcome = "mis_a_jour"
	LineDuplicate ImportOutcome = "doublon_ignore"
	LineRejected  ImportOutcome = "rejete"
)

// ImportCounts are the outcomes of the lines processed so far.
type ImportCounts struct {
	Crees     int `json:"crees"`
	MisAJour  int `json:"misAJour"`
	Doublons  int `json:"doublons"`
	Rejetes   int `json:"rejetes"`
	Restaures int `json:"restaures,omitempty"` // undo: updated lines put back
	Supprimes int `json:"supprimes,omitempty"` // undo: created lines removed
	Conserves int `json:"conserves,omitempty"` // undo: fiches changed or built upon since the import, left alone
}

// Add counts one more line of outcome o.
func (c *ImportCounts) Add(o ImportOutcome) {
	switch o {
	case LineCreated:
		c.Crees++
	case LineUpdated:
		c.MisAJour++
	case LineDuplicate:
		c.Doublons++
	case LineRejected:
		c.Rejetes++
	}
}

// Import is a CSV import of a MIA: the file's detected shape, the mapping
// the MIA confirmed, and its progress (Curseur lines of Total done).
type Import struct {
	ID             ImportID     `json:"id"`
	Type           ImportKind   `json:"type"`
	Statut         ImportStatut `json:"statut"`
	NomFichier     string       `json:"nomFichier,omitempty"`
	Encodage       string       `json:"encodage,omitempty"`
	Separateur     string       `json:"separateur,omitempty"`
	Colonnes       []string     `json:"colonnes,omitempty"`
	Correspondance []string     `json:"correspondance,omitempty"` // target field per column, "" = ignored
	// Apercu is the first lines of the file (cells clipped), for the MIA to
	// check the mapping.
	Apercu           [][]string   `json:"apercu,omitempty"`
	MettreAJour      bool         `json:"mettreAJourDoublons"`
	Total            int          `json:"total"`
	Curseur          int          `json:"traitees"`
	Compteurs        ImportCounts `json:"compteurs"`
	Erreur           string       `json:"erreur,omitempty"`
	AnnulableJusquau *time.Time   `json:"annulableJusquau,omitempty"`
	CreatedAt        time.Time    `json:"createdAt"`
	UpdatedAt        time.Time    `json:"updatedAt"`
	Version          int          `json:"version"`
}

// ImportRow is one data line of a file, decoded with the mapping: what to
// write, or already the outcome when the line is refused before any write
// (invalid, duplicate of an earlier line of the same file).
type ImportRow struct {
	Line int // line number in the file (the header is line 1)
	// Outcome and Reason are set when the line is decided without the base.
	Outcome ImportOutcome
	Reason  string
	// Label names the line in the report (the contact's or entreprise's name).
	Label      string
	Contact    *Contact
	Entreprise *Entreprise
	// DirigeantEmail or DirigeantTelephone (normalised) name the dirigeant
	// of an imported entreprise among the MIA's contacts.
	DirigeantEmail     string
	DirigeantTelephone string
	// Fields are the mapped fields the line gave (non-empty), which an
	// update of a duplicate overwrites.
	Fields map[string]bool
}

// ImportLine is the recorded outcome of one line, for the report and the undo.
type ImportLine struct {
	Line     int           `json:"ligne"`
	Outcome  ImportOutcome `json:"resultat"`
	Reason   string        `json:"motif,omitempty"`
	Label    string        `json:"libelle,omitempty"`
	EntityID string        `json:"id,omitempty"`
	Undone   bool          `json:"annulee,omitempty"`
	// Kept is a line whose fiche the undo left in place, UndoReason why.
	Kept       bool   `json:"conservee,omitempty"`
	UndoReason string `json:"motifAnnulation,omitempty"`
}

// ImportRef names an import of some MIA (the worker's to-do list).
type ImportRef struct {
	MIA MIAID
	ID  ImportID
}
