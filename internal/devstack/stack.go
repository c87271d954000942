// Package devstack runs MyCRM on a laptop with no AWS account. It is
// development tooling: no Lambda links it or its subpackages. Start runs
// the emulators of infra/local/node_modules (DynamoDB Local, cognito-local,
// aws-ses-v2-local; package emulators), provisions them from template.yaml
// (table, user pools, app clients, groups), seeds the produit catalogue and
// the demo accounts, builds the services exactly as a Lambda does (app.Load
// on the local environment) and serves them through the local API Gateway
// (package gateway), stream consumers included.
//
// `make dev` (infra/local), the end-to-end tests (e2e) and bench use Start.
package devstack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/assentis/mycrm/internal/app"
	"github.com/assentis/mycrm/internal/app/streamapp"
	"github.com/assentis/mycrm/internal/devstack/emulators"
	"github.com/assentis/mycrm/internal/devstack/gateway"
	"github.com/assentis/mycrm/internal/devstack/s3local"
	"github.com/assentis/mycrm/internal/devstack/samtemplate"
	"github.com/assentis/mycrm/internal/httpapi"
	"github.com/assentis/mycrm/internal/phone"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
)

// Region is the region the local stack pretends to be in.
const Region = "eu-west-3"

// Stage names the local pools ("mycrm-mia-local"), as the Stage parameter does in the cloud.
const Stage = "local"

// Seeded accounts (see PLAN.md "Seeds").
const (
	DemoMIAEmail    = "demo.mia@assentis.test"
	DemoMIAPassword = "Demo-MIA-2026!"
	DemoMIACabinet  = "Cabinet Démo"
	// A second MIA: one apporteur may work with both (issue 12).
	DemoMIA2Email    = "demo.mia2@assentis.test"
	DemoMIA2Password = "Demo-MIA2-2026!"
	StaffEmail       = "staff@assentis.test"
	StaffPassword    = "Staff-Assentis-2026!"
	defaultMailFrom  = "Assentis <no-reply@assentis.test>"
	stateFile        = "stack.json"
)

// Options say where and how to run the stack.
type Options struct {
	// Dir holds the state: DynamoDB's files, cognito-local's .cognito/, the
	// emulators' logs and stack.json. Empty: a temporary directory.
	Dir string
	// Ports; 0 picks a free port.
	DynamoPort, CognitoPort, SESPort, APIPort, S3Port int
	// Persist keeps the data in Dir across runs (and Dir itself on Close);
	// otherwise DynamoDB runs in memory and Close removes the state.
	Persist bool
	// WebDir is served by the gateway at / when it exists ("" = none).
	WebDir string
	// Log receives the stack's and the gateway's log lines (nil = discarded).
	Log io.Writer

	// Root is the project root (template.yaml, infra/local); found from the
	// working directory when empty.
	Root string
	// AllowedOrigins of the browser (CORS); default: the API's own origin and
	// the Vite dev server (http://localhost:5173).
	AllowedOrigins []string
	// StreamStart, when set (LATEST or TRIM_HORIZON), replaces the stream
	// consumers' StartingPosition. Empty: LATEST when restarting on persisted
	// data (so a restart does not replay history), the template's otherwise.
	StreamStart string
	// OnStreamFailure also receives the records a consumer gave up on.
	OnStreamFailure func(context.Context, gateway.StreamFailure)
	// AWSOptions are passed to app.Load for the services the gateway's
	// handlers and consumers use (the benchmark adds its DynamoDB
	// call-counting SDK middleware with config.WithAPIOptions).
	AWSOptions []func(*config.LoadOptions) error
	// RunSchedules runs the template's schedules on time (make dev); the
	// tests leave it off and fire the one they check with FireSchedule.
	RunSchedules bool
	// HandlerLog, when set, receives the JSON logs of the functions'
	// handlers and stream consumers (app.Load's default: stderr), so a test
	// can check what they log.
	HandlerLog io.Writer
}

// Stack is a running local MyCRM.
type Stack struct {
	APIURL, DynamoURL, CognitoURL, SESURL string
	// S3URL is the local S3 (package s3local), Bucket the files bucket there.
	S3URL, Bucket                      string
	Table                              string
	MIAPoolID, MIAClientID             string
	ApporteurPoolID, ApporteurClientID string
	// Env is the functions' environment (what template.yaml's Globals give a
	// Lambda, with the local endpoints).
	Env map[string]string
	// Services are built by app.Load (every client) from Env, as each Lambda
	// builds its own.
	Services *streamapp.Services
	Template *samtemplate.Template
	Gateway  *gateway.Gateway
	// Clock is what every handler, consumer and job of the stack reads the
	// time from; tests and POST /_local/clock move it (Set, Reset).
	Clock *gateway.Clock
	// Dir is the state directory.
	Dir string

	opts     Options
	log      *slog.Logger
	tempDir  bool
	emus     []*emulators.Emulator
	ses      *emulators.Emulator
	server   *http.Server
	dynamo   *dynamodb.Client
	cognito  *cognitoidentityprovider.Client
	failMu   sync.Mutex
	failures []gateway.StreamFailure
	objFails []gateway.ObjectFailure
	s3Server *http.Server
	closed   bool
	// guard is the reverse proxy at CognitoURL in front of cognito-local
	// (which takes a free port): it applies the template's pool settings.
	guard       *cognitoGuard
	guardServer *http.Server
}

// state is stack.json: what a restart on persisted data reuses.
type state struct {
	CursorSecret      string `json:"cursorSecret"`
	Table             string `json:"table"`
	MIAPoolID         string `json:"miaPoolId"`
	MIAClientID       string `json:"miaClientId"`
	ApporteurPoolID   string `json:"apporteurPoolId"`
	ApporteurClientID string `json:"apporteurClientId"`
}

// Start runs the emulators, provisions and seeds them, and serves the API
// on APIPort. Close stops everything it started.
func Start(ctx context.Context, o Options) (_ *Stack, err error) {
	s := &Stack{opts: o}
	var logw io.Writer = io.Discard
	if o.Log != nil {
		logw = o.Log
	}
	s.log = slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelInfo}))
	defer func() {
		if err != nil {
			_ = s.Close()
		}
	}()

	root := o.Root
	if root == "" {
		if root, err = emulators.Root(); err != nil {
			return nil, err
		}
	}
	s.Template, err = samtemplate.ParseTemplate(filepath.Join(root, "template.yaml"))
	if err != nil {
		return nil, err
	}
	table, err := s.Template.Table()
	if err != nil {
		return nil, err
	}
	modules, err := ensureNodeModules(ctx, root, logw)
	if err != nil {
		return nil, err
	}

	// State directory.
	s.Dir = o.Dir
	if s.Dir == "" {
		if s.Dir, err = os.MkdirTemp("", "mycrm-local-"); err != nil {
			return nil, err
		}
		s.tempDir = true
	}
	if s.Dir, err = filepath.Abs(s.Dir); err != nil {
		return nil, err
	}
	restart, err := prepareDir(s.Dir, o.Persist)
	if err != nil {
		return nil, err
	}
	st, err := loadState(s.Dir)
	if err != nil {
		return nil, err
	}

	// Ports.
	for _, p := range []struct {
		name string
		port *int
	}{{"DynamoDB", &o.DynamoPort}, {"cognito-local", &o.CognitoPort}, {"aws-ses-v2-local", &o.SESPort}, {"API", &o.APIPort}, {"S3", &o.S3Port}} {
		if *p.port != 0 {
			if err := emulators.CheckPortFree(p.name, *p.port); err != nil {
				return nil, err
			}
		}
		if *p.port, err = emulators.FreePort(*p.port); err != nil {
			return nil, err
		}
	}
	s.opts = o
	s.DynamoURL = "http://127.0.0.1:" + strconv.Itoa(o.DynamoPort)
	s.CognitoURL = "http://127.0.0.1:" + strconv.Itoa(o.CognitoPort)
	s.SESURL = "http://127.0.0.1:" + strconv.Itoa(o.SESPort)
	s.APIURL = "http://localhost:" + strconv.Itoa(o.APIPort)
	s.S3URL = "http://127.0.0.1:" + strconv.Itoa(o.S3Port)

	cfg := aws.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	}
	s.dynamo = dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(s.DynamoURL) })
	s.cognito = cognitoidentityprovider.NewFromConfig(cfg, func(o *cognitoidentityprovider.Options) { o.BaseEndpoint = aws.String(s.CognitoURL) })
	streams := dynamodbstreams.NewFromConfig(cfg, func(o *dynamodbstreams.Options) { o.BaseEndpoint = aws.String(s.DynamoURL) })

	if err := s.startEmulators(ctx, modules); err != nil {
		return nil, err
	}

	if err := s.provision(ctx, &st, table); err != nil {
		return nil, err
	}
	if err := saveState(s.Dir, st); err != nil {
		return nil, err
	}

	origins := o.AllowedOrigins
	if origins == nil {
		origins = []string{s.APIURL, "http://127.0.0.1:" + strconv.Itoa(o.APIPort), "http://localhost:5173", "http://127.0.0.1:5173"}
	}
	if err := s.startS3(origins); err != nil {
		return nil, err
	}
	s.Env = map[string]string{
		"TABLE_NAME":          s.Table,
		"AWS_REGION":          Region,
		"CURSOR_SECRET":       st.CursorSecret,
		"MIA_POOL_ID":         s.MIAPoolID,
		"MIA_CLIENT_ID":       s.MIAClientID,
		"APPORTEUR_POOL_ID":   s.ApporteurPoolID,
		"APPORTEUR_CLIENT_ID": s.ApporteurClientID,
		"WEB_BASE_URL":        s.APIURL,
		"MAIL_FROM":           defaultMailFrom,
		"ALLOWED_ORIGINS":     strings.Join(origins, ","),
		"DYNAMODB_ENDPOINT":   s.DynamoURL,
		"COGNITO_ENDPOINT":    s.CognitoURL,
		"SES_ENDPOINT":        s.SESURL,
		"BUCKET_NAME":         s.Bucket,
		"S3_ENDPOINT":         s.S3URL,
	}
	s.Services, err = streamapp.LoadWithMailer(ctx, func(k string) string { return s.Env[k] },
		app.WithAWSConfig(AWSConfig(o.AWSOptions...)), app.WithEverything(), app.WithPhone(phone.Normalize))
	if err != nil {
		return nil, fmt.Errorf("load services: %w", err)
	}
	if o.HandlerLog != nil {
		hl := slog.New(slog.NewJSONHandler(o.HandlerLog, nil))
		s.Services.HTTP.Log, s.Services.Consumers.Log = hl, hl
	}
	s.Clock = &gateway.Clock{}
	s.Services.HTTP.Now, s.Services.Consumers.Now = s.Clock.Now, s.Clock.Now
	if s.Services.HTTP.Store != nil {
		s.Services.HTTP.Store.Now = s.Clock.Now
	}
	if s.Services.Store != nil {
		s.Services.Store.Now = s.Clock.Now
	}
	if err := s.seed(ctx); err != nil {
		return nil, err
	}

	handlers, err := httpHandlers(s.Services)
	if err != nil {
		return nil, err
	}
	consumers, err := streamConsumers(s.Services)
	if err != nil {
		return nil, err
	}
	objectHandlers, err := uploadHandlers(s.Services)
	if err != nil {
		return nil, err
	}
	jobs, err := scheduledJobs(s.Services)
	if err != nil {
		return nil, err
	}
	streamStart := o.StreamStart
	if streamStart == "" && restart {
		streamStart = "LATEST"
	}
	s.Gateway, err = gateway.New(gateway.Config{
		Template:  s.Template,
		Handlers:  handlers,
		Consumers: consumers,
		Jobs:      jobs,
		Clock:     s.Clock,
		Refs: map[string]string{
			table.LogicalID:           s.Table,
			"MiaUserPool":             s.MIAPoolID,
			"MiaUserPoolClient":       s.MIAClientID,
			"ApporteurUserPool":       s.ApporteurPoolID,
			"ApporteurUserPoolClient": s.ApporteurClientID,
			filesBucket:               s.Bucket,
		},
		Objects:          objectHandlers,
		OnObjectFailure:  s.onObjectFailure,
		Region:           Region,
		CognitoEndpoint:  s.CognitoURL,
		AllowedOrigins:   origins,
		OpenAPI:          httpapi.OpenAPI(),
		WebDir:           o.WebDir,
		Streams:          streams,
		StartingPosition: streamStart,
		RetryDelay:       50 * time.Millisecond,
		OnFailure:        s.onStreamFailure,
		Log:              s.log,
	})
	if err != nil {
		return nil, err
	}
	if err := s.Gateway.StartStreams(ctx); err != nil {
		return nil, fmt.Errorf("start stream consumers: %w", err)
	}
	if o.RunSchedules {
		if err := s.Gateway.StartSchedules(ctx); err != nil {
			return nil, fmt.Errorf("start schedules: %w", err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(o.APIPort))
	if err != nil {
		return nil, fmt.Errorf("listen for the API: %w", err)
	}
	s.server = &http.Server{Handler: s.Gateway, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.server.Serve(l) }()
	s.log.Info("local stack ready", "api", s.APIURL, "dir", s.Dir, "persist", o.Persist, "restart", restart)
	return s, nil
}

// FireSchedule runs the scheduled function folder as EventBridge Scheduler
// would at `at` (POST <APIURL>/_local/schedules/<folder>?at=… does the same).
func (s *Stack) FireSchedule(ctx context.Context, folder string, at time.Time) error {
	return s.Gateway.FireSchedule(ctx, folder, at)
}

// Close stops the API, the stream consumers and the emulators it started (by
// PID), and removes the state directory unless it persists.
func (s *Stack) Close() error {
	if s == nil || s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	for _, srv := range []*http.Server{s.server, s.guardServer, s.s3Server} {
		if srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			errs = append(errs, srv.Shutdown(ctx))
			cancel()
		}
	}
	if s.Gateway != nil {
		errs = append(errs, s.Gateway.Close())
	}
	for i := len(s.emus) - 1; i >= 0; i-- {
		errs = append(errs, s.emus[i].Stop())
	}
	if s.Dir != "" && (!s.opts.Persist || s.tempDir) {
		errs = append(errs, os.RemoveAll(s.Dir))
	}
	return errors.Join(errs...)
}

// WaitStreams waits until the stream consumers have processed every write
// made before the call (and what those consumers wrote in turn).
func (s *Stack) WaitStreams(ctx context.Context) error {
	return s.Gateway.StreamsIdle(ctx)
}

// StreamFailures are the records stream consumers gave up on so far (the
// local on-failure destination).
func (s *Stack) StreamFailures() []gateway.StreamFailure {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	return append([]gateway.StreamFailure(nil), s.failures...)
}

// WaitUploads waits until the S3-event functions have handled every upload
// made before the call (the upload check).
func (s *Stack) WaitUploads(ctx context.Context) error {
	return s.Gateway.ObjectsIdle(ctx)
}

// ObjectFailures are the S3 events the S3-event functions gave up on.
func (s *Stack) ObjectFailures() []gateway.ObjectFailure {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	return append([]gateway.ObjectFailure(nil), s.objFails...)
}

func (s *Stack) onObjectFailure(_ context.Context, f gateway.ObjectFailure) {
	s.failMu.Lock()
	s.objFails = append(s.objFails, f)
	s.failMu.Unlock()
}

// filesBucket is the logical id of the files bucket in template.yaml.
const filesBucket = "FilesBucket"

// startS3 serves the local S3 (package s3local) on S3Port with the
// template's files bucket, named as in the cloud (Stage local), versioned
// and with its CORS rule for the browser's origins. Objects live in memory:
// a restart of make dev forgets them (their table items stay).
func (s *Stack) startS3(origins []string) error {
	b, ok := s.Template.Buckets[filesBucket]
	if !ok || b.Name == "" {
		return fmt.Errorf("template.yaml: no %s with a BucketName", filesBucket)
	}
	s.Bucket = samtemplate.Sub(b.Name, map[string]string{"Stage": Stage, "AWS::AccountId": gateway.AccountID, "AWS::Region": Region})
	cfg := s3local.Config{Region: Region, AccessKey: "local", SecretKey: "local", Buckets: map[string]bool{s.Bucket: b.Versioning},
		AllowedOrigins: origins,
		OnCreated: func(bucket string, rec events.S3EventRecord) {
			if s.Gateway != nil {
				s.Gateway.ObjectCreated(bucket, rec)
			}
		}}
	if c := b.Cors; c != nil {
		cfg.Cors = &s3local.Cors{AllowedMethods: c.AllowedMethods, AllowedHeaders: c.AllowedHeaders, ExposedHeaders: c.ExposedHeaders, MaxAge: c.MaxAge}
	}
	srv, err := s3local.New(cfg)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", strings.TrimPrefix(s.S3URL, "http://"))
	if err != nil {
		return fmt.Errorf("listen for S3: %w", err)
	}
	s.s3Server = &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.s3Server.Serve(l) }()
	return nil
}

func (s *Stack) onStreamFailure(ctx context.Context, f gateway.StreamFailure) {
	s.failMu.Lock()
	s.failures = append(s.failures, f)
	s.failMu.Unlock()
	if s.opts.OnStreamFailure != nil {
		s.opts.OnStreamFailure(ctx, f)
	}
}

// startEmulators starts the three emulators in parallel, then waits for
// each to be ready.
func (s *Stack) startEmulators(ctx context.Context, modules string) error {
	for _, e := range []struct {
		start func(emulators.Config) (*emulators.Emulator, error)
		cfg   emulators.Config
		ses   bool
	}{
		{emulators.StartDynamoDB, emulators.Config{Dir: filepath.Join(s.Dir, "dynamodb"), Log: filepath.Join(s.Dir, "dynamodb.log"), Port: s.opts.DynamoPort, Persist: s.opts.Persist}, false},
		// cognito-local keeps its state in .cognito/ of its working directory.
		// It listens on a free port; CognitoURL is the guard in front of it,
		// which is also the tokens' issuer (cognito-local's IssuerDomain).
		{emulators.StartCognito, emulators.Config{Dir: filepath.Join(s.Dir, "cognito"), Log: filepath.Join(s.Dir, "cognito.log"), Issuer: s.CognitoURL}, false},
		{emulators.StartSES, emulators.Config{Dir: s.Dir, Log: filepath.Join(s.Dir, "ses.log"), Port: s.opts.SESPort}, true},
	} {
		e.cfg.Modules = modules
		emu, err := e.start(e.cfg)
		if err != nil {
			return err
		}
		s.emus = append(s.emus, emu)
		if e.ses {
			s.ses = emu
		}
	}
	var cognitoURL string
	for _, emu := range s.emus {
		if emu.Name == "cognito-local" {
			cognitoURL = emu.URL
		}
	}
	target, err := url.Parse(cognitoURL)
	if err != nil {
		return err
	}
	s.guard = newCognitoGuard(target)
	gl, err := net.Listen("tcp", strings.TrimPrefix(s.CognitoURL, "http://"))
	if err != nil {
		return fmt.Errorf("listen for the Cognito guard: %w", err)
	}
	s.guardServer = &http.Server{Handler: s.guard, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.guardServer.Serve(gl) }()
	for _, emu := range s.emus {
		if err := emu.Ready(ctx); err != nil {
			return err
		}
	}
	s.log.Info("emulators ready", "dynamodb", s.DynamoURL, "cognito", s.CognitoURL, "ses", s.SESURL)
	return nil
}

// Emails returns every email sent so far, oldest first.
func (s *Stack) Emails(ctx context.Context) ([]emulators.Email, error) { return s.ses.Emails(ctx) }

// ensureNodeModules returns infra/local/node_modules, running `npm ci` first
// when it is missing (a fresh clone).
func ensureNodeModules(ctx context.Context, root string, logw io.Writer) (string, error) {
	dir := filepath.Join(root, "infra", "local")
	modules := filepath.Join(dir, "node_modules")
	if fileExists(filepath.Join(modules, ".package-lock.json")) {
		return modules, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", errors.New("infra/local/node_modules is missing and npm is not installed")
	}
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	cmd.Stdout = logw
	cmd.Stderr = logw
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm ci in %s: %w", dir, err)
	}
	return modules, nil
}

// prepareDir makes the state directory ready. With persistence, DynamoDB's
// files and cognito-local's state must come from the same run: when either
// is missing (or the last start never finished provisioning), both are
// wiped. restart reports that persisted data is reused.
func prepareDir(dir string, persist bool) (restart bool, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}
	if persist {
		complete := fileExists(filepath.Join(dir, stateFile)) &&
			fileExists(filepath.Join(dir, "dynamodb", "shared-local-instance.db")) &&
			fileExists(filepath.Join(dir, "cognito", ".cognito", "db"))
		if complete {
			return true, nil
		}
	}
	for _, p := range []string{stateFile, "dynamodb", "cognito"} {
		if err := os.RemoveAll(filepath.Join(dir, p)); err != nil {
			return false, err
		}
	}
	return false, nil
}

func loadState(dir string) (state, error) {
	var st state
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return st, err
	default:
		if err := json.Unmarshal(b, &st); err != nil {
			return st, fmt.Errorf("%s: %w", stateFile, err)
		}
	}
	if st.CursorSecret == "" {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return st, err
		}
		st.CursorSecret = hex.EncodeToString(b[:])
	}
	return st, nil
}

func saveState(dir string, st state) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, stateFile), append(b, '\n'), 0o600)
}

// AWSConfig loads the AWS config with the SDK's default chain
// (config.LoadDefaultConfig) and these options, static credentials when
// DYNAMODB_ENDPOINT points at the emulators; given to app.Load by
// app.WithAWSConfig. The benchmark adds an SDK middleware with
// config.WithAPIOptions.
func AWSConfig(o ...func(*config.LoadOptions) error) func(context.Context, string, func(string) string) (aws.Config, error) {
	return func(ctx context.Context, region string, getenv func(string) string) (aws.Config, error) {
		opts := []func(*config.LoadOptions) error{config.WithRegion(region)}
		if getenv("DYNAMODB_ENDPOINT") != "" {
			opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
		}
		return config.LoadDefaultConfig(ctx, append(opts, o...)...)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
