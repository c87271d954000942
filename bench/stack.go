package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/devstack"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/assentis/mycrm/internal/routes"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// benchStack is the local stack the benchmark started, with its sessions and
// the data it created.
type benchStack struct {
	ls     *devstack.Stack
	rec    *recorder
	direct *dynamodb.Client // same DynamoDB Local, no middleware: the baseline
	api    *apiClient

	routes   map[string]Route // by route key
	handlers map[string]bool  // function folders with a registered HTTP handler

	mia, staff, apporteur session
	miaID                 crm.MIAID
	data                  data
	skipped               map[string]string // route key → why it has no scenario
	otherMIAs             int
	consumersStopped      bool
	notes                 []string
	adapters              map[string]*httpadapter.HandlerAdapterV2 // by function folder
	extra                 map[string]*scenario                     // list variants, by "GET /path?query"
}

// invoke runs k through the route's handler in-process, as its Lambda does
// (the event API Gateway would send after its JWT authorizer, through
// aws-lambda-go-api-proxy), without the local gateway's HTTP and JWT work.
func (st *benchStack) invoke(ctx context.Context, r Route, k call) (status int, msec float64, err error) {
	a := st.adapters[r.Function]
	if a == nil {
		row, ok := routes.Find(r.Function)
		if !ok {
			return 0, 0, fmt.Errorf("no handler %s", r.Function)
		}
		h, err := row.Handler(st.ls.Services.HTTP)
		if err != nil {
			return 0, 0, err
		}
		a = httpadapter.NewV2(h)
		st.adapters[r.Function] = a
	}
	var claims map[string]string
	for _, s := range []session{st.mia, st.staff, st.apporteur} {
		if k.token != "" && s.token == k.token {
			claims = s.claims
		}
	}
	ev := requestEvent(r, k, claims)
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: ev.RequestContext.RequestID})
	t := time.Now()
	resp, err := a.ProxyWithContext(ctx, ev)
	return resp.StatusCode, ms(time.Since(t)), err
}

// startStack starts the whole local stack on free ports (in-memory DynamoDB,
// temporary state), with the recorder on the AWS config of the gateway's
// in-process handlers and consumers, and logs in a MIA and a staff member.
func startStack(ctx context.Context, o options, templateRoutes []Route, log io.Writer) (*benchStack, error) {
	rec := &recorder{}
	t := time.Now()
	ls, err := devstack.Start(ctx, devstack.Options{
		Root: o.root,
		Log:  o.stackLog,
		AWSOptions: []func(*config.LoadOptions) error{
			config.WithAPIOptions([]func(*middleware.Stack) error{rec.apiOption}),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("start local stack: %w", err)
	}
	fmt.Fprintf(log, "bench: local stack up in %s (API %s, DynamoDB %s)\n", time.Since(t).Round(time.Millisecond), ls.APIURL, ls.DynamoURL)
	st := &benchStack{ls: ls, rec: rec, api: newAPIClient(ls.APIURL), routes: map[string]Route{},
		handlers: map[string]bool{}, skipped: map[string]string{}, adapters: map[string]*httpadapter.HandlerAdapterV2{}}
	for _, r := range templateRoutes {
		st.routes[r.Key()] = r
	}
	for _, r := range routes.API {
		st.handlers[r.Folder] = true
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(ls.Env["AWS_REGION"]),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	if err != nil {
		_ = ls.Close()
		return nil, err
	}
	st.direct = dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(ls.DynamoURL) })
	// The invitation routes are measured many times on one MIA and one
	// apporteur: no cooldown, and a quota never reached (its counter is
	// still written, so the cost is the real one).
	ls.Services.Store.Limits = dynamo.InvitationLimits{PerDay: math.MaxInt32}

	stamp := time.Now().UTC().Format("150405")
	if st.mia, st.miaID, err = st.newMIA(ctx, fmt.Sprintf("bench-%s@assentis.test", stamp), false); err != nil {
		_ = ls.Close()
		return nil, fmt.Errorf("bench MIA: %w", err)
	}
	if st.staff, _, err = st.newMIA(ctx, fmt.Sprintf("bench-staff-%s@assentis.test", stamp), true); err != nil {
		_ = ls.Close()
		return nil, fmt.Errorf("bench staff: %w", err)
	}
	return st, nil
}

// close stops everything the stack started.
func (st *benchStack) close() error { return st.ls.Close() }

func (st *benchStack) newMIA(ctx context.Context, email string, staff bool) (session, crm.MIAID, error) {
	id, err := st.ls.CreateMIA(ctx, email, benchPassword, staff)
	if err != nil {
		return session{}, "", err
	}
	tok, err := st.ls.Login(ctx, "mia", email, benchPassword)
	if err != nil {
		return session{}, "", err
	}
	claims, err := tokenClaims(tok)
	if err != nil {
		return session{}, "", err
	}
	return session{email: email, token: tok, claims: claims}, id, nil
}

// has tells whether the route is in template.yaml and its handler exists.
func (st *benchStack) has(key string) bool {
	r, ok := st.routes[key]
	return ok && st.handlers[r.Function]
}

// skip returns an error, and records why the affected routes have no
// scenario, when the route a setup step needs is not there.
func (st *benchStack) skip(need string, affected ...string) error {
	if st.has(need) {
		return nil
	}
	err := fmt.Errorf("needs %s (not served yet)", need)
	for _, k := range affected {
		if _, ok := st.skipped[k]; !ok {
			st.skipped[k] = err.Error()
		}
	}
	return err
}

// fail records that a setup step failed for the affected routes.
func (st *benchStack) fail(err error, affected ...string) {
	for _, k := range affected {
		if _, ok := st.skipped[k]; !ok {
			st.skipped[k] = "setup failed: " + err.Error()
		}
	}
}

// claimsFor gives the claims API Gateway would pass for a route's authorizer.
func (st *benchStack) claimsFor(authorizer string) map[string]string {
	switch authorizer {
	case "":
		return nil
	case "ApporteurAuthorizer":
		if st.apporteur.claims != nil {
			return st.apporteur.claims
		}
	}
	return st.mia.claims
}

// lambdaEnv is the environment of an emulated function: the stack's
// function environment (local endpoints included) and the Lambda basics.
func (st *benchStack) lambdaEnv() []string {
	env := baseEnv()
	var keys []string
	for k := range st.ls.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+st.ls.Env[k])
	}
	return env
}

// stopConsumers lets the stream consumers catch up, then stops them.
func (st *benchStack) stopConsumers(ctx context.Context) error {
	if err := st.streamsIdle(ctx, 2*time.Minute); err != nil {
		return err
	}
	st.consumersStopped = true
	return st.ls.Gateway.Close()
}

// streamsIdle waits until the stream consumers caught up with every write.
func (st *benchStack) streamsIdle(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := st.ls.WaitStreams(ctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("stream consumers still busy after %s", timeout)
		}
		return err
	}
	return nil
}
