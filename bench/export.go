package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/oklog/ulid/v2"
)

// maxAnswerBytes is what a Lambda may answer (synchronous invocation
// payload): an export chunk must stay under it.
const maxAnswerBytes = 6 << 20

// ExportBench is issue 15's "export of 10,000 rows": a MIA's contacts
// exported by following X-Curseur-Suivant, as the web client does.
type ExportBench struct {
	Rows        int     `json:"rows"`     // data rows received
	Expected    int     `json:"expected"` // contacts the MIA has
	LoadSeconds float64 `json:"loadSeconds"`
	Seconds     float64 `json:"seconds"` // first request → last chunk received
	RowsPerSec  float64 `json:"rowsPerSecond"`
	Chunks      int     `json:"chunks"`
	// Per chunk: the most DynamoDB round trips and calls, the median and
	// largest consumed capacity, the largest answer.
	MaxRoundTrips  int           `json:"maxRoundTripsPerChunk"`
	MaxCalls       int           `json:"maxCallsPerChunk"`
	Ops            string        `json:"operations"`
	CapacityP50    float64       `json:"capacityPerChunkP50"`
	CapacityMax    float64       `json:"capacityPerChunkMax"`
	ChunkP50Ms     float64       `json:"chunkP50Ms"`
	MaxBytes       int           `json:"maxChunkBytes"`
	TotalBytes     int           `json:"totalBytes"`
	Pass           bool          `json:"pass"` // every row, ≤ 1 round trip and < 6 MB per chunk
	ChunkDetails   []ExportChunk `json:"chunkDetails"`
	ConsumersNote  string        `json:"note,omitempty"`
	ExportedFields int           `json:"columns"`
}

// ExportChunk is one request of the export.
type ExportChunk struct {
	Rows       int     `json:"rows"`
	Bytes      int     `json:"bytes"`
	Ms         float64 `json:"ms"`
	RoundTrips int     `json:"roundTrips"`
	Calls      int     `json:"calls"`
	Capacity   float64 `json:"capacity"`
}

// exportPhase gives a MIA of its own n contacts, written directly in the
// table as the store writes them (dynamo.ContactItem; 10,000 POSTs would
// take minutes and measure nothing of the export), then exports them all.
func exportPhase(ctx context.Context, st *benchStack, n int, log io.Writer) (*ExportBench, error) {
	if !st.has("GET /exports/contacts") {
		return nil, fmt.Errorf("GET /exports/contacts not served")
	}
	res := &ExportBench{Expected: n}
	if !st.consumersStopped {
		// The loaded contacts would keep the stream consumers busy for
		// minutes (search index, counters) on the cores the export uses.
		if err := st.stopConsumers(ctx); err != nil {
			return nil, err
		}
		res.ConsumersNote = "stream consumers stopped before the load"
	}
	sess, m, err := st.newMIA(ctx, fmt.Sprintf("bench-export-%s@assentis.test", time.Now().UTC().Format("150405")), false)
	if err != nil {
		return nil, fmt.Errorf("export MIA: %w", err)
	}
	rng := rand.New(rand.NewPCG(7, 15))
	var genErr error
	ls, err := batchWrite(ctx, st.direct, st.ls.Table, n, 32, func(i int) types.WriteRequest {
		item, err := dynamo.ContactItem(m, exportContact(i, rng))
		if err != nil && genErr == nil {
			genErr = err
		}
		return types.WriteRequest{PutRequest: &types.PutRequest{Item: item}}
	})
	if err == nil {
		err = genErr
	}
	if err != nil {
		return nil, fmt.Errorf("load export contacts: %w", err)
	}
	res.LoadSeconds = ls.Seconds
	fmt.Fprintf(log, "bench: export: %d contacts written in %.1f s\n", ls.Items, ls.Seconds)

	// A warm-up chunk (JWKS, connections), not timed.
	if _, err := st.api.must(ctx, call{method: "GET", path: "/exports/contacts", token: sess.token}); err != nil {
		return nil, err
	}
	var caps, lat []float64
	cursor := ""
	t0 := time.Now()
	for {
		path := "/exports/contacts"
		if cursor != "" {
			path += "?cursor=" + url.QueryEscape(cursor)
		}
		st.rec.reset()
		r, err := st.api.must(ctx, call{method: "GET", path: path, token: sess.token})
		calls := st.rec.reset()
		if err != nil {
			return nil, err
		}
		rows, cols, err := csvRows(r.body, cursor == "")
		if err != nil {
			return nil, fmt.Errorf("chunk %d: %w", res.Chunks+1, err)
		}
		c := ExportChunk{Rows: rows, Bytes: len(r.body), Ms: r.ms, RoundTrips: len(waves(calls)), Calls: len(calls), Capacity: totalCapacity(calls)}
		res.ChunkDetails = append(res.ChunkDetails, c)
		res.Chunks++
		res.Rows += rows
		res.TotalBytes += c.Bytes
		res.MaxBytes = max(res.MaxBytes, c.Bytes)
		res.ExportedFields = max(res.ExportedFields, cols)
		if c.RoundTrips > res.MaxRoundTrips || c.Calls > res.MaxCalls {
			res.Ops = opsSummary(calls)
		}
		res.MaxRoundTrips, res.MaxCalls = max(res.MaxRoundTrips, c.RoundTrips), max(res.MaxCalls, c.Calls)
		res.CapacityMax = max(res.CapacityMax, c.Capacity)
		caps, lat = append(caps, c.Capacity), append(lat, c.Ms)
		cursor = r.header.Get("X-Curseur-Suivant")
		if cursor == "" {
			break
		}
		if res.Chunks > n { // a cursor that never ends
			return nil, fmt.Errorf("export: still a next chunk after %d chunks", res.Chunks)
		}
	}
	res.Seconds = time.Since(t0).Seconds()
	res.RowsPerSec = float64(res.Rows) / res.Seconds
	res.CapacityP50, res.ChunkP50Ms = percentile(caps, 50), percentile(lat, 50)
	res.Pass = res.Rows == res.Expected && res.MaxRoundTrips <= maxCalls && res.MaxBytes < maxAnswerBytes
	return res, nil
}

// csvRows counts the data rows of an export chunk (the first carries the
// BOM and the header row) and the most columns of a row.
func csvRows(body []byte, first bool) (rows, cols int, err error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF"))))
	r.Comma, r.FieldsPerRecord = ';', -1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, 0, err
		}
		rows++
		cols = max(cols, len(rec))
	}
	if first && rows > 0 {
		rows-- // the header
	}
	return rows, cols, nil
}

// exportContact is the i-th contact of the export MIA: every column
// filled, accents, and now and then a cell the export must neutralise.
func exportContact(i int, rng *rand.Rand) crm.Contact {
	at := time.Date(2020, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(6*365*24)) * time.Hour)
	nom := noms[rng.IntN(len(noms))]
	c := crm.Contact{
		ID: crm.ContactID(ulid.MustNew(ulid.Timestamp(at), ulid.DefaultEntropy()).String()), Nom: nom, Prenom: "Hélène",
		Email:         fmt.Sprintf("helene.%s.%05d@exemple.fr", crm.Fold(nom), i),
		Telephone:     fmt.Sprintf("+3361%07d", i),
		Adresse:       fmt.Sprintf("%d rue de la Métallurgie, 69007 %s", 1+i%120, villes[i%len(villes)]),
		DateNaissance: fmt.Sprintf("19%02d-%02d-%02d", 50+i%50, 1+i%12, 1+i%28),
		Profession:    "Artisan boulanger", Remarques: "Rappeler après l'échéance; préfère le matin",
		Statut: crm.ContactStatut(statutsContact[i%2]), CreatedAt: at, UpdatedAt: at, Version: 1,
	}
	if i%100 == 0 {
		c.Remarques = "=HYPERLINK(\"http://exemple.test\")" // neutralised by the export
	}
	return c
}
