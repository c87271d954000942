package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// stepStats collects what one load step measured, per route family.
type stepStats struct {
	mu     sync.Mutex
	lat    map[string][]float64   // family → latencies of answered requests, ms
	status map[string]map[int]int // family → status → count (0: no answer)
	delays map[string][]float64   // consumer effect → delays, ms
	misses map[string]int         // consumer effect → probes that never saw it
}

func newStepStats() *stepStats {
	return &stepStats{lat: map[string][]float64{}, status: map[string]map[int]int{},
		delays: map[string][]float64{}, misses: map[string]int{}}
}

func (s *stepStats) add(family string, status int, ms float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if status != 0 {
		s.lat[family] = append(s.lat[family], ms)
	}
	if s.status[family] == nil {
		s.status[family] = map[int]int{}
	}
	s.status[family][status]++
}

func (s *stepStats) delay(effect string, ms float64, seen bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !seen {
		s.misses[effect]++
		return
	}
	s.delays[effect] = append(s.delays[effect], ms)
}

// Outcome classes of a status: the 412s of concurrent If-Match edits and
// the 429s of the invitation limits are expected answers, not failures.
func statusClass(status int) string {
	switch {
	case status == 0:
		return "failure"
	case status >= 200 && status < 300:
		return "ok"
	case status == 412:
		return "expected 412"
	case status == 429:
		return "limited 429"
	case status >= 500:
		return "failure"
	default:
		return "client error"
	}
}

// Quantiles are p50/p95/p99 of a sample, ms.
type Quantiles struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50Ms"`
	P95 float64 `json:"p95Ms"`
	P99 float64 `json:"p99Ms"`
}

func quantiles(xs []float64) Quantiles {
	return Quantiles{N: len(xs), P50: percentile(xs, 50), P95: percentile(xs, 95), P99: percentile(xs, 99)}
}

// bendStep returns the index of the first step whose p99 is at least twice
// the first step's, or -1 when none is.
func bendStep(p99 []float64) int {
	if len(p99) < 2 || p99[0] <= 0 {
		return -1
	}
	for i := 1; i < len(p99); i++ {
		if p99[i] >= 2*p99[0] {
			return i
		}
	}
	return -1
}

// CPUShare is the CPU one process used during a step, in % of one core.
type CPUShare struct {
	Name    string  `json:"name"`
	PID     int     `json:"pid"`
	Percent float64 `json:"percentOfOneCore"`
}

// stepLoad is what bottleneck weighs for one step.
type stepLoad struct {
	cpu                   []CPUShare
	nproc                 int
	machinePct            float64 // every process, % of one core
	drainMs, drainLimitMs float64
	readP50, writeP50     float64
}

// bottleneck names what limited a step: the stream consumers when they
// needed longer than drainLimit to catch up after the step; writes queueing
// when their p50 is five times the reads' while no process of the stack
// used a whole core; else, when the machine was busy, the process of the
// stack with the largest CPU share, or other processes when the stack's
// own share was the smaller part; else nothing saturated.
func bottleneck(s stepLoad) string {
	var ours float64
	top := CPUShare{}
	for _, c := range s.cpu {
		ours += c.Percent
		if c.Percent > top.Percent {
			top = c
		}
	}
	busy := s.machinePct >= 0.85*float64(100*s.nproc)
	switch {
	case s.drainMs > s.drainLimitMs:
		return fmt.Sprintf("stream consumers: %.1f s to catch up after the step", s.drainMs/1000)
	case s.readP50 > 0 && s.writeP50 >= 5*s.readP50 && top.Percent < 90:
		return fmt.Sprintf("writes queue: p50 %.0f ms against %.0f ms for reads while no process of the stack used a whole core (largest: %s, %.0f %%; machine %.0f %% of %d cores)",
			s.writeP50, s.readP50, top.Name, top.Percent, s.machinePct, s.nproc)
	case busy && ours < s.machinePct/2:
		return fmt.Sprintf("CPU taken by other processes (machine %.0f %%, this stack %.0f %% of %d cores)", s.machinePct, ours, s.nproc)
	case busy && top.Name != "":
		return fmt.Sprintf("CPU, mostly %s (%.0f %% of one core; machine %.0f %% of %d cores)", top.Name, top.Percent, s.machinePct, s.nproc)
	default:
		return fmt.Sprintf("none saturated (machine CPU %.0f %% of %d cores)", s.machinePct, s.nproc)
	}
}

// machineTicks reads the busy and total clock ticks of all cores from
// /proc/stat.
func machineTicks() (busy, total int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total
}

// procTicks reads utime+stime (clock ticks) of a process from /proc.
func procTicks(pid int) (int64, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	return statTicks(string(b))
}

// statTicks parses utime+stime out of a /proc/<pid>/stat line (the command
// name, in parentheses, may hold spaces).
func statTicks(line string) (int64, error) {
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return 0, fmt.Errorf("bad stat line")
	}
	f := strings.Fields(line[i+1:])
	// after the name: state(0) ppid(1) … utime(11) stime(12)
	if len(f) < 13 {
		return 0, fmt.Errorf("bad stat line")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad stat line")
	}
	return u + s, nil
}

// watchedProc is a process whose CPU the load run samples.
type watchedProc struct {
	name string
	pid  int
}

// stackProcs are this process (the gateway, its in-process handlers and
// stream consumers, and the load generator) and its direct children (the
// emulators), named after their command line.
func stackProcs() []watchedProc {
	self := os.Getpid()
	out := []watchedProc{{name: "gateway + handlers + consumers + load generator (Go)", pid: self}}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		f := strings.Fields(s[i+1:])
		if len(f) < 2 || f[1] != strconv.Itoa(self) {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		c := strings.ReplaceAll(string(cmd), "\x00", " ")
		name := "child " + e.Name()
		switch {
		case strings.Contains(c, "DynamoDBLocal"):
			name = "DynamoDB Local (java)"
		case strings.Contains(c, "cognito-local"):
			name = "cognito-local (node)"
		case strings.Contains(c, "ses"):
			name = "aws-ses-v2-local (node)"
		}
		out = append(out, watchedProc{name: name, pid: pid})
	}
	sort.SliceStable(out[1:], func(i, j int) bool { return out[1+i].name < out[1+j].name })
	return out
}
