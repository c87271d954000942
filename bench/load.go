package main

// `go run ./bench load` (make load): virtual MIA offices and their
// apporteurs work at once on the local stack, at rising concurrency, for a
// bounded time per step. See loadRun.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assentis/mycrm/internal/devstack"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// LoadReport is what `make load` measured, written as bench/out/load.json.
type LoadReport struct {
	Machine   Machine      `json:"machine"`
	StartedAt time.Time    `json:"startedAt"`
	Seconds   float64      `json:"durationSeconds"`
	Offices   int          `json:"offices"`
	StepTime  string       `json:"stepTime"`
	Steps     []*LoadStep  `json:"steps"`
	Bend      int          `json:"bendStep"` // index in Steps, -1 when p99 never doubled
	Capacity  LoadCapacity `json:"capacity"`
	Checks    []LoadCheck  `json:"checks"`
	Emails    EmailCount   `json:"emails"`
}

// LoadStep is one concurrency level.
type LoadStep struct {
	Users      int                       `json:"virtualUsers"`
	Seconds    float64                   `json:"seconds"`
	Requests   int                       `json:"requests"`
	RPS        float64                   `json:"requestsPerSecond"`
	All        Quantiles                 `json:"all"`
	ReadP50    float64                   `json:"readP50Ms"`  // GET families
	WriteP50   float64                   `json:"writeP50Ms"` // POST and PATCH families
	Families   map[string]Quantiles      `json:"families"`
	Statuses   map[string]map[string]int `json:"statuses"` // family → status → count
	Failures   int                       `json:"failures"` // 5xx and unanswered
	Delays     map[string]Quantiles      `json:"consumerDelays"`
	Missed     map[string]int            `json:"consumerMissed"`
	CPU        []CPUShare                `json:"cpu"`
	MachineCPU float64                   `json:"machineCpuPercent"` // every process, % of one core
	DrainMs    float64                   `json:"drainMs"`           // stream consumers catching up after the step
	Bottleneck string                    `json:"bottleneck"`
}

// LoadCapacity is the DynamoDB capacity the run consumed, split between the
// API requests and the stream consumers, and what it is per request.
type LoadCapacity struct {
	RequestRead    float64 `json:"requestReadUnits"`
	RequestWrite   float64 `json:"requestWriteUnits"`
	ConsumerRead   float64 `json:"consumerReadUnits"`
	ConsumerWrite  float64 `json:"consumerWriteUnits"`
	ReadRequests   int     `json:"readRequests"`  // answered GETs
	WriteRequests  int     `json:"writeRequests"` // accepted POST/PATCH
	HandlerP50Read float64 `json:"readP50Ms"`     // first step, through the gateway; stands for a Lambda's duration
	HandlerP50Wrt  float64 `json:"writeP50Ms"`
}

// LoadCheck is one end-of-run loss check.
type LoadCheck struct {
	Name    string   `json:"name"`
	Checked int      `json:"checked"`
	Lost    []string `json:"lost,omitempty"`
}

// EmailCount is what the local SES received for the invitations.
type EmailCount struct {
	Invitations int `json:"invitations"`
	Emails      int `json:"emailsToInvited"`
}

type loadOptions struct {
	steps    []int
	stepTime time.Duration
	offices  int
	think    time.Duration
	out, doc string
	root     string
}

func runLoad(ctx context.Context, args []string, stdout, log io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	var o loadOptions
	var steps string
	fs.StringVar(&steps, "steps", "10,50,100,200", "virtual users per step")
	fs.DurationVar(&o.stepTime, "step-time", 20*time.Second, "duration of each step")
	fs.IntVar(&o.offices, "offices", 10, "MIA offices (each with its apporteurs)")
	fs.DurationVar(&o.think, "think", 100*time.Millisecond, "longest pause of a virtual user between two actions (uniform)")
	fs.StringVar(&o.out, "out", "bench/out", "directory for load.json")
	fs.StringVar(&o.doc, "doc", "docs/load.md", "markdown report written by the run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, s := range strings.Split(steps, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("bad -steps %q", steps)
		}
		o.steps = append(o.steps, n)
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "template.yaml")); err != nil {
		return fmt.Errorf("run from the repository root (template.yaml not found in %s)", root)
	}
	o.root = root
	if err := os.MkdirAll(filepath.Join(root, o.out), 0o755); err != nil {
		return err
	}
	stackLog, err := os.Create(filepath.Join(root, o.out, "load-stack.log"))
	if err != nil {
		return err
	}
	defer stackLog.Close()

	rep := &LoadReport{Machine: machine(), StartedAt: time.Now().UTC(), Offices: o.offices, StepTime: o.stepTime.String(), Bend: -1}
	cap := &capacityMeter{}
	ls, err := devstack.Start(ctx, devstack.Options{Root: root, Log: stackLog, HandlerLog: stackLog, AWSOptions: cap.options()})
	if err != nil {
		return fmt.Errorf("start local stack: %w", err)
	}
	defer ls.Close()
	fmt.Fprintf(log, "load: local stack up (API %s)\n", ls.APIURL)

	l := newLoadRun(ls, o, log)
	if err := l.setup(ctx); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	cap.reset()
	l.counting.Store(true)
	for _, users := range o.steps {
		st, err := l.step(ctx, users)
		if err != nil {
			return err
		}
		rep.Steps = append(rep.Steps, st)
	}
	var p99 []float64
	for _, s := range rep.Steps {
		p99 = append(p99, s.All.P99)
	}
	rep.Bend = bendStep(p99)
	l.counting.Store(false)
	rep.Capacity = cap.totals()
	rep.Capacity.ReadRequests, rep.Capacity.WriteRequests = int(l.reads.Load()), int(l.writes.Load())
	if len(rep.Steps) > 0 {
		rep.Capacity.HandlerP50Read, rep.Capacity.HandlerP50Wrt = l.firstP50[0], l.firstP50[1]
	}
	checkErr := l.check(ctx, rep)
	rep.Seconds = time.Since(rep.StartedAt).Seconds()

	b, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(filepath.Join(root, o.out, "load.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	md := loadMarkdown(rep)
	doc := o.doc
	if !filepath.IsAbs(doc) {
		doc = filepath.Join(root, doc)
	}
	if err := os.MkdirAll(filepath.Dir(doc), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(doc, []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Fprint(stdout, md)
	if checkErr != nil {
		return checkErr
	}
	for _, s := range rep.Steps {
		if s.Failures > 0 && (rep.Bend < 0 || s.Users < rep.Steps[rep.Bend].Users) {
			return fmt.Errorf("%d failures (5xx or no answer) at %d virtual users, before the breaking point", s.Failures, s.Users)
		}
	}
	return nil
}

// office is one MIA with its data and apporteurs.
type office struct {
	email      string
	mu         sync.Mutex
	contacts   []string
	affaires   []string
	hot        string // affaire every virtual user of the office edits
	probe      string // affaire only the prober edits, on an apporteur's contact
	probeAppID string
	apporteurs []account
}

type account struct{ id, email string }

func (o *office) pick(xs *[]string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(*xs) == 0 {
		return ""
	}
	return (*xs)[rand.Intn(len(*xs))]
}

func (o *office) add(xs *[]string, id string) {
	o.mu.Lock()
	*xs = append(*xs, id)
	o.mu.Unlock()
}

// patchRec is an accepted PATCH: what it set and the version it made.
type patchRec struct {
	value   int
	version int
}

type created struct {
	office *office
	kind   string // "contacts" or "affaires"
	id     string
}

// loadRun drives the offices against one stack.
type loadRun struct {
	ls      *devstack.Stack
	o       loadOptions
	log     io.Writer
	api     *apiClient
	cognito *cip.Client
	offices []*office
	n       atomic.Int64 // unique numbers (emails, phones, values)

	mu       sync.Mutex
	created  []created
	patches  map[string][]patchRec // affaire id → accepted patches
	invited  []string              // invited apporteur emails
	counting atomic.Bool           // after setup: answered requests count for the capacity per request
	reads    atomic.Int64
	writes   atomic.Int64
	firstP50 [2]float64
}

func newLoadRun(ls *devstack.Stack, o loadOptions, log io.Writer) *loadRun {
	cog := cip.New(cip.Options{Region: ls.Env["AWS_REGION"], BaseEndpoint: aws.String(ls.CognitoURL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	api := &apiClient{base: strings.TrimRight(ls.APIURL, "/"), hc: &http.Client{Timeout: 60 * time.Second,
		Transport: &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute}}}
	return &loadRun{ls: ls, o: o, log: log, api: api, cognito: cog, patches: map[string][]patchRec{}}
}

func (l *loadRun) next() int64 { return l.n.Add(1) }

// uniqueContact is a contact no other call creates (email and phone unique).
func (l *loadRun) uniqueContact(tag int) map[string]any {
	n := l.next()
	return map[string]any{"nom": "Charge", "prenom": fmt.Sprint("Contact ", n),
		"email":     fmt.Sprintf("load-%d-%d@load.test", seq, n),
		"telephone": fmt.Sprintf("+336%d%07d", tag, (seq*100000+n)%1e7),
		"adresse":   "3 place Bellecour, 69002 Lyon"}
}

// login signs in with USER_PASSWORD_AUTH and returns the ID and refresh tokens.
func (l *loadRun) login(ctx context.Context, st *stepStats, pool, email string) (id, refresh string, err error) {
	client := map[string]string{"mia": l.ls.MIAClientID, "apporteur": l.ls.ApporteurClientID}[pool]
	t := time.Now()
	out, err := l.cognito.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		ClientId: aws.String(client), AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": benchPassword}})
	status := 200
	if err != nil || out.AuthenticationResult == nil {
		status = 0
	}
	if st != nil {
		st.add("Cognito USER_PASSWORD_AUTH", status, ms(time.Since(t)))
	}
	if status == 0 {
		return "", "", fmt.Errorf("login %s: %v", email, err)
	}
	return aws.ToString(out.AuthenticationResult.IdToken), aws.ToString(out.AuthenticationResult.RefreshToken), nil
}

func (l *loadRun) refresh(ctx context.Context, st *stepStats, pool, refresh string) (string, error) {
	client := map[string]string{"mia": l.ls.MIAClientID, "apporteur": l.ls.ApporteurClientID}[pool]
	t := time.Now()
	out, err := l.cognito.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: ciptypes.AuthFlowTypeRefreshTokenAuth,
		ClientId: aws.String(client), AuthParameters: map[string]string{"REFRESH_TOKEN": refresh}})
	status := 200
	if err != nil || out.AuthenticationResult == nil {
		status = 0
	}
	st.add("Cognito REFRESH_TOKEN_AUTH", status, ms(time.Since(t)))
	if status == 0 {
		return "", fmt.Errorf("refresh: %v", err)
	}
	return aws.ToString(out.AuthenticationResult.IdToken), nil
}

// do sends k, records it under family, and returns the reply (status 0:
// no answer).
func (l *loadRun) do(ctx context.Context, st *stepStats, family string, k call) reply {
	r, err := l.api.do(ctx, k)
	if err != nil {
		r = reply{}
	}
	if st != nil {
		st.add(family, r.status, r.ms)
	}
	if l.counting.Load() {
		if r.ok() {
			if k.method == "GET" {
				l.reads.Add(1)
			} else {
				l.writes.Add(1)
			}
		}
	}
	return r
}

// setup creates the offices: a MIA each, contacts, affaires (one edited by
// everyone, one on an apporteur's contact for the probes) and one active
// apporteur through invitation email and activation.
func (l *loadRun) setup(ctx context.Context) error {
	t := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, l.o.offices)
	l.offices = make([]*office, l.o.offices)
	for i := range l.offices {
		o := &office{email: fmt.Sprintf("load-mia-%d-%d@load.test", seq, i)}
		l.offices[i] = o
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = l.setupOffice(ctx, o)
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if err := l.ls.WaitStreams(ctx); err != nil {
		return err
	}
	fmt.Fprintf(l.log, "load: %d offices ready in %s\n", len(l.offices), time.Since(t).Round(time.Millisecond))
	return nil
}

func (l *loadRun) setupOffice(ctx context.Context, o *office) error {
	if _, err := l.ls.CreateMIA(ctx, o.email, benchPassword, false); err != nil {
		return err
	}
	tok, _, err := l.login(ctx, nil, "mia", o.email)
	if err != nil {
		return err
	}
	for i := 0; i < 10; i++ {
		r, err := l.api.must(ctx, call{method: "POST", path: "/contacts", token: tok, body: l.uniqueContact(7)})
		if err != nil {
			return err
		}
		o.contacts = append(o.contacts, r.id())
		l.track(o, "contacts", r.id())
	}
	for i := 0; i < 3; i++ {
		r, err := l.api.must(ctx, call{method: "POST", path: "/affaires", token: tok, body: newAffaire(o.contacts[i], i, nil)})
		if err != nil {
			return err
		}
		o.affaires = append(o.affaires, r.id())
		l.track(o, "affaires", r.id())
	}
	o.hot = o.affaires[0]
	a, err := l.onboard(ctx, nil, o, tok)
	if err != nil {
		return err
	}
	atok, _, err := l.login(ctx, nil, "apporteur", a.email)
	if err != nil {
		return err
	}
	r, err := l.api.must(ctx, call{method: "POST", path: "/espace-apporteur/contacts", token: atok, body: l.uniqueContact(8)})
	if err != nil {
		return err
	}
	l.track(o, "contacts", r.id())
	taux := 20
	r, err = l.api.must(ctx, call{method: "POST", path: "/affaires", token: tok, body: newAffaire(r.id(), 0, &taux)})
	if err != nil {
		return err
	}
	l.track(o, "affaires", r.id())
	o.probe, o.probeAppID = r.id(), a.id
	return nil
}

func (l *loadRun) track(o *office, kind, id string) {
	l.mu.Lock()
	l.created = append(l.created, created{office: o, kind: kind, id: id})
	l.mu.Unlock()
}

var loadTokenRE = regexp.MustCompile(`[?#&]token=([A-Za-z0-9_\-.~%]+)`)

// onboard creates an apporteur, waits for its invitation email (the
// stream consumer sends it), activates the account with the link's token
// and adds it to the office.
func (l *loadRun) onboard(ctx context.Context, st *stepStats, o *office, miaTok string) (account, error) {
	n := l.next()
	email := fmt.Sprintf("load-app-%d-%d@load.test", seq, n)
	r := l.do(ctx, st, "POST /apporteurs", call{method: "POST", path: "/apporteurs", token: miaTok, body: map[string]any{
		"nom": "Apporteur", "prenom": fmt.Sprint("Charge ", n), "email": email,
		"telephone": fmt.Sprintf("+336%d%07d", 6, (seq*100000+n)%1e7), "localisation": "Lyon"}})
	if !r.ok() {
		if st != nil {
			return account{}, nil // counted in the step's statuses
		}
		return account{}, fmt.Errorf("POST /apporteurs: %s", r)
	}
	t0 := time.Now()
	id := r.id()
	l.mu.Lock()
	l.invited = append(l.invited, email)
	l.mu.Unlock()
	var token string
	for token == "" {
		if time.Since(t0) > 60*time.Second {
			if st != nil {
				st.delay("invitation email", 0, false)
				return account{}, nil
			}
			return account{}, fmt.Errorf("no invitation email for %s", email)
		}
		mails, err := l.ls.Emails(ctx)
		if err != nil {
			return account{}, err
		}
		for _, m := range mails {
			for _, to := range m.To {
				if strings.EqualFold(to, email) {
					if t := loadTokenRE.FindStringSubmatch(m.Text + " " + m.HTML); t != nil {
						token = t[1]
					}
				}
			}
		}
		if token == "" {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if st != nil {
		st.delay("invitation email", ms(time.Since(t0)), true)
	}
	r = l.do(ctx, st, "POST /activation", call{method: "POST", path: "/activation", body: map[string]string{"token": token, "motDePasse": benchPassword}})
	if !r.ok() {
		if st != nil {
			return account{}, nil
		}
		return account{}, fmt.Errorf("POST /activation: %s", r)
	}
	a := account{id: id, email: email}
	o.mu.Lock()
	o.apporteurs = append(o.apporteurs, a)
	o.mu.Unlock()
	return a, nil
}

// step runs users virtual users for the step time, plus one onboarding per
// office and a prober of consumer delays, then waits for the consumers.
func (l *loadRun) step(ctx context.Context, users int) (*LoadStep, error) {
	st := newStepStats()
	procs := stackProcs()
	before := make([]int64, len(procs))
	for i, p := range procs {
		before[i], _ = procTicks(p.pid)
	}
	mBusy, mTotal := machineTicks()
	start := time.Now()
	deadline := start.Add(l.o.stepTime)
	var wg sync.WaitGroup
	for j := 0; j < users; j++ {
		wg.Add(1)
		go func(j int) {
			defer wg.Done()
			l.virtualUser(ctx, st, j, deadline)
		}(j)
	}
	wg.Add(2)
	go func() { defer wg.Done(); l.onboardAll(ctx, st) }()
	go func() { defer wg.Done(); l.prober(ctx, st, deadline) }()
	wg.Wait()
	elapsed := time.Since(start)
	mBusy2, mTotal2 := machineTicks()
	drainStart := time.Now()
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	err := l.ls.WaitStreams(wctx)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("stream consumers did not catch up: %w", err)
	}
	drain := time.Since(drainStart)

	s := &LoadStep{Users: users, Seconds: elapsed.Seconds(), Families: map[string]Quantiles{}, Statuses: map[string]map[string]int{},
		Delays: map[string]Quantiles{}, Missed: st.misses, DrainMs: ms(drain)}
	cpuSecs := elapsed.Seconds()
	for i, p := range procs {
		after, err := procTicks(p.pid)
		if err != nil {
			continue
		}
		s.CPU = append(s.CPU, CPUShare{Name: p.name, PID: p.pid, Percent: float64(after-before[i]) / 100 / cpuSecs * 100})
	}
	var all, reads, writes []float64
	for fam, xs := range st.lat {
		s.Families[fam] = quantiles(xs)
		if strings.HasPrefix(fam, "Cognito") {
			continue
		}
		all = append(all, xs...)
		if strings.HasPrefix(fam, "GET") {
			reads = append(reads, xs...)
		} else {
			writes = append(writes, xs...)
		}
	}
	for fam, m := range st.status {
		s.Statuses[fam] = map[string]int{}
		for code, n := range m {
			s.Statuses[fam][strconv.Itoa(code)] += n
			s.Requests += n
			if statusClass(code) == "failure" {
				s.Failures += n
			}
		}
	}
	s.All = quantiles(all)
	s.RPS = float64(s.Requests) / elapsed.Seconds()
	for e, xs := range st.delays {
		s.Delays[e] = quantiles(xs)
	}
	if l.firstP50 == [2]float64{} {
		l.firstP50 = [2]float64{percentile(reads, 50), percentile(writes, 50)}
	}
	if mTotal2 > mTotal {
		s.MachineCPU = float64(mBusy2-mBusy) / float64(mTotal2-mTotal) * float64(100*runtime.NumCPU())
	}
	s.ReadP50, s.WriteP50 = percentile(reads, 50), percentile(writes, 50)
	s.Bottleneck = bottleneck(stepLoad{cpu: s.CPU, nproc: runtime.NumCPU(), machinePct: s.MachineCPU, drainMs: s.DrainMs,
		drainLimitMs: 0.5 * l.o.stepTime.Seconds() * 1000, readP50: s.ReadP50, writeP50: s.WriteP50})
	fmt.Fprintf(l.log, "load: %d users: %.0f req/s, p50 %.1f p99 %.1f ms, %d failures, drain %.1f s; %s\n",
		users, s.RPS, s.All.P50, s.All.P99, s.Failures, drain.Seconds(), s.Bottleneck)
	return s, nil
}

// virtualUser works for one office until the deadline: a MIA (three users
// in four) or one of its apporteurs. It logs in, refreshes its token half
// way, and picks an action after a random pause: reads about 80 %, writes
// about 20 %.
func (l *loadRun) virtualUser(ctx context.Context, st *stepStats, j int, deadline time.Time) {
	o := l.offices[j%len(l.offices)]
	pool, email := "mia", o.email
	if j%4 == 3 {
		o.mu.Lock()
		a := o.apporteurs[(j/len(l.offices))%len(o.apporteurs)]
		o.mu.Unlock()
		pool, email = "apporteur", a.email
	}
	tok, ref, err := l.login(ctx, st, pool, email)
	if err != nil {
		return
	}
	refreshAt := time.Now().Add(time.Until(deadline) / 2)
	rnd := rand.New(rand.NewSource(int64(j) + time.Now().UnixNano()))
	for time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(time.Duration(rnd.Int63n(int64(l.o.think) + 1)))
		if !refreshAt.IsZero() && time.Now().After(refreshAt) {
			if t, err := l.refresh(ctx, st, pool, ref); err == nil {
				tok = t
			}
			refreshAt = time.Time{}
		}
		if pool == "apporteur" {
			l.apporteurAction(ctx, st, o, rnd.Intn(100), tok)
		} else {
			l.miaAction(ctx, st, o, rnd.Intn(100), tok)
		}
	}
}

func (l *loadRun) miaAction(ctx context.Context, st *stepStats, o *office, dice int, tok string) {
	get := func(fam, path string) { l.do(ctx, st, fam, call{method: "GET", path: path, token: tok}) }
	switch {
	case dice < 16:
		get("GET /contacts", "/contacts")
	case dice < 30:
		get("GET /contacts/{id}", "/contacts/"+o.pick(&o.contacts))
	case dice < 44:
		get("GET /affaires", "/affaires")
	case dice < 58:
		get("GET /affaires/{id}", "/affaires/"+o.pick(&o.affaires))
	case dice < 66:
		get("GET /apporteurs", "/apporteurs")
	case dice < 72:
		o.mu.Lock()
		a := o.apporteurs[rand.Intn(len(o.apporteurs))].id
		o.mu.Unlock()
		get("GET /apporteurs/{id}", "/apporteurs/"+a)
	case dice < 76:
		get("GET /entreprises", "/entreprises")
	case dice < 80:
		get("GET /produits", "/produits")
	case dice < 85:
		r := l.do(ctx, st, "POST /contacts", call{method: "POST", path: "/contacts", token: tok, body: l.uniqueContact(7)})
		if r.status == http.StatusCreated {
			o.add(&o.contacts, r.id())
			l.track(o, "contacts", r.id())
		}
	case dice < 88:
		c := o.pick(&o.contacts)
		r := l.do(ctx, st, "GET /contacts/{id}", call{method: "GET", path: "/contacts/" + c, token: tok})
		if r.ok() {
			l.do(ctx, st, "PATCH /contacts/{id}", call{method: "PATCH", path: "/contacts/" + c, token: tok,
				body: map[string]any{"profession": fmt.Sprint("Artisan ", l.next())}, header: map[string]string{"If-Match": r.header.Get("ETag")}})
		}
	case dice < 92:
		r := l.do(ctx, st, "POST /affaires", call{method: "POST", path: "/affaires", token: tok, body: newAffaire(o.pick(&o.contacts), int(l.next()%100), nil)})
		if r.status == http.StatusCreated {
			o.add(&o.affaires, r.id())
			l.track(o, "affaires", r.id())
		}
	default: // everyone of the office edits the same affaire: some 412s expected
		l.patchAffaire(ctx, st, tok, o.hot)
	}
}

// patchAffaire reads the affaire and changes its prime with If-Match,
// recording the accepted change (ETag, value, version) for the checks.
func (l *loadRun) patchAffaire(ctx context.Context, st *stepStats, tok, id string) (version int, ok bool) {
	r := l.do(ctx, st, "GET /affaires/{id}", call{method: "GET", path: "/affaires/" + id, token: tok})
	if !r.ok() {
		return 0, false
	}
	v := int(100000 + l.next()*1000)
	r = l.do(ctx, st, "PATCH /affaires/{id}", call{method: "PATCH", path: "/affaires/" + id, token: tok,
		body: map[string]any{"primeAnnuelleCentimes": v}, header: map[string]string{"If-Match": r.header.Get("ETag")}})
	if !r.ok() {
		return 0, false
	}
	var a struct {
		Version int `json:"version"`
	}
	_ = r.decode(&a)
	l.mu.Lock()
	l.patches[id] = append(l.patches[id], patchRec{value: v, version: a.Version})
	l.mu.Unlock()
	return a.Version, true
}

func (l *loadRun) apporteurAction(ctx context.Context, st *stepStats, o *office, dice int, tok string) {
	get := func(fam, path string) { l.do(ctx, st, fam, call{method: "GET", path: path, token: tok}) }
	switch {
	case dice < 25:
		get("GET /espace-apporteur/contacts", "/espace-apporteur/contacts")
	case dice < 50:
		get("GET /espace-apporteur/affaires", "/espace-apporteur/affaires")
	case dice < 70:
		get("GET /espace-apporteur/commissions", "/espace-apporteur/commissions")
	case dice < 80:
		get("GET /espace-apporteur/profil", "/espace-apporteur/profil")
	default:
		r := l.do(ctx, st, "POST /espace-apporteur/contacts", call{method: "POST", path: "/espace-apporteur/contacts", token: tok, body: l.uniqueContact(8)})
		if r.status == http.StatusCreated {
			l.track(o, "contacts", r.id()) // the MIA reads it back in the checks
		}
	}
}

// onboardAll invites and activates one new apporteur per office (about one
// invitation per apporteur: the invitation limits are not what is measured).
func (l *loadRun) onboardAll(ctx context.Context, st *stepStats) {
	var wg sync.WaitGroup
	for _, o := range l.offices {
		wg.Add(1)
		go func(o *office) {
			defer wg.Done()
			tok, _, err := l.login(ctx, st, "mia", o.email)
			if err != nil {
				return
			}
			_, _ = l.onboard(ctx, st, o, tok)
		}(o)
	}
	wg.Wait()
}

// prober measures, office after office, the delay from an accepted PATCH of
// an affaire to its historique entry and to its apporteur's new totals.
func (l *loadRun) prober(ctx context.Context, st *stepStats, deadline time.Time) {
	toks := map[*office]string{}
	for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
		o := l.offices[i%len(l.offices)]
		if toks[o] == "" {
			t, _, err := l.login(ctx, nil, "mia", o.email)
			if err != nil {
				return
			}
			toks[o] = t
		}
		tok := toks[o]
		total := func() (int, bool) {
			r := l.do(ctx, nil, "", call{method: "GET", path: "/apporteurs/" + o.probeAppID, token: tok})
			var a struct {
				Commissions struct {
					Total int `json:"totalCentimes"`
				} `json:"commissions"`
			}
			if !r.ok() || r.decode(&a) != nil {
				return 0, false
			}
			return a.Commissions.Total, true
		}
		before, ok := total()
		if !ok {
			continue
		}
		v, ok := l.patchAffaire(ctx, nil, tok, o.probe)
		if !ok {
			continue
		}
		t0 := time.Now()
		var histAt, totAt time.Duration
		for (histAt == 0 || totAt == 0) && time.Since(t0) < 30*time.Second {
			if histAt == 0 {
				r := l.do(ctx, nil, "", call{method: "GET", path: "/affaires/" + o.probe, token: tok})
				var a struct {
					Historique []struct {
						Version int `json:"version"`
					} `json:"historique"`
				}
				if r.ok() && r.decode(&a) == nil {
					for _, h := range a.Historique {
						if h.Version == v {
							histAt = time.Since(t0)
						}
					}
				}
			}
			if totAt == 0 {
				if t, ok := total(); ok && t != before {
					totAt = time.Since(t0)
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		st.delay("historique entry", ms(histAt), histAt != 0)
		st.delay("commission totals", ms(totAt), totAt != 0)
		time.Sleep(200 * time.Millisecond)
	}
}

// check verifies that nothing was lost: every accepted creation reads back,
// every affaire holds its last accepted edit and a historique entry per
// accepted edit, every invitation produced exactly one email, and every
// apporteur's totals equal a recount of its affaires.
func (l *loadRun) check(ctx context.Context, rep *LoadReport) error {
	toks := map[*office]string{}
	for _, o := range l.offices {
		t, _, err := l.login(ctx, nil, "mia", o.email)
		if err != nil {
			return err
		}
		toks[o] = t
	}
	get := func(o *office, path string, v any) (reply, error) {
		r, err := l.api.do(ctx, call{method: "GET", path: path, token: toks[o]})
		if err == nil && r.ok() && v != nil {
			err = r.decode(v)
		}
		return r, err
	}
	var failed []string
	add := func(c LoadCheck) {
		rep.Checks = append(rep.Checks, c)
		if len(c.Lost) > 0 {
			failed = append(failed, fmt.Sprintf("%s: %d lost", c.Name, len(c.Lost)))
		}
	}

	c := LoadCheck{Name: "accepted creations read back (contacts, affaires)"}
	for _, k := range l.created {
		c.Checked++
		if r, err := get(k.office, "/"+k.kind+"/"+k.id, nil); err != nil || r.status != http.StatusOK {
			c.Lost = append(c.Lost, fmt.Sprintf("%s/%s: %d", k.kind, k.id, r.status))
		}
	}
	add(c)

	owner := map[string]*office{}
	for _, o := range l.offices {
		owner[o.hot], owner[o.probe] = o, o
	}
	ce := LoadCheck{Name: "edited affaires hold their last accepted edit"}
	cv := LoadCheck{Name: "no two accepted edits made the same version (If-Match honoured)"}
	ch := LoadCheck{Name: "one historique entry per accepted edit"}
	for id, accepted := range l.patches {
		var a struct {
			Prime      int `json:"primeAnnuelleCentimes"`
			Version    int `json:"version"`
			Historique []struct {
				Version int `json:"version"`
			} `json:"historique"`
		}
		ce.Checked++
		r, err := get(owner[id], "/affaires/"+id, &a)
		if err != nil || !r.ok() {
			ce.Lost = append(ce.Lost, id+": "+r.String())
			continue
		}
		// The last accepted edit is the one with the highest version; the
		// stream consumers may write the affaire after it (its client's
		// name), so its ETag need not be the one that edit returned.
		var last patchRec
		for _, p := range accepted {
			if p.version > last.version {
				last = p
			}
		}
		if a.Prime != last.value || a.Version < last.version {
			ce.Lost = append(ce.Lost, fmt.Sprintf("%s: prime %d at version %d, last accepted edit %d at version %d", id, a.Prime, a.Version, last.value, last.version))
		}
		versions := map[int]int{}
		for _, p := range accepted {
			cv.Checked++
			if versions[p.version]++; versions[p.version] == 2 {
				cv.Lost = append(cv.Lost, fmt.Sprintf("%s: two accepted edits made version %d", id, p.version))
			}
		}
		seen := map[int]int{}
		for _, h := range a.Historique {
			seen[h.Version]++
		}
		for _, p := range accepted {
			ch.Checked++
			if seen[p.version] != 1 {
				ch.Lost = append(ch.Lost, fmt.Sprintf("%s v%d: %d entries", id, p.version, seen[p.version]))
			}
		}
	}
	add(ce)
	add(cv)
	add(ch)

	mails, err := l.ls.Emails(ctx)
	if err != nil {
		return err
	}
	count := map[string]int{}
	for _, m := range mails {
		for _, to := range m.To {
			count[strings.ToLower(to)]++
		}
	}
	cm := LoadCheck{Name: "exactly one email per invitation"}
	for _, e := range l.invited {
		cm.Checked++
		rep.Emails.Emails += count[e]
		if count[e] != 1 {
			cm.Lost = append(cm.Lost, fmt.Sprintf("%s: %d emails", e, count[e]))
		}
	}
	rep.Emails.Invitations = len(l.invited)
	add(cm)

	ct := LoadCheck{Name: "apporteur totals equal a recount of their affaires"}
	for _, o := range l.offices {
		for _, a := range o.apporteurs {
			var ap struct {
				Commissions struct {
					EnCours int `json:"enCoursCentimes"`
					Signee  int `json:"signeeCentimes"`
					Total   int `json:"totalCentimes"`
				} `json:"commissions"`
			}
			ct.Checked++
			if r, err := get(o, "/apporteurs/"+a.id, &ap); err != nil || !r.ok() {
				ct.Lost = append(ct.Lost, a.id+": "+r.String())
				continue
			}
			var enCours, signee int
			cursor := ""
			for {
				var page struct {
					Items []struct {
						Statut     string `json:"statut"`
						Commission int    `json:"commissionApporteurCentimes"`
					} `json:"items"`
					Next string `json:"nextCursor"`
				}
				path := "/affaires?apporteurId=" + a.id
				if cursor != "" {
					path += "&cursor=" + cursor
				}
				if r, err := get(o, path, &page); err != nil || !r.ok() {
					ct.Lost = append(ct.Lost, a.id+": list "+r.String())
					break
				}
				for _, it := range page.Items {
					switch it.Statut {
					case "en_cours":
						enCours += it.Commission
					case "signee":
						signee += it.Commission
					}
				}
				if cursor = page.Next; cursor == "" {
					break
				}
			}
			if c := ap.Commissions; c.EnCours != enCours || c.Signee != signee || c.Total != enCours+signee {
				ct.Lost = append(ct.Lost, fmt.Sprintf("%s: totals %d/%d/%d, recount %d/%d", a.id, c.EnCours, c.Signee, c.Total, enCours, signee))
			}
		}
	}
	add(ct)
	if len(failed) > 0 {
		return fmt.Errorf("lost writes: %s", strings.Join(failed, "; "))
	}
	return nil
}

// capacityMeter sums the DynamoDB capacity every call of the stack
// consumed, split between API requests and stream consumers, reads and
// writes.
type capacityMeter struct {
	mu  sync.Mutex
	cap LoadCapacity
}

func (m *capacityMeter) options() []func(*config.LoadOptions) error {
	return []func(*config.LoadOptions) error{config.WithAPIOptions([]func(*middleware.Stack) error{func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("LoadCapacityMeter",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if !askCapacity(in.Parameters) {
					return next.HandleInitialize(ctx, in)
				}
				out, md, err := next.HandleInitialize(ctx, in)
				units := capacity(out.Result)
				read := isRead(opName(ctx, in.Parameters))
				_, inRequest := core.GetAPIGatewayV2ContextFromContext(ctx)
				m.mu.Lock()
				switch {
				case inRequest && read:
					m.cap.RequestRead += units
				case inRequest:
					m.cap.RequestWrite += units
				case read:
					m.cap.ConsumerRead += units
				default:
					m.cap.ConsumerWrite += units
				}
				m.mu.Unlock()
				return out, md, err
			}), middleware.After)
	}})}
}

func (m *capacityMeter) reset() {
	m.mu.Lock()
	m.cap = LoadCapacity{}
	m.mu.Unlock()
}

func (m *capacityMeter) totals() LoadCapacity {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cap
}

// loadMarkdown is docs/load.md.
func loadMarkdown(rep *LoadReport) string {
	var b strings.Builder
	m := rep.Machine
	fmt.Fprintf(&b, "# Load\n\nWritten by `make load` (bench/load.go) on %s: %d × %s, %d GiB, %s, %s. "+
		"%d MIA offices, %s per step; the whole stack (gateway, handlers, stream consumers, emulators) and the load generator on this one machine, loopback only. "+
		"Figures of a laptop emulator, not of AWS: they show where the local stack bends and what the run lost, not AWS latencies.\n\n",
		rep.StartedAt.Format("2006-01-02 15:04 MST"), m.NProc, m.CPU, m.MemGiB, m.OS, m.GoVersion, rep.Offices, rep.StepTime)
	b.WriteString("## Steps\n\n| virtual users | requests/s | p50 ms | p95 ms | p99 ms | reads p50 ms | writes p50 ms | failures (5xx, no answer) | 412 (concurrent If-Match) | 429 | other 4xx | historique p50/p99 ms | totals p50/p99 ms | invitation email p50/p99 ms | consumers drain s | bottleneck |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for i, s := range rep.Steps {
		cls := map[string]int{}
		for _, m := range s.Statuses {
			for code, n := range m {
				c, _ := strconv.Atoi(code)
				cls[statusClass(c)] += n
			}
		}
		d := func(e string) string {
			q, ok := s.Delays[e]
			out := "—"
			if ok {
				out = fmt.Sprintf("%.0f / %.0f", q.P50, q.P99)
			}
			if s.Missed[e] > 0 {
				out += fmt.Sprintf(" (%d never seen)", s.Missed[e])
			}
			return out
		}
		users := strconv.Itoa(s.Users)
		if i == rep.Bend {
			users = "**" + users + " (bend: p99 ≥ 2× first step)**"
		}
		fmt.Fprintf(&b, "| %s | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %d | %d | %d | %d | %s | %s | %s | %.1f | %s |\n", users, s.RPS, s.All.P50, s.All.P95, s.All.P99, s.ReadP50, s.WriteP50,
			cls["failure"], cls["expected 412"], cls["limited 429"], cls["client error"], d("historique entry"), d("commission totals"), d("invitation email"), s.DrainMs/1000, s.Bottleneck)
	}
	if rep.Bend < 0 {
		b.WriteString("\nThe p99 of no step reached twice the first step's: no bend within these steps.\n")
	}
	b.WriteString("\n## CPU per process (% of one core, during each step)\n\n| virtual users |")
	var names []string
	if len(rep.Steps) > 0 {
		for _, c := range rep.Steps[0].CPU {
			names = append(names, c.Name)
			fmt.Fprintf(&b, " %s |", c.Name)
		}
	}
	b.WriteString(" whole machine (every process, other users' included) |\n|---|" + strings.Repeat("---|", len(names)+1) + "\n")
	for _, s := range rep.Steps {
		fmt.Fprintf(&b, "| %d |", s.Users)
		machine := s.MachineCPU
		for _, n := range names {
			for _, c := range s.CPU {
				if c.Name == n {
					fmt.Fprintf(&b, " %.0f |", c.Percent)
				}
			}
		}
		fmt.Fprintf(&b, " %.0f |\n", machine)
	}
	b.WriteString("\n## Route families (p50 / p99 ms, count)\n\n| family |")
	for _, s := range rep.Steps {
		fmt.Fprintf(&b, " %d users |", s.Users)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(rep.Steps)) + "\n")
	fams := map[string]bool{}
	for _, s := range rep.Steps {
		for f := range s.Families {
			fams[f] = true
		}
	}
	var fl []string
	for f := range fams {
		fl = append(fl, f)
	}
	sort.Strings(fl)
	for _, f := range fl {
		fmt.Fprintf(&b, "| %s |", f)
		for _, s := range rep.Steps {
			q := s.Families[f]
			codes := []string{}
			for code, n := range s.Statuses[f] {
				if code[0] != '2' {
					codes = append(codes, fmt.Sprintf("%s×%d", code, n))
				}
			}
			sort.Strings(codes)
			fmt.Fprintf(&b, " %.0f / %.0f (%d%s) |", q.P50, q.P99, q.N, strings.TrimSuffix(" "+strings.Join(codes, " "), " "))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n## Nothing lost (assertions: the run exits non-zero otherwise)\n\n| check | checked | lost |\n|---|---|---|\n")
	for _, c := range rep.Checks {
		fmt.Fprintf(&b, "| %s | %d | %d |\n", c.Name, c.Checked, len(c.Lost))
	}
	fmt.Fprintf(&b, "\nInvitations: %d, emails to the invited addresses: %d. DynamoDB capacity during the steps: API requests %.0f read / %.0f write units, stream consumers %.0f read / %.0f write units (for %d answered reads and %d accepted writes; used by `make cost`).\n",
		rep.Emails.Invitations, rep.Emails.Emails, rep.Capacity.RequestRead, rep.Capacity.RequestWrite, rep.Capacity.ConsumerRead, rep.Capacity.ConsumerWrite,
		rep.Capacity.ReadRequests, rep.Capacity.WriteRequests)
	b.WriteString("\nThe gateway column is this one Go process: the local gateway, every handler and stream consumer in-process, and the load generator itself. Run `make load LOAD_FLAGS='-steps 10,50 -step-time 10s'` for a shorter run; JSON in bench/out/load.json.\n")
	return b.String()
}
