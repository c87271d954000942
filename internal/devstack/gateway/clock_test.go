package gateway

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestClockEndpoint(t *testing.T) {
	c := &Clock{}
	g := &Gateway{cfg: Config{Clock: c}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	do := func(method, query string) (int, string) {
		w := httptest.NewRecorder()
		g.serveClock(w, httptest.NewRequest(method, ClockPath+query, nil))
		return w.Code, w.Body.String()
	}
	at := time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, method, query string
		status              int
		want                func(time.Time) bool
	}{
		{"set", http.MethodPost, "?now=" + at.Format(time.RFC3339), 200, func(n time.Time) bool { return !n.Before(at) && n.Sub(at) < time.Minute }},
		{"bad time keeps the clock", http.MethodPost, "?now=demain", 400, func(n time.Time) bool { return !n.Before(at) && n.Sub(at) < time.Minute }},
		{"read", http.MethodGet, "", 200, func(n time.Time) bool { return !n.Before(at) && n.Sub(at) < time.Minute }},
		{"wrong method", http.MethodPut, "", 405, func(n time.Time) bool { return !n.Before(at) }},
		{"reset", http.MethodDelete, "", 200, func(n time.Time) bool { return time.Since(n).Abs() < time.Minute }},
	}
	for _, tt := range tests {
		code, body := do(tt.method, tt.query)
		if code != tt.status {
			t.Fatalf("%s: status %d, want %d (%s)", tt.name, code, tt.status, body)
		}
		if code == 200 && !strings.Contains(body, `"now":`) {
			t.Errorf("%s: body %s", tt.name, body)
		}
		if !tt.want(c.Now()) {
			t.Errorf("%s: clock at %v", tt.name, c.Now())
		}
	}
}
