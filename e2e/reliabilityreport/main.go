// Command reliabilityreport prints the table of `make reliability` from the
// figures the reliability suite wrote: e2e.json (isolation matrix, hostile
// input, concurrency, stream faults, log scan; written by e2e's TestMain)
// and fuzz.json (make fuzz-short), and stream-delay.json when present (e2e
// TestStreamDelay). Markdown, so the README can hold it.
//
//	go run ./e2e/reliabilityreport [.local/reliability]
//
// It exits 1 when a figure says something failed: a probe not passed, a
// lost update, a lost record, a duplicate, a leak in the logs.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type count struct {
	Tried  int `json:"tried"`
	Passed int `json:"passed"`
}

type figures struct {
	Probes      map[string]map[string]count `json:"probes"`
	Concurrency map[string]struct {
		Operations  int `json:"operations"`
		Succeeded   int `json:"succeeded"`
		Rejected    int `json:"rejected"`
		LostUpdates int `json:"lostUpdates"`
		Duplicates  int `json:"duplicates"`
	} `json:"concurrency"`
	Faults map[string]struct {
		Injected   int  `json:"injected"`
		Records    int  `json:"records"`
		Lost       int  `json:"lost"`
		Duplicates int  `json:"duplicates"`
		Reported   int  `json:"reported"`
		Unblocked  bool `json:"unblocked"`
	} `json:"faults"`
	Logs struct {
		Bytes   int `json:"bytes"`
		Secrets int `json:"secrets"`
		Leaks   int `json:"leaks"`
	} `json:"logs"`
	Contract struct {
		Answers    int                       `json:"answers"`
		Mismatches int                       `json:"mismatches"`
		Operations map[string]map[string]int `json:"operations"`
	} `json:"contract"`
}

type fuzzTarget struct {
	Package string `json:"package"`
	Execs   int64  `json:"execs"`
	Time    string `json:"time"`
}

func main() {
	dir := ".local/reliability"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	ok, err := report(os.Stdout, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "reliabilityreport:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

// groups order the probes of a route in columns.
var groups = []struct {
	name   string
	member func(probe string) bool
}{
	{"auth (no/forged/unsigned/expired/other-audience/access/other-pool token)", func(p string) bool {
		switch p {
		case "no token", "unsigned", "expired", "wrong audience", "access token":
			return true
		}
		return strings.HasPrefix(p, "bad signature") || strings.HasPrefix(p, "other pool") || strings.HasPrefix(p, "public")
	}},
	{"other tenant (MIA, apporteurs)", func(p string) bool {
		return strings.HasPrefix(p, "other MIA") || strings.HasPrefix(p, "other apporteur")
	}},
	{"cursors", func(p string) bool { return strings.HasPrefix(p, "cursor") }},
	{"CORS", func(p string) bool { return p == "CORS" }},
	{"hostile bodies", func(p string) bool {
		switch p {
		case "malformed JSON", "wrong type", "unknown field", "hostile value", "huge body", "content type":
			return true
		}
		return false
	}},
	{"other", func(string) bool { return true }},
}

func report(w io.Writer, dir string) (bool, error) {
	var f figures
	if err := readJSON(filepath.Join(dir, "e2e.json"), &f); err != nil {
		return false, fmt.Errorf("%w (run make reliability, or go test ./e2e)", err)
	}
	fuzz := map[string]fuzzTarget{}
	if err := readJSON(filepath.Join(dir, "fuzz.json"), &fuzz); err != nil {
		return false, fmt.Errorf("%w (run make fuzz-short)", err)
	}
	ok := true
	mark := func(good bool) string {
		if good {
			return ""
		}
		ok = false
		return " ✗"
	}

	fmt.Fprintln(w, "**Routes × probes** (tried/passed; every route of template.yaml)")
	fmt.Fprintln(w)
	fmt.Fprint(w, "| route |")
	for _, g := range groups {
		fmt.Fprintf(w, " %s |", g.name)
	}
	fmt.Fprintln(w, " total |")
	fmt.Fprint(w, "|---|")
	for range groups {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w, "---:|")
	routes := sortedKeys(f.Probes) // then by path, methods of a path in order
	sort.SliceStable(routes, func(i, j int) bool { return routePath(routes[i]) < routePath(routes[j]) })
	var total count
	colTotals := make([]count, len(groups))
	for _, r := range routes {
		cols := make([]count, len(groups))
		for p, c := range f.Probes[r] {
			for i, g := range groups {
				if g.member(p) {
					cols[i].Tried += c.Tried
					cols[i].Passed += c.Passed
					break
				}
			}
		}
		fmt.Fprintf(w, "| `%s` |", r)
		var row count
		for i, c := range cols {
			colTotals[i].Tried += c.Tried
			colTotals[i].Passed += c.Passed
			row.Tried += c.Tried
			row.Passed += c.Passed
			if c.Tried == 0 {
				fmt.Fprint(w, " – |")
				continue
			}
			fmt.Fprintf(w, " %d/%d%s |", c.Tried, c.Passed, mark(c.Tried == c.Passed))
		}
		total.Tried += row.Tried
		total.Passed += row.Passed
		fmt.Fprintf(w, " %d/%d |\n", row.Tried, row.Passed)
	}
	fmt.Fprint(w, "| **all** |")
	for _, c := range colTotals {
		fmt.Fprintf(w, " %d/%d |", c.Tried, c.Passed)
	}
	fmt.Fprintf(w, " **%d/%d**%s |\n\n", total.Tried, total.Passed, mark(total.Tried == total.Passed))

	fmt.Fprintln(w, "**Fuzzing** (go test -fuzz, time-boxed; seed corpora in testdata/fuzz)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | package | inputs executed |")
	fmt.Fprintln(w, "|---|---|---:|")
	names := sortedKeys(fuzz)
	var execs int64
	for _, n := range names {
		ft := fuzz[n]
		execs += ft.Execs
		fmt.Fprintf(w, "| %s | %s | %d in %s%s |\n", n, ft.Package, ft.Execs, ft.Time, mark(ft.Execs > 0))
	}
	fmt.Fprintf(w, "| **%d targets** | | **%d** |\n\n", len(names), execs)

	fmt.Fprintln(w, "**Concurrency**")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| scenario | operations | succeeded | rejected | lost updates | duplicates |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, n := range sortedKeys(f.Concurrency) {
		c := f.Concurrency[n]
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d%s | %d%s |\n", n, c.Operations, c.Succeeded, c.Rejected,
			c.LostUpdates, mark(c.LostUpdates == 0), c.Duplicates, mark(c.Duplicates == 0))
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "**Stream-consumer faults**")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| scenario | faults injected | records | reported failed / to the sink | records lost | duplicates |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, n := range sortedKeys(f.Faults) {
		c := f.Faults[n]
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d%s | %d%s |\n", n, c.Injected, c.Records, c.Reported,
			c.Lost, mark(c.Lost == 0), c.Duplicates, mark(c.Duplicates == 0))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "**Logs**: %d bytes of logs of the whole e2e suite scanned for %d tokens, passwords and planted personal values: %d found%s.\n",
		f.Logs.Bytes, f.Logs.Secrets, f.Logs.Leaks, mark(f.Logs.Leaks == 0 && f.Logs.Bytes > 0))
	fmt.Fprintln(w)
	c := f.Contract
	pairs := 0
	for _, statuses := range c.Operations {
		pairs += len(statuses)
	}
	fmt.Fprintf(w, "**Contract**: %d answers of the e2e suite (%d operations, %d operation × status pairs) validated against the served openapi.json by kin-openapi: %d mismatches%s.\n",
		c.Answers, len(c.Operations), pairs, c.Mismatches, mark(c.Mismatches == 0 && c.Answers > 0))
	var delays map[string]struct {
		Runs     int     `json:"runs"`
		MedianMS float64 `json:"medianMs"`
		MaxMS    float64 `json:"maxMs"`
	}
	if err := readJSON(filepath.Join(dir, "stream-delay.json"), &delays); err == nil && len(delays) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "**Stream delay** (e2e TestStreamDelay: an affaire signed → each effect of the stream readers, local stack)")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| effect | runs | median | max |")
		fmt.Fprintln(w, "|---|---:|---:|---:|")
		for _, n := range sortedKeys(delays) {
			d := delays[n]
			fmt.Fprintf(w, "| %s | %d | %.0f ms | %.0f ms |\n", n, d.Runs, d.MedianMS, d.MaxMS)
		}
	}
	if len(routes) == 0 || len(f.Concurrency) == 0 || len(f.Faults) == 0 {
		ok = false
		fmt.Fprintln(w, "\nIncomplete figures: run the whole e2e suite (make reliability).")
	}
	return ok, nil
}

func routePath(key string) string {
	_, p, _ := strings.Cut(key, " ")
	return p
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
