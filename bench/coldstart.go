package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// rieModule is the AWS Lambda Runtime Interface Emulator, built with go from
// the module proxy into <repo>/.local/bin (never added to go.mod).
const rieModule = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// Binary is one function built as a Lambda bootstrap.
type Binary struct {
	Function  string `json:"function"`
	SizeAMD64 int64  `json:"sizeAmd64Bytes"`
	SizeARM64 int64  `json:"sizeArm64Bytes"`
	path      string // linux/amd64 bootstrap, measured here
}

// ColdStart is what the emulator measured for one bootstrap.
type ColdStart struct {
	Function string `json:"function"`
	// ColdMs: process start (aws-lambda-rie exec) → first response, per run.
	ColdMs []float64 `json:"coldMs"`
	// InitMs: the "Init Duration" the emulator reports (bootstrap exec → runtime ready), per run.
	InitMs []float64 `json:"initMs"`
	// WarmMs: later invocations of the same instance.
	WarmMs []float64 `json:"warmMs"`
	Status int       `json:"firstStatus"`
	Err    string    `json:"error,omitempty"`
}

// buildFunctions builds every functions/* package and the empty baseline as
// bootstrap binaries the way they are deployed (CGO off, lambda.norpc,
// stripped), for linux/amd64 (measured) and linux/arm64 (deployed, size only).
func buildFunctions(ctx context.Context, root, outDir string, log io.Writer) ([]*Binary, error) {
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return nil, err
	}
	var pkgs []string
	var bins []*Binary
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, "functions", e.Name(), "main.go")); err != nil {
			continue
		}
		pkgs = append(pkgs, "./functions/"+e.Name())
		bins = append(bins, &Binary{Function: e.Name()})
	}
	pkgs = append(pkgs, "./bench/emptylambda")
	bins = append([]*Binary{{Function: baselineName}}, bins...)

	for _, arch := range []string{"amd64", "arm64"} {
		dir := filepath.Join(outDir, "build", arch)
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		start := time.Now()
		raw := filepath.Join(dir, "go-build")
		args := append([]string{"build", "-trimpath", "-tags", "lambda.norpc", "-ldflags", "-s -w", "-o", raw + "/"}, pkgs...)
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("go build (%s): %w\n%s", arch, err, stderr.String())
		}
		for _, b := range bins {
			pkgDir := b.Function
			if b.Function == baselineName {
				pkgDir = "emptylambda"
			}
			// go build names each binary after its package folder; a Lambda
			// zip holds it as "bootstrap".
			dst := filepath.Join(dir, b.Function, "bootstrap")
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return nil, err
			}
			if err := os.Rename(filepath.Join(raw, pkgDir), dst); err != nil {
				return nil, err
			}
			fi, err := os.Stat(dst)
			if err != nil {
				return nil, err
			}
			if arch == "amd64" {
				b.SizeAMD64 = fi.Size()
				b.path = dst
			} else {
				b.SizeARM64 = fi.Size()
			}
		}
		fmt.Fprintf(log, "built %d bootstraps for linux/%s in %s\n", len(bins), arch, time.Since(start).Round(time.Millisecond))
	}
	return bins, nil
}

// installRIE builds aws-lambda-rie into <root>/.local/bin and returns its path.
func installRIE(ctx context.Context, root string) (string, error) {
	bin := filepath.Join(root, ".local", "bin")
	cmd := exec.CommandContext(ctx, "go", "install", rieModule)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOBIN="+bin, "CGO_ENABLED=0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go install aws-lambda-rie: %w\n%s", err, out.String())
	}
	return filepath.Join(bin, "aws-lambda-rie"), nil
}

// initReportRE matches the emulator's log line that ends the init phase
// (bootstrap exec → runtime's first /next); the "Init Duration" of its
// REPORT line is not that (the emulator inits asynchronously).
var initReportRE = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)

// measureColdStart starts the bootstrap under its own aws-lambda-rie instance
// coldRuns times, each time timing process start → first response and
// reading the emulator's Init Duration; the last instance is then invoked
// warmRuns more times. env is the whole environment of the emulator, which
// forwards it to the function.
func measureColdStart(ctx context.Context, rie, bootstrap string, env []string, event []byte, coldRuns, warmRuns int) ColdStart {
	var cs ColdStart
	for i := 0; i < coldRuns; i++ {
		warm := 0
		if i == coldRuns-1 {
			warm = warmRuns
		}
		cold, initMs, status, warmMs, err := runOnce(ctx, rie, bootstrap, env, event, warm)
		if err != nil {
			cs.Err = err.Error()
			return cs
		}
		cs.ColdMs = append(cs.ColdMs, cold)
		if initMs > 0 {
			cs.InitMs = append(cs.InitMs, initMs)
		}
		cs.WarmMs = append(cs.WarmMs, warmMs...)
		cs.Status = status
	}
	return cs
}

func runOnce(ctx context.Context, rie, bootstrap string, env []string, event []byte, warmRuns int) (coldMs, initMs float64, status int, warmMs []float64, err error) {
	apiPort, err := freePort()
	if err != nil {
		return 0, 0, 0, nil, err
	}
	rtPort, err := freePort()
	if err != nil {
		return 0, 0, 0, nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", apiPort)
	cmd := exec.Command(rie,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", rtPort),
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	logs, err := cmd.StderrPipe()
	if err != nil {
		return 0, 0, 0, nil, err
	}
	var stderr lastLines
	initCh := make(chan float64, 1)
	go func() {
		sc := bufio.NewScanner(logs)
		sent := false
		for sc.Scan() {
			stderr.add(sc.Text())
			if m := initReportRE.FindStringSubmatch(sc.Text()); m != nil && !sent {
				v, _ := strconv.ParseFloat(m[1], 64)
				initCh <- v
				sent = true
			}
		}
	}()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	url := "http://" + addr + "/2015-03-31/functions/function/invocations"

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, nil, fmt.Errorf("start aws-lambda-rie: %w", err)
	}
	defer stopProcess(cmd)

	deadline := start.Add(20 * time.Second)
	for {
		status, err = invoke(ctx, client, url, event)
		if err == nil {
			break
		}
		var opErr *net.OpError
		if !errors.As(err, &opErr) || time.Now().After(deadline) {
			return 0, 0, 0, nil, fmt.Errorf("first invoke: %w (stderr: %s)", err, strings.TrimSpace(stderr.String()))
		}
		time.Sleep(500 * time.Microsecond)
	}
	coldMs = ms(time.Since(start))
	select {
	case initMs = <-initCh:
	case <-time.After(2 * time.Second):
	}
	for i := 0; i < warmRuns; i++ {
		t := time.Now()
		if _, err := invoke(ctx, client, url, event); err != nil {
			return 0, 0, 0, nil, fmt.Errorf("warm invoke: %w", err)
		}
		warmMs = append(warmMs, ms(time.Since(t)))
	}
	return coldMs, initMs, status, warmMs, nil
}

// invoke posts one event to the emulator and returns the HTTP status of the
// function's API Gateway response (or of the emulator when it failed).
func invoke(ctx context.Context, c *http.Client, url string, event []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(event))
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	var r struct {
		StatusCode int `json:"statusCode"`
	}
	if json.Unmarshal(body, &r) != nil || r.StatusCode == 0 {
		return resp.StatusCode, nil
	}
	return r.StatusCode, nil
}

// stopProcess kills, by PID, the emulator's children (the bootstrap runs in
// its own process group) and then the emulator's own group, and reaps it.
func stopProcess(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	pid := cmd.Process.Pid
	for _, child := range childPIDs(pid) {
		_ = syscall.Kill(child, syscall.SIGKILL)
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	_ = cmd.Wait()
}

// childPIDs lists the direct children of pid from /proc.
func childPIDs(pid int) []int {
	var kids []int
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range dirs {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces: split after the last ')'.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(s[i+1:])
		if len(fields) < 2 {
			continue
		}
		if ppid, _ := strconv.Atoi(fields[1]); ppid == pid {
			if p, err := strconv.Atoi(strings.Fields(s)[0]); err == nil {
				kids = append(kids, p)
			}
		}
	}
	return kids
}

// lastLines keeps the last few lines of a process's log for error messages.
type lastLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *lastLines) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
	if len(l.lines) > 5 {
		l.lines = l.lines[1:]
	}
}

func (l *lastLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, " | ")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// percentile returns the p-th percentile (0..100, nearest rank) of xs.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	rank := int(p/100*float64(len(s))+0.999999) - 1
	if rank < 0 {
		rank = 0
	}
	if rank >= len(s) {
		rank = len(s) - 1
	}
	return s[rank]
}
