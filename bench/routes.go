package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// scenario drives one route: next builds the i-th request (state such as
// ETags lives in the closure), after sees its reply.
type scenario struct {
	name  string
	max   int // cap on requests (one-shot resources such as activation tokens); 0 = no cap
	next  func(i int) (call, error)
	after func(reply)
	route Route
}

// warmups are requests sent before the timed ones (connections, JWKS cache,
// first-use allocations), not measured.
const warmups = 3

// routePhase measures every route of the template that has a scenario, in
// template order, then the overhead of the read routes.
func routePhase(ctx context.Context, st *benchStack, routes []Route, n int, log io.Writer) ([]*RouteResult, []*Overhead) {
	variants := st.variants()
	scs := st.scenarios()
	var out []*RouteResult
	var over []*Overhead
	var all []Route // each template route, then its query variants
	for _, r := range routes {
		all = append(all, r)
		for _, v := range variants[r.Key()] {
			vr := r
			vr.variant = v
			all = append(all, vr)
		}
	}
	for _, r := range all {
		key := r.Key()
		if r.variant != "" {
			key = r.Method + " " + r.Path + "?" + r.variant
		}
		rr := &RouteResult{Route: key, Function: r.Function, Scenario: noScenario}
		out = append(out, rr)
		sc, ok := scs[key]
		if !ok {
			if why, ok := st.skipped[r.Key()]; ok {
				rr.Note = why
			}
			continue
		}
		if ctx.Err() != nil {
			break
		}
		start := time.Now()
		measureRoute(ctx, st, sc, rr, n)
		sc.route = r
		fmt.Fprintf(log, "route %-42s %-3d calls %d in %d round trips (%s) capacity %.1f p50 %.2f ms p99 %.2f ms n=%d (%s) %s\n", rr.Route, rr.Status,
			rr.Calls, rr.RoundTrips, rr.Ops, rr.Capacity, rr.P50Ms, rr.P99Ms, rr.N, time.Since(start).Round(time.Millisecond), rr.Note)
		if o := measureOverhead(ctx, st, sc, rr, n); o != nil {
			over = append(over, o)
			fmt.Fprintf(log, "overhead %-39s gateway %.2f ms direct %.2f ms ratio %.2f\n", o.Route, o.GatewayP50, o.DirectP50, o.Ratio)
		}
	}
	return out, over
}

func measureRoute(ctx context.Context, st *benchStack, sc *scenario, rr *RouteResult, n int) {
	rr.Scenario = sc.name
	total := warmups + n
	if sc.max > 0 && total > sc.max {
		total = sc.max
	}
	var lat, caps []float64
	statuses, trips := map[int]int{}, map[int]int{}
	for i := 0; i < total && ctx.Err() == nil; i++ {
		k, err := sc.next(i)
		if err != nil {
			rr.Note = "scenario: " + err.Error()
			break
		}
		st.rec.reset()
		r, err := st.api.do(ctx, k)
		calls := st.rec.reset()
		if err != nil {
			rr.Note = err.Error()
			break
		}
		if sc.after != nil {
			sc.after(r)
		}
		if !r.ok() && rr.Note == "" {
			rr.Note = "answered " + r.String()
		}
		// The warm-ups are not timed, unless a one-shot scenario has too few requests.
		if i < warmups && total-warmups >= 1 {
			continue
		}
		statuses[r.status]++
		rr.Status = r.status
		lat = append(lat, r.ms)
		caps = append(caps, totalCapacity(calls))
		// Calls: the most any request made. Round trips: the most frequent
		// count (whether two concurrent calls overlap depends on scheduling).
		rt := len(waves(calls))
		trips[rt]++
		if rr.Ops == "" || len(calls) > rr.Calls || len(calls) == rr.Calls && trips[rt] > trips[rr.RoundTrips] {
			rr.RoundTrips, rr.Calls, rr.Ops, rr.calls = rt, len(calls), opsSummary(calls), calls
		}
	}
	rr.N, rr.SamplesMs = len(lat), lat
	rr.P50Ms, rr.P99Ms = percentile(lat, 50), percentile(lat, 99)
	rr.Capacity = percentile(caps, 50)
	if len(statuses) > 1 {
		rr.Note = strings.TrimSpace(rr.Note + fmt.Sprintf(" statuses %v", statuses))
	}
	if rr.N > 0 {
		pass := rr.RoundTrips <= maxCalls && rr.Status >= 200 && rr.Status < 300
		rr.Pass = &pass
	}
}

// measureOverhead times a read route through the gateway and, alternating
// with it, the very DynamoDB operations its handler issued (recorded by the
// middleware) sent directly with the SDK to the same DynamoDB Local.
func measureOverhead(ctx context.Context, st *benchStack, sc *scenario, rr *RouteResult, n int) *Overhead {
	if rr.Calls == 0 || sc.max > 0 || !strings.HasPrefix(rr.Route, "GET ") {
		return nil
	}
	for _, c := range rr.calls {
		if !isRead(c.Op) || c.Err {
			return nil
		}
	}
	var gw, handler, direct []float64
	for i := 0; i < 2*n && ctx.Err() == nil; i++ {
		k, err := sc.next(i)
		if err != nil {
			return nil
		}
		r, err := st.api.do(ctx, k)
		if err != nil || !r.ok() {
			return nil
		}
		gw = append(gw, r.ms)
		status, hms, err := st.invoke(ctx, sc.route, k)
		if err != nil || status != r.status {
			return nil
		}
		handler = append(handler, hms)
		t := time.Now()
		if err := replayAll(ctx, st.direct, rr.calls); err != nil {
			return nil
		}
		direct = append(direct, ms(time.Since(t)))
	}
	o := &Overhead{Route: rr.Route, Operations: rr.Ops,
		GatewayP50: percentile(gw, 50), DirectP50: percentile(direct, 50), HandlerP50: percentile(handler, 50),
		GatewayMean: mean(gw), DirectMean: mean(direct)}
	if o.DirectP50 > 0 {
		o.Ratio = o.GatewayP50 / o.DirectP50
		o.HandlerRatio = o.HandlerP50 / o.DirectP50
	}
	o.Pass = o.Ratio <= maxOverhead
	return o
}

// replayAll sends recorded read operations again with the concurrency they
// had: each round trip's calls together, round trips one after the other.
func replayAll(ctx context.Context, db *dynamodb.Client, calls []ddbCall) error {
	for _, w := range waves(calls) {
		if len(w) == 1 {
			if err := replay(ctx, db, w[0]); err != nil {
				return err
			}
			continue
		}
		errs := make(chan error, len(w))
		for _, c := range w {
			go func() { errs <- replay(ctx, db, c) }()
		}
		var first error
		for range w {
			if err := <-errs; err != nil && first == nil {
				first = err
			}
		}
		if first != nil {
			return first
		}
	}
	return nil
}

// replay sends a recorded read operation again.
func replay(ctx context.Context, db *dynamodb.Client, c ddbCall) error {
	var err error
	switch in := c.Input.(type) {
	case *dynamodb.GetItemInput:
		_, err = db.GetItem(ctx, in)
	case *dynamodb.QueryInput:
		_, err = db.Query(ctx, in)
	case *dynamodb.BatchGetItemInput:
		_, err = db.BatchGetItem(ctx, in)
	case *dynamodb.TransactGetItemsInput:
		_, err = db.TransactGetItems(ctx, in)
	default:
		err = fmt.Errorf("cannot replay %s", c.Op)
	}
	return err
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
