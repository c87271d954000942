// Command bench measures what a MyCRM request costs on the local stack:
// DynamoDB round trips and consumed capacity per route, latency through the
// local gateway against the same DynamoDB operations issued directly, cost
// flatness as other tenants' data grows, and the cold start of every function
// under the AWS Lambda Runtime Interface Emulator against an empty Lambda.
//
// It starts its own stack on free ports, stops everything it started, prints
// a markdown table and writes bench/out/bench.json. Run it with `make bench`
// (or `go run ./bench` from the repository root).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/assentis/mycrm/internal/devstack/mdblock"
)

const baselineName = "(empty lambda)"

// Report is the whole result, written as JSON.
type Report struct {
	Machine   Machine        `json:"machine"`
	StartedAt time.Time      `json:"startedAt"`
	Seconds   float64        `json:"durationSeconds"`
	Binaries  []*Binary      `json:"binaries"`
	Cold      []ColdStart    `json:"coldStart"`
	Routes    []*RouteResult `json:"routes"`
	Overhead  []*Overhead    `json:"overhead"`
	Flatness  []*Flatness    `json:"flatness"`
	Load      []LoadStat     `json:"bulkLoad,omitempty"`
	Import    *ImportBench   `json:"import,omitempty"`
	Export    *ExportBench   `json:"export,omitempty"`
	Notes     []string       `json:"notes,omitempty"`
}

// Machine is where the figures were measured.
type Machine struct {
	NProc     int    `json:"nproc"`
	CPU       string `json:"cpu"`
	GoVersion string `json:"goVersion"`
	OS        string `json:"os"`
	MemGiB    int    `json:"memGiB"`
}

type options struct {
	root     string
	out      string
	coldRuns int
	warmRuns int
	n        int
	small    int
	big      int
	skip     map[string]bool
	stackLog io.Writer // the stack's and the gateway's log (bench/out/stack.log)
	// keepConsumers leaves the stream consumers running during the bulk load.
	keepConsumers bool
	// doc rewrites the tables in docs/performance.md between the bench markers.
	doc bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	run := run
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "load": // make load
			run = func(ctx context.Context, args []string, stdout, log io.Writer) error {
				return runLoad(ctx, args[1:], stdout, log)
			}
		case "cost": // make cost
			run = func(_ context.Context, args []string, stdout, _ io.Writer) error { return runCost(args[1:], stdout) }
		}
	}
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, log io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var o options
	var skip string
	fs.StringVar(&o.out, "out", "bench/out", "directory for bench.json, bench.md and the built bootstraps")
	fs.IntVar(&o.coldRuns, "cold", 10, "cold starts per function")
	fs.IntVar(&o.warmRuns, "warm", 20, "warm invocations per function after its last cold start")
	fs.IntVar(&o.n, "n", 100, "timed requests per route (p50/p99)")
	fs.IntVar(&o.small, "small", 1000, "items of other MIAs in the small table (flatness)")
	fs.IntVar(&o.big, "big", 100000, "items of other MIAs in the big table (flatness)")
	fs.BoolVar(&o.keepConsumers, "keep-consumers", false, "keep the stream consumers running while other MIAs' items are loaded")
	fs.BoolVar(&o.doc, "doc", false, "also replace the block between the bench markers of docs/performance.md with the tables (make bench sets it)")
	fs.StringVar(&skip, "skip", "", "comma-separated phases to skip: cold,routes,flat,import,export")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.skip = map[string]bool{}
	for _, s := range strings.Split(skip, ",") {
		if s = strings.TrimSpace(s); s != "" {
			o.skip[s] = true
		}
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "template.yaml")); err != nil {
		return fmt.Errorf("run from the repository root (template.yaml not found in %s)", root)
	}
	o.root = root
	if !filepath.IsAbs(o.out) {
		o.out = filepath.Join(root, o.out)
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}

	stackLog, err := os.Create(filepath.Join(o.out, "stack.log"))
	if err != nil {
		return err
	}
	defer stackLog.Close()
	o.stackLog = stackLog

	rep := &Report{Machine: machine(), StartedAt: time.Now().UTC()}
	routes, functions, err := readRoutes(filepath.Join(root, "template.yaml"))
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "bench: %d routes, %d functions in template.yaml; machine: %d× %s, %s\n",
		len(routes), len(functions), rep.Machine.NProc, rep.Machine.CPU, rep.Machine.GoVersion)

	err = runPhases(ctx, o, rep, routes, log)
	rep.Seconds = time.Since(rep.StartedAt).Seconds()
	if werr := writeReport(o.out, rep, stdout); werr != nil && err == nil {
		err = werr
	}
	if o.doc && err == nil {
		// docs/performance.md has its own title: the report's becomes a section.
		md := strings.Replace(markdown(rep), "## make bench", "## Latest run: make bench", 1)
		err = mdblock.Replace(filepath.Join(root, "docs", "performance.md"), docBegin, docEnd, md)
	}
	return err
}

// docs/performance.md holds the latest tables between these.
const (
	docBegin = "<!-- bench:begin (written by make bench) -->"
	docEnd   = "<!-- bench:end -->"
)

func writeReport(dir string, rep *Report, stdout io.Writer) error {
	md := markdown(rep)
	fmt.Fprint(stdout, md)
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "bench.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "bench.md"), []byte(md), 0o644)
}

func machine() Machine {
	m := Machine{NProc: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			m.MemGiB = (kb + 512*1024) / (1024 * 1024)
		}
	}
	return m
}
