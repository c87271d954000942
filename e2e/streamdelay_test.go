package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// StreamDelay is the delay from an accepted write to one of its stream
// consumers' effects, over the runs of TestStreamDelay.
type StreamDelay struct {
	Runs     int     `json:"runs"`
	MedianMS float64 `json:"medianMs"`
	MaxMS    float64 `json:"maxMs"`
}

// TestStreamDelay measures, on the local stack, the delay from a PATCH that
// signs an affaire of an active apporteur to each effect of the stream
// consumers: the historique entry, the apporteur's commission totals, the
// email to the apporteur. It prints the figures and writes them to
// .local/reliability/stream-delay.json (README "Reliability"); it asserts
// only that every effect happens, never a duration.
func TestStreamDelay(t *testing.T) {
	const runs = 10
	mia := newTenant(t, false)
	app, _ := newActiveApporteur(t, mia.token, "delai")
	client := createContact(t, mia.token, map[string]any{"nom": "Délai", "email": uniqEmail("delai-client"), "apporteurId": app.ID})
	waitStreams(t)
	delays := map[string][]time.Duration{}
	for i := 0; i < runs; i++ {
		r := call(t, "POST", "/affaires", mia.token, map[string]any{"clientId": client.ID, "produitId": "auto", "primeAnnuelleCentimes": 100000})
		wantStatus(t, r, http.StatusCreated)
		var a struct {
			ID string `json:"id"`
		}
		r.JSON(t, &a)
		wantStatus(t, call(t, "PATCH", "/affaires/"+a.ID, mia.token, map[string]any{"tauxCommissionApporteur": 20}), http.StatusOK)
		waitStreams(t)
		var before apporteurJSON
		call(t, "GET", "/apporteurs/"+app.ID, mia.token, nil).JSON(t, &before)
		emailsBefore := len(emailsTo(t, app.Email))

		start := time.Now()
		wantStatus(t, call(t, "PATCH", "/affaires/"+a.ID, mia.token, map[string]any{"statut": "signee"}), http.StatusOK)
		seen := map[string]time.Duration{}
		for len(seen) < 3 && time.Since(start) < 30*time.Second {
			if _, ok := seen["historique"]; !ok {
				var got struct {
					Historique []struct{ Statut string } `json:"historique"`
				}
				call(t, "GET", "/affaires/"+a.ID, mia.token, nil).JSON(t, &got)
				if slices.ContainsFunc(got.Historique, func(h struct{ Statut string }) bool { return h.Statut == "signee" }) {
					seen["historique"] = time.Since(start)
				}
			}
			if _, ok := seen["commission totals"]; !ok {
				var got apporteurJSON
				call(t, "GET", "/apporteurs/"+app.ID, mia.token, nil).JSON(t, &got)
				if got.Commissions.SigneeCentimes > before.Commissions.SigneeCentimes {
					seen["commission totals"] = time.Since(start)
				}
			}
			if _, ok := seen["email"]; !ok && len(emailsTo(t, app.Email)) > emailsBefore {
				seen["email"] = time.Since(start)
			}
			time.Sleep(2 * time.Millisecond)
		}
		for _, effect := range []string{"historique", "commission totals", "email"} {
			d, ok := seen[effect]
			if !ok {
				t.Fatalf("run %d: no %s within 30 s of the write", i, effect)
			}
			delays[effect] = append(delays[effect], d)
		}
	}
	out := map[string]StreamDelay{}
	for effect, ds := range delays {
		slices.Sort(ds)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		out[effect] = StreamDelay{Runs: len(ds), MedianMS: ms(ds[len(ds)/2]), MaxMS: ms(ds[len(ds)-1])}
		t.Logf("write → %s: median %.0f ms, max %.0f ms (%d runs)", effect, out[effect].MedianMS, out[effect].MaxMS, len(ds))
	}
	dir := filepath.Join("..", ".local", "reliability")
	b, err := json.MarshalIndent(out, "", "  ")
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "stream-delay.json"), b, 0o644)
	}
	if err != nil {
		t.Logf("write the figures: %v", err)
	}
}
