package consumers

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-lambda-go/events"
)

// The table's stream has two readers (AWS advises at most two Lambda
// readers per shard: more get their GetRecords throttled, which delays
// them all). Each reader dispatches every record of its batch to its handlers,
// the same idempotent consumers as above, which still ignore the records
// they do not care about: the reader's FilterCriteria in template.yaml are
// the union of its handlers' patterns.

// Projections is the reader that keeps the derived data current: historique,
// commission totals, contact → client and the client name on its affaires.
// It sends no email: its function links no SES client.
func Projections(d Deps) (Handler, error) {
	switch {
	case d.Store == nil:
		return nil, missing("store")
	case d.Decode == nil:
		return nil, missing("stream image decoder")
	}
	return reader("projections", d, d.Store, []part{
		{"historique", Historique(d)},
		{"commissions", Commissions(d)},
		{"contact-client", ContactClient(d)},
		{"client-nom", ClientNom(d)},
		{"ledger", Ledger(d)},
		{"relances", Relances(d)},
		{"activite", Activite(d)},
		{"tableau", Tableau(d)},
		{"agenda", Agenda(d)},
		{"search", Search(d)},
		{"conservation", Conservation(d)},
	}), nil
}

// Mail is the reader that sends email: invitations (with their Cognito
// accounts) and notifications.
func Mail(d Deps) (Handler, error) {
	switch {
	case d.Store == nil:
		return nil, missing("store")
	case d.Decode == nil:
		return nil, missing("stream image decoder")
	case d.MIAPool == nil:
		return nil, missing("MIA pool administration")
	case d.ApporteurPool == nil:
		return nil, missing("apporteur pool administration")
	case d.Mailer == nil:
		return nil, missing("mailer")
	}
	return reader("mail", d, d.Store, []part{
		{"invitations", Invitations(d)},
		{"notifications", Notifications(d)},
		{"releve-emis", ReleveEmis(d)},
		{"information-article14", InformationArticle14(d)},
	}), nil
}

// part is one handler of a reader, named in its marks.
type part struct {
	name string
	run  Handler
}

// marker stores which handlers of a reader have done which records.
type marker interface {
	StreamMarks(ctx context.Context, reader string) ([]crm.StreamMark, error)
	UpdateStreamMarks(ctx context.Context, reader string, put, del []crm.StreamMark) error
}

// reader runs its handlers concurrently, each on the records of the batch
// it has not done yet, in order. Lambda redelivers a batch from the lowest
// record reported failed, to the whole reader: so when a handler fails, the
// reader reports its first failed record and marks, for every later record,
// which other handlers have done it; on redelivery those skip what they
// marked and the failed handler resumes alone. Once a batch is done the
// marks of its records are deleted.
//
// The marks spare repeated work and side effects; correctness still rests on
// each handler's own idempotence (claims, versioned writes): if the marks
// cannot be read or written, every handler gets every record again.
func reader(name string, d Deps, marks marker, parts []part) Handler {
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		recs := ev.Records
		if len(recs) == 0 {
			return resp, nil
		}
		done := map[crm.StreamMark]bool{}
		stored, err := marks.StreamMarks(ctx, name)
		if err != nil {
			log.WarnContext(ctx, "stream marks unread: every handler gets every record", "reader", name, "error", err)
		}
		for _, m := range stored {
			done[m] = true
		}
		index := make(map[string]int, len(recs))
		for i, r := range recs {
			index[r.Change.SequenceNumber] = i
		}

		// failAt[i] is the index of the first record parts[i] failed, len(recs) if none.
		failAt := make([]int, len(parts))
		var wg sync.WaitGroup
		for i, p := range parts {
			var todo []events.DynamoDBEventRecord
			for _, r := range recs {
				if !done[crm.StreamMark{EventID: r.EventID, Handler: p.name}] {
					todo = append(todo, r)
				}
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				failAt[i] = runPart(ctx, log, name, p, todo, index, len(recs))
			}()
		}
		wg.Wait()

		low := len(recs)
		for _, f := range failAt {
			low = min(low, f)
		}
		var put, del []crm.StreamMark
		for j, r := range recs {
			for i, p := range parts {
				m := crm.StreamMark{EventID: r.EventID, Handler: p.name}
				switch {
				case j >= low && j < failAt[i] && !done[m]:
					put = append(put, m) // redelivered, already done by this handler
				case j < low && done[m]:
					del = append(del, m) // not redelivered: the mark has served
				}
			}
		}
		if len(put)+len(del) > 0 {
			if err := marks.UpdateStreamMarks(ctx, name, put, del); err != nil {
				log.WarnContext(ctx, "stream marks unwritten: the redelivery repeats done work", "reader", name, "error", err)
			}
		}
		if low < len(recs) {
			resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{{ItemIdentifier: recs[low].Change.SequenceNumber}}
		}
		return resp, nil
	}
}

// runPart invokes one handler on its records and returns the index (in the
// whole batch) of the first record it did not do, n when it did them all.
// An error or a panic of the handler fails its first record.
func runPart(ctx context.Context, log *slog.Logger, reader string, p part, todo []events.DynamoDBEventRecord, index map[string]int, n int) (failAt int) {
	if len(todo) == 0 {
		return n
	}
	first := index[todo[0].Change.SequenceNumber]
	defer func() {
		if v := recover(); v != nil {
			log.ErrorContext(ctx, "stream handler panicked", "reader", reader, "handler", p.name, "panic", fmt.Sprint(v))
			failAt = first
		}
	}()
	resp, err := p.run(ctx, events.DynamoDBEvent{Records: todo})
	if err != nil {
		log.ErrorContext(ctx, "stream handler failed", "reader", reader, "handler", p.name, "error", err)
		return first
	}
	failAt = n
	for _, f := range resp.BatchItemFailures {
		i, ok := index[f.ItemIdentifier]
		if !ok {
			i = first // not a record of the batch: redo them all
		}
		failAt = min(failAt, i)
	}
	return failAt
}
