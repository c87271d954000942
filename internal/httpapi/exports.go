package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"strings"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/csvfr"
)

// Exports (issue 15): the lists as CSV for French Excel (internal/csvfr),
// with the list's filters. A Lambda answers at most 6 MB, so an export is
// a series of chunks: each request is one Query of at most crm.ExportLimit
// items (≤ 1 MB read, a CSV of a few hundred KB), and answers the next
// chunk's cursor in X-Curseur-Suivant; the web client asks until there is
// none and saves the concatenation (the first chunk alone carries the BOM
// and the header row). No file is stored, so none outlives the download.

// exportHeader carries the cursor of the next chunk.
const exportHeader = "X-Curseur-Suivant"

// exportChunk is one chunk: its rows, the next cursor.
type exportChunk struct {
	rows [][]csvfr.Field
	next string
}

// exportOptions reads ?cursor= (limit is the server's).
func exportOptions(r *http.Request) crm.ListOptions {
	return crm.ListOptions{Cursor: r.URL.Query().Get("cursor"), Limit: crm.ExportLimit, Max: crm.ExportLimit}
}

// writeExport answers a chunk as CSV: BOM and header only on the first.
func writeExport(w http.ResponseWriter, r *http.Request, name string, header []string, c exportChunk) error {
	var buf bytes.Buffer
	cw := csvfr.NewWriter(&buf)
	first := r.URL.Query().Get("cursor") == ""
	if first {
		if err := cw.Header(header...); err != nil {
			return err
		}
	}
	for _, row := range c.rows {
		if err := cw.Write(row...); err != nil {
			return err
		}
	}
	if err := cw.Flush(); err != nil {
		return err
	}
	body := buf.Bytes()
	if !first {
		body = bytes.TrimPrefix(body, []byte(csvfr.BOM))
	}
	if c.next != "" {
		w.Header().Set(exportHeader, c.next)
	}
	writeAttachment(w, csvType, name+".csv", body)
	return nil
}

type apporteurNamer interface {
	ApporteurNames(ctx context.Context, m crm.MIAID) (map[crm.ApporteurID]string, error)
}

// withNames runs a chunk's Query and the apporteurs' names concurrently:
// one round trip of latency.
func withNames[T any](ctx context.Context, s apporteurNamer, m crm.MIAID, page func() (crm.Page[T], error)) (crm.Page[T], map[crm.ApporteurID]string, error) {
	var (
		p     crm.Page[T]
		names map[crm.ApporteurID]string
	)
	err := alongside(func() (err error) {
		p, err = page()
		return err
	}, func() (err error) {
		names, err = s.ApporteurNames(ctx, m)
		return err
	})
	return p, names, err
}

func statutLabel(s string) string { return strings.ReplaceAll(s, "_", " ") }

type contactExporter interface {
	contactLister
	apporteurNamer
}

// ExportContacts serves GET /exports/contacts?statut=&apporteurId=&q=&cursor=.
func ExportContacts(d Deps) (Func, error) {
	return needs(d, handleExportContacts(d.Store), store)
}

func handleExportContacts(s contactExporter) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		q := r.URL.Query()
		page, names, err := withNames(r.Context(), s, p.MIA, func() (crm.Page[crm.Contact], error) {
			return s.ListContacts(r.Context(), p.MIA, crm.ContactFilter{Statut: crm.ContactStatut(q.Get("statut")),
				ApporteurID: crm.ApporteurID(q.Get("apporteurId")), Q: q.Get("q"), ListOptions: exportOptions(r)})
		})
		if err != nil {
			return err
		}
		c := exportChunk{next: page.NextCursor}
		for _, x := range page.Items {
			c.rows = append(c.rows, []csvfr.Field{csvfr.Text(x.Nom), csvfr.Text(x.Prenom), csvfr.Text(crm.NationalPhoneOr(x.Telephone)),
				csvfr.Text(x.Email), csvfr.Text(x.Adresse), csvfr.Text(x.DateNaissanceFR()), csvfr.Text(x.Profession),
				csvfr.Text(string(x.Statut)), csvfr.Text(names[x.ApporteurID]), csvfr.Text(x.Remarques), csvfr.Date(x.CreatedAt)})
		}
		return writeExport(w, r, "contacts", []string{"Nom", "Prénom", "Téléphone", "Email", "Adresse", "Date de naissance",
			"Profession", "Statut", "Apporteur", "Remarques", "Créé le"}, c)
	}
}

type entrepriseExporter interface {
	entrepriseLister
	apporteurNamer
}

// ExportEntreprises serves GET /exports/entreprises?apporteurId=&q=&cursor=.
func ExportEntreprises(d Deps) (Func, error) {
	return needs(d, handleExportEntreprises(d.Store), store)
}

func handleExportEntreprises(s entrepriseExporter) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		q := r.URL.Query()
		page, names, err := withNames(r.Context(), s, p.MIA, func() (crm.Page[crm.Entreprise], error) {
			return s.ListEntreprises(r.Context(), p.MIA, crm.EntrepriseFilter{ApporteurID: crm.ApporteurID(q.Get("apporteurId")),
				Q: q.Get("q"), ListOptions: exportOptions(r)})
		})
		if err != nil {
			return err
		}
		c := exportChunk{next: page.NextCursor}
		for _, x := range page.Items {
			c.rows = append(c.rows, []csvfr.Field{csvfr.Text(x.RaisonSociale), csvfr.Text(x.Siren), csvfr.Text(x.Adresse),
				csvfr.Text(crm.NationalPhoneOr(x.Telephone)), csvfr.Text(x.Email), csvfr.Text(names[x.ApporteurID]),
				csvfr.Text(x.Remarques), csvfr.Date(x.CreatedAt)})
		}
		return writeExport(w, r, "entreprises", []string{"Raison sociale", "SIREN", "Adresse", "Téléphone", "Email",
			"Apporteur", "Remarques", "Créée le"}, c)
	}
}

type affaireExporter interface {
	affaireLister
	apporteurNamer
}

var affaireColumns = []string{"Client", "Produit", "Statut", "Prime annuelle (€)", "Taux MIA (%)", "Commission MIA (€)",
	"Apporteur", "Taux apporteur (%)", "Commission apporteur (€)", "Créée le", "Mise à jour le"}

func affaireRow(a crm.Affaire, names map[crm.ApporteurID]string) []csvfr.Field {
	taux := csvfr.Empty()
	if a.TauxCommissionApporteur != nil {
		taux = csvfr.Int(int64(*a.TauxCommissionApporteur))
	}
	return []csvfr.Field{csvfr.Text(a.ClientNom), csvfr.Text(a.ProduitNom), csvfr.Text(statutLabel(string(a.Statut))),
		csvfr.Amount(a.PrimeAnnuelleCentimes), csvfr.Int(int64(a.TauxCommissionMIA)), csvfr.Amount(a.CommissionMIACentimes()),
		csvfr.Text(names[a.ApporteurID]), taux, csvfr.Amount(a.CommissionApporteurCentimes()),
		csvfr.Date(a.CreatedAt), csvfr.Date(a.UpdatedAt)}
}

// ExportAffaires serves GET /exports/affaires?statut=&apporteurId=&cursor=.
func ExportAffaires(d Deps) (Func, error) {
	return needs(d, handleExportAffaires(d.Store), store)
}

func handleExportAffaires(s affaireExporter) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		q := r.URL.Query()
		page, names, err := withNames(r.Context(), s, p.MIA, func() (crm.Page[crm.Affaire], error) {
			return s.ListAffaires(r.Context(), p.MIA, crm.AffaireFilter{Statut: crm.AffaireStatut(q.Get("statut")),
				ApporteurID: crm.ApporteurID(q.Get("apporteurId")), ListOptions: exportOptions(r)})
		})
		if err != nil {
			return err
		}
		c := exportChunk{next: page.NextCursor}
		for _, a := range page.Items {
			c.rows = append(c.rows, affaireRow(a, names))
		}
		return writeExport(w, r, "affaires", affaireColumns, c)
	}
}

type commissionExporter interface {
	CommissionsPage(ctx context.Context, m crm.MIAID, p crm.ApporteurID, o crm.ListOptions) (crm.Page[crm.Affaire], error)
	apporteurNamer
}

// ExportCommissions serves GET /exports/commissions?apporteurId=&cursor=:
// per affaire that has an apporteur, every statut, the apporteur's rate and
// commission (today's figures; a ledger's balances when it lands).
func ExportCommissions(d Deps) (Func, error) {
	return needs(d, handleExportCommissions(d.Store), store)
}

func handleExportCommissions(s commissionExporter) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		app := crm.ApporteurID(r.URL.Query().Get("apporteurId"))
		page, names, err := withNames(r.Context(), s, p.MIA, func() (crm.Page[crm.Affaire], error) {
			return s.CommissionsPage(r.Context(), p.MIA, app, exportOptions(r))
		})
		if err != nil {
			return err
		}
		c := exportChunk{next: page.NextCursor}
		for _, a := range page.Items {
			taux := csvfr.Empty()
			if a.TauxCommissionApporteur != nil {
				taux = csvfr.Int(int64(*a.TauxCommissionApporteur))
			}
			c.rows = append(c.rows, []csvfr.Field{csvfr.Text(names[a.ApporteurID]), csvfr.Text(a.ClientNom), csvfr.Text(a.ProduitNom),
				csvfr.Text(statutLabel(string(a.Statut))), csvfr.Amount(a.PrimeAnnuelleCentimes), csvfr.Amount(a.CommissionMIACentimes()),
				taux, csvfr.Amount(a.CommissionApporteurCentimes()), csvfr.Date(a.UpdatedAt)})
		}
		return writeExport(w, r, "commissions-apporteurs", []string{"Apporteur", "Client", "Produit", "Statut",
			"Prime annuelle (€)", "Commission MIA (€)", "Taux apporteur (%)", "Commission apporteur (€)", "Mise à jour le"}, c)
	}
}
