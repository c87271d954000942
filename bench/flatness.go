package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// flatWarmups are untimed rounds before each flatness stage (JIT of
// DynamoDB Local, connections).
const flatWarmups = 30

// flatRoute is one request whose cost must not grow with other MIAs' data.
type flatRoute struct {
	name string
	k    call
}

// flatPhase measures the flatness routes for the bench MIA with o.small items
// of other MIAs in the table, loads more up to o.big, and measures again.
func flatPhase(ctx context.Context, st *benchStack, o options, log io.Writer) ([]*Flatness, []LoadStat, error) {
	var frs []flatRoute
	add := func(key, name, path, token string) {
		if st.has(key) && token != "" {
			frs = append(frs, flatRoute{name: name, k: call{method: "GET", path: path, token: token}})
		} else {
			st.notes = append(st.notes, fmt.Sprintf("flatness: %s not measured (route not served or no session)", name))
		}
	}
	add("GET /affaires", "GET /affaires?statut=en_cours", "/affaires?statut=en_cours", st.mia.token)
	add("GET /contacts", "GET /contacts", "/contacts", st.mia.token)
	if len(st.data.contacts) > 0 {
		add("GET /contacts/{contactId}", "GET /contacts/{contactId}", "/contacts/"+st.data.contacts[0], st.mia.token)
	}
	add("GET /espace-apporteur/commissions", "GET /espace-apporteur/commissions", "/espace-apporteur/commissions", st.apporteur.token)
	add("GET /tableau-de-bord", "GET /tableau-de-bord", "/tableau-de-bord", st.mia.token)
	add("GET /taches", "GET /taches?vue=aujourdhui", "/taches?vue=aujourdhui", st.mia.token)
	// The other MIAs' contacts, entreprises and affaires come with their
	// search index (bulkload.go), with names the bench MIA's share.
	add("GET /recherche", "GET /recherche?q=dur", "/recherche?q=dur", st.mia.token)
	add("GET /exports/contacts", "GET /exports/contacts (first chunk)", "/exports/contacts", st.mia.token)
	if len(frs) == 0 {
		return nil, nil, fmt.Errorf("none of the flatness routes can run yet")
	}
	n := o.n * 4
	if n < 200 {
		n = 200
	}
	if !o.keepConsumers {
		// The generated items belong to no real MIA; in AWS the stream
		// consumers run in their own Lambdas, not on the API's CPU. Here
		// they would share the 2 cores with DynamoDB Local and the gateway.
		if err := st.stopConsumers(ctx); err != nil {
			return nil, nil, err
		}
		st.notes = append(st.notes, "flatness: stream consumers stopped (after catching up) before the bulk load of other MIAs' items")
	}
	workers := 32
	var loads []LoadStat
	var bigKeys []map[string]types.AttributeValue
	load := func(items int) error {
		ls, keys, err := bulkLoad(ctx, st.direct, st.ls.Table, items, workers, &st.otherMIAs)
		bigKeys = keys
		loads = append(loads, ls)
		fmt.Fprintf(log, "bench: loaded %d items of other MIAs in %.1f s (%.0f/s)\n", ls.Items, ls.Seconds, ls.ItemsPerSec)
		if err != nil {
			return err
		}
		if st.consumersStopped {
			return nil
		}
		t := time.Now()
		if err := st.streamsIdle(ctx, 5*time.Minute); err != nil {
			return err
		}
		fmt.Fprintf(log, "bench: stream consumers idle after %.1f s\n", time.Since(t).Seconds())
		return nil
	}
	// measure sends the routes round-robin (a drift of the machine touches
	// them all alike), each request followed by a direct replay of the
	// DynamoDB operations it made: the replay's own ratio shows how much of a
	// latency change is DynamoDB Local's, not the request's.
	type stage struct{ p50, direct, capacity []float64 }
	measure := func() (stage, error) {
		lat := make([][]float64, len(frs))
		dir := make([][]float64, len(frs))
		caps := make([][]float64, len(frs))
		for i := 0; i < flatWarmups+n && ctx.Err() == nil; i++ {
			for j, fr := range frs {
				st.rec.reset()
				r, err := st.api.do(ctx, fr.k)
				calls := st.rec.reset()
				if err != nil {
					return stage{}, err
				}
				if !r.ok() {
					return stage{}, fmt.Errorf("%s: %s", fr.name, r)
				}
				t := time.Now()
				if err := replayAll(ctx, st.direct, calls); err != nil {
					return stage{}, err
				}
				d := ms(time.Since(t))
				if i < flatWarmups {
					continue
				}
				lat[j], dir[j], caps[j] = append(lat[j], r.ms), append(dir[j], d), append(caps[j], totalCapacity(calls))
			}
		}
		var s stage
		for j := range frs {
			s.p50 = append(s.p50, percentile(lat[j], 50))
			s.direct = append(s.direct, percentile(dir[j], 50))
			s.capacity = append(s.capacity, percentile(caps[j], 50))
		}
		return s, ctx.Err()
	}

	// small → big → small again: the first small stage runs on a DynamoDB
	// Local whose JIT and heap have not yet seen the bulk load, which makes
	// it slower than the big stage; the ratio uses the second small stage
	// (same table content as the first, after deleting what was added).
	if err := load(o.small); err != nil {
		return nil, loads, err
	}
	first, err := measure()
	if err != nil {
		return nil, loads, err
	}
	if err := load(o.big - o.small); err != nil {
		return nil, loads, err
	}
	big, err := measure()
	if err != nil {
		return nil, loads, err
	}
	del, err := bulkDelete(ctx, st.direct, st.ls.Table, bigKeys, workers)
	del.Op = "delete"
	loads = append(loads, del)
	fmt.Fprintf(log, "bench: deleted %d items of other MIAs in %.1f s\n", del.Items, del.Seconds)
	if err != nil {
		return nil, loads, err
	}
	small, err := measure()
	if err != nil {
		return nil, loads, err
	}
	var out []*Flatness
	for i, fr := range frs {
		f := &Flatness{Route: fr.name, SmallItems: o.small, BigItems: o.big,
			SmallP50: small.p50[i], BigP50: big.p50[i], SmallCapacity: small.capacity[i], BigCapacity: big.capacity[i],
			SmallDirectP50: small.direct[i], BigDirectP50: big.direct[i],
			FirstSmallP50: first.p50[i], FirstSmallCapacity: first.capacity[i]}
		if f.SmallP50 > 0 {
			f.LatencyRatio = f.BigP50 / f.SmallP50
		}
		if f.SmallDirectP50 > 0 {
			f.DirectRatio = f.BigDirectP50 / f.SmallDirectP50
		}
		if f.SmallCapacity > 0 {
			f.CapacityRatio = f.BigCapacity / f.SmallCapacity
		} else if f.BigCapacity == 0 {
			f.CapacityRatio = 1
		}
		// The request's own growth is judged net of DynamoDB Local's drift
		// between the two stages (the direct replay of the same operations).
		net := f.LatencyRatio
		if f.DirectRatio > 0 {
			net = f.LatencyRatio / f.DirectRatio
		}
		f.Pass = f.CapacityRatio <= maxFlat && f.CapacityRatio > 0 && (f.LatencyRatio <= maxFlat || net <= maxFlat)
		if f.Pass && f.LatencyRatio > maxFlat {
			f.Note = fmt.Sprintf("pass: ×%.2f net of DynamoDB Local's own ×%.2f", net, f.DirectRatio)
		}
		out = append(out, f)
		fmt.Fprintf(log, "flat %-36s p50 %.2f → %.2f ms (×%.2f; direct replay ×%.2f), capacity %.1f → %.1f (×%.2f)\n", fr.name,
			f.SmallP50, f.BigP50, f.LatencyRatio, f.DirectRatio, f.SmallCapacity, f.BigCapacity, f.CapacityRatio)
	}
	return out, loads, nil
}
