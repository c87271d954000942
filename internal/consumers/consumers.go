// Package consumers holds the work that follows a write, on the table's
// DynamoDB stream: two readers (readers.go), each dispatching records to
// several consumers. Each consumer is idempotent (a redelivered
// record changes nothing more and sends no second email), ignores the items
// it does not care about (the template's FilterCriteria already keeps most of
// them away) and reports the first record it could not process in
// batchItemFailures, so Lambda (or the local gateway) retries from there.
package consumers

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/ddbevent"
	"github.com/assentis/mycrm/internal/mail"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Deps are what the consumers need, built once per instance by the reader's
// main.go (generated from internal/routes), through internal/app/streamapp
// for the reader that sends email.
type Deps struct {
	Store Store
	// Decode reads a stream image (dynamo.DecodeImage): the images are in
	// the store's format, which the consumers do not know.
	Decode        func(image map[string]types.AttributeValue) (crm.Image, error)
	MIAPool       *accounts.Pool
	ApporteurPool *accounts.Pool
	Mailer        Mailer
	WebBaseURL    string
	Now           func() time.Time
	Log           *slog.Logger
}

// Store is what the consumers read and write in the table
// (*dynamo.Store): the small interfaces of the consumers that use them.
type Store interface {
	marker
	historiques
	commissions
	contactClients
	clientAffaires
	profiles
	invitationClaims
	notificationClaims
	ledgers
	relances
	activites
	tableau
	agenda
	searchIndex
	conservationClocks
	parametres
}

// Mailer sends a composed email (sesmail.Mailer).
type Mailer interface {
	Send(context.Context, mail.Message) (messageID string, err error)
}

// Handler is a stream consumer's Lambda handler.
type Handler = func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)

// missing is the error of a reader built without a client it needs: it fails
// at start, not on the first record that would use the client.
func missing(client string) error { return fmt.Errorf("missing dependency: %s", client) }

// change is a stream record with its images decoded (an absent image is the
// zero crm.Image).
type change struct {
	ID        string
	Name      string // INSERT, MODIFY, REMOVE
	Old, New  crm.Image
	At        time.Time
	SeqNumber string
}

// each runs fn on every record in order and stops at the first failure,
// which it reports (with every later record being redelivered anyway).
func each(name string, d Deps, fn func(context.Context, change) error) Handler {
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		for _, r := range ev.Records {
			c, err := convert(d.Decode, r)
			if err == nil {
				err = fn(ctx, c)
			}
			if err != nil {
				// Errors carry ids and causes, never contact data, tokens or passwords.
				log.ErrorContext(ctx, "stream record failed", "handler", name, "eventID", r.EventID,
					"sequenceNumber", r.Change.SequenceNumber, "error", err)
				resp.BatchItemFailures = append(resp.BatchItemFailures,
					events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
				break
			}
		}
		return resp, nil
	}
}

func convert(decode func(map[string]types.AttributeValue) (crm.Image, error), r events.DynamoDBEventRecord) (change, error) {
	c := change{ID: r.EventID, Name: r.EventName, At: r.Change.ApproximateCreationDateTime.Time, SeqNumber: r.Change.SequenceNumber}
	var err error
	if c.Old, err = image(decode, r.Change.OldImage); err != nil {
		return c, fmt.Errorf("old image: %w", err)
	}
	if c.New, err = image(decode, r.Change.NewImage); err != nil {
		return c, fmt.Errorf("new image: %w", err)
	}
	return c, nil
}

// image decodes one image of a record; an absent one needs no decoder.
func image(decode func(map[string]types.AttributeValue) (crm.Image, error), img map[string]events.DynamoDBAttributeValue) (crm.Image, error) {
	av, err := ddbevent.ToSDKMap(img)
	if err != nil || av == nil {
		return crm.Image{}, err
	}
	if decode == nil {
		return crm.Image{}, missing("stream image decoder")
	}
	return decode(av)
}

func (d Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// once is the consumers' idempotence for what the table cannot undo (a
// Cognito user, an email): claim records in the table that the work is
// being done; a claim already held (a redelivered record) does nothing; when
// do fails, release forgets the claim, so the retried record does it again.
func once(claim func() (bool, error), do, release func() error) error {
	claimed, err := claim()
	if err != nil || !claimed {
		return err
	}
	if err := do(); err != nil {
		if rerr := release(); rerr != nil {
			return fmt.Errorf("%w (and release: %v)", err, rerr)
		}
		return err
	}
	return nil
}

// affaires returns both affaires of an affaire record (ok false otherwise).
func affaires(c change) (m crm.MIAID, old, cur *crm.Affaire, ok bool) {
	old, cur = c.Old.Affaire, c.New.Affaire
	if old != nil {
		m = c.Old.MIA
	}
	if cur != nil {
		m = c.New.MIA
	}
	return m, old, cur, old != nil || cur != nil
}
