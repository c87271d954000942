package main

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestBillFreeTiersAndSharedLines(t *testing.T) {
	prices := map[string]Price{
		"lambdaRequestsPerMillion": {USD: 0.20, FreeTier: 1e6}, // free tier in requests, price per million
		"s3StandardPerGBMonth":     {USD: 0.023},
		"cognitoEssentialsPerMAU":  {USD: 0.015, FreeTier: 10000},
	}
	us := []usage{
		{key: "lambdaRequestsPerMillion", perMIA: 0.5}, // 500,000 invocations per office
		{key: "s3StandardPerGBMonth", shared: 1},       // 1 GB for all offices
		{key: "cognitoEssentialsPerMAU", perMIA: 6},
	}
	tests := []struct {
		n             float64
		line          int
		wantList      float64 // USD per office
		wantFree      float64
		wantQtyPerMIA float64
		name          string
	}{
		{1, 0, 0.10, 0, 0.5, "one office: Lambda requests within the free million"},
		{10, 0, 0.10, 0.08, 0.5, "ten offices: 5 M requests, 4 M billed, per office"},
		{1, 1, 0.023, 0.023, 1, "shared storage, one office pays it all"},
		{100, 1, 0.00023, 0.00023, 0.01, "shared storage spread over 100 offices"},
		{10000, 2, 0.09, 0.075, 6, "60,000 MAU, 10,000 free"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := bill(us, tt.n, prices)
			if err != nil {
				t.Fatal(err)
			}
			l := lines[tt.line]
			if !near(l.List, tt.wantList) || !near(l.Free, tt.wantFree) || !near(l.PerMIA, tt.wantQtyPerMIA) {
				t.Errorf("got list %g, free %g, qty %g; want %g, %g, %g", l.List, l.Free, l.PerMIA, tt.wantList, tt.wantFree, tt.wantQtyPerMIA)
			}
		})
	}
	if _, err := bill([]usage{{key: "nope"}}, 1, prices); err == nil {
		t.Error("bill with a line that has no price: got no error, want one")
	}
}

func TestMonthlyUsage(t *testing.T) {
	p := Profile{Apporteurs: 2, Contacts: 1000, AffairesPerMonth: 10, Days: 20, InvitationsPerMonth: 1,
		MIA:       UserDay{UsersPerOffice: 1, ReadsPerDay: 10, WritesPerDay: 2, PageLoadsPerDay: 1},
		Apporteur: UserDay{ReadsPerDay: 5, WritesPerDay: 1}, EmailsPerAffaire: 2,
		BytesPerContact: 1000, BytesPerAffaire: 1000, LogBytes: 1000, LogRetentionMonths: 1, LambdaMemoryMB: 1024, ConsumerMs: 10}
	p.Web.BytesPerPageLoad, p.Web.RequestsPerPageLoad = 1e6, 5
	m := Measured{RRUPerRequest: 2, WRUPerWrite: 3, ConsumerRRUPerWrite: 1, ConsumerWRUPerWrite: 1, ReadMs: 10, WriteMs: 20, StreamMappings: 2}
	// reads = (10 + 2×5) × 20 = 400; writes = (2 + 2×1) × 20 + 2 = 82; requests 482;
	// consumer invocations 164; invocations 646.
	want := map[string]float64{
		"dynamodbReadRequestUnitPerMillion":  (482*2 + 82*1) / 1e6,
		"dynamodbWriteRequestUnitPerMillion": 82 * 4 / 1e6,
		"dynamodbStoragePerGBMonth":          (1000*1000 + 120*1000) / 1e9,
		"lambdaRequestsPerMillion":           646 / 1e6,
		"lambdaArmPerGBSecond":               (400*10 + 82*20 + 164*10) / 1000.0,
		"httpApiRequestsPerMillion":          482 / 1e6,
		"cognitoEssentialsPerMAU":            3,
		"sesPerThousandEmails":               21 / 1e3,
		"cloudwatchLogsIngestionPerGB":       646 * 1000 / 1e9,
		"cloudfrontPerGBOut":                 20 * 1e6 / 1e9,
		"cloudfrontHTTPSPerTenThousand":      100 / 1e4,
	}
	got := map[string]float64{}
	for _, u := range monthlyUsage(p, m) {
		got[u.key] = u.perMIA
	}
	for k, w := range want {
		if !near(got[k], w) {
			t.Errorf("%s = %g, want %g", k, got[k], w)
		}
	}
}

func TestDominant(t *testing.T) {
	lines := []BillLine{{Name: "a", List: 1}, {Name: "b", List: 3}, {Name: "c", List: 2}}
	if got := dominant(lines).Name; got != "b" {
		t.Errorf("dominant = %q, want b", got)
	}
}
