package files

import "github.com/assentis/mycrm/internal/crm"

// Document is a document of an apporteur or an affaire: a PDF, JPEG or PNG
// of at most 10 MB.
var Document = Kind{Name: "document", MaxBytes: 10 << 20, Types: []Type{PDF, JPEG, PNG}}

// Import is a CSV file a MIA imports (contacts or entreprises): 20 MB at most.
var Import = Kind{Name: "import", MaxBytes: 20 << 20, Types: []Type{CSV}}

// ImportKey is where the checked file of import id of MIA m is kept, for
// the worker that runs the import after the MIA confirms its mapping.
func ImportKey(m crm.MIAID, id crm.ImportID) string {
	return "mia/" + string(m) + "/imports/" + string(id)
}
