package gateway

import (
	"context"
	"fmt"
	"net/url"
	"runtime/debug"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// ObjectHandler is an S3-event function's Lambda handler.
type ObjectHandler func(context.Context, events.S3Event) error

// ObjectFailure is an S3 event a function failed on after its retries:
// what Lambda would send to the function's on-failure destination.
type ObjectFailure struct {
	Function string
	Record   events.S3EventRecord
	Attempts int
	Err      error
}

// asyncRetries is how many times Lambda retries an asynchronous invocation
// that failed (the template's EventInvokeConfig says 2, Lambda's default).
const asyncRetries = 2

// objects tracks the S3 events being delivered.
type objects struct {
	mu       sync.Mutex
	inflight int
}

// ObjectCreated delivers an object-created record of bucket (its physical
// name) to each function whose S3 event in the template matches it (the
// bucket by !Ref, the event type, the key's prefix and suffix), as S3 does:
// asynchronously, one record per event, retried twice on error, then given
// up (logged, and passed to OnObjectFailure).
func (g *Gateway) ObjectCreated(bucket string, rec events.S3EventRecord) {
	key, err := url.QueryUnescape(rec.S3.Object.Key)
	if err != nil {
		return
	}
	for _, f := range g.cfg.Template.Functions {
		for _, e := range f.Objects {
			if g.cfg.Refs[e.Bucket] != bucket || !e.Matches(rec.EventName, key) {
				continue
			}
			h := g.cfg.Objects[f.Folder]
			if h == nil {
				g.log.Warn("S3 event without a handler is not delivered", "function", f.Folder, "event", e.Name)
				continue
			}
			r := rec
			r.S3.ConfigurationID = e.Name
			g.objectsStart()
			go func() {
				defer g.objectsDone()
				g.deliverObject(f.Folder, f.LogicalID, f.Timeout, h, r)
			}()
		}
	}
}

func (g *Gateway) deliverObject(folder, logicalID string, timeout int, h ObjectHandler, r events.S3EventRecord) {
	delay := g.cfg.RetryDelay
	if delay == 0 {
		delay = 100 * time.Millisecond
	}
	var err error
	attempts := 0
	for attempts <= asyncRetries {
		attempts++
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(timeout)*time.Second)
		ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: newRequestID(),
			InvokedFunctionArn: "arn:aws:lambda:" + g.cfg.Region + ":" + AccountID + ":function:" + logicalID})
		err = callObjectHandler(ctx, h, events.S3Event{Records: []events.S3EventRecord{r}})
		cancel()
		if err == nil {
			return
		}
		g.log.Warn("S3-event function failed", "function", folder, "attempt", attempts, "err", err)
		if delay > 0 {
			time.Sleep(delay)
		}
	}
	g.log.Error("S3 event given up (on-failure destination)", "function", folder, "attempts", attempts, "err", err)
	if g.cfg.OnObjectFailure != nil {
		g.cfg.OnObjectFailure(context.Background(), ObjectFailure{Function: folder, Record: r, Attempts: attempts, Err: err})
	}
}

func callObjectHandler(ctx context.Context, h ObjectHandler, ev events.S3Event) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx, ev)
}

func (g *Gateway) objectsStart() {
	g.objects.mu.Lock()
	g.objects.inflight++
	g.objects.mu.Unlock()
}

func (g *Gateway) objectsDone() {
	g.objects.mu.Lock()
	g.objects.inflight--
	g.objects.mu.Unlock()
}

// ObjectsIdle waits until every S3 event delivered so far has been handled
// (or given up). Tests call it after an upload whose check they look at.
func (g *Gateway) ObjectsIdle(ctx context.Context) error {
	for {
		g.objects.mu.Lock()
		n := g.objects.inflight
		g.objects.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for S3-event functions: %w", ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}
