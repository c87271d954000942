package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// Issue 12: one person working with several MIA (memberships), the legal
// status of each relation, the convention d'apport accepted online.

type membreJSON struct {
	ID          string `json:"id"`
	MIAID       string `json:"miaId"`
	ApporteurID string `json:"apporteurId"`
	MIANom      string `json:"miaNom"`
	Statut      string `json:"statut"`
}

// mandataires lists the person's memberships (GSI1: eventually consistent,
// so until it holds want entries).
func mandataires(t *testing.T, tok string, want int) []membreJSON {
	t.Helper()
	var p struct{ Items []membreJSON }
	for i := 0; ; i++ {
		r := call(t, "GET", "/espace-apporteur/mandataires", tok, nil)
		wantStatus(t, r, http.StatusOK)
		r.JSON(t, &p)
		if len(p.Items) >= want || i == 50 {
			return p.Items
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func membreOf(ms []membreJSON, mia string) (membreJSON, bool) {
	for _, m := range ms {
		if m.MIAID == mia {
			return m, true
		}
	}
	return membreJSON{}, false
}

// As names a membership for an espace call.
func as(membre string) []string { return []string{"X-Mandataire", membre} }

func TestRelationOnePersonTwoMIA(t *testing.T) {
	a, b, c := newTenant(t, false), newTenant(t, false), newTenant(t, false)
	appA, tok := newActiveApporteur(t, a.token, "deux-mia")
	before, _ := cognitoUser(t, appA.Email)

	// MIA B invites the same person: same answer as for anybody.
	r := call(t, "POST", "/apporteurs", b.token, map[string]any{"nom": "Martin", "prenom": "Paul", "email": appA.Email})
	wantStatus(t, r, http.StatusCreated)
	var appB apporteurJSON
	r.JSON(t, &appB)
	waitStreams(t)
	es := emailsTo(t, appA.Email)
	last := es[len(es)-1]
	if !strings.Contains(last.Subject, "vous propose de travailler avec lui") || !strings.Contains(last.Text, "/espace/mandataires") ||
		tokenRe.MatchString(last.Text) {
		t.Errorf("invitation to accept: %q %q", last.Subject, last.Text)
	}
	if after, enabled := cognitoUser(t, appA.Email); !equalMaps(after, before) || !enabled {
		t.Errorf("the person's account changed: %v → %v (enabled %v)", before, after, enabled)
	}
	var st apporteurJSON
	call(t, "GET", "/apporteurs/"+appB.ID, b.token, nil).JSON(t, &st)
	if st.Statut != "invitation_envoyee" {
		t.Errorf("B sees %q before acceptance, want invitation_envoyee", st.Statut)
	}

	ms := mandataires(t, tok, 2)
	mA, okA := membreOf(ms, string(a.id))
	mB, okB := membreOf(ms, string(b.id))
	if !okA || !okB || mA.Statut != "actif" || mB.Statut != "a_accepter" || mB.ApporteurID != appB.ID {
		t.Fatalf("memberships = %+v, want A actif and B a_accepter", ms)
	}
	// Not accepted yet: B's context is refused, and nobody else can accept.
	wantStatus(t, call(t, "GET", "/espace-apporteur/contacts", tok, nil, as(mB.ID)...), http.StatusForbidden)
	_, other := newActiveApporteur(t, c.token, "intrus")
	wantStatus(t, call(t, "POST", "/espace-apporteur/mandataires/"+mB.ID+"/acceptation", other, nil), http.StatusNotFound)

	r = call(t, "POST", "/espace-apporteur/mandataires/"+mB.ID+"/acceptation", tok, nil)
	wantStatus(t, r, http.StatusOK)
	wantStatus(t, call(t, "POST", "/espace-apporteur/mandataires/"+mB.ID+"/acceptation", tok, nil), http.StatusNotFound)
	call(t, "GET", "/apporteurs/"+appB.ID, b.token, nil).JSON(t, &st)
	if st.Statut != "actif" {
		t.Errorf("B sees %q after acceptance, want actif", st.Statut)
	}

	// Working in both: each MIA gets its own contact, each context shows its own.
	ca := call(t, "POST", "/espace-apporteur/contacts", tok, map[string]any{"nom": "PourA", "email": uniqEmail("pour-a")})
	wantStatus(t, ca, http.StatusCreated)
	cb := call(t, "POST", "/espace-apporteur/contacts", tok, map[string]any{"nom": "PourB", "email": uniqEmail("pour-b")}, as(mB.ID)...)
	wantStatus(t, cb, http.StatusCreated)
	var contactA, contactB struct{ ID string }
	ca.JSON(t, &contactA)
	cb.JSON(t, &contactB)
	wantStatus(t, call(t, "GET", "/contacts/"+contactA.ID, a.token, nil), http.StatusOK)
	wantStatus(t, call(t, "GET", "/contacts/"+contactB.ID, b.token, nil), http.StatusOK)
	wantStatus(t, call(t, "GET", "/contacts/"+contactA.ID, b.token, nil), http.StatusNotFound)
	rb := call(t, "POST", "/affaires", b.token, map[string]any{"clientId": contactB.ID, "produitId": "auto", "primeAnnuelleCentimes": 100000, "tauxCommissionApporteur": 20})
	wantStatus(t, rb, http.StatusCreated)
	var affB struct{ ID string }
	rb.JSON(t, &affB)
	waitStreams(t)
	for _, route := range []string{"/espace-apporteur/contacts", "/espace-apporteur/affaires", "/espace-apporteur/commissions", "/espace-apporteur/profil"} {
		inA := call(t, "GET", route, tok, nil, as(mA.ID)...)
		inB := call(t, "GET", route, tok, nil, as(mB.ID)...)
		wantStatus(t, inA, http.StatusOK)
		wantStatus(t, inB, http.StatusOK)
		for _, leak := range []string{contactB.ID, affB.ID, "PourB", string(b.id), appB.ID} {
			if strings.Contains(string(inA.Body), leak) {
				t.Errorf("%s in A's context shows B's %q", route, leak)
			}
		}
		for _, leak := range []string{contactA.ID, "PourA", string(a.id), appA.ID} {
			if strings.Contains(string(inB.Body), leak) {
				t.Errorf("%s in B's context shows A's %q", route, leak)
			}
		}
	}
	if r := call(t, "GET", "/espace-apporteur/affaires", tok, nil, as(mB.ID)...); !strings.Contains(string(r.Body), affB.ID) {
		t.Errorf("B's context lacks B's affaire: %s", r.Body)
	}

	// Memberships that are not the caller's: refused the same way, nothing shown.
	for name, h := range map[string]string{
		"MIA C with its own apporteur id": string(c.id) + "." + appA.ID,
		"A's MIA with B's apporteur id":   string(a.id) + "." + appB.ID,
		"unknown apporteur":               string(a.id) + ".01J00000000000000000000000",
	} {
		r := call(t, "GET", "/espace-apporteur/contacts", tok, nil, as(h)...)
		if r.Status != http.StatusForbidden || strings.Contains(string(r.Body), "PourA") {
			t.Errorf("%s: %d %s, want 403", name, r.Status, r.Body)
		}
	}
	wantStatus(t, call(t, "GET", "/espace-apporteur/contacts", tok, nil, as("pas-un-id")...), http.StatusBadRequest)
	// Another person naming this person's membership: refused, in reads and writes.
	wantStatus(t, call(t, "GET", "/espace-apporteur/contacts", other, nil, as(mA.ID)...), http.StatusForbidden)
	wantStatus(t, call(t, "POST", "/espace-apporteur/contacts", other, map[string]any{"nom": "Intrus", "email": uniqEmail("intrus")}, as(mB.ID)...), http.StatusForbidden)

	// B ends its relation: only that one.
	wantStatus(t, call(t, "PATCH", "/apporteurs/"+appB.ID, b.token, map[string]any{"statut": "desactive"}), http.StatusOK)
	wantStatus(t, call(t, "GET", "/espace-apporteur/contacts", tok, nil, as(mB.ID)...), http.StatusForbidden)
	wantStatus(t, call(t, "GET", "/espace-apporteur/contacts", tok, nil, as(mA.ID)...), http.StatusOK)
	wantStatus(t, call(t, "GET", "/espace-apporteur/contacts", tok, nil), http.StatusOK)
	if _, enabled := cognitoUser(t, appA.Email); !enabled {
		t.Error("B's deactivation disabled the person's login, which A's relation still needs")
	}
	login(t, "apporteur", appA.Email, apporteurPassword)
	var ms2 []membreJSON
	for i := 0; i < 50; i++ {
		ms2 = mandataires(t, tok, 2)
		if m, _ := membreOf(ms2, string(b.id)); m.Statut == "desactive" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if m, _ := membreOf(ms2, string(b.id)); m.Statut != "desactive" {
		t.Errorf("B's membership after deactivation = %+v", ms2)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

type conventionJSON struct {
	Version     int    `json:"version"`
	SHA256      string `json:"sha256"`
	Courante    bool   `json:"courante"`
	Acceptation *struct {
		Le        string `json:"le"`
		Email     string `json:"email"`
		AdresseIP string `json:"adresseIp"`
		UserAgent string `json:"userAgent"`
		SHA256    string `json:"sha256"`
	} `json:"acceptation"`
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestConventionAcceptance(t *testing.T) {
	mia := newTenant(t, false)
	app, tok := newActiveApporteur(t, mia.token, "convention")
	path := "/apporteurs/" + app.ID

	// No legal status yet: no convention, and the page says so.
	wantProblem(t, call(t, "POST", path+"/convention", mia.token, nil), http.StatusUnprocessableEntity, "statutLegal")
	wantProblem(t, call(t, "PATCH", path, mia.token, map[string]any{"statutLegal": map[string]any{"type": "intermediaire_orias",
		"numeroOrias": "1234567", "categorie": "courtier", "verifieLe": "2026-11-01", "rcProAssureur": "Hiscox", "rcProExpiration": "2027-03-31"}}),
		http.StatusBadRequest, "statutLegal.numeroOrias")
	r := call(t, "PATCH", path, mia.token, map[string]any{"statutLegal": map[string]any{"type": "intermediaire_orias",
		"numeroOrias": "07 012 345", "categorie": "courtier", "verifieLe": "2025-06-01", "rcProAssureur": "Hiscox", "rcProExpiration": "2026-01-31"}})
	wantStatus(t, r, http.StatusOK)
	var a struct {
		StatutLegal struct{ NumeroOrias string } `json:"statutLegal"`
		Alertes     []struct{ Code string }      `json:"alertes"`
	}
	r.JSON(t, &a)
	codes := map[string]bool{}
	for _, al := range a.Alertes {
		codes[al.Code] = true
	}
	if a.StatutLegal.NumeroOrias != "07012345" || !codes["verification_ancienne"] || !codes["rc_pro_expiree"] || !codes["convention_absente"] {
		t.Errorf("apporteur after the statut: %s", r.Body)
	}

	r = call(t, "POST", path+"/convention", mia.token, nil)
	wantStatus(t, r, http.StatusCreated)
	var v1 conventionJSON
	r.JSON(t, &v1)
	waitStreams(t)
	es := emailsTo(t, app.Email)
	if last := es[len(es)-1]; !strings.Contains(last.Subject, "convention d'apport") || !strings.Contains(last.Text, "/espace/convention?mandataire=") {
		t.Errorf("convention email: %q %q", last.Subject, last.Text)
	}

	// The apporteur reads it: the bytes it gets are the ones hashed.
	var list struct{ Items []conventionJSON }
	call(t, "GET", "/espace-apporteur/convention", tok, nil).JSON(t, &list)
	// (list is decoded anew each time: json would keep fields of old items)
	if len(list.Items) != 1 || list.Items[0].Acceptation != nil || !list.Items[0].Courante {
		t.Fatalf("espace conventions = %+v", list.Items)
	}
	pdf := call(t, "GET", "/espace-apporteur/convention/pdf", tok, nil)
	wantStatus(t, pdf, http.StatusOK)
	if pdf.Header.Get("Content-Type") != "application/pdf" || sha(pdf.Body) != v1.SHA256 || !strings.HasPrefix(string(pdf.Body), "%PDF-") {
		t.Fatalf("PDF: %s, sha %s, want %s", pdf.Header.Get("Content-Type"), sha(pdf.Body), v1.SHA256)
	}

	// Acceptance: the hash of another document is refused; then the proof.
	wantProblem(t, call(t, "POST", "/espace-apporteur/convention/acceptation", tok, map[string]any{"version": 1, "sha256": sha([]byte("autre"))}),
		http.StatusUnprocessableEntity, "sha256")
	r = call(t, "POST", "/espace-apporteur/convention/acceptation", tok, map[string]any{"version": 1, "sha256": sha(pdf.Body)},
		"User-Agent", "e2e-navigateur/1.0")
	wantStatus(t, r, http.StatusOK)
	wantStatus(t, call(t, "POST", "/espace-apporteur/convention/acceptation", tok, map[string]any{"version": 1, "sha256": sha(pdf.Body)}), http.StatusConflict)

	// The MIA sees the proof, and the PDF it downloads has the proven hash.
	list.Items = nil
	call(t, "GET", path+"/convention", mia.token, nil).JSON(t, &list)
	miaPDF := call(t, "GET", path+"/convention/pdf?version=1", mia.token, nil)
	p := list.Items[0].Acceptation
	if p == nil || p.SHA256 != sha(miaPDF.Body) || p.Email != app.Email || p.UserAgent != "e2e-navigateur/1.0" || p.AdresseIP == "" {
		t.Errorf("proof = %+v, want the hash %s of the PDF, the apporteur's email, user agent and IP", p, sha(miaPDF.Body))
	}
	waitStreams(t)
	if es := emailsTo(t, mia.email); len(es) == 0 || !strings.Contains(es[len(es)-1].Subject, "a accepté la convention") {
		t.Errorf("no 'convention acceptée' email to the MIA")
	}

	// A new version needs a new acceptance; the accepted one stays downloadable.
	r = call(t, "POST", path+"/convention", mia.token, map[string]any{})
	wantStatus(t, r, http.StatusCreated)
	list.Items = nil
	call(t, "GET", "/espace-apporteur/convention", tok, nil).JSON(t, &list)
	if len(list.Items) != 2 || list.Items[0].Version != 2 || list.Items[0].Acceptation != nil || list.Items[1].Acceptation == nil {
		t.Errorf("after v2: %+v", list.Items)
	}
	old := call(t, "GET", "/espace-apporteur/convention/pdf?version=1", tok, nil)
	if sha(old.Body) != v1.SHA256 {
		t.Error("version 1 downloaded after v2 is not the accepted bytes")
	}
	var got struct {
		Convention struct {
			Version    int    `json:"version"`
			AccepteeLe string `json:"accepteeLe"`
		} `json:"convention"`
	}
	call(t, "GET", path, mia.token, nil).JSON(t, &got)
	if got.Convention.Version != 2 || got.Convention.AccepteeLe != "" {
		t.Errorf("apporteur's convention after v2 = %+v, want v2 not accepted", got.Convention)
	}
}

// formalise gives apporteur appID of the MIA a legal status (an ORIAS
// intermediary, checked and insured) and has it accept its convention: what
// a versement requires (issue 12).
func formalise(t *testing.T, miaTok, appID, appTok string) {
	t.Helper()
	wantStatus(t, call(t, "PATCH", "/apporteurs/"+appID, miaTok, map[string]any{"statutLegal": map[string]any{"type": "intermediaire_orias",
		"numeroOrias": "07012345", "categorie": "courtier", "verifieLe": time.Now().In(time.UTC).Format(time.DateOnly),
		"rcProAssureur": "Hiscox", "rcProExpiration": "2030-12-31"}}), http.StatusOK)
	r := call(t, "POST", "/apporteurs/"+appID+"/convention", miaTok, nil)
	wantStatus(t, r, http.StatusCreated)
	var c conventionJSON
	r.JSON(t, &c)
	pdf := call(t, "GET", fmt.Sprintf("/espace-apporteur/convention/pdf?version=%d", c.Version), appTok, nil)
	wantStatus(t, pdf, http.StatusOK)
	wantStatus(t, call(t, "POST", "/espace-apporteur/convention/acceptation", appTok, map[string]any{"version": c.Version, "sha256": sha(pdf.Body)}), http.StatusOK)
}

// The guardrails on what may be paid (issue 12, item 4).
func TestRelationGuardrails(t *testing.T) {
	mia := newTenant(t, false)
	app, tok := newActiveApporteur(t, mia.token, "garde-fous")
	c := createContact(t, mia.token, map[string]any{"nom": "Client", "email": uniqEmail("garde-client"), "apporteurId": app.ID})
	r := call(t, "POST", "/affaires", mia.token, map[string]any{"clientId": c.ID, "produitId": "auto",
		"primeAnnuelleCentimes": 100000, "tauxCommissionMIA": 10, "tauxCommissionApporteur": 20})
	wantStatus(t, r, http.StatusCreated)
	var af struct{ ID string }
	r.JSON(t, &af)
	wantStatus(t, call(t, "PATCH", "/affaires/"+af.ID, mia.token, map[string]any{"statut": "signee"}), http.StatusOK)
	waitStreams(t)
	today := time.Now().In(time.UTC).Format(time.DateOnly)
	encaisse := func(annee int) crm.Ligne {
		t.Helper()
		r := call(t, "POST", "/affaires/"+af.ID+"/encaissements", mia.token, map[string]any{"date": today, "montantCentimes": 10000, "anneeContrat": annee})
		wantStatus(t, r, http.StatusCreated)
		var e crm.Encaissement
		r.JSON(t, &e)
		for _, l := range list[crm.Ligne](t, mia.token, "/affaires/"+af.ID+"/lignes").Items {
			if l.ID == e.LigneID {
				return l
			}
		}
		t.Fatalf("encaissement %+v: no line %q", e, e.LigneID)
		return crm.Ligne{}
	}
	verse := func(body map[string]any) response {
		t.Helper()
		body["date"], body["montantCentimes"], body["mode"] = today, 2000, "virement"
		return call(t, "POST", "/apporteurs/"+app.ID+"/versements", mia.token, body)
	}

	// Year 1 makes a line à verser; no versement without a formalised relation.
	if l := encaisse(1); l.Statut != crm.LigneAVerser || l.MontantCentimes != 2000 {
		t.Errorf("year 1 line = %+v", l)
	}
	p := wantProblem(t, verse(map[string]any{}), http.StatusUnprocessableEntity, "apporteurId")
	if !strings.Contains(p.Detail, "convention d'apport acceptée") || !strings.Contains(p.Detail, "statut légal") {
		t.Errorf("refusal %q does not name what is missing", p.Detail)
	}

	// An indicateur with its convention accepted: paid; year 2 is shown non éligible.
	wantStatus(t, call(t, "PATCH", "/apporteurs/"+app.ID, mia.token, map[string]any{"statutLegal": map[string]any{"type": "indicateur"}}), http.StatusOK)
	r = call(t, "POST", "/apporteurs/"+app.ID+"/convention", mia.token, nil)
	wantStatus(t, r, http.StatusCreated)
	p = wantProblem(t, verse(map[string]any{}), http.StatusUnprocessableEntity, "apporteurId")
	if !strings.Contains(p.Detail, "attend son acceptation") {
		t.Errorf("refusal with a convention not accepted: %q", p.Detail)
	}
	pdf := call(t, "GET", "/espace-apporteur/convention/pdf", tok, nil)
	wantStatus(t, call(t, "POST", "/espace-apporteur/convention/acceptation", tok, map[string]any{"version": 1, "sha256": sha(pdf.Body)}), http.StatusOK)
	wantStatus(t, verse(map[string]any{}), http.StatusCreated)
	before := registre(t, "/apporteurs/"+app.ID+"/lignes", mia.token).Solde
	if l := encaisse(2); l.Statut != crm.LigneNonEligible || l.MontantCentimes != 0 || l.NonEligible != "indicateur" {
		t.Errorf("an indicateur's year-2 line = %+v, want non_eligible, 0, indicateur", l)
	}
	if after := registre(t, "/apporteurs/"+app.ID+"/lignes", mia.token).Solde; after.SoldeCentimes != before.SoldeCentimes || after.AVerserCentimes != before.AVerserCentimes {
		t.Errorf("balances moved on a non-eligible line: %+v → %+v", before, after)
	}
	mine := registre(t, "/espace-apporteur/lignes", tok)
	shown := false
	for _, l := range mine.Items {
		shown = shown || l.Statut == crm.LigneNonEligible && l.NonEligible == "indicateur"
	}
	if !shown {
		t.Errorf("the apporteur does not see its non-eligible line: %+v", mine.Items)
	}

	// An intermediary whose check is stale and RC Pro expired: paid only once confirmed, recorded.
	wantStatus(t, call(t, "PATCH", "/apporteurs/"+app.ID, mia.token, map[string]any{"statutLegal": map[string]any{"type": "intermediaire_orias",
		"numeroOrias": "07012345", "categorie": "mandataire", "verifieLe": "2025-01-15", "rcProAssureur": "Hiscox", "rcProExpiration": "2026-01-31"}}), http.StatusOK)
	if l := encaisse(3); l.Statut != crm.LigneAVerser {
		t.Errorf("an intermediary's year-3 line = %+v, want à verser", l)
	}
	wantProblem(t, verse(map[string]any{}), http.StatusUnprocessableEntity, "confirmeAlertes")
	r = verse(map[string]any{"confirmeAlertes": true})
	wantStatus(t, r, http.StatusCreated)
	var v crm.Versement
	r.JSON(t, &v)
	if strings.Join(v.AlertesConfirmees, ",") != "verification_ancienne,rc_pro_expiree" {
		t.Errorf("versement alertes = %v", v.AlertesConfirmees)
	}
	recorded := false
	for _, l := range registre(t, "/apporteurs/"+app.ID+"/lignes", mia.token).Items {
		recorded = recorded || l.ID == v.ID && len(l.AlertesConfirmees) == 2
	}
	if !recorded {
		t.Error("the versement line does not record the confirmation")
	}
}
