// Package e2e holds MyCRM's end-to-end tests: real HTTP requests, with real
// Cognito tokens, through the local API Gateway to the functions' handlers,
// on a local stack (DynamoDB Local, cognito-local, aws-ses-v2-local) that
// TestMain starts on free ports in a temporary directory and removes at the end.
//
// Every test of the package uses the shared stack (the `stack` variable) and
// the helpers below; tests create their own data (a fresh MIA via
// newTenant when they need an empty tenant), so they do not depend on
// each other's order.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/devstack"
	"github.com/aws/aws-sdk-go-v2/config"
)

// stack is the local stack every test of the package talks to.
var stack *devstack.Stack

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		// The quick loop (make check) runs without Java or Node; make test runs these.
		fmt.Println("e2e: not run with -short: every test needs the local stack (Java and Node)")
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Every log line of the stack, the gateway, the handlers and the
	// consumers is captured: TestMain checks that none holds a token, a
	// password or planted contact data (issue 5).
	var logw io.Writer = logs
	if os.Getenv("E2E_LOG") != "" {
		logw = io.MultiWriter(logs, os.Stderr) // E2E_LOG=1 go test ./e2e shows the gateway's and the stack's log
	}
	s, err := devstack.Start(ctx, devstack.Options{Log: logw, HandlerLog: logw,
		WebDir:     filepath.Join("..", "web", "dist"), // the browser test drives the built web client
		AWSOptions: []func(*config.LoadOptions) error{faults.option()}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: start the local stack:", err)
		return 1
	}
	stack = s
	if api, err = loadContract(ctx, s.APIURL+"/openapi.json"); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: the served OpenAPI document:", err)
		_ = s.Close()
		return 1
	}
	code := m.Run()
	// A -run filter leaves tests out: the figures and the scan's own check
	// below are those of a whole run.
	f := flag.Lookup("test.run")
	whole := f == nil || f.Value.String() == ""
	if leaks := scanLogs(logs.Bytes()); len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "e2e: %d secrets or personal data found in the logs, e.g. %q\n", len(leaks), leaks[0])
		code = 1
	} else if l := figs.Logs; whole && (l.Bytes == 0 || l.Secrets == 0) {
		// An empty capture or nothing planted would make the scan pass vacuously.
		fmt.Fprintf(os.Stderr, "e2e: the log scan checked %d secrets in %d bytes of logs: the capture or the planting is broken\n", l.Secrets, l.Bytes)
		code = 1
	}
	if code == 0 && whole {
		if err := writeFigures(filepath.Join("..", ".local", "reliability")); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: write the reliability figures:", err)
		}
	}
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: stop the local stack:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// response is an API answer, body already read.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r response) JSON(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// call sends method path to the API with an optional ID token, a JSON body
// (any value, or nil) and extra headers ("Name", "value", …).
func call(t *testing.T, method, path, token string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Errorf("%s %s: body: %v", method, path, err) // not Fatal: see send
			return response{}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, stack.APIURL+path, rd)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return response{}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	plantBody(body)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return send(t, req, token)
}

// rawCall sends a body as is (malformed JSON, another content type).
func rawCall(t *testing.T, method, path, token, contentType, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, stack.APIURL+path, strings.NewReader(body))
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err) // not Fatal: see send
		return response{}
	}
	req.Header.Set("Content-Type", contentType)
	return send(t, req, token)
}

// send adds the ID token, if any, to a request of call or rawCall, sends it
// and reads the answer, which must match the served OpenAPI document
// (checkAnswer). A transport error is reported with t.Errorf and answered as
// status 0, which no expectation accepts: the concurrency tests call it from
// their own goroutines, where t.Fatal is not allowed.
func send(t *testing.T, req *http.Request, token string) response {
	t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
		plant(token)
	}
	var reqBody []byte
	if req.GetBody != nil { // set by http.NewRequest for the readers call and rawCall give
		rc, err := req.GetBody()
		if err == nil {
			reqBody, err = io.ReadAll(rc)
		}
		if err != nil {
			t.Errorf("%s %s: copy the body: %v", req.Method, req.URL.Path, err)
			return response{}
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", req.Method, req.URL.Path, err)
		return response{}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("%s %s: read the answer: %v", req.Method, req.URL.Path, err)
		return response{}
	}
	r := response{Status: resp.StatusCode, Header: resp.Header, Body: b}
	checkAnswer(t, req, reqBody, r)
	return r
}

// login returns an ID token of the pool ("mia" or "apporteur").
func login(t *testing.T, pool, email, password string) string {
	t.Helper()
	tok, err := stack.Login(context.Background(), pool, email, password)
	if err != nil {
		t.Fatal(err)
	}
	plant(tok, password, email)
	return tok
}

// waitStreams waits until the stream consumers have handled every write so far.
func waitStreams(t *testing.T) {
	t.Helper()
	waitStreamsFor(t, 30*time.Second)
}

// waitStreamsFor is waitStreams for a test that writes thousands of items
// at once (an import and its undo), whose stream takes longer to read.
func waitStreamsFor(t *testing.T, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := stack.WaitStreams(ctx); err != nil {
		t.Fatal(err)
	}
}
