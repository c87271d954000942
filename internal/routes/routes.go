// Package routes is MyCRM's deployment on one screen: every function, one
// Lambda per menu action, with what it serves, who may call it, the maker
// that builds it and the clients it needs. From this table `go generate`
// writes each functions/<folder>/main.go, and the tests hold template.yaml
// and the OpenAPI document against it, both ways; the local gateway serves
// the same rows.
//
// A scheduled function is a jobs.Maker with a row in Schedules and a
// ScheduleV2 event in template.yaml.
//
// Adding a route: its handler (a maker in internal/httpapi), one row below,
// its function in template.yaml, its operation in openapi.json, then
// `go generate ./internal/routes`.
package routes

import (
	"net/http"
	"slices"
	"strings"

	"github.com/assentis/mycrm/internal/consumers"
	"github.com/assentis/mycrm/internal/httpapi"
	"github.com/assentis/mycrm/internal/jobs"
	"github.com/assentis/mycrm/internal/uploads"
)

//go:generate go run ./gen -functions ../../functions

// Clients a function needs: its main.go builds exactly these, so it links
// only their code, and template.yaml grants exactly their permissions.
type Clients uint8

const (
	Store         Clients = 1 << iota // the table (DynamoDB)
	MIAPool                           // the MIA pool's administration (Cognito)
	ApporteurPool                     // the apporteur pool's administration (Cognito)
	Phone                             // phone.Normalize, on the store
	Mailer                            // SES; stream readers only
	Files                             // the files bucket (S3): presigning, the upload check
)

// API is the HTTP API: one function per route. The pattern is both the Go
// pattern the handler is mounted on and API Gateway's route key.
var API = []Route{
	{"get-config", "GET /config", httpapi.Public, httpapi.GetConfig, 0},
	{"activate-account", "POST /activation", httpapi.Public, httpapi.ActivateAccount, Store | MIAPool | ApporteurPool},

	// MIA: contacts, entreprises, affaires, the catalogue.
	{"create-contact", "POST /contacts", httpapi.MIA, httpapi.CreateContact, Store | Phone},
	{"list-contacts", "GET /contacts", httpapi.MIA, httpapi.ListContacts, Store},
	{"get-contact", "GET /contacts/{contactId}", httpapi.MIA, httpapi.GetContact, Store},
	{"update-contact", "PATCH /contacts/{contactId}", httpapi.MIA, httpapi.UpdateContact, Store | Phone},
	{"create-entreprise", "POST /entreprises", httpapi.MIA, httpapi.CreateEntreprise, Store | Phone},
	{"list-entreprises", "GET /entreprises", httpapi.MIA, httpapi.ListEntreprises, Store},
	{"get-entreprise", "GET /entreprises/{entrepriseId}", httpapi.MIA, httpapi.GetEntreprise, Store},
	{"update-entreprise", "PATCH /entreprises/{entrepriseId}", httpapi.MIA, httpapi.UpdateEntreprise, Store | Phone},
	{"create-affaire", "POST /affaires", httpapi.MIA, httpapi.CreateAffaire, Store},
	{"list-affaires", "GET /affaires", httpapi.MIA, httpapi.ListAffaires, Store},
	{"get-affaire", "GET /affaires/{affaireId}", httpapi.MIA, httpapi.GetAffaire, Store},
	{"update-affaire", "PATCH /affaires/{affaireId}", httpapi.MIA, httpapi.UpdateAffaire, Store},
	{"list-produits", "GET /produits", httpapi.MIA, httpapi.ListProduits, Store},

	// MIA: CSV imports (the worker that runs them is a schedule).
	{"create-import", "POST /imports", httpapi.MIA, httpapi.CreateImport, Store | Files},
	{"list-imports", "GET /imports", httpapi.MIA, httpapi.ListImports, Store},
	{"get-import", "GET /imports/{importId}", httpapi.MIA, httpapi.GetImport, Store},
	{"confirm-import", "POST /imports/{importId}/confirmation", httpapi.MIA, httpapi.ConfirmImport, Store},
	{"undo-import", "POST /imports/{importId}/annulation", httpapi.MIA, httpapi.UndoImport, Store},
	{"get-import-report", "GET /imports/{importId}/rapport", httpapi.MIA, httpapi.ImportReport, Store},

	// MIA: daily work (tâches, notes, timeline, dashboard).
	{"create-tache", "POST /taches", httpapi.MIA, httpapi.CreateTache, Store},
	{"list-taches", "GET /taches", httpapi.MIA, httpapi.ListTaches, Store},
	{"get-tache", "GET /taches/{tacheId}", httpapi.MIA, httpapi.GetTache, Store},
	{"update-tache", "PATCH /taches/{tacheId}", httpapi.MIA, httpapi.UpdateTache, Store},
	{"create-note", "POST /notes", httpapi.MIA, httpapi.CreateNote, Store},
	{"update-note", "PATCH /notes/{noteId}", httpapi.MIA, httpapi.UpdateNote, Store},
	{"list-activite", "GET /activite/{cibleId}", httpapi.MIA, httpapi.ListActivite, Store},
	{"get-tableau", "GET /tableau-de-bord", httpapi.MIA, httpapi.GetTableau, Store},

	// MIA: apporteurs.
	{"create-apporteur", "POST /apporteurs", httpapi.MIA, httpapi.CreateApporteur, Store | Phone},
	{"list-apporteurs", "GET /apporteurs", httpapi.MIA, httpapi.ListApporteurs, Store},
	{"get-apporteur", "GET /apporteurs/{apporteurId}", httpapi.MIA, httpapi.GetApporteur, Store},
	{"update-apporteur", "PATCH /apporteurs/{apporteurId}", httpapi.MIA, httpapi.UpdateApporteur, Store | Phone | ApporteurPool},
	{"invite-apporteur", "POST /apporteurs/{apporteurId}/invitation", httpapi.MIA, httpapi.InviteApporteur, Store},
	{"create-convention", "POST /apporteurs/{apporteurId}/convention", httpapi.MIA, httpapi.CreateConvention, Store},
	{"list-conventions", "GET /apporteurs/{apporteurId}/convention", httpapi.MIA, httpapi.ListConventions, Store},
	{"get-convention-pdf", "GET /apporteurs/{apporteurId}/convention/pdf", httpapi.MIA, httpapi.GetConventionPDF, Store},

	// MIA: the commission ledger, its relevés and the MIA's own profile.
	{"create-encaissement", "POST /affaires/{affaireId}/encaissements", httpapi.MIA, httpapi.CreateEncaissement, Store},
	{"list-encaissements", "GET /affaires/{affaireId}/encaissements", httpapi.MIA, httpapi.ListEncaissements, Store},
	{"get-affaire-lignes", "GET /affaires/{affaireId}/lignes", httpapi.MIA, httpapi.GetAffaireLignes, Store},
	{"create-versement", "POST /apporteurs/{apporteurId}/versements", httpapi.MIA, httpapi.CreateVersement, Store},
	{"list-versements", "GET /apporteurs/{apporteurId}/versements", httpapi.MIA, httpapi.ListVersements, Store},
	{"get-apporteur-lignes", "GET /apporteurs/{apporteurId}/lignes", httpapi.MIA, httpapi.GetApporteurRegistre, Store},
	{"list-soldes", "GET /soldes", httpapi.MIA, httpapi.ListSoldes, Store},
	{"list-releves", "GET /releves", httpapi.MIA, httpapi.ListReleves, Store},
	{"issue-releve", "POST /releves", httpapi.MIA, httpapi.IssueReleve, Store},
	{"get-releve", "GET /releves/{releveId}", httpapi.MIA, httpapi.GetReleve, Store},
	{"get-profil", "GET /profil", httpapi.MIA, httpapi.GetProfil, Store},
	{"update-profil", "PATCH /profil", httpapi.MIA, httpapi.UpdateProfil, Store},
	// MIA: search, exports, RGPD rights, retention, settings (issue 15).
	{"search", "GET /recherche", httpapi.MIA, httpapi.Search, Store},
	{"export-contacts", "GET /exports/contacts", httpapi.MIA, httpapi.ExportContacts, Store},
	{"export-entreprises", "GET /exports/entreprises", httpapi.MIA, httpapi.ExportEntreprises, Store},
	{"export-affaires", "GET /exports/affaires", httpapi.MIA, httpapi.ExportAffaires, Store},
	{"export-commissions", "GET /exports/commissions", httpapi.MIA, httpapi.ExportCommissions, Store},
	{"get-contact-data", "GET /contacts/{contactId}/donnees-personnelles", httpapi.MIA, httpapi.ContactData, Store},
	{"erase-contact", "POST /contacts/{contactId}/effacement", httpapi.MIA, httpapi.EraseContact, Store},
	{"get-apporteur-data", "GET /apporteurs/{apporteurId}/donnees-personnelles", httpapi.MIA, httpapi.ApporteurData, Store},
	{"erase-apporteur", "POST /apporteurs/{apporteurId}/effacement", httpapi.MIA, httpapi.EraseApporteur, Store | ApporteurPool},
	{"list-rgpd-journal", "GET /rgpd/journal", httpapi.MIA, httpapi.ListAudit, Store},
	{"list-purges", "GET /conservation", httpapi.MIA, httpapi.ListPurges, Store},
	{"decide-purge", "POST /conservation/{contactId}/decision", httpapi.MIA, httpapi.DecidePurge, Store},
	{"get-parametres", "GET /parametres", httpapi.MIA, httpapi.GetParametres, Store},
	{"update-parametres", "PATCH /parametres", httpapi.MIA, httpapi.UpdateParametres, Store},

	// MIA: documents of its apporteurs and affaires (issue 13), its settings.
	{"create-affaire-document", "POST /affaires/{affaireId}/documents", httpapi.MIA, httpapi.CreateAffaireDocument, Store | Files},
	{"list-affaire-documents", "GET /affaires/{affaireId}/documents", httpapi.MIA, httpapi.ListAffaireDocuments, Store},
	{"create-apporteur-document", "POST /apporteurs/{apporteurId}/documents", httpapi.MIA, httpapi.CreateApporteurDocument, Store | Files},
	{"list-apporteur-documents", "GET /apporteurs/{apporteurId}/documents", httpapi.MIA, httpapi.ListApporteurDocuments, Store},
	{"download-document", "GET /documents/{documentId}/telechargement", httpapi.MIA, httpapi.DownloadDocument, Store | Files},
	{"delete-document", "DELETE /documents/{documentId}", httpapi.MIA, httpapi.DeleteDocument, Store | Files},
	{"restore-document", "POST /documents/{documentId}/restauration", httpapi.MIA, httpapi.RestoreDocument, Store | Files},

	// Assentis staff: the catalogue and MIA accounts.
	{"create-produit", "POST /admin/produits", httpapi.Staff, httpapi.CreateProduit, Store},
	{"update-produit", "PATCH /admin/produits/{produitId}", httpapi.Staff, httpapi.UpdateProduit, Store},
	{"create-mia", "POST /admin/mias", httpapi.Staff, httpapi.CreateMIA, Store | Phone},

	// The espace apporteur.
	{"get-espace-profil", "GET /espace-apporteur/profil", httpapi.Apporteur, httpapi.GetEspaceProfil, Store},
	{"create-espace-contact", "POST /espace-apporteur/contacts", httpapi.Apporteur, httpapi.CreateEspaceContact, Store | Phone},
	{"list-espace-contacts", "GET /espace-apporteur/contacts", httpapi.Apporteur, httpapi.ListEspaceContacts, Store},
	{"list-espace-affaires", "GET /espace-apporteur/affaires", httpapi.Apporteur, httpapi.ListEspaceAffaires, Store},
	{"get-espace-commissions", "GET /espace-apporteur/commissions", httpapi.Apporteur, httpapi.GetEspaceCommissions, Store},
	{"create-espace-document", "POST /espace-apporteur/documents", httpapi.Apporteur, httpapi.CreateEspaceDocument, Store | Files},
	{"list-espace-documents", "GET /espace-apporteur/documents", httpapi.Apporteur, httpapi.ListEspaceDocuments, Store},
	{"download-espace-document", "GET /espace-apporteur/documents/{documentId}/telechargement", httpapi.Apporteur, httpapi.DownloadEspaceDocument, Store | Files},
	{"delete-espace-document", "DELETE /espace-apporteur/documents/{documentId}", httpapi.Apporteur, httpapi.DeleteEspaceDocument, Store | Files},
	{"restore-espace-document", "POST /espace-apporteur/documents/{documentId}/restauration", httpapi.Apporteur, httpapi.RestoreEspaceDocument, Store | Files},
	{"get-espace-lignes", "GET /espace-apporteur/lignes", httpapi.Apporteur, httpapi.GetEspaceRegistre, Store},
	{"list-espace-releves", "GET /espace-apporteur/releves", httpapi.Apporteur, httpapi.ListEspaceReleves, Store},
	{"get-espace-releve", "GET /espace-apporteur/releves/{releveId}", httpapi.Apporteur, httpapi.GetEspaceReleve, Store},
	{"list-espace-taches", "GET /espace-apporteur/taches", httpapi.Apporteur, httpapi.ListEspaceTaches, Store},
	{"update-espace-tache", "PATCH /espace-apporteur/taches/{tacheId}", httpapi.Apporteur, httpapi.UpdateEspaceTache, Store},
	{"create-espace-note", "POST /espace-apporteur/notes", httpapi.Apporteur, httpapi.CreateEspaceNote, Store},
	{"list-espace-notes", "GET /espace-apporteur/notes", httpapi.Apporteur, httpapi.ListEspaceNotes, Store},
	{"list-espace-mandataires", "GET /espace-apporteur/mandataires", httpapi.Apporteur, httpapi.ListEspaceMandataires, Store},
	{"accept-espace-mandataire", "POST /espace-apporteur/mandataires/{membreId}/acceptation", httpapi.Apporteur, httpapi.AcceptEspaceMandataire, Store},
	{"get-espace-convention", "GET /espace-apporteur/convention", httpapi.Apporteur, httpapi.GetEspaceConvention, Store},
	{"get-espace-convention-pdf", "GET /espace-apporteur/convention/pdf", httpapi.Apporteur, httpapi.GetEspaceConventionPDF, Store},
	{"accept-espace-convention", "POST /espace-apporteur/convention/acceptation", httpapi.Apporteur, httpapi.AcceptEspaceConvention, Store},
}

// Streams are the readers of the table's DynamoDB stream.
var Streams = []Stream{
	{"stream-projections", consumers.Projections, Store},
	{"stream-mail", consumers.Mail, Store | MIAPool | ApporteurPool | Mailer},
}

// Uploads are the functions S3 invokes for the objects created in the files
// bucket (template.yaml: an S3 event). One checks every upload, whatever its
// kind (internal/uploads dispatches on the key).
var Uploads = []Upload{
	{"check-upload", uploads.Check, Store | Files},
}

// Upload is a function of the files bucket's events.
type Upload struct {
	Folder  string // functions/<Folder>
	Make    func(uploads.Deps) (uploads.Handler, error)
	Clients Clients
}

// Schedules are the functions EventBridge Scheduler runs. Expression and
// Timezone are the ScheduleV2 event's in template.yaml.
var Schedules = []Schedule{
	// The CSV import worker: goes on with every running import or undo.
	{"run-imports", "rate(1 minute)", "Europe/Paris", jobs.RunImports, Store | Phone | Files},
	// The relevés de commissions of the month before, on the 1st at 4:00.
	{"issue-releves", "cron(0 4 1 * ? *)", "Europe/Paris", jobs.Releves, Store},
	// The relances of the day first (6:00, every day: a wake-up falling on a
	// Sunday still makes its tâche), then the digest that lists them.
	{"daily-relances", "cron(0 6 * * ? *)", "Europe/Paris", jobs.Relances, Store},
	{"morning-digest", "cron(0 8 ? * MON-FRI *)", "Europe/Paris", jobs.Digest, Store | Mailer},
	// The prospects' retention (issue 15): the 1st of each month, 06:00 in Paris.
	{"retention", "cron(0 6 1 * ? *)", "Europe/Paris", jobs.Retention, Store},
}

// Route is an HTTP function.
type Route struct {
	Folder  string // functions/<Folder>
	Pattern string // "GET /contacts/{contactId}"
	Access  httpapi.Access
	Make    httpapi.Maker
	Clients Clients
}

// Find returns the HTTP route of a function folder.
func Find(folder string) (Route, bool) {
	i := slices.IndexFunc(API, func(r Route) bool { return r.Folder == folder })
	if i < 0 {
		return Route{}, false
	}
	return API[i], true
}

// Method is the pattern's method ("GET").
func (r Route) Method() string { m, _, _ := strings.Cut(r.Pattern, " "); return m }

// Path is the pattern's path ("/contacts/{contactId}").
func (r Route) Path() string { _, p, _ := strings.Cut(r.Pattern, " "); return p }

// Handler builds the route's handler as its main.go does.
func (r Route) Handler(d httpapi.Deps) (http.Handler, error) {
	return httpapi.Handler(d, r.Pattern, r.Access, r.Make)
}

// Stream is a reader of the table's stream.
type Stream struct {
	Folder  string // functions/<Folder>
	Make    func(consumers.Deps) (consumers.Handler, error)
	Clients Clients
}

// Schedule is a scheduled function.
type Schedule struct {
	Folder     string // functions/<Folder>
	Expression string // "cron(0 8 ? * MON-FRI *)"
	Timezone   string // "Europe/Paris"
	Make       jobs.Maker
	Clients    Clients
}

// Has tells whether c holds every client of x.
func (c Clients) Has(x Clients) bool { return c&x == x }

var clientNames = []string{"store", "MIA pool", "apporteur pool", "phone", "mailer", "files"}

func (c Clients) String() string {
	var names []string
	for i, n := range clientNames {
		if c.Has(1 << i) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "+")
}
