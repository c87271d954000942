package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// startCognito runs cognito-local on port with its state in dir/.cognito
// (created with the template's pool default, email as username, if new).
// A non-empty issuer is written as its tokens' IssuerDomain at every start
// (the stack's guard in front of it, whose port may change between runs).
func startCognito(modules, dir, logPath string, port int, issuer string) (*proc, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node not found: cognito-local and aws-ses-v2-local need Node.js 20")
	}
	cfg := filepath.Join(dir, ".cognito", "config.json")
	if !fileExists(cfg) || issuer != "" {
		if err := os.MkdirAll(filepath.Dir(cfg), 0o755); err != nil {
			return nil, err
		}
		conf := map[string]any{"UserPoolDefaults": map[string]any{"UsernameAttributes": []string{"email"}}}
		if issuer != "" {
			conf["TokenConfig"] = map[string]string{"IssuerDomain": issuer}
		}
		b, err := json.Marshal(conf)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(cfg, append(b, '\n'), 0o644); err != nil {
			return nil, err
		}
	}
	return startProc("cognito-local", dir, logPath, []string{"PORT=" + strconv.Itoa(port), "HOST=127.0.0.1"},
		node, filepath.Join(modules, "cognito-local", "lib", "bin", "start.js"))
}

// startSES runs aws-ses-v2-local on port, in dir.
func startSES(modules, dir, logPath string, port int) (*proc, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node not found: cognito-local and aws-ses-v2-local need Node.js 20")
	}
	return startProc("aws-ses-v2-local", dir, logPath, []string{"AWS_SES_ACCOUNT={}"},
		node, filepath.Join(modules, "aws-ses-v2-local", "dist", "cli.js"), "--host", "127.0.0.1", "--port", strconv.Itoa(port))
}

// Readiness probes of the two Node emulators.
const (
	cognitoHealth = "/health"
	sesHealth     = "/health-check"
)

// An Emulator is one emulator of infra/local run alone, for the tests of the
// package that talks to it (accounts: cognito-local; sesmail:
// aws-ses-v2-local). Stop ends it by its PID.
type Emulator struct {
	URL string
	p   *proc
}

// StartCognito runs cognito-local alone on a free port with its state and
// log in dir.
func StartCognito(ctx context.Context, dir string) (*Emulator, error) {
	return startAlone(ctx, dir, func(modules, dir, logPath string, port int) (*proc, error) {
		return startCognito(modules, dir, logPath, port, "")
	}, cognitoHealth)
}

// StartSES runs aws-ses-v2-local alone on a free port with its log in dir.
func StartSES(ctx context.Context, dir string) (*Emulator, error) {
	return startAlone(ctx, dir, startSES, sesHealth)
}

func startAlone(ctx context.Context, dir string, start func(modules, dir, logPath string, port int) (*proc, error), health string) (*Emulator, error) {
	root, err := findRoot()
	if err != nil {
		return nil, err
	}
	modules := filepath.Join(root, "infra", "local", "node_modules")
	if !fileExists(filepath.Join(modules, ".package-lock.json")) {
		return nil, fmt.Errorf("%s is missing: make node-modules (npm ci in infra/local)", modules)
	}
	port, err := freePort(0)
	if err != nil {
		return nil, err
	}
	p, err := start(modules, dir, filepath.Join(dir, "emulator.log"), port)
	if err != nil {
		return nil, err
	}
	e := &Emulator{URL: "http://127.0.0.1:" + strconv.Itoa(port), p: p}
	if err := p.waitReady(ctx, emulatorReadyLimit, httpReady(e.URL+health)); err != nil {
		_ = p.stop(time.Second)
		return nil, err
	}
	return e, nil
}

// Stop ends the emulator (SIGTERM to its process group, then SIGKILL).
func (e *Emulator) Stop() error { return e.p.stop(2 * time.Second) }
