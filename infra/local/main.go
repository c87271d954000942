// Command local runs MyCRM on this machine (`make dev`): DynamoDB Local,
// cognito-local and aws-ses-v2-local as child processes, provisioned from
// template.yaml and seeded, behind the local API Gateway that serves the API,
// /openapi.json and the web client. Data persists in .local/dev between runs;
// --reset starts from scratch. Stop it with Ctrl-C.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/assentis/mycrm/internal/devstack"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mycrm local:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", ".local/dev", "state directory (DynamoDB data, cognito-local state, emulator logs)")
	apiPort := fs.Int("api-port", 3000, "port of the API and the web client")
	dynamoPort := fs.Int("dynamodb-port", 8000, "port of DynamoDB Local")
	cognitoPort := fs.Int("cognito-port", 9229, "port of the local Cognito endpoint (a guard in front of cognito-local, which takes a free port)")
	sesPort := fs.Int("ses-port", 8005, "port of aws-ses-v2-local (mail viewer)")
	s3Port := fs.Int("s3-port", 9000, "port of the local S3 (gofakes3 behind the POST-policy and presigned-URL checks; files kept in memory)")
	web := fs.String("web", "web/dist", "web client to serve at / (when built)")
	reset := fs.Bool("reset", false, "wipe the state directory first (make reset only wipes it)")
	replay := fs.Bool("replay-streams", false, "let stream consumers read the stream from its start even on persisted data")
	quiet := fs.Bool("quiet", false, "do not log every request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *reset {
		if err := os.RemoveAll(*dir); err != nil {
			return fmt.Errorf("reset: %w", err)
		}
		fmt.Fprintf(stdout, "wiped %s\n", *dir)
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	var logw io.Writer = stderr
	if *quiet {
		logw = io.Discard
	}
	opts := devstack.Options{
		Dir: *dir, Persist: true,
		APIPort: *apiPort, DynamoPort: *dynamoPort, CognitoPort: *cognitoPort, SESPort: *sesPort, S3Port: *s3Port,
		WebDir: *web, Log: logw, RunSchedules: true,
	}
	if *replay {
		opts.StreamStart = "TRIM_HORIZON"
	}
	fmt.Fprintln(stdout, "starting the local stack (state in "+*dir+")…")
	startCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	s, err := devstack.Start(startCtx, opts)
	cancel()
	if err != nil {
		return err
	}
	// The demo MIA's year of commissions (issue 11): written through the
	// running stack, whose stream consumers write the acquise lines.
	if err := s.SeedDemoLedger(ctx); err != nil {
		fmt.Fprintln(stdout, "demo ledger not seeded:", err)
	}
	if err := s.SeedDailyDemo(ctx); err != nil {
		fmt.Fprintln(stdout, "daily-work demo not seeded:", err)
	}
	webNote := ""
	if fi, err := os.Stat(*web); err != nil || !fi.IsDir() {
		webNote = "  (not built: make web)"
	}
	fmt.Fprintf(stdout, `
MyCRM runs locally.

  Web client + API   %s%s
  OpenAPI            %s/openapi.json
  DynamoDB Local     %s   (table %s)
  cognito-local      %s   (MIA pool %s, apporteur pool %s)
  Mail viewer (SES)  %s
  S3 (files)         %s   (bucket %s, in memory)
  Schedules          run on time; one now: curl -X POST %s/_local/schedules/<function>
  State              %s   (make reset to wipe)

Demo accounts
  MIA                %s / %s
  MIA (daily work)   %s / %s   (dashboard, tâches, notes)
  Assentis staff     %s / %s
  Apporteur          %s / %s   (demo MIA's, with a year of commissions)

Ctrl-C stops everything.
`, s.APIURL, webNote, s.APIURL, s.DynamoURL, s.Table, s.CognitoURL, s.MIAPoolID, s.ApporteurPoolID, s.SESURL, s.S3URL, s.Bucket, s.APIURL, s.Dir,
		devstack.DemoMIAEmail, devstack.DemoMIAPassword, devstack.DemoAgendaEmail, devstack.DemoAgendaPassword, devstack.StaffEmail, devstack.StaffPassword,
		devstack.DemoApporteurEmail, devstack.DemoApporteurPassword)

	<-ctx.Done()
	fmt.Fprintln(stdout, "\nstopping…")
	if err := s.Close(); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	return nil
}
