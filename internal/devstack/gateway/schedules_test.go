package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/devstack/samtemplate"
)

func TestParseSchedule(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	start := time.Date(2026, 11, 27, 9, 0, 0, 0, paris) // a Friday
	for _, c := range []struct {
		expr, tz string
		after    time.Time
		want     time.Time
	}{
		// The morning digest: 8:00 Paris on weekdays; Friday 9:00 → Monday 8:00.
		{"cron(0 8 ? * MON-FRI *)", "Europe/Paris", start, time.Date(2026, 11, 30, 8, 0, 0, 0, paris)},
		// Strictly after: a run at 8:00 sharp is followed by the next day's.
		{"cron(0 8 ? * MON-FRI *)", "Europe/Paris", time.Date(2026, 11, 30, 8, 0, 0, 0, paris), time.Date(2026, 12, 1, 8, 0, 0, 0, paris)},
		// Monthly relevés: the 1st at 6:00 Paris, across the year's end.
		{"cron(0 6 1 * ? *)", "Europe/Paris", time.Date(2026, 12, 1, 6, 0, 0, 0, paris), time.Date(2027, 1, 1, 6, 0, 0, 0, paris)},
		// Summer time: 8:00 Paris is 6:00 UTC in July.
		{"cron(0 8 ? * MON-FRI *)", "Europe/Paris", time.Date(2027, 7, 5, 0, 0, 0, 0, time.UTC), time.Date(2027, 7, 5, 6, 0, 0, 0, time.UTC)},
		{"cron(30 23 L * ? *)", "UTC", time.Date(2027, 2, 3, 0, 0, 0, 0, time.UTC), time.Date(2027, 2, 28, 23, 30, 0, 0, time.UTC)},
		{"cron(0/15 * * JAN,JUL ? 2027)", "UTC", time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"cron(0 12 ? * SUN *)", "UTC", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)},
		{"rate(5 minutes)", "UTC", start.Add(7 * time.Minute), start.Add(10 * time.Minute)},
	} {
		next, err := ParseSchedule(c.expr, c.tz, start)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		got, ok := next(c.after)
		if !ok || !got.Equal(c.want) {
			t.Errorf("%s after %v = %v, want %v", c.expr, c.after, got, c.want)
		}
	}
	for _, bad := range []string{"cron(0 8 * * MON *)", "cron(0 8 ? * ? *)", "cron(0 8 1W * ? *)", "cron(0 8 ? * 2#1 *)", "cron(61 8 1 * ? *)", "cron(0 8 1 *)", "rate(0 hours)", "rate(1 fortnight)", "at(2026-12-01T00:00:00)"} {
		if _, err := ParseSchedule(bad, "UTC", start); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	if _, err := ParseSchedule("rate(1 hour)", "Mars/Olympus", start); err == nil {
		t.Error("unknown time zone: no error")
	}
}

func TestFireSchedule(t *testing.T) {
	tpl := &samtemplate.Template{Functions: []samtemplate.Function{{Folder: "issue-releves", Schedules: []samtemplate.ScheduleEvent{{Name: "Monthly", Function: "issue-releves", Expression: "cron(0 6 1 * ? *)", Timezone: "Europe/Paris", Enabled: true}}}}}
	var ran []time.Time
	g, err := New(Config{Template: tpl, Jobs: map[string]Job{"issue-releves": func(_ context.Context, at time.Time) error { ran = append(ran, at); return nil }}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	defer srv.Close()
	post := func(path string) int {
		res, err := http.Post(srv.URL+path, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := post(SchedulesPath + "issue-releves?at=2026-12-01T05:00:00Z"); got != http.StatusOK {
		t.Fatalf("fire: %d", got)
	}
	if len(ran) != 1 || !ran[0].Equal(time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC)) {
		t.Fatalf("ran %v", ran)
	}
	if got := post(SchedulesPath + "nope"); got != http.StatusInternalServerError {
		t.Errorf("unknown schedule: %d", got)
	}
	if got := post(SchedulesPath + "issue-releves?at=demain"); got != http.StatusBadRequest {
		t.Errorf("bad at: %d", got)
	}
	if err := g.StartSchedules(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
}
