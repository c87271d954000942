package main

import (
	"fmt"
	"strconv"
	"strings"
)

// Targets of issue 6.
const (
	maxCalls     = 1    // DynamoDB round trips per request (a transaction is one)
	maxFlat      = 1.2  // big table ÷ small table
	maxOverhead  = 1.3  // gateway+handler ÷ direct DynamoDB
	maxInitRatio = 2.0  // function init ÷ empty Lambda init
	maxBinaryMB  = 15.0 // stripped bootstrap size
)

// RouteResult is the cost and latency of one route of template.yaml.
type RouteResult struct {
	Route    string `json:"route"`
	Function string `json:"function"`
	Scenario string `json:"scenario"` // "no scenario" when none measured it
	Status   int    `json:"status,omitempty"`
	// Calls is the number of DynamoDB operations of one request, counted by
	// the SDK middleware; Ops names them.
	Calls      int     `json:"dynamodbCalls"`
	RoundTrips int     `json:"dynamodbRoundTrips"` // sequential waves of calls
	Ops        string  `json:"operations,omitempty"`
	Capacity   float64 `json:"consumedCapacityUnits"`
	P50Ms      float64 `json:"p50Ms,omitempty"`
	P99Ms      float64 `json:"p99Ms,omitempty"`
	N          int     `json:"n,omitempty"`
	// SamplesMs are the timed requests' latencies, in order.
	SamplesMs []float64 `json:"samplesMs,omitempty"`
	Pass      *bool     `json:"pass,omitempty"`
	Note      string    `json:"note,omitempty"`
	calls     []ddbCall
}

// Overhead compares a read route through the gateway with the same DynamoDB
// operations issued directly with the SDK.
type Overhead struct {
	Route      string  `json:"route"`
	Operations string  `json:"operations"`
	GatewayP50 float64 `json:"gatewayP50Ms"`
	// HandlerP50 is the same request through the route's handler invoked
	// in-process with its API Gateway event (no local HTTP, no JWT check).
	HandlerP50   float64 `json:"handlerP50Ms"`
	HandlerRatio float64 `json:"handlerRatio"`
	DirectP50    float64 `json:"directP50Ms"`
	Ratio        float64 `json:"ratio"`
	GatewayMean  float64 `json:"gatewayMeanMs"`
	DirectMean   float64 `json:"directMeanMs"`
	Pass         bool    `json:"pass"`
}

// Flatness compares one MIA's request when the table holds few or many items
// of other MIAs.
type Flatness struct {
	Route         string  `json:"route"`
	SmallItems    int     `json:"smallOtherItems"`
	BigItems      int     `json:"bigOtherItems"`
	SmallP50      float64 `json:"smallP50Ms"`
	BigP50        float64 `json:"bigP50Ms"`
	LatencyRatio  float64 `json:"latencyRatio"`
	SmallCapacity float64 `json:"smallCapacity"`
	BigCapacity   float64 `json:"bigCapacity"`
	CapacityRatio float64 `json:"capacityRatio"`
	// The same DynamoDB operations replayed directly: DynamoDB Local's own
	// latency change between the two table sizes.
	SmallDirectP50 float64 `json:"smallDirectP50Ms"`
	BigDirectP50   float64 `json:"bigDirectP50Ms"`
	DirectRatio    float64 `json:"directRatio"`
	// The first small stage, before the bulk load (DynamoDB Local colder).
	FirstSmallP50      float64 `json:"firstSmallP50Ms"`
	FirstSmallCapacity float64 `json:"firstSmallCapacity"`
	Pass               bool    `json:"pass"`
	Note               string  `json:"note,omitempty"`
}

func mark(ok bool) string {
	if ok {
		return "pass"
	}
	return "**FAIL**"
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
func f2(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func mb(b int64) string { return f2(float64(b) / (1 << 20)) }

// markdown renders the report as the tables docs/performance.md shows.
func markdown(r *Report) string {
	var b strings.Builder
	m := r.Machine
	fmt.Fprintf(&b, "## make bench — %s\n\n", r.StartedAt.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "Machine: %d × %s, %d GiB, %s, %s. DynamoDB Local 3.3.1 in memory; whole run %.0f s.\n\n",
		m.NProc, m.CPU, m.MemGiB, m.OS, m.GoVersion, r.Seconds)

	if len(r.Routes) > 0 {
		fmt.Fprintf(&b, "### Routes (target: ≤ %d DynamoDB round trip per request; calls issued concurrently share one)\n\n", maxCalls)
		b.WriteString("| route | scenario | status | round trips | calls | operations (∥ concurrent, → sequential) | capacity units | p50 ms | p99 ms | target |\n")
		b.WriteString("|---|---|---|---:|---:|---|---:|---:|---:|---|\n")
		for _, rr := range r.Routes {
			if rr.Scenario == noScenario {
				why := ""
				if rr.Note != "" {
					why = " (" + rr.Note + ")"
				}
				fmt.Fprintf(&b, "| `%s` | no scenario%s | | | | | | | | — |\n", rr.Route, why)
				continue
			}
			verdict := "—"
			if rr.Pass != nil {
				verdict = mark(*rr.Pass)
			}
			if rr.Note != "" {
				verdict += " " + rr.Note
			}
			fmt.Fprintf(&b, "| `%s` | %s | %d | %d | %d | %s | %s | %s | %s | %s |\n",
				rr.Route, rr.Scenario, rr.Status, rr.RoundTrips, rr.Calls, rr.Ops, f1(rr.Capacity), f2(rr.P50Ms), f2(rr.P99Ms), verdict)
		}
		b.WriteString("\n")
	}
	if len(r.Overhead) > 0 {
		fmt.Fprintf(&b, "### Overhead: gateway + handler ÷ the same DynamoDB operations issued directly (target ≤ %.1f×)\n\n", maxOverhead)
		b.WriteString("| route | replayed operations | direct SDK p50 ms | through gateway p50 ms | added ms | ratio | target | handler alone p50 ms (in-process event) | handler ratio |\n|---|---|---:|---:|---:|---:|---|---:|---:|\n")
		for _, o := range r.Overhead {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s× | %s | %s | %s× |\n", o.Route, o.Operations, f2(o.DirectP50), f2(o.GatewayP50),
				f2(o.GatewayP50-o.DirectP50), f2(o.Ratio), mark(o.Pass), f2(o.HandlerP50), f2(o.HandlerRatio))
		}
		b.WriteString("\n")
	}
	if len(r.Flatness) > 0 {
		f := r.Flatness[0]
		fmt.Fprintf(&b, "### Flatness: one MIA's request with %d vs %d items of other MIAs in the table (target ≤ %.1f)\n\n", f.SmallItems, f.BigItems, maxFlat)
		b.WriteString("| route | p50 ms small | p50 ms big | latency ratio | direct DynamoDB ratio | capacity small | capacity big | capacity ratio | target |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
		for _, f := range r.Flatness {
			verdict := mark(f.Pass)
			if f.Note != "" {
				verdict = f.Note
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s | %s | %s |\n", f.Route, f2(f.SmallP50), f2(f.BigP50), f2(f.LatencyRatio),
				f2(f.DirectRatio), f1(f.SmallCapacity), f1(f.BigCapacity), f2(f.CapacityRatio), verdict)
		}
		for _, l := range r.Load {
			fmt.Fprintf(&b, "\nBulk %s: %d items in %.1f s (%.0f items/s, %d goroutines, BatchWriteItem).", l.Op, l.Items, l.Seconds, l.ItemsPerSec, l.Workers)
		}
		b.WriteString("\nSmall = after deleting the added items again (a first small stage, before the load, ran on a colder DynamoDB Local: see bench.json).")
		b.WriteString("\n\n")
	}
	dataInOut(&b, r)
	if len(r.Binaries) > 0 {
		var base *ColdStart
		for i := range r.Cold {
			if r.Cold[i].Function == baselineName {
				base = &r.Cold[i]
			}
		}
		fmt.Fprintf(&b, "### Cold start under aws-lambda-rie (linux/amd64) and binary size (targets: init ≤ %.0f× the empty Lambda, deployed arm64 binary < %.0f MB)\n\n", maxInitRatio, maxBinaryMB)
		b.WriteString("| function | arm64 MB (deployed) | amd64 MB | size target | cold p50 ms (start → 1st response) | init p50 ms | init ÷ empty | init target | warm p50 ms | 1st status |\n")
		b.WriteString("|---|---:|---:|---|---:|---:|---:|---|---:|---|\n")
		cold := map[string]ColdStart{}
		for _, c := range r.Cold {
			cold[c.Function] = c
		}
		for _, bin := range r.Binaries {
			c, ok := cold[bin.Function]
			sizeOK := float64(bin.SizeARM64) < maxBinaryMB*(1<<20) // the deployed (arm64) bootstrap
			if !ok || c.Err != "" {
				fmt.Fprintf(&b, "| %s | %s | %s | %s | | | | | | %s |\n", bin.Function, mb(bin.SizeARM64), mb(bin.SizeAMD64), mark(sizeOK), c.Err)
				continue
			}
			ratio := 0.0
			if base != nil && len(base.InitMs) > 0 && len(c.InitMs) > 0 {
				ratio = percentile(c.InitMs, 50) / percentile(base.InitMs, 50)
			}
			initOK := bin.Function == baselineName || ratio > 0 && ratio <= maxInitRatio
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s× | %s | %s | %d |\n", bin.Function, mb(bin.SizeARM64), mb(bin.SizeAMD64), mark(sizeOK),
				f1(percentile(c.ColdMs, 50)), f1(percentile(c.InitMs, 50)), f2(ratio), mark(initOK), f2(percentile(c.WarmMs, 50)), c.Status)
		}
		b.WriteString("\n")
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

// dataInOut renders issue 15's bulk figures: the CSV import and its undo,
// the export of 10,000 rows chunk after chunk.
func dataInOut(b *strings.Builder, r *Report) {
	if r.Import == nil && r.Export == nil {
		return
	}
	b.WriteString("### Data in and out: CSV import, undo, export of 10,000 rows (targets: 10,000 lines imported in < 60 s; an export chunk ≤ 1 round trip and < 6 MB)\n\n")
	b.WriteString("| operation | rows | seconds | rows/s | detail | target |\n|---|---:|---:|---:|---|---|\n")
	if i := r.Import; i != nil {
		fmt.Fprintf(b, "| import (upload → statut a_confirmer) | %d | %s | | upload check of the file (encoding, separator, preview) | |\n", i.Lines, f1(i.UploadChecks))
		fmt.Fprintf(b, "| import (confirmation → terminee) | %d | %s | %.0f | %d runs of the import worker; Windows-1252, 10 %% rejected, 10 %% duplicates in the file | %s |\n",
			i.Lines, f1(i.Seconds), i.LinesPerSec, i.WorkerRuns, mark(i.Seconds < 60))
		undoRate := ""
		if i.UndoSeconds > 0 {
			undoRate = fmt.Sprintf("%.0f", float64(i.Lines)/i.UndoSeconds)
		}
		fmt.Fprintf(b, "| undo of that import | %d | %s | %s | every created contact removed, every updated one restored (rows/s per file line) | |\n",
			i.Lines, f1(i.UndoSeconds), undoRate)
	}
	if e := r.Export; e != nil {
		fmt.Fprintf(b, "| export `GET /exports/contacts`, every chunk | %d of %d | %s | %.0f | %d chunks (X-Curseur-Suivant), %d columns; per chunk: ≤ %d round trip(s), ≤ %d calls (%s), capacity p50 %s / max %s, p50 %s ms; largest answer %s MB, total %s MB | %s |\n",
			e.Rows, e.Expected, f2(e.Seconds), e.RowsPerSec, e.Chunks, e.ExportedFields, e.MaxRoundTrips, e.MaxCalls, e.Ops,
			f1(e.CapacityP50), f1(e.CapacityMax), f2(e.ChunkP50Ms), mb(int64(e.MaxBytes)), mb(int64(e.TotalBytes)), mark(e.Pass))
		if n := len(e.ChunkDetails); n > 1 && e.ChunkDetails[n-1].Rows == 0 {
			b.WriteString("\nThe last chunk is empty: after a page of exactly the limit, DynamoDB returns a LastEvaluatedKey, so the list gives a cursor.")
		}
		fmt.Fprintf(b, "\nThe export's %d contacts belong to a MIA of their own, written directly in the table as the store writes them (%.1f s); the chunks are requested one after the other, as the web client does.\n", e.Expected, e.LoadSeconds)
	}
	b.WriteString("\n")
}
