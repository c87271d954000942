package gateway

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// ClockPath is where the gateway moves the services' clock:
// POST /_local/clock?now=<RFC3339> makes every handler, consumer and job of
// the local stack see now (then running on in real time), DELETE sets it back
// to the machine's clock, GET tells the time they see. The cloud has no such
// route: it lets a browser walk reach a month that is over (relevés) without
// touching the product's rules.
const ClockPath = "/_local/clock"

// Clock is a settable clock: the machine's time plus an offset. Safe for
// concurrent use (handlers read it while a test moves it).
type Clock struct {
	offset atomic.Int64 // nanoseconds added to time.Now
}

// Now is the clock's time.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Set makes Now return at from this moment on, running on in real time.
func (c *Clock) Set(at time.Time) { c.offset.Store(int64(time.Until(at))) }

// Reset goes back to the machine's clock.
func (c *Clock) Reset() { c.offset.Store(0) }

// serveClock answers /_local/clock.
func (g *Gateway) serveClock(w http.ResponseWriter, r *http.Request) {
	c := g.cfg.Clock
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		at, err := time.Parse(time.RFC3339, r.URL.Query().Get("now"))
		if err != nil {
			writeMessage(w, http.StatusBadRequest, "now: RFC 3339 time expected")
			return
		}
		c.Set(at)
		g.log.Info("clock set", "now", at.UTC().Format(time.RFC3339))
	case http.MethodDelete:
		c.Reset()
		g.log.Info("clock reset")
	default:
		writeMessage(w, http.StatusMethodNotAllowed, "GET, POST or DELETE only")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = fmt.Fprintf(w, `{"now":%q}`, c.Now().UTC().Format(time.RFC3339))
}
