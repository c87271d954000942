package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

const noScenario = "no scenario"

// runPhases runs what o does not skip, filling rep as it goes, and always
// stops the stack it started.
func runPhases(ctx context.Context, o options, rep *Report, routes []Route, log io.Writer) (err error) {
	var bins []*Binary
	var rie string
	if !o.skip["cold"] {
		if bins, err = buildFunctions(ctx, o.root, o.out, log); err != nil {
			return err
		}
		rep.Binaries = bins
		if rie, err = installRIE(ctx, o.root); err != nil {
			return err
		}
	}

	st, err := startStack(ctx, o, routes, log)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()

	if !o.skip["routes"] || !o.skip["flat"] || !o.skip["import"] || !o.skip["export"] {
		if err := st.prepare(ctx, log); err != nil {
			return err
		}
	}
	if !o.skip["routes"] {
		rep.Routes, rep.Overhead = routePhase(ctx, st, routes, o.n, log)
	} else {
		for _, r := range routes {
			rep.Routes = append(rep.Routes, &RouteResult{Route: r.Key(), Function: r.Function, Scenario: noScenario})
		}
	}
	if !o.skip["flat"] {
		rep.Flatness, rep.Load, err = flatPhase(ctx, st, o, log)
		if err != nil {
			rep.Notes = append(rep.Notes, "flatness: "+err.Error())
			fmt.Fprintln(log, "bench: flatness:", err)
			err = nil
		}
	}
	if !o.skip["import"] {
		// The CSV import (issue 15): 10,000 lines through the upload and the worker.
		imp, err := importPhase(ctx, st, 10000)
		if err != nil {
			rep.Notes = append(rep.Notes, "import: "+err.Error())
			fmt.Fprintln(log, "bench: import:", err)
		} else {
			rep.Import = imp
			fmt.Fprintf(log, "bench: import: %d lines in %.1f s (%.0f lines/s, %d worker runs); undo in %.1f s; upload check %.1f s\n",
				imp.Lines, imp.Seconds, imp.LinesPerSec, imp.WorkerRuns, imp.UndoSeconds, imp.UploadChecks)
		}
	}
	if !o.skip["export"] {
		// The export of 10,000 rows (issue 15), chunk after chunk.
		exp, err := exportPhase(ctx, st, 10000, log)
		if err != nil {
			rep.Notes = append(rep.Notes, "export: "+err.Error())
			fmt.Fprintln(log, "bench: export:", err)
		} else {
			rep.Export = exp
			fmt.Fprintf(log, "bench: export: %d rows in %.2f s (%.0f rows/s), %d chunks, ≤ %d round trips and %.1f capacity units per chunk, largest %d bytes\n",
				exp.Rows, exp.Seconds, exp.RowsPerSec, exp.Chunks, exp.MaxRoundTrips, exp.CapacityMax, exp.MaxBytes)
		}
	}
	if !o.skip["cold"] {
		rep.Cold = coldPhase(ctx, o, st, rie, bins, routes, log)
	}
	rep.Notes = append(rep.Notes, st.notes...)
	return nil
}

// coldPhase runs every bootstrap under its own emulator, the empty Lambda
// first and last (both runs make its baseline).
func coldPhase(ctx context.Context, o options, st *benchStack, rie string, bins []*Binary, routes []Route, log io.Writer) []ColdStart {
	routeOf := map[string]Route{}
	for _, r := range routes {
		if _, ok := routeOf[r.Function]; !ok || r.Method == "GET" {
			routeOf[r.Function] = r
		}
	}
	eventFor := func(fn string) []byte {
		if fn == baselineName {
			ev, _ := apiEvent(Route{Method: "GET", Path: "/config", Function: fn}, nil)
			return ev
		}
		r, ok := routeOf[fn]
		if !ok {
			return streamEvent() // a stream consumer
		}
		claims := st.claimsFor(r.Authorizer)
		if strings.HasPrefix(r.Path, "/admin/") && st.staff.claims != nil {
			claims = st.staff.claims
		}
		ev, _ := apiEvent(r, claims)
		return ev
	}
	var base *Binary
	var others []*Binary
	for _, b := range bins {
		if b.Function == baselineName {
			base = b
		} else {
			others = append(others, b)
		}
	}
	sort.Slice(others, func(i, j int) bool { return others[i].Function < others[j].Function })

	measure := func(b *Binary, runs int) ColdStart {
		env := append(st.lambdaEnv(), "AWS_LAMBDA_FUNCTION_NAME="+b.Function, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256")
		start := time.Now()
		c := measureColdStart(ctx, rie, b.path, env, eventFor(b.Function), runs, o.warmRuns)
		c.Function = b.Function
		fmt.Fprintf(log, "cold %-22s cold p50 %6.1f ms, init p50 %6.1f ms, warm p50 %5.2f ms, status %d (%s) %s\n", b.Function,
			percentile(c.ColdMs, 50), percentile(c.InitMs, 50), percentile(c.WarmMs, 50), c.Status, time.Since(start).Round(time.Millisecond), c.Err)
		return c
	}
	var out []ColdStart
	var baseRuns ColdStart
	if base != nil {
		baseRuns = measure(base, o.coldRuns)
	}
	for _, b := range others {
		if ctx.Err() != nil {
			break
		}
		out = append(out, measure(b, o.coldRuns))
	}
	if base != nil {
		again := measure(base, o.coldRuns)
		baseRuns.ColdMs = append(baseRuns.ColdMs, again.ColdMs...)
		baseRuns.InitMs = append(baseRuns.InitMs, again.InitMs...)
		baseRuns.WarmMs = append(baseRuns.WarmMs, again.WarmMs...)
		out = append([]ColdStart{baseRuns}, out...)
	}
	return out
}

// baseEnv is the environment every emulated Lambda gets besides the
// stack's: what the Lambda service itself sets.
func baseEnv() []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.TempDir(),
		"AWS_ACCESS_KEY_ID=local",
		"AWS_SECRET_ACCESS_KEY=local",
		"AWS_LAMBDA_RUNTIME_API_LOG=off",
		"TZ=UTC",
	}
}
