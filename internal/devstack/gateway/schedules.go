package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/assentis/mycrm/internal/devstack/samtemplate"
)

// Job is a scheduled function as its Lambda runs it (jobs.Job): at is the
// time the run was due.
type Job = func(ctx context.Context, at time.Time) error

// SchedulesPath is where the gateway fires a schedule on demand:
// POST /_local/schedules/<folder>[?at=<RFC3339>] runs it for at (default
// now) and answers once it is done. The cloud has no such route; it is the
// local stand-in of "run this schedule now" for make dev and the tests.
const SchedulesPath = "/_local/schedules/"

// schedules is the schedule side of the gateway.
type schedules struct {
	mu     sync.Mutex
	runs   map[string]*sync.Mutex // one run of a function at a time
	cancel context.CancelFunc     // stops StartSchedules' timers
}

func (g *Gateway) runLock(folder string) *sync.Mutex {
	g.sched.mu.Lock()
	defer g.sched.mu.Unlock()
	if g.sched.runs == nil {
		g.sched.runs = map[string]*sync.Mutex{}
	}
	if g.sched.runs[folder] == nil {
		g.sched.runs[folder] = &sync.Mutex{}
	}
	return g.sched.runs[folder]
}

// FireSchedule runs the scheduled function folder for at, as EventBridge
// Scheduler would at that time, and returns its error.
func (g *Gateway) FireSchedule(ctx context.Context, folder string, at time.Time) error {
	var found bool
	for _, ev := range g.cfg.Template.Schedules() {
		found = found || ev.Function == folder
	}
	job := g.cfg.Jobs[folder]
	if !found || job == nil {
		return fmt.Errorf("no scheduled function %q with a job", folder)
	}
	l := g.runLock(folder)
	l.Lock()
	defer l.Unlock()
	start := time.Now()
	err := job(ctx, at.UTC())
	g.log.Info("schedule", "function", folder, "at", at.UTC().Format(time.RFC3339), "ms", time.Since(start).Milliseconds(), "ok", err == nil)
	if err != nil {
		g.log.Error("schedule failed", "function", folder, "err", err)
	}
	return err
}

// serveFire answers POST /_local/schedules/<folder>.
func (g *Gateway) serveFire(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeMessage(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	folder := strings.TrimPrefix(r.URL.Path, SchedulesPath)
	at := time.Now()
	if s := r.URL.Query().Get("at"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			writeMessage(w, http.StatusBadRequest, "at: RFC 3339 time expected")
			return
		}
		at = t
	}
	if err := g.FireSchedule(r.Context(), folder, at); err != nil {
		writeMessage(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeMessage(w, http.StatusOK, "ran "+folder+" for "+at.UTC().Format(time.RFC3339))
}

// StartSchedules runs every enabled schedule of the template on time, until
// Close. A run that fails is logged and not retried: the next one comes.
func (g *Gateway) StartSchedules(ctx context.Context) error {
	type timer struct {
		ev   samtemplate.ScheduleEvent
		next func(after time.Time) (time.Time, bool)
	}
	var ts []timer
	for _, ev := range g.cfg.Template.Schedules() {
		if !ev.Enabled || g.cfg.Jobs[ev.Function] == nil {
			continue
		}
		next, err := ParseSchedule(ev.Expression, ev.Timezone, time.Now())
		if err != nil {
			return fmt.Errorf("%s event %s: %w", ev.Function, ev.Name, err)
		}
		ts = append(ts, timer{ev, next})
	}
	g.sched.mu.Lock()
	defer g.sched.mu.Unlock()
	if g.sched.cancel != nil {
		return errors.New("schedules already started")
	}
	runCtx, cancel := context.WithCancel(context.Background())
	g.sched.cancel = cancel
	for _, t := range ts {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			after := time.Now()
			for {
				at, ok := t.next(after)
				if !ok {
					return
				}
				select {
				case <-runCtx.Done():
					return
				case <-time.After(time.Until(at)):
				}
				_ = g.FireSchedule(runCtx, t.ev.Function, at)
				after = at
			}
		}()
	}
	return nil
}

// ParseSchedule reads a ScheduleV2 expression, cron(…) or rate(…), in the
// time zone tz, and returns the function giving its first time after a
// given time (false when there is none). A rate counts from start, as a
// schedule created at start does. The cron dialect is EventBridge's: six
// fields (minutes hours day-of-month month day-of-week year), one of the
// two days being "?", day-of-week 1-7 from SUN, names JAN-DEC and SUN-SAT,
// lists, ranges, steps and L for the last day of the month; W and # are
// refused rather than misread.
func ParseSchedule(expr, tz string, start time.Time) (func(after time.Time) (time.Time, bool), error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		f := strings.Fields(expr[len("rate(") : len(expr)-1])
		if len(f) != 2 {
			return nil, fmt.Errorf("rate %q: want rate(<n> <unit>)", expr)
		}
		n, err := strconv.Atoi(f[0])
		if err != nil || n < 1 {
			return nil, fmt.Errorf("rate %q: bad value", expr)
		}
		unit := map[string]time.Duration{"minute": time.Minute, "minutes": time.Minute, "hour": time.Hour, "hours": time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour}[f[1]]
		if unit == 0 {
			return nil, fmt.Errorf("rate %q: bad unit", expr)
		}
		every := time.Duration(n) * unit
		return func(after time.Time) (time.Time, bool) {
			k := after.Sub(start)/every + 1
			return start.Add(k * every), true
		}, nil
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		c, err := parseCron(expr[len("cron(") : len(expr)-1])
		if err != nil {
			return nil, fmt.Errorf("cron %q: %w", expr, err)
		}
		return func(after time.Time) (time.Time, bool) { return c.next(after, loc) }, nil
	}
	return nil, fmt.Errorf("schedule %q: want cron(…) or rate(…)", expr)
}

type cron struct {
	minute, hour, dom, month, dow, year map[int]bool
	lastDay                             bool // day-of-month L
	anyDOM, anyDOW                      bool // "?"
}

var (
	monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
	dayNames   = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
)

func parseCron(s string) (*cron, error) {
	f := strings.Fields(s)
	if len(f) != 6 {
		return nil, errors.New("six fields expected")
	}
	c := &cron{}
	var err error
	if c.minute, err = field(f[0], 0, 59, nil); err != nil {
		return nil, fmt.Errorf("minutes: %w", err)
	}
	if c.hour, err = field(f[1], 0, 23, nil); err != nil {
		return nil, fmt.Errorf("hours: %w", err)
	}
	switch f[2] {
	case "?":
		c.anyDOM = true
	case "L":
		c.lastDay = true
	default:
		if c.dom, err = field(f[2], 1, 31, nil); err != nil {
			return nil, fmt.Errorf("day-of-month: %w", err)
		}
	}
	if c.month, err = field(f[3], 1, 12, monthNames); err != nil {
		return nil, fmt.Errorf("month: %w", err)
	}
	if f[4] == "?" {
		c.anyDOW = true
	} else if c.dow, err = field(f[4], 1, 7, dayNames); err != nil {
		return nil, fmt.Errorf("day-of-week: %w", err)
	}
	if c.anyDOM == c.anyDOW {
		return nil, errors.New("exactly one of day-of-month and day-of-week must be ?")
	}
	if c.year, err = field(f[5], 1970, 2199, nil); err != nil {
		return nil, fmt.Errorf("year: %w", err)
	}
	return c, nil
}

// field reads one cron field: *, a list of values, ranges a-b and steps /n.
func field(s string, lo, hi int, names map[string]int) (map[int]bool, error) {
	set := map[int]bool{}
	val := func(v string) (int, error) {
		if n, ok := names[strings.ToUpper(v)]; ok {
			return n, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return 0, fmt.Errorf("%q is not in %d-%d", v, lo, hi)
		}
		return n, nil
	}
	for _, part := range strings.Split(s, ",") {
		rng, stepS, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepS)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("bad step %q", stepS)
			}
			step = n
		}
		a, b := lo, hi
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			x, y, _ := strings.Cut(rng, "-")
			var err error
			if a, err = val(x); err != nil {
				return nil, err
			}
			if b, err = val(y); err != nil {
				return nil, err
			}
		default:
			if _, named := names[strings.ToUpper(rng)]; !named && strings.ContainsAny(rng, "LW#") {
				return nil, fmt.Errorf("%q is not supported locally", rng)
			}
			n, err := val(rng)
			if err != nil {
				return nil, err
			}
			a = n
			if !hasStep {
				b = n
			}
		}
		if a > b {
			return nil, fmt.Errorf("range %q is backwards", rng)
		}
		for v := a; v <= b; v += step {
			set[v] = true
		}
	}
	return set, nil
}

// next is the first time strictly after `after` that c matches in loc.
func (c *cron) next(after time.Time, loc *time.Location) (time.Time, bool) {
	t := after.In(loc).Truncate(time.Minute).Add(time.Minute)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	for i := 0; i < 366*5; i++ {
		d := day.AddDate(0, 0, i)
		if !c.year[d.Year()] || !c.month[int(d.Month())] || !c.dayMatches(d) {
			continue
		}
		for h := 0; h < 24; h++ {
			if !c.hour[h] {
				continue
			}
			for m := 0; m < 60; m++ {
				if !c.minute[m] {
					continue
				}
				at := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
				if !at.Before(t) && at.Day() == d.Day() {
					return at, true
				}
			}
		}
	}
	return time.Time{}, false
}

func (c *cron) dayMatches(d time.Time) bool {
	switch {
	case c.lastDay:
		return d.AddDate(0, 0, 1).Month() != d.Month()
	case c.anyDOW:
		return c.dom[d.Day()]
	default:
		return c.dow[int(d.Weekday())+1]
	}
}
