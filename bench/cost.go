package main

// `go run ./bench cost` (make cost): a month of one MIA office on AWS, from
// the figures the last load run measured, a declared usage profile and a
// dated price file (bench/cost/).

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Price is one list price and where it comes from.
type Price struct {
	USD          float64 `json:"usd"`
	Basis        string  `json:"basis"`
	Source       string  `json:"source"`
	Note         string  `json:"note,omitempty"`
	FreeTier     float64 `json:"freeTier,omitempty"` // in the unit the price is per (see the line)
	FreeTierUnit string  `json:"freeTierUnit,omitempty"`
}

// PriceFile is bench/cost/prices.json.
type PriceFile struct {
	Date           string           `json:"date"`
	Region         string           `json:"region"`
	UsdToEur       float64          `json:"usdToEur"`
	UsdToEurSource string           `json:"usdToEurSource"`
	Note           string           `json:"note"`
	Prices         map[string]Price `json:"prices"`
}

// UserDay is what one user does on a working day.
type UserDay struct {
	UsersPerOffice  float64 `json:"usersPerOffice"`
	ReadsPerDay     float64 `json:"readsPerDay"`
	WritesPerDay    float64 `json:"writesPerDay"`
	SignInsPerDay   float64 `json:"signInsPerDay"`
	PageLoadsPerDay float64 `json:"pageLoadsPerDay"`
}

// Profile is bench/cost/profile.json: one MIA office's month.
type Profile struct {
	Apporteurs          float64 `json:"apporteursPerMIA"`
	Contacts            float64 `json:"contactsStored"`
	AffairesPerMonth    float64 `json:"affairesPerMonth"`
	NewContactsPerMonth float64 `json:"newContactsPerMonth"`
	InvitationsPerMonth float64 `json:"invitationsPerMonth"`
	Days                float64 `json:"workingDaysPerMonth"`
	MIA                 UserDay `json:"mia"`
	Apporteur           UserDay `json:"apporteur"`
	EmailsPerAffaire    float64 `json:"emailsPerAffaire"`
	BytesPerContact     float64 `json:"itemBytesPerContact"`
	BytesPerAffaire     float64 `json:"itemBytesPerAffaire"`
	LogBytes            float64 `json:"logBytesPerInvocation"`
	LogRetentionMonths  float64 `json:"logRetentionMonths"`
	Web                 struct {
		BytesPerPageLoad    float64 `json:"bytesPerPageLoad"`
		RequestsPerPageLoad float64 `json:"requestsPerPageLoad"`
		StoredBytes         float64 `json:"storedBytes"`
	} `json:"webClient"`
	LambdaMemoryMB float64 `json:"lambdaMemoryMB"`
	ConsumerMs     float64 `json:"consumerMsPerInvocation"`
}

// Measured are the figures the load run measured (bench/out/load.json) and
// the stream mappings counted in template.yaml.
type Measured struct {
	RRUPerRequest       float64 // DynamoDB read units per API request
	WRUPerWrite         float64 // write units per accepted write
	ConsumerRRUPerWrite float64 // stream consumers' read units per accepted write
	ConsumerWRUPerWrite float64
	ReadMs, WriteMs     float64 // handler p50 at the first step
	StreamMappings      float64 // DynamoDB stream event source mappings
}

func measuredFromLoad(rep *LoadReport, mappings int) (Measured, error) {
	c := rep.Capacity
	if c.ReadRequests+c.WriteRequests == 0 || c.WriteRequests == 0 {
		return Measured{}, fmt.Errorf("load.json holds no requests")
	}
	n := float64(c.ReadRequests + c.WriteRequests)
	w := float64(c.WriteRequests)
	return Measured{RRUPerRequest: c.RequestRead / n, WRUPerWrite: c.RequestWrite / w,
		ConsumerRRUPerWrite: c.ConsumerRead / w, ConsumerWRUPerWrite: c.ConsumerWrite / w,
		ReadMs: c.HandlerP50Read, WriteMs: c.HandlerP50Wrt, StreamMappings: float64(mappings)}, nil
}

// usage is one line's monthly quantity for one MIA office; shared lines
// (the web client's storage) are the same whatever the number of offices.
type usage struct {
	key, name, unit string
	perMIA          float64 // in the unit the price is per
	shared          float64
}

// monthlyUsage turns the profile and the measured figures into the billed
// quantities of one MIA office for a month, in each price's unit.
func monthlyUsage(p Profile, m Measured) []usage {
	users := p.MIA.UsersPerOffice
	reads := (users*p.MIA.ReadsPerDay + p.Apporteurs*p.Apporteur.ReadsPerDay) * p.Days
	writes := (users*p.MIA.WritesPerDay+p.Apporteurs*p.Apporteur.WritesPerDay)*p.Days + 2*p.InvitationsPerMonth // invitation + activation
	requests := reads + writes
	consumerInv := writes * m.StreamMappings
	invocations := requests + consumerInv
	gbSeconds := (reads*m.ReadMs + writes*m.WriteMs + consumerInv*p.ConsumerMs) / 1000 * p.LambdaMemoryMB / 1024
	storedGB := (p.Contacts*p.BytesPerContact + 12*p.AffairesPerMonth*p.BytesPerAffaire) / 1e9 // a year of affaires
	logsGB := invocations * p.LogBytes / 1e9
	pageLoads := (users*p.MIA.PageLoadsPerDay + p.Apporteurs*p.Apporteur.PageLoadsPerDay) * p.Days
	return []usage{
		{key: "dynamodbReadRequestUnitPerMillion", name: "DynamoDB reads (on-demand)", unit: "M read units", perMIA: (requests*m.RRUPerRequest + writes*m.ConsumerRRUPerWrite) / 1e6},
		{key: "dynamodbWriteRequestUnitPerMillion", name: "DynamoDB writes (on-demand)", unit: "M write units", perMIA: writes * (m.WRUPerWrite + m.ConsumerWRUPerWrite) / 1e6},
		{key: "dynamodbStoragePerGBMonth", name: "DynamoDB storage", unit: "GB-month", perMIA: storedGB},
		{key: "dynamodbPITRPerGBMonth", name: "DynamoDB point-in-time recovery", unit: "GB-month", perMIA: storedGB},
		{key: "dynamodbStreamsReadPerMillion", name: "DynamoDB Streams (read by Lambda triggers)", unit: "M stream reads", perMIA: consumerInv / 1e6},
		{key: "lambdaRequestsPerMillion", name: "Lambda requests (API + stream consumers)", unit: "M invocations", perMIA: invocations / 1e6},
		{key: "lambdaArmPerGBSecond", name: "Lambda duration (arm64)", unit: "GB-s", perMIA: gbSeconds},
		{key: "httpApiRequestsPerMillion", name: "API Gateway HTTP API", unit: "M requests", perMIA: requests / 1e6},
		{key: "cognitoEssentialsPerMAU", name: "Cognito monthly active users", unit: "MAU", perMIA: users + p.Apporteurs},
		{key: "sesPerThousandEmails", name: "SES emails", unit: "k emails", perMIA: (p.InvitationsPerMonth + p.AffairesPerMonth*p.EmailsPerAffaire) / 1e3},
		{key: "cloudwatchLogsIngestionPerGB", name: "CloudWatch Logs ingestion", unit: "GB", perMIA: logsGB},
		{key: "cloudwatchLogsStoragePerGBMonth", name: "CloudWatch Logs storage", unit: "GB-month", perMIA: logsGB * p.LogRetentionMonths},
		{key: "s3StandardPerGBMonth", name: "S3 (web client files)", unit: "GB-month", shared: p.Web.StoredBytes / 1e9},
		{key: "cloudfrontPerGBOut", name: "CloudFront transfer out (web client)", unit: "GB", perMIA: pageLoads * p.Web.BytesPerPageLoad / 1e9},
		{key: "cloudfrontHTTPSPerTenThousand", name: "CloudFront HTTPS requests", unit: "10k requests", perMIA: pageLoads * p.Web.RequestsPerPageLoad / 1e4},
	}
}

// freeUnits is a price's free tier in the unit the price is per.
func freeUnits(key string, pr Price) float64 {
	switch key {
	case "lambdaRequestsPerMillion", "httpApiRequestsPerMillion":
		return pr.FreeTier / 1e6
	case "sesPerThousandEmails":
		return pr.FreeTier / 1e3
	case "cloudfrontHTTPSPerTenThousand":
		return pr.FreeTier / 1e4
	}
	return pr.FreeTier
}

// BillLine is one line of the bill of n offices, per office, in USD.
type BillLine struct {
	Key, Name, Unit string
	PerMIA          float64 // quantity per office
	List            float64 // USD per office without free tiers
	Free            float64 // USD per office with the free tiers of one account
}

// bill prices n offices' month, per office.
func bill(us []usage, n float64, prices map[string]Price) ([]BillLine, error) {
	var out []BillLine
	for _, u := range us {
		pr, ok := prices[u.key]
		if !ok {
			return nil, fmt.Errorf("no price %s in the price file", u.key)
		}
		q := u.perMIA*n + u.shared
		list := q * pr.USD
		free := math.Max(0, q-freeUnits(u.key, pr)) * pr.USD
		out = append(out, BillLine{Key: u.key, Name: u.name, Unit: u.unit, PerMIA: q / n, List: list / n, Free: free / n})
	}
	return out, nil
}

// dominant is the line that costs the most without free tiers.
func dominant(lines []BillLine) BillLine {
	var top BillLine
	for _, l := range lines {
		if l.List > top.List {
			top = l
		}
	}
	return top
}

func runCost(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("cost", flag.ContinueOnError)
	pricesPath := fs.String("prices", "bench/cost/prices.json", "dated price file")
	profilePath := fs.String("profile", "bench/cost/profile.json", "usage profile of one MIA office")
	loadPath := fs.String("load", "bench/out/load.json", "figures of the last `make load`")
	doc := fs.String("doc", "docs/cost.md", "markdown report")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var prices PriceFile
	var profile Profile
	var rep LoadReport
	for path, v := range map[string]any{*pricesPath: &prices, *profilePath: &profile, *loadPath: &rep} {
		b, err := os.ReadFile(path)
		if err != nil {
			if path == *loadPath {
				return fmt.Errorf("%w (run `make load` first: the cost model uses its measured figures)", err)
			}
			return err
		}
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	tpl, err := os.ReadFile("template.yaml")
	if err != nil {
		return err
	}
	m, err := measuredFromLoad(&rep, strings.Count(string(tpl), "Type: DynamoDB\n"))
	if err != nil {
		return err
	}
	md, err := costMarkdown(prices, profile, m, rep)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(*doc), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(*doc, []byte(md), 0o644); err != nil {
		return err
	}
	_, err = io.WriteString(stdout, md)
	return err
}

func costMarkdown(prices PriceFile, p Profile, m Measured, rep LoadReport) (string, error) {
	us := monthlyUsage(p, m)
	scales := []float64{1, 100, 10000}
	bills := map[float64][]BillLine{}
	for _, n := range scales {
		b, err := bill(us, n, prices.Prices)
		if err != nil {
			return "", err
		}
		bills[n] = b
	}
	eur := func(usd float64) string {
		v := usd * prices.UsdToEur
		switch {
		case v == 0:
			return "0"
		case v < 0.00005:
			return "< 0.0001"
		}
		return fmt.Sprintf("%.4f", v)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Cost of one MIA office a month\n\nWritten by `make cost` (bench/cost.go) from bench/cost/profile.json (the usage profile), bench/cost/prices.json (list prices dated %s, region %s; **%s**) and the figures of the last `make load` (%s, %d × %s). € at %.2f € per USD (declared in the price file).\n\n",
		prices.Date, prices.Region, "see the basis column: figures not confirmed for Paris are the us-east-1 ones", rep.StartedAt.Format("2006-01-02"), rep.Machine.NProc, rep.Machine.CPU, prices.UsdToEur)
	fmt.Fprintf(&b, "Profile: 1 MIA and %.0f apporteurs, %.0f contacts, %.0f affaires a month, %.0f working days; measured per request: %.2f DynamoDB read units per API request, %.2f write units per write, stream consumers %.2f read and %.2f write units per write; request p50 through the local gateway at the first load step, %.1f ms (reads) and %.1f ms (writes), used as the Lambda duration (an upper bound: it includes the gateway, the emulators and a shared machine); %.0f stream consumers (event source mappings in template.yaml, each counted once per write: an upper bound, their filters skip most records).\n\n",
		p.Apporteurs, p.Contacts, p.AffairesPerMonth, p.Days, m.RRUPerRequest, m.WRUPerWrite, m.ConsumerRRUPerWrite, m.ConsumerWRUPerWrite, m.ReadMs, m.WriteMs, m.StreamMappings)
	b.WriteString("## € per MIA per month\n\n| line | quantity per MIA | 1 MIA: list | 1 MIA: with free tiers | 100 MIA: list | 100 MIA: with free tiers | 10,000 MIA: list | 10,000 MIA: with free tiers |\n|---|---|---|---|---|---|---|---|\n")
	totals := map[float64][2]float64{}
	for i, u := range us {
		fmt.Fprintf(&b, "| %s | %.4g %s |", u.name, bills[1][i].PerMIA, u.unit)
		for _, n := range scales {
			l := bills[n][i]
			fmt.Fprintf(&b, " %s | %s |", eur(l.List), eur(l.Free))
			t := totals[n]
			totals[n] = [2]float64{t[0] + l.List, t[1] + l.Free}
		}
		b.WriteString("\n")
	}
	b.WriteString("| **total** | |")
	for _, n := range scales {
		fmt.Fprintf(&b, " **%s** | **%s** |", eur(totals[n][0]), eur(totals[n][1]))
	}
	b.WriteString("\n\n")
	top := dominant(bills[10000])
	fmt.Fprintf(&b, "Dominant line (list prices): **%s**, %s € of %s € per MIA (%.0f %%).\n\n", top.Name, eur(top.List), eur(totals[10000][0]), 100*top.List/totals[10000][0])
	b.WriteString("Free tiers are the account's (always-free or first-12-months, see the price file), shared by all offices: they matter for one office and vanish at 10,000. The S3 line is the web client's files, stored once for every office. Not counted: data transfer out of API Gateway, S3 GET requests (CloudFront caches the files), KMS, SQS (dead-letter queue, empty when healthy), CloudWatch metrics and alarms, the Lambda INIT phase of cold starts, taxes.\n\n")
	b.WriteString("## Prices used\n\n| price | USD | basis | source |\n|---|---|---|---|\n")
	var keys []string
	for k := range prices.Prices {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		pr := prices.Prices[k]
		free := ""
		if pr.FreeTier > 0 {
			free = fmt.Sprintf("; free tier %.0f %s", pr.FreeTier, pr.FreeTierUnit)
		}
		fmt.Fprintf(&b, "| %s | %g | %s%s | %s |\n", k, pr.USD, pr.Basis, free, pr.Source)
	}
	fmt.Fprintf(&b, "\n%s\n", prices.Note)
	return b.String(), nil
}
