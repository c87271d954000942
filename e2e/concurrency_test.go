package e2e

import (
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/oklog/ulid/v2"
)

// Concurrent writes (issue 5): optimistic locking, idempotency keys and
// uniqueness guards under real parallel requests through the gateway.

type affaireState struct {
	ID                    string
	Version               int
	PrimeAnnuelleCentimes int64
}

// parallel runs f(i) for i in [0, n) at once and returns the answers.
func parallel(n int, f func(i int) response) []response {
	out := make([]response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = f(i)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

func countStatus(rs []response) map[int]int {
	m := map[int]int{}
	for _, r := range rs {
		m[r.Status]++
	}
	return m
}

func TestConcurrentWrites(t *testing.T) {
	a := newTenant(t, false)
	c := createContact(t, a.token, map[string]any{"nom": "Concurrence", "email": uniqEmail("conc")})
	r := call(t, "POST", "/affaires", a.token, map[string]any{"clientId": c.ID, "produitId": "auto", "primeAnnuelleCentimes": 100000})
	wantStatus(t, r, 201)
	var af affaireState
	r.JSON(t, &af)

	t.Run("50 PATCH with the same If-Match", func(t *testing.T) {
		const n = 50
		rs := parallel(n, func(i int) response {
			return call(t, "PATCH", "/affaires/"+af.ID, a.token, map[string]any{"primeAnnuelleCentimes": 200000 + i}, "If-Match", `"1"`)
		})
		got := countStatus(rs)
		var winner affaireState
		for _, r := range rs {
			if r.Status == 200 {
				r.JSON(t, &winner)
			}
		}
		var now affaireState
		call(t, "GET", "/affaires/"+af.ID, a.token, nil).JSON(t, &now)
		lost := 0
		if now.Version != 2 || now.PrimeAnnuelleCentimes != winner.PrimeAnnuelleCentimes {
			lost = 1
		}
		figMu.Lock()
		figs.Concurrency["50 PATCH, same If-Match"] = &ConcurrencyCount{Operations: n, Succeeded: got[200], Rejected: got[412], LostUpdates: lost}
		figMu.Unlock()
		if got[200] != 1 || got[412] != n-1 {
			t.Errorf("statuses %v, want one 200 and %d × 412", got, n-1)
		}
		if lost != 0 {
			t.Errorf("stored %+v, want version 2 with the winner's prime %d", now, winner.PrimeAnnuelleCentimes)
		}
	})

	t.Run("20 read-modify-write increments", func(t *testing.T) {
		// Each writer adds 1 to the prime, retrying on 412: every increment
		// acknowledged must be in the final value.
		const n = 20
		var start affaireState
		call(t, "GET", "/affaires/"+af.ID, a.token, nil).JSON(t, &start)
		var mu sync.Mutex
		attempts := 0
		rs := parallel(n, func(i int) response {
			for try := 0; try < 200; try++ {
				var cur affaireState
				g := call(t, "GET", "/affaires/"+af.ID, a.token, nil)
				g.JSON(t, &cur)
				r := call(t, "PATCH", "/affaires/"+af.ID, a.token, map[string]any{"primeAnnuelleCentimes": cur.PrimeAnnuelleCentimes + 1},
					"If-Match", g.Header.Get("ETag"))
				mu.Lock()
				attempts++
				mu.Unlock()
				if r.Status != 412 {
					return r
				}
			}
			return response{Status: 412}
		})
		got := countStatus(rs)
		var end affaireState
		call(t, "GET", "/affaires/"+af.ID, a.token, nil).JSON(t, &end)
		lost := int(start.PrimeAnnuelleCentimes + int64(got[200]) - end.PrimeAnnuelleCentimes)
		figMu.Lock()
		figs.Concurrency["20 read-modify-write increments"] = &ConcurrencyCount{Operations: attempts, Succeeded: got[200], Rejected: attempts - got[200], LostUpdates: lost}
		figMu.Unlock()
		if got[200] != n || lost != 0 || end.Version != start.Version+n {
			t.Errorf("statuses %v, prime %d → %d (version %d → %d): %d lost updates", got, start.PrimeAnnuelleCentimes,
				end.PrimeAnnuelleCentimes, start.Version, end.Version, lost)
		}
	})

	t.Run("20 POST with the same Idempotency-Key", func(t *testing.T) {
		const n = 20
		for _, tc := range []struct{ path, list string }{{"/contacts", "/contacts"}, {"/affaires", "/affaires"}} {
			b := newTenant(t, false)
			body := map[string]any{"nom": "Idempotent", "email": uniqEmail("idem")}
			if tc.path == "/affaires" {
				cl := createContact(t, b.token, map[string]any{"nom": "Client", "email": uniqEmail("cl")})
				body = map[string]any{"clientId": cl.ID, "produitId": "auto", "primeAnnuelleCentimes": 4200}
			}
			key := "cle-" + ulid.Make().String()
			rs := parallel(n, func(int) response { return call(t, "POST", tc.path, b.token, body, "Idempotency-Key", key) })
			got := countStatus(rs)
			same := 0
			for _, r := range rs {
				if r.Status == 201 && string(r.Body) == string(rs[0].Body) && r.Header.Get("ETag") == rs[0].Header.Get("ETag") {
					same++
				}
			}
			items := len(list[map[string]any](t, b.token, tc.list).Items)
			const want = 1
			figMu.Lock()
			figs.Concurrency["20 POST "+tc.path+", same Idempotency-Key"] = &ConcurrencyCount{Operations: n, Succeeded: same,
				Rejected: n - got[201], Duplicates: items - want}
			figMu.Unlock()
			if same != n || items != want {
				t.Errorf("POST %s: %d/%d identical 201 (%v), %d items, want %d", tc.path, same, n, got, items, want)
			}
		}
	})

	t.Run("20 contacts with the same email, phone or SIREN", func(t *testing.T) {
		const n = 20
		b := newTenant(t, false)
		d := createContact(t, b.token, map[string]any{"nom": "Dirigeant", "email": uniqEmail("dir")})
		email, phone, siren := uniqEmail("meme"), uniqPhone(), uniqSiren()
		for _, tc := range []struct {
			name, path string
			body       func(i int) map[string]any
		}{
			{"email", "/contacts", func(i int) map[string]any { return map[string]any{"nom": "Meme " + strconv.Itoa(i), "email": email} }},
			{"telephone", "/contacts", func(i int) map[string]any { return map[string]any{"nom": "Tel " + strconv.Itoa(i), "telephone": phone} }},
			{"siren", "/entreprises", func(i int) map[string]any {
				return map[string]any{"raisonSociale": fmt.Sprintf("Societe %d", i), "siren": siren, "adresse": "1 rue", "dirigeantId": d.ID}
			}},
		} {
			rs := parallel(n, func(i int) response { return call(t, "POST", tc.path, b.token, tc.body(i)) })
			got := countStatus(rs)
			figMu.Lock()
			figs.Concurrency["20 POST "+tc.path+", same "+tc.name] = &ConcurrencyCount{Operations: n, Succeeded: got[201], Rejected: got[409],
				Duplicates: max(0, got[201]-1)}
			figMu.Unlock()
			if got[201] != 1 || got[409] != n-1 {
				t.Errorf("same %s: statuses %v, want one 201 and %d × 409", tc.name, got, n-1)
			}
		}
		if n := len(list[map[string]any](t, b.token, "/contacts").Items); n != 3 {
			t.Errorf("%d contacts, want 3 (dirigeant, one by email, one by phone)", n)
		}
	})
}
