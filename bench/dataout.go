package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/csvimport/csvimporttest"
)

// Data in and out (issue 15), and the other routes whose scenario needs
// something made in setup: a finished import (its report), an erased
// contact (an entry of the RGPD journal), contacts to erase, a relevé of a
// closed month, a tâche and a note to patch.

// dataOut is what prepareDataOut created.
type dataOut struct {
	importID string   // a finished import of the bench MIA
	erasable []string // contacts the erasure scenario erases, one per request
	releve   string   // the apporteur's relevé of last month
	tache    string   // a tâche of the MIA (PATCH)
	confiee  string   // a tâche the MIA gave the apporteur (its PATCH)
	note     string   // a note of the MIA (PATCH)
	espace   string   // a contact of the apporteur (its notes)
}

// erasures is how many contacts POST /contacts/{contactId}/effacement
// erases (one each): warm-ups and 10 timed.
const erasures = warmups + 10

// prepareDataOut makes the data of the issue-15 scenarios through the API;
// a step that fails leaves its routes without a scenario, with the reason.
func (st *benchStack) prepareDataOut(ctx context.Context, log io.Writer) {
	d := &st.data
	o := &d.out
	mia := st.mia.token
	start := time.Now()
	imports := []string{"GET /imports/{importId}", "GET /imports/{importId}/rapport"}
	if st.skip("POST /imports", imports...) == nil {
		if id, err := st.smallImport(ctx, 50); err != nil {
			st.fail(err, imports...)
		} else {
			o.importID = id
		}
	}
	if st.skip("POST /contacts/{contactId}/effacement", "GET /rgpd/journal") == nil && st.has("POST /contacts") {
		for i := 0; i < erasures+1; i++ {
			r, err := st.api.must(ctx, call{method: "POST", path: "/contacts", token: mia, body: newContact("erase", i)})
			if err != nil {
				st.fail(err, "POST /contacts/{contactId}/effacement")
				break
			}
			o.erasable = append(o.erasable, r.id())
		}
		// One erasure now: the RGPD journal has an entry to show.
		if len(o.erasable) > 0 {
			c := o.erasable[0]
			o.erasable = o.erasable[1:]
			if _, err := st.api.must(ctx, call{method: "POST", path: "/contacts/" + c + "/effacement", token: mia,
				body: map[string]any{"confirmation": true, "motif": "Demande écrite du 2 novembre"}}); err != nil {
				st.fail(err, "GET /rgpd/journal")
			}
		}
	}
	releves := []string{"GET /releves/{releveId}", "GET /espace-apporteur/releves/{releveId}"}
	if d.apporteur != "" && st.skip("POST /releves", releves...) == nil {
		// Last month is closed: the on-demand relevé (the 1st of the month
		// the schedule issues the same).
		mois := time.Now().UTC().AddDate(0, 0, -time.Now().UTC().Day()).Format("2006-01")
		r, err := st.api.must(ctx, call{method: "POST", path: "/releves", token: mia, body: map[string]any{"apporteurId": d.apporteur, "mois": mois}})
		if err != nil {
			st.fail(err, releves...)
		} else {
			o.releve = r.id()
		}
	}
	if st.has("POST /taches") {
		r, err := st.api.must(ctx, call{method: "POST", path: "/taches", token: mia,
			body: map[string]any{"titre": "Rappeler pour le devis", "echeance": crm.Day(time.Now()), "heure": "09:30"}})
		if err != nil {
			st.fail(err, "PATCH /taches/{tacheId}")
		} else {
			o.tache = r.id()
			d.etags[o.tache] = r.header.Get("ETag")
		}
	}
	if st.has("POST /taches") && d.apporteur != "" {
		r, err := st.api.must(ctx, call{method: "POST", path: "/taches", token: mia,
			body: map[string]any{"titre": "Relancer le client", "echeance": crm.Day(time.Now()), "apporteurId": d.apporteur}})
		if err != nil {
			st.fail(err, "PATCH /espace-apporteur/taches/{tacheId}")
		} else {
			o.confiee = r.id()
			d.etags[o.confiee] = r.header.Get("ETag")
		}
	}
	if st.has("POST /notes") && len(d.contacts) > 0 {
		r, err := st.api.must(ctx, call{method: "POST", path: "/notes", token: mia,
			body: map[string]any{"cibleType": "contact", "cibleId": d.contacts[0], "texte": "Premier appel"}})
		if err != nil {
			st.fail(err, "PATCH /notes/{noteId}")
		} else {
			o.note = r.id()
			d.etags[o.note] = r.header.Get("ETag")
		}
	}
	if st.apporteur.token != "" && st.has("POST /espace-apporteur/contacts") {
		r, err := st.api.must(ctx, call{method: "POST", path: "/espace-apporteur/contacts", token: st.apporteur.token, body: newContact("espace", 900)})
		if err != nil {
			st.fail(err, "POST /espace-apporteur/notes")
		} else {
			o.espace = r.id()
		}
	}
	fmt.Fprintf(log, "bench: data in/out setup (import %q, %d erasable contacts, relevé %q) in %s\n", o.importID, len(o.erasable), o.releve,
		time.Since(start).Round(time.Millisecond))
}

// smallImport imports n lines of csvimporttest.File as the bench MIA and
// returns the finished import's id.
func (st *benchStack) smallImport(ctx context.Context, n int) (string, error) {
	data, _ := csvimporttest.File(n)
	tok := st.mia.token
	r, err := st.api.must(ctx, call{method: "POST", path: "/imports", token: tok, body: map[string]any{"type": "contacts", "nomFichier": "petit.csv"}})
	if err != nil {
		return "", err
	}
	var started struct {
		Import crm.Import `json:"import"`
		Depot  crm.Upload `json:"depot"`
	}
	if err := r.decode(&started); err != nil {
		return "", err
	}
	id := string(started.Import.ID)
	if err := postForm(ctx, started.Depot, data, st.ls.APIURL); err != nil {
		return "", err
	}
	if err := st.ls.WaitUploads(ctx); err != nil {
		return "", err
	}
	if r, err = st.api.must(ctx, call{method: "GET", path: "/imports/" + id, token: tok}); err != nil {
		return "", err
	}
	var imp crm.Import
	if err := r.decode(&imp); err != nil {
		return "", err
	}
	if imp.Statut != crm.ImportAConfirmer {
		return "", fmt.Errorf("import %s: statut %s (%s)", id, imp.Statut, imp.Erreur)
	}
	if _, err := st.api.must(ctx, call{method: "POST", path: "/imports/" + id + "/confirmation", token: tok,
		body: map[string]any{"correspondance": imp.Correspondance, "mettreAJourDoublons": true}}); err != nil {
		return "", err
	}
	return id, st.untilImport(ctx, id, crm.ImportTerminee, &ImportBench{})
}

// dataOutScenarios adds the scenarios of issue 15's routes and of the
// routes prepareDataOut made data for.
func (st *benchStack) dataOutScenarios(s map[string]*scenario, get func(key, name, path, token string),
	patch func(key, name, id, path, token string, body func(i int) any)) {
	d := &st.data
	o := &d.out
	mia, app := st.mia.token, st.apporteur.token
	// Search: a prefix of a name most of the bench MIA's contacts share
	// ("Durand"), so the answer is a full one (the index read is bounded).
	get("GET /recherche", "prefix of a name (\"dur\"), the MIA's index", "/recherche?q=dur", mia)
	// Exports: the first chunk (BOM, header, up to crm.ExportLimit rows);
	// the export phase follows the chunks of 10,000 contacts.
	get("GET /exports/contacts", "first chunk (CSV)", "/exports/contacts", mia)
	get("GET /exports/entreprises", "first chunk (CSV)", "/exports/entreprises", mia)
	get("GET /exports/affaires", "first chunk (CSV)", "/exports/affaires", mia)
	get("GET /exports/commissions", "first chunk (CSV)", "/exports/commissions", mia)
	get("GET /imports", "the MIA's imports", "/imports", mia)
	if st.has("POST /imports") {
		s["POST /imports"] = &scenario{name: "new import (record + presigned upload)", next: func(i int) (call, error) {
			return call{method: "POST", path: "/imports", token: mia, body: map[string]any{"type": "contacts", "nomFichier": fmt.Sprintf("fichier-%d.csv", i)}}, nil
		}}
	}
	if id := o.importID; id != "" {
		get("GET /imports/{importId}", "a finished import (50 lines)", "/imports/"+id, mia)
		get("GET /imports/{importId}/rapport", "its report (CSV, 50 lines)", "/imports/"+id+"/rapport", mia)
	}
	get("GET /rgpd/journal", "RGPD journal (one erasure)", "/rgpd/journal", mia)
	get("GET /conservation", "prospects proposed for purge", "/conservation", mia)
	if c := firstOf(d.contacts); c != "" {
		get("GET /contacts/{contactId}/donnees-personnelles", "RGPD access, JSON", "/contacts/"+c+"/donnees-personnelles", mia)
	}
	if a := d.apporteur; a != "" {
		get("GET /apporteurs/{apporteurId}/donnees-personnelles", "RGPD access, JSON", "/apporteurs/"+a+"/donnees-personnelles", mia)
	}
	if len(o.erasable) > 0 && st.has("POST /contacts/{contactId}/effacement") {
		cs := o.erasable
		s["POST /contacts/{contactId}/effacement"] = &scenario{name: "erase a contact (one each)", max: len(cs),
			next: func(i int) (call, error) {
				return call{method: "POST", path: "/contacts/" + cs[i] + "/effacement", token: mia,
					body: map[string]any{"confirmation": true, "motif": "Demande orale"}}, nil
			}}
	}
	if r := o.releve; r != "" {
		get("GET /releves/{releveId}", "last month's relevé, JSON", "/releves/"+r, mia)
		if app != "" {
			get("GET /espace-apporteur/releves/{releveId}", "apporteur: own relevé, JSON", "/espace-apporteur/releves/"+r, app)
		}
	}
	get("GET /profil", "MIA profile", "/profil", mia)
	patch("PATCH /profil", "change adresse (If-Match)", "profil", "/profil", mia,
		func(i int) any { return map[string]any{"adresse": fmt.Sprintf("%d avenue Foch, 69006 Lyon", i+1)} })
	if st.has("PATCH /parametres") {
		s["PATCH /parametres"] = &scenario{name: "toggle article 14 information", next: func(i int) (call, error) {
			return call{method: "PATCH", path: "/parametres", token: mia, body: map[string]any{"informationArticle14": i%2 == 0}}, nil
		}}
	}
	if t := o.tache; t != "" {
		patch("PATCH /taches/{tacheId}", "change titre (If-Match)", t, "/taches/"+t, mia,
			func(i int) any { return map[string]any{"titre": fmt.Sprint("Rappeler pour le devis ", i)} })
	}
	if t := o.confiee; t != "" && app != "" {
		statuts := []string{"faite", "a_faire"}
		patch("PATCH /espace-apporteur/taches/{tacheId}", "apporteur: done / to do (If-Match)", t, "/espace-apporteur/taches/"+t, app,
			func(i int) any { return map[string]any{"statut": statuts[i%2]} })
	}
	if n := o.note; n != "" {
		patch("PATCH /notes/{noteId}", "change texte (If-Match)", n, "/notes/"+n, mia,
			func(i int) any { return map[string]any{"texte": fmt.Sprint("Premier appel, version ", i)} })
	}
	if c := o.espace; c != "" && app != "" && st.has("POST /espace-apporteur/notes") {
		s["POST /espace-apporteur/notes"] = &scenario{name: "apporteur: note on own contact", next: func(i int) (call, error) {
			return call{method: "POST", path: "/espace-apporteur/notes", token: app, body: map[string]any{"contactId": c, "texte": fmt.Sprint("Rappel ", i)}}, nil
		}}
	}
	// Left without a scenario, and why (printed in the routes table).
	for key, why := range map[string]string{
		"POST /imports/{importId}/confirmation":                       "one-shot state change of an import: timed whole in the import phase",
		"POST /imports/{importId}/annulation":                         "one-shot state change of an import: timed whole in the import phase (undo)",
		"POST /releves":                                               "one relevé per apporteur and closed month (a later month only): issued once in setup",
		"POST /conservation/{contactId}/decision":                     "needs a prospect proposed for purge (clock 3 years back): not made through the API",
		"POST /apporteurs/{apporteurId}/effacement":                   "one-shot per apporteur, each a Cognito account and an invitation email to make",
		"POST /affaires/{affaireId}/encaissements":                    "needs a signed affaire (signature and its DDA pieces): not in the bench setup yet",
		"POST /apporteurs/{apporteurId}/versements":                   "needs encaissements (a signed affaire) to pay: not in the bench setup yet",
		"GET /documents/{documentId}/telechargement":                  "needs a document uploaded and checked (S3 emulator): not in the bench setup yet",
		"GET /espace-apporteur/documents/{documentId}/telechargement": "needs a document uploaded and checked (S3 emulator): not in the bench setup yet",
		"DELETE /documents/{documentId}":                              "one-shot per document (then restauration): needs uploaded documents",
		"POST /documents/{documentId}/restauration":                   "one-shot per deleted document: needs uploaded documents",
		"DELETE /espace-apporteur/documents/{documentId}":             "one-shot per document (then restauration): needs uploaded documents",
		"POST /espace-apporteur/documents/{documentId}/restauration":  "one-shot per deleted document: needs uploaded documents",
		"POST /espace-apporteur/convention/acceptation":               "one-shot per convention version",
		"POST /espace-apporteur/mandataires/{membreId}/acceptation":   "one-shot per membership (a second MIA inviting the apporteur)",
	} {
		if _, ok := s[key]; !ok && st.skipped[key] == "" {
			st.skipped[key] = why
		}
	}
}

func firstOf(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}
