package main

import (
	"context"
	"fmt"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/csvimport/csvimporttest"
	"github.com/assentis/mycrm/internal/devstack"
)

// ImportBench is the CSV import scenario: a file of csvimporttest (Windows-1252,
// bad lines, duplicates) through the API, the upload check and the worker.
type ImportBench struct {
	Lines        int     `json:"lines"`
	Seconds      float64 `json:"seconds"`     // confirmation → statut terminee
	LinesPerSec  float64 `json:"linesPerSec"` // the figure issue 15 asks for (≥ 167: 10,000 in a minute)
	UndoSeconds  float64 `json:"undoSeconds"`
	WorkerRuns   int     `json:"workerRuns"`
	UploadChecks float64 `json:"uploadCheckSeconds"` // upload → statut a_confirmer
}

// importPhase imports n lines as the bench MIA and undoes them.
func importPhase(ctx context.Context, st *benchStack, n int) (*ImportBench, error) {
	data, _ := csvimporttest.File(n)
	tok := st.mia.token
	r, err := st.api.must(ctx, call{method: "POST", path: "/imports", token: tok, body: map[string]any{"type": "contacts", "nomFichier": "bench.csv"}})
	if err != nil {
		return nil, err
	}
	var started struct {
		Import crm.Import `json:"import"`
		Depot  crm.Upload `json:"depot"`
	}
	if err := r.decode(&started); err != nil {
		return nil, err
	}
	id := string(started.Import.ID)
	res := &ImportBench{Lines: n}
	t0 := time.Now()
	if err := postForm(ctx, started.Depot, data, st.ls.APIURL); err != nil {
		return nil, err
	}
	if err := st.ls.WaitUploads(ctx); err != nil {
		return nil, err
	}
	res.UploadChecks = time.Since(t0).Seconds()
	var imp crm.Import
	if r, err = st.api.must(ctx, call{method: "GET", path: "/imports/" + id, token: tok}); err != nil {
		return nil, err
	}
	if err := r.decode(&imp); err != nil {
		return nil, err
	}
	if imp.Statut != crm.ImportAConfirmer {
		return nil, fmt.Errorf("import %s: statut %s (%s)", id, imp.Statut, imp.Erreur)
	}
	t0 = time.Now()
	if _, err := st.api.must(ctx, call{method: "POST", path: "/imports/" + id + "/confirmation", token: tok,
		body: map[string]any{"correspondance": imp.Correspondance, "mettreAJourDoublons": true}}); err != nil {
		return nil, err
	}
	if err := st.untilImport(ctx, id, crm.ImportTerminee, res); err != nil {
		return nil, err
	}
	res.Seconds = time.Since(t0).Seconds()
	res.LinesPerSec = float64(n) / res.Seconds
	t0 = time.Now()
	if _, err := st.api.must(ctx, call{method: "POST", path: "/imports/" + id + "/annulation", token: tok}); err != nil {
		return nil, err
	}
	if err := st.untilImport(ctx, id, crm.ImportAnnulee, res); err != nil {
		return nil, err
	}
	res.UndoSeconds = time.Since(t0).Seconds()
	return res, nil
}

// untilImport fires the import worker until import id reaches statut want.
func (st *benchStack) untilImport(ctx context.Context, id string, want crm.ImportStatut, res *ImportBench) error {
	for range 30 {
		if err := st.ls.FireSchedule(ctx, "run-imports", time.Now()); err != nil {
			return err
		}
		res.WorkerRuns++
		r, err := st.api.must(ctx, call{method: "GET", path: "/imports/" + id, token: st.mia.token})
		if err != nil {
			return err
		}
		var imp crm.Import
		if err := r.decode(&imp); err != nil {
			return err
		}
		if imp.Statut == want {
			return nil
		}
	}
	return fmt.Errorf("import %s: not %s after 30 worker runs", id, want)
}

// postForm uploads data to a presigned POST as the browser does.
func postForm(ctx context.Context, u crm.Upload, data []byte, origin string) error {
	resp, body, err := devstack.PostUpload(ctx, u, "bench.csv", data, origin)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("upload: %d %.300s", resp.StatusCode, body)
	}
	return nil
}
