package main

import (
	"strings"
	"testing"
)

func TestQuantiles(t *testing.T) {
	xs := make([]float64, 0, 100)
	for i := 100; i >= 1; i-- { // unsorted on purpose
		xs = append(xs, float64(i))
	}
	tests := []struct {
		name string
		xs   []float64
		want Quantiles
	}{
		{"empty", nil, Quantiles{}},
		{"one", []float64{7}, Quantiles{N: 1, P50: 7, P95: 7, P99: 7}},
		{"1..100, nearest rank", xs, Quantiles{N: 100, P50: 50, P95: 95, P99: 99}},
		{"ten: p99 is the largest", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, Quantiles{N: 10, P50: 5, P95: 10, P99: 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quantiles(tt.xs); got != tt.want {
				t.Errorf("quantiles = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBendStep(t *testing.T) {
	tests := []struct {
		name string
		p99  []float64
		want int
	}{
		{"no steps", nil, -1},
		{"one step", []float64{10}, -1},
		{"flat", []float64{10, 12, 15, 19.9}, -1},
		{"doubles exactly at the third", []float64{10, 15, 20, 80}, 2},
		{"measured against the first step, not the previous", []float64{10, 18, 19, 21}, 3},
		{"dip then rise", []float64{10, 5, 25}, 2},
		{"no first figure", []float64{0, 10, 50}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bendStep(tt.p99); got != tt.want {
				t.Errorf("bendStep(%v) = %d, want %d", tt.p99, got, tt.want)
			}
		})
	}
}

func TestBottleneck(t *testing.T) {
	stack := []CPUShare{{Name: "gateway", Percent: 60}, {Name: "DynamoDB Local (java)", Percent: 120}, {Name: "cognito-local", Percent: 5}}
	tests := []struct {
		name string
		in   stepLoad
		want string
	}{
		{"consumers late", stepLoad{cpu: stack, machinePct: 190, drainMs: 15000, readP50: 10, writeP50: 10}, "stream consumers"},
		{"busy, the stack's largest process", stepLoad{cpu: stack, machinePct: 195, drainMs: 100, readP50: 10, writeP50: 20}, "mostly DynamoDB Local (java)"},
		{"busy with other processes", stepLoad{cpu: []CPUShare{{Name: "gateway", Percent: 20}}, machinePct: 200, drainMs: 100}, "other processes"},
		{"writes queue behind each other, no core saturated", stepLoad{cpu: []CPUShare{{Name: "java", Percent: 50}}, machinePct: 200, drainMs: 100, readP50: 100, writeP50: 1300}, "writes queue"},
		{"slow writes but a process saturates a core: CPU, not queueing", stepLoad{cpu: stack, machinePct: 195, drainMs: 100, readP50: 100, writeP50: 1300}, "mostly DynamoDB Local (java)"},
		{"idle", stepLoad{cpu: stack[:1], machinePct: 90, drainMs: 100, readP50: 10, writeP50: 12}, "none saturated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.nproc, tt.in.drainLimitMs = 2, 10000
			if got := bottleneck(tt.in); !strings.Contains(got, tt.want) {
				t.Errorf("bottleneck = %q, want it to name %q", got, tt.want)
			}
		})
	}
}

func TestStatTicks(t *testing.T) {
	tests := []struct {
		line string
		want int64
		ok   bool
	}{
		{"1234 (java) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 40 0 0 20 0 30 0 100 0 0", 290, true},
		{"99 (a b) c) R 1 99 99 0 -1 0 0 0 0 0 7 3 0 0", 10, true}, // a name with spaces and parentheses
		{"garbage", 0, false},
	}
	for _, tt := range tests {
		got, err := statTicks(tt.line)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("statTicks(%q) = %d, %v; want %d, ok %v", tt.line, got, err, tt.want, tt.ok)
		}
	}
}

func TestStatusClass(t *testing.T) {
	tests := []struct {
		status int
		want   string
	}{
		{200, "ok"}, {201, "ok"}, {412, "expected 412"}, {429, "limited 429"}, {404, "client error"},
		{500, "failure"}, {503, "failure"}, {0, "failure"},
	}
	for _, tt := range tests {
		if got := statusClass(tt.status); got != tt.want {
			t.Errorf("statusClass(%d) = %q, want %q", tt.status, got, tt.want)
		}
	}
}
