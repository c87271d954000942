package e2e

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/getkin/kin-openapi/openapi3filter"
)

func init() {
	// A relevé downloads as a PDF: the contract check reads it as a file.
	openapi3filter.RegisterBodyDecoder("application/pdf", openapi3filter.FileBodyDecoder)
	// The product's CSV is French Excel's (";" separated, csvfr): kin-openapi's
	// own text/csv decoder reads "," only; the schema is a string.
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.FileBodyDecoder)
}

// travel sets the stack's clock (every handler and stream consumer of the
// in-process stack writes its dates with it) to at, moving on from there in
// real time; the test's end sets it back. The ledger's months are those of
// the dates written, so a test of relevés needs months that are over.
func travel(t *testing.T, at time.Time) {
	t.Helper()
	stack.Clock.Set(at) // what POST /_local/clock does
	t.Cleanup(stack.Clock.Reset)
}

type registreJSON struct {
	Solde      crm.Solde
	Items      []crm.Ligne
	NextCursor string
}

func registre(t *testing.T, path, token string) registreJSON {
	t.Helper()
	r := call(t, "GET", path, token, nil)
	wantStatus(t, r, http.StatusOK)
	var reg registreJSON
	r.JSON(t, &reg)
	return reg
}

func byNature(ls []crm.Ligne, n crm.Nature) []crm.Ligne {
	var out []crm.Ligne
	for _, l := range ls {
		if l.Nature == n {
			out = append(out, l)
		}
	}
	return out
}

// The commission ledger end to end (issue 11): signature → acquise,
// encaissement → à verser at the frozen rate, rate edit → régularisation,
// versement → versée, relevé issued on demand (numbered, emailed, PDF and
// CSV), résiliation inside the window → reprise, the next relevé by the
// monthly schedule, and what the apporteur may see.
func TestLedger(t *testing.T) {
	mia := newTenant(t, false)
	app, appTok := newActiveApporteur(t, mia.token, "ledger-app")
	_, otherTok := newActiveApporteur(t, mia.token, "ledger-other")
	formalise(t, mia.token, app.ID, appTok) // no versement otherwise (issue 12)
	paris := crm.Paris

	// The MIA's identity, printed on its relevés.
	r := call(t, "PATCH", "/profil", mia.token, map[string]any{"orias": "1234567"})
	wantProblem(t, r, http.StatusBadRequest, "orias")
	r = call(t, "PATCH", "/profil", mia.token, map[string]any{"raisonSociale": "Cabinet Ledger SARL", "orias": "12 345 678",
		"siren": "732 829 320", "adresse": "3 place Bellecour, 69002 Lyon", "reprise": map[string]any{"delaiMois": 12, "mode": "prorata"}})
	wantStatus(t, r, http.StatusOK)
	var prof crm.MIA
	r.JSON(t, &prof)
	if prof.ORIAS != "12345678" || prof.SIREN != "732829320" || prof.Reprise.Mode != crm.RepriseProrata {
		t.Errorf("PATCH /profil = %+v", prof)
	}

	c := createContact(t, mia.token, map[string]any{"nom": "Durand", "email": uniqEmail("ledger-client"), "apporteurId": app.ID})
	r = call(t, "POST", "/affaires", mia.token, map[string]any{"clientId": c.ID, "produitId": "auto",
		"primeAnnuelleCentimes": 120000, "tauxCommissionMIA": 15, "tauxCommissionApporteur": 20})
	wantStatus(t, r, http.StatusCreated)
	var af crm.Affaire
	r.JSON(t, &af)
	id := string(af.ID)

	// An affaire en cours takes no encaissement.
	r = call(t, "POST", "/affaires/"+id+"/encaissements", mia.token, map[string]any{"date": "2026-11-01", "montantCentimes": 1000, "anneeContrat": 1})
	wantProblem(t, r, http.StatusConflict, "")

	// January 2027: signed. Commission MIA 180,00 €, apporteur 20 % = 36,00 €, frozen.
	travel(t, time.Date(2027, 1, 10, 10, 0, 0, 0, paris))
	wantStatus(t, call(t, "PATCH", "/affaires/"+id, mia.token, map[string]any{"statut": "signee"}), http.StatusOK)
	waitStreams(t)
	lines := list[crm.Ligne](t, mia.token, "/affaires/"+id+"/lignes")
	if acq := byNature(lines.Items, crm.NatureAcquise); len(acq) != 1 || acq[0].MontantCentimes != 3600 || acq[0].Date != "2027-01-10" {
		t.Fatalf("acquise lines %+v, want one of 3600 on 2027-01-10", lines.Items)
	}

	// The insurer pays 150,01 €: 20 % is 30,002 → 30,00 € à verser.
	travel(t, time.Date(2027, 1, 12, 10, 0, 0, 0, paris))
	enc := map[string]any{"date": "2027-01-12", "montantCentimes": 15001, "anneeContrat": 1, "remarques": "Virement assureur"}
	r = call(t, "POST", "/affaires/"+id+"/encaissements", mia.token, enc, "Idempotency-Key", "enc-"+id)
	wantStatus(t, r, http.StatusCreated)
	var e crm.Encaissement
	r.JSON(t, &e)
	if e.LigneID == "" {
		t.Fatalf("encaissement %+v: no apporteur line", e)
	}
	again := call(t, "POST", "/affaires/"+id+"/encaissements", mia.token, enc, "Idempotency-Key", "enc-"+id)
	if again.Status != http.StatusCreated || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replayed encaissement: %d %s", again.Status, again.Body)
	}
	wantProblem(t, call(t, "POST", "/affaires/"+id+"/encaissements", mia.token,
		map[string]any{"date": "2027-02-01", "montantCentimes": 10, "anneeContrat": 1}), http.StatusBadRequest, "date")
	if got := list[crm.Encaissement](t, mia.token, "/affaires/"+id+"/encaissements"); len(got.Items) != 1 {
		t.Errorf("encaissements: %+v, want 1 (the replay created none)", got.Items)
	}

	reg := registre(t, "/apporteurs/"+app.ID+"/lignes", mia.token)
	if reg.Solde.AVerserCentimes != 3000 || reg.Solde.SoldeCentimes != 3000 || reg.Solde.AcquisCentimes != 3600 {
		t.Errorf("balances after the encaissement: %+v", reg.Solde)
	}
	// The apporteur sees its line à verser, never what the MIA received.
	raw := call(t, "GET", "/espace-apporteur/lignes", appTok, nil)
	wantStatus(t, raw, http.StatusOK)
	if bytes.Contains(raw.Body, []byte("encaisseCentimes")) || bytes.Contains(raw.Body, []byte("primeAnnuelleCentimes")) {
		t.Errorf("the espace shows the MIA's figures: %s", raw.Body)
	}
	mine := registre(t, "/espace-apporteur/lignes", appTok)
	if l := byNature(mine.Items, crm.NatureEncaissement); len(l) != 1 || l[0].Statut != crm.LigneAVerser || l[0].MontantCentimes != 3000 {
		t.Errorf("espace lines %+v, want one à verser of 3000", mine.Items)
	}
	if other := registre(t, "/espace-apporteur/lignes", otherTok); len(other.Items) != 0 || other.Solde.SoldeCentimes != 0 {
		t.Errorf("another apporteur sees %+v", other)
	}

	// A rate edit after signature: a régularisation, the acquise line unchanged.
	wantStatus(t, call(t, "PATCH", "/affaires/"+id, mia.token, map[string]any{"tauxCommissionApporteur": 25}), http.StatusOK)
	waitStreams(t)
	lines = list[crm.Ligne](t, mia.token, "/affaires/"+id+"/lignes")
	if reg := byNature(lines.Items, crm.NatureRegularisation); len(reg) != 1 || reg[0].MontantCentimes != 900 {
		t.Errorf("régularisation lines %+v, want one of +900", lines.Items)
	}

	// A versement of 30,00 € settles the line: versée.
	travel(t, time.Date(2027, 1, 20, 9, 0, 0, 0, paris))
	r = call(t, "POST", "/apporteurs/"+app.ID+"/versements", mia.token, map[string]any{"date": "2027-01-20", "montantCentimes": 3000,
		"mode": "virement", "reference": "VIR-2027-001"})
	wantStatus(t, r, http.StatusCreated)
	var v crm.Versement
	r.JSON(t, &v)
	if len(v.Lignes) != 1 || v.Lignes[0] != e.LigneID {
		t.Errorf("versement settled %v, want [%s]", v.Lignes, e.LigneID)
	}
	wantProblem(t, call(t, "POST", "/apporteurs/"+app.ID+"/versements", mia.token, map[string]any{"date": "2027-01-20",
		"montantCentimes": 100, "mode": "especes"}), http.StatusBadRequest, "mode")
	reg = registre(t, "/apporteurs/"+app.ID+"/lignes", mia.token)
	if reg.Solde.SoldeCentimes != 0 || reg.Solde.VerseCentimes != 3000 || reg.Solde.AVerserCentimes != 0 {
		t.Errorf("balances after the versement: %+v", reg.Solde)
	}
	soldes := list[crm.Solde](t, mia.token, "/soldes")
	if len(soldes.Items) != 1 || string(soldes.Items[0].ApporteurID) != app.ID {
		t.Errorf("GET /soldes = %+v", soldes.Items)
	}

	// February: January's relevé, on demand, number 1, emailed.
	travel(t, time.Date(2027, 2, 2, 9, 0, 0, 0, paris))
	wantProblem(t, call(t, "POST", "/releves", mia.token, map[string]any{"apporteurId": app.ID, "mois": "2027-02"}), http.StatusBadRequest, "mois")
	r = call(t, "POST", "/releves", mia.token, map[string]any{"apporteurId": app.ID, "mois": "2027-01"})
	wantStatus(t, r, http.StatusCreated)
	var rel crm.Releve
	r.JSON(t, &rel)
	if rel.Numero != 1 || rel.SoldeInitialCentimes != 0 || rel.SoldeFinalCentimes != 0 || rel.NbLignes != 4 {
		t.Errorf("January's relevé %+v, want number 1, 0 → 0, 4 lines", rel)
	}
	wantProblem(t, call(t, "POST", "/releves", mia.token, map[string]any{"apporteurId": app.ID, "mois": "2027-01"}), http.StatusConflict, "")
	waitStreams(t)
	var mailed bool
	for _, m := range emailsTo(t, app.Email) {
		mailed = mailed || strings.Contains(m.Subject, "janvier 2027") && strings.Contains(m.Text, "/espace/releves")
	}
	if !mailed {
		t.Errorf("no relevé email with a link to /espace/releves for %s", app.Email)
	}
	mineRel := list[crm.Releve](t, appTok, "/espace-apporteur/releves")
	if len(mineRel.Items) != 1 || mineRel.Items[0].ID != rel.ID {
		t.Fatalf("espace relevés %+v", mineRel.Items)
	}
	pdf := call(t, "GET", "/espace-apporteur/releves/"+rel.ID+"?format=pdf", appTok, nil)
	if pdf.Status != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf.Body, []byte("%PDF-")) {
		t.Errorf("PDF: %d %s %.20q", pdf.Status, pdf.Header.Get("Content-Type"), pdf.Body)
	}
	pdfAgain := call(t, "GET", "/releves/"+rel.ID+"?format=pdf", mia.token, nil)
	if !bytes.Equal(pdf.Body, pdfAgain.Body) {
		t.Errorf("the same relevé gave two different PDFs")
	}
	csv := call(t, "GET", "/espace-apporteur/releves/"+rel.ID+"?format=csv", appTok, nil)
	if !bytes.HasPrefix(csv.Body, []byte("\uFEFF")) || !bytes.Contains(csv.Body, []byte(";30,00")) || !bytes.Contains(csv.Body, []byte(";-30,00")) {
		t.Errorf("CSV:\n%s", csv.Body)
	}
	full := call(t, "GET", "/espace-apporteur/releves/"+rel.ID, appTok, nil)
	wantStatus(t, full, http.StatusOK)
	if bytes.Contains(full.Body, []byte("encaisseCentimes")) || !bytes.Contains(full.Body, []byte("Cabinet Ledger SARL")) {
		t.Errorf("the apporteur's relevé: %s", full.Body)
	}
	wantStatus(t, call(t, "GET", "/espace-apporteur/releves/"+rel.ID, otherTok, nil), http.StatusNotFound)
	wantProblem(t, call(t, "GET", "/releves/"+rel.ID+"?format=docx", mia.token, nil), http.StatusBadRequest, "format")

	// March: résiliée two months after signature, inside the 12-month window,
	// prorata temporis: reprise of 30,00 € × 315/365 = 25,89 €; the balance is negative.
	travel(t, time.Date(2027, 3, 1, 9, 0, 0, 0, paris))
	wantStatus(t, call(t, "PATCH", "/affaires/"+id, mia.token, map[string]any{"statut": "resiliee"}), http.StatusOK)
	waitStreams(t)
	reg = registre(t, "/apporteurs/"+app.ID+"/lignes", mia.token)
	rep := byNature(reg.Items, crm.NatureReprise)
	num, den, _ := crm.RepriseFactor("2027-01-10", "2027-03-01", crm.RepriseSettings{})
	want := -crm.RoundHalfUp(3000*num, den)
	if len(rep) != 1 || rep[0].MontantCentimes != want || reg.Solde.SoldeCentimes != want {
		t.Errorf("reprise %+v, balance %d; want one of %d and that balance", rep, reg.Solde.SoldeCentimes, want)
	}
	for _, l := range reg.Items {
		if l.ID == e.LigneID && (l.Statut != crm.LigneVersee || l.MontantCentimes != 3000) {
			t.Errorf("the versée line changed: %+v", l)
		}
	}
	// A résiliée affaire takes no encaissement.
	wantProblem(t, call(t, "POST", "/affaires/"+id+"/encaissements", mia.token,
		map[string]any{"date": "2027-03-01", "montantCentimes": 1000, "anneeContrat": 1}), http.StatusConflict, "")

	// April 1st: the monthly schedule issues March (number 2), once.
	at := time.Date(2027, 4, 1, 4, 0, 0, 0, paris)
	travel(t, at)
	for range 2 {
		if err := stack.FireSchedule(context.Background(), "issue-releves", at.UTC()); err != nil {
			t.Fatal(err)
		}
	}
	rels := list[crm.Releve](t, mia.token, "/releves?apporteurId="+app.ID)
	if len(rels.Items) != 2 || rels.Items[0].Mois != "2027-03" || rels.Items[0].Numero != 2 || rels.Items[0].SoldeFinalCentimes != want {
		t.Fatalf("relevés after the schedule: %+v", rels.Items)
	}
	r = call(t, "GET", "/releves/"+rels.Items[0].ID, mia.token, nil)
	var march crm.Releve
	r.JSON(t, &march)
	if rep := byNature(march.Lignes, crm.NatureReprise); len(rep) != 1 || march.SoldeInitialCentimes != 0 {
		t.Errorf("March's relevé %+v, want the reprise, opening at January's closing", march)
	}
	// January's relevé never changed.
	r = call(t, "GET", "/releves/"+rel.ID, mia.token, nil)
	var jan crm.Releve
	r.JSON(t, &jan)
	if l := byNature(jan.Lignes, crm.NatureEncaissement); len(l) != 1 || l[0].Statut != crm.LigneVersee || jan.SoldeFinalCentimes != 0 {
		t.Errorf("January's relevé changed: %+v", jan)
	}
}
