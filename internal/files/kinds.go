package files

// Document is a document of an apporteur or an affaire: a PDF, JPEG or PNG
// of at most 10 MB.
var Document = Kind{Name: "document", MaxBytes: 10 << 20, Types: []Type{PDF, JPEG, PNG}}
