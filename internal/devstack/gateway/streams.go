package gateway

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assentis/mycrm/internal/ddbevent"
	"github.com/assentis/mycrm/internal/devstack/samtemplate"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// Consumer is a stream consumer's Lambda handler.
type Consumer func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)

// StreamsAPI is the part of the DynamoDB Streams client the poller uses
// (*dynamodbstreams.Client satisfies it).
type StreamsAPI interface {
	ListStreams(context.Context, *dynamodbstreams.ListStreamsInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.ListStreamsOutput, error)
	DescribeStream(context.Context, *dynamodbstreams.DescribeStreamInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error)
	GetShardIterator(context.Context, *dynamodbstreams.GetShardIteratorInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(context.Context, *dynamodbstreams.GetRecordsInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

var _ StreamsAPI = (*dynamodbstreams.Client)(nil)

// StreamFailure describes records a consumer gave up on after its retries:
// what Lambda would send to the on-failure destination.
type StreamFailure struct {
	Function  string // folder of the consumer
	Event     string // stream event name in the template
	StreamARN string
	ShardID   string
	// FirstSequenceNumber and LastSequenceNumber bound the discarded records.
	FirstSequenceNumber string
	LastSequenceNumber  string
	Records             []events.DynamoDBEventRecord
	// Attempts is the number of invocations made with these records.
	Attempts int
	// Err is the last invocation's error, or what the function reported.
	Err error
}

// defaultMaximumRetryAttempts applies to stream events that leave
// MaximumRetryAttempts unset (infinite in Lambda, which would let one poison
// record block the shard forever locally).
const defaultMaximumRetryAttempts = 10

// mapping is one event source mapping: a consumer reading one table stream
// with its own position in each shard.
type mapping struct {
	g         *Gateway
	ev        samtemplate.StreamEvent
	fn        samtemplate.Function
	consumer  Consumer
	table     string
	streamARN string
	position  string
	maxRetry  int
	filters   []filterPattern

	shards       map[string]*shardState
	order        []string
	described    time.Time
	needDescribe bool

	idleMu    sync.Mutex
	idleStart time.Time // start of the last poll cycle that found nothing
	read      atomic.Int64
}

type shardState struct {
	id, parent string
	iter       *string
	lastSeq    string
	done       bool
}

// StartStreams starts polling the stream of every stream event whose
// consumer is in cfg.Consumers. Shard iterators are taken before it returns,
// so a write made after StartStreams returns is always delivered (even with
// StartingPosition LATEST). Close stops the pollers.
func (g *Gateway) StartStreams(ctx context.Context) error {
	if g.cfg.Streams == nil {
		return nil
	}
	g.streamsMu.Lock()
	defer g.streamsMu.Unlock()
	if g.cancel != nil {
		return errors.New("streams already started")
	}
	var ms []*mapping
	for _, f := range g.cfg.Template.Functions {
		for _, ev := range f.Streams {
			if !ev.Enabled {
				continue
			}
			c := g.cfg.Consumers[f.Folder]
			if c == nil {
				g.log.Warn("stream consumer without a handler is not polled", "function", f.Folder, "event", ev.Name)
				continue
			}
			m, err := g.newMapping(ctx, f, ev, c)
			if err != nil {
				return err
			}
			ms = append(ms, m)
		}
	}
	runCtx, cancel := context.WithCancel(context.Background())
	g.cancel = cancel
	g.mappings = ms
	for _, m := range ms {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			m.run(runCtx)
		}()
	}
	return nil
}

// Close stops the stream pollers and the schedules' timers and waits for
// them (an invocation or a run under way finishes first).
func (g *Gateway) Close() error {
	g.streamsMu.Lock()
	cancel := g.cancel
	g.streamsMu.Unlock()
	g.sched.mu.Lock()
	stopSchedules := g.sched.cancel
	g.sched.mu.Unlock()
	for _, c := range []context.CancelFunc{cancel, stopSchedules} {
		if c != nil {
			c()
		}
	}
	g.wg.Wait()
	return nil
}

// StreamsIdle waits until every stream consumer has caught up: each has read
// its stream to the end, with nothing left to deliver, after StreamsIdle was
// called, and no consumer read anything meanwhile (so the effects of
// consumers on each other have settled). Tests call it after a write whose
// stream consequences they check.
func (g *Gateway) StreamsIdle(ctx context.Context) error {
	g.streamsMu.Lock()
	ms := g.mappings
	g.streamsMu.Unlock()
	if len(ms) == 0 {
		return nil
	}
	for {
		var before int64
		for _, m := range ms {
			before += m.read.Load()
		}
		t0 := time.Now()
		for _, m := range ms {
			for !m.idleSince(t0) {
				select {
				case <-ctx.Done():
					return fmt.Errorf("wait for stream consumers: %w", ctx.Err())
				case <-time.After(5 * time.Millisecond):
				}
			}
		}
		var after int64
		for _, m := range ms {
			after += m.read.Load()
		}
		if after == before {
			return nil
		}
	}
}

func (m *mapping) idleSince(t time.Time) bool {
	m.idleMu.Lock()
	defer m.idleMu.Unlock()
	return !m.idleStart.Before(t)
}

func (g *Gateway) newMapping(ctx context.Context, f samtemplate.Function, ev samtemplate.StreamEvent, c Consumer) (*mapping, error) {
	m := &mapping{g: g, ev: ev, fn: f, consumer: c, position: ev.StartingPosition, maxRetry: ev.MaximumRetryAttempts, shards: map[string]*shardState{}}
	if g.cfg.StartingPosition != "" {
		m.position = g.cfg.StartingPosition
	}
	if m.maxRetry < 0 {
		m.maxRetry = defaultMaximumRetryAttempts
	}
	if ev.BatchSize <= 0 {
		m.ev.BatchSize = 100
	}
	for _, p := range ev.Filters {
		fp, err := parseFilter(p)
		if err != nil {
			return nil, fmt.Errorf("stream event %s of %s: filter: %w", ev.Name, f.Folder, err)
		}
		m.filters = append(m.filters, fp)
	}
	m.table = g.cfg.Refs[ev.Table]
	if m.table == "" {
		return nil, fmt.Errorf("stream event %s of %s: no table name for %s", ev.Name, f.Folder, ev.Table)
	}
	out, err := g.cfg.Streams.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String(m.table)})
	if err != nil {
		return nil, fmt.Errorf("list streams of %s: %w", m.table, err)
	}
	var latest streamtypes.Stream
	for _, s := range out.Streams {
		if latest.StreamLabel == nil || aws.ToString(s.StreamLabel) > aws.ToString(latest.StreamLabel) {
			latest = s
		}
	}
	if latest.StreamArn == nil {
		return nil, fmt.Errorf("table %s has no stream", m.table)
	}
	m.streamARN = aws.ToString(latest.StreamArn)
	if err := m.describe(ctx); err != nil {
		return nil, err
	}
	for _, id := range m.order {
		s := m.shards[id]
		if err := m.iterator(ctx, s, m.position); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// describe refreshes the list of shards; shards found after the start are
// read from their beginning.
func (m *mapping) describe(ctx context.Context) error {
	var start *string
	for {
		out, err := m.g.cfg.Streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(m.streamARN), ExclusiveStartShardId: start})
		if err != nil {
			return fmt.Errorf("describe stream %s: %w", m.streamARN, err)
		}
		if out.StreamDescription == nil {
			return fmt.Errorf("describe stream %s: no description", m.streamARN)
		}
		for _, sh := range out.StreamDescription.Shards {
			id := aws.ToString(sh.ShardId)
			if _, ok := m.shards[id]; ok {
				continue
			}
			m.shards[id] = &shardState{id: id, parent: aws.ToString(sh.ParentShardId)}
			m.order = append(m.order, id)
		}
		start = out.StreamDescription.LastEvaluatedShardId
		if start == nil {
			break
		}
	}
	m.described = time.Now()
	m.needDescribe = false
	return nil
}

func (m *mapping) iterator(ctx context.Context, s *shardState, position string) error {
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(m.streamARN), ShardId: aws.String(s.id)}
	switch {
	case s.lastSeq != "":
		in.ShardIteratorType = streamtypes.ShardIteratorTypeAfterSequenceNumber
		in.SequenceNumber = aws.String(s.lastSeq)
	case position == "LATEST":
		in.ShardIteratorType = streamtypes.ShardIteratorTypeLatest
	default:
		in.ShardIteratorType = streamtypes.ShardIteratorTypeTrimHorizon
	}
	out, err := m.g.cfg.Streams.GetShardIterator(ctx, in)
	if err != nil {
		var notFound *streamtypes.ResourceNotFoundException
		if errors.As(err, &notFound) {
			s.done = true // the shard is gone (trimmed)
			return nil
		}
		return fmt.Errorf("get shard iterator %s: %w", s.id, err)
	}
	s.iter = out.ShardIterator
	if s.iter == nil {
		s.done = true
	}
	return nil
}

func (m *mapping) run(ctx context.Context) {
	interval := m.g.cfg.PollInterval
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	failing := false
	for ctx.Err() == nil {
		start := time.Now()
		n, more, err := m.cycle(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !failing {
				m.g.log.Error("stream poll failed", "function", m.fn.Folder, "err", err)
			}
			failing = true
		} else {
			failing = false
		}
		if err == nil && n == 0 && !more {
			m.idleMu.Lock()
			m.idleStart = start
			m.idleMu.Unlock()
		}
		if n > 0 || more {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// cycle reads every open shard once and delivers what it read. more reports
// that shards changed, so the stream must be read again before calling it idle.
func (m *mapping) cycle(ctx context.Context) (n int, more bool, err error) {
	if m.needDescribe || time.Since(m.described) > 10*time.Second {
		if err := m.describe(ctx); err != nil {
			return 0, false, err
		}
	}
	for _, id := range m.order {
		s := m.shards[id]
		if s.done {
			continue
		}
		if p, ok := m.shards[s.parent]; ok && !p.done {
			continue // a child waits for its parent to be read to the end
		}
		if s.iter == nil {
			// New shard (read from its start), or an iterator to renew.
			if err := m.iterator(ctx, s, "TRIM_HORIZON"); err != nil {
				return n, more, err
			}
			if s.done {
				more = true
				continue
			}
		}
		out, err := m.g.cfg.Streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: s.iter, Limit: aws.Int32(1000)})
		if err != nil {
			var expired *streamtypes.ExpiredIteratorException
			var trimmed *streamtypes.TrimmedDataAccessException
			switch {
			case errors.As(err, &expired):
				s.iter = nil
				more = true
				continue
			case errors.As(err, &trimmed):
				s.iter, s.lastSeq = nil, ""
				more = true
				continue
			}
			return n, more, fmt.Errorf("get records %s: %w", s.id, err)
		}
		s.iter = out.NextShardIterator
		if s.iter == nil {
			s.done = true
			m.needDescribe = true
			more = true
		}
		if len(out.Records) == 0 {
			continue
		}
		n += len(out.Records)
		m.read.Add(int64(len(out.Records)))
		if err := m.process(ctx, s, out.Records); err != nil {
			return n, more, err
		}
	}
	return n, more, nil
}

// process converts, filters and delivers records in batches of BatchSize.
func (m *mapping) process(ctx context.Context, s *shardState, recs []streamtypes.Record) error {
	var batch []events.DynamoDBEventRecord
	flush := func() {
		if len(batch) > 0 {
			m.deliver(ctx, s.id, batch, 0)
			batch = nil
		}
	}
	for _, r := range recs {
		ev, err := ddbevent.Record(r, m.streamARN, m.g.cfg.Region)
		if err != nil {
			return fmt.Errorf("convert record: %w", err)
		}
		if m.matches(ev) {
			batch = append(batch, ev)
			if len(batch) == m.ev.BatchSize {
				flush()
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	flush()
	if len(recs) > 0 {
		s.lastSeq = aws.ToString(recs[len(recs)-1].Dynamodb.SequenceNumber)
	}
	return nil
}

// deliver invokes the consumer with batch until it succeeds, honouring
// batchItemFailures (retry from the lowest failed record) and
// BisectBatchOnFunctionError (split a failing batch, which does not count as
// a retry); records still failing after MaximumRetryAttempts retries go to the
// on-failure sink. attempts counts the failed invocations so far.
func (m *mapping) deliver(ctx context.Context, shardID string, batch []events.DynamoDBEventRecord, attempts int) {
	for len(batch) > 0 && ctx.Err() == nil {
		resp, err := m.invoke(ctx, batch)
		from := 0
		switch {
		case err != nil:
			if m.ev.BisectBatchOnFunctionError && len(batch) > 1 {
				half := len(batch) / 2
				m.deliver(ctx, shardID, batch[:half], attempts)
				m.deliver(ctx, shardID, batch[half:], attempts)
				return
			}
		case !m.ev.ReportsBatchItemFailures() || len(resp.BatchItemFailures) == 0:
			return
		default:
			i, ok := lowestFailure(batch, resp.BatchItemFailures)
			if !ok {
				err = errors.New("invalid batchItemFailures: an itemIdentifier is not a sequence number of the batch")
			} else {
				from = i
				err = fmt.Errorf("the function reported %d failed records", len(resp.BatchItemFailures))
				if m.ev.BisectBatchOnFunctionError && len(batch)-from > 1 {
					// Isolate the failed record, as bisection does: it alone
					// is retried (and sent to the on-failure destination if
					// it never succeeds); the records after it follow, in
					// order, instead of being discarded with it.
					m.deliver(ctx, shardID, batch[from:from+1], attempts+1)
					m.deliver(ctx, shardID, batch[from+1:], 0)
					return
				}
			}
		}
		batch = batch[from:]
		attempts++
		if attempts > m.maxRetry {
			m.fail(ctx, shardID, batch, attempts, err)
			return
		}
		m.g.log.Warn("stream consumer failed, retrying", "function", m.fn.Folder, "records", len(batch),
			"firstSequenceNumber", batch[0].Change.SequenceNumber, "attempt", attempts, "err", err)
		m.backoff(ctx, attempts)
	}
}

func lowestFailure(batch []events.DynamoDBEventRecord, failures []events.DynamoDBBatchItemFailure) (int, bool) {
	idx := map[string]int{}
	for i, r := range batch {
		idx[r.Change.SequenceNumber] = i
	}
	low := len(batch)
	for _, f := range failures {
		i, ok := idx[f.ItemIdentifier]
		if !ok {
			return 0, false
		}
		if i < low {
			low = i
		}
	}
	return low, true
}

func (m *mapping) backoff(ctx context.Context, attempts int) {
	d := m.g.cfg.RetryDelay
	if d < 0 {
		return
	}
	if d == 0 {
		d = 100 * time.Millisecond
	}
	for i := 1; i < attempts && d < 2*time.Second; i++ {
		d *= 2
	}
	d = min(d, 2*time.Second)
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func (m *mapping) invoke(ctx context.Context, batch []events.DynamoDBEventRecord) (resp events.DynamoDBEventResponse, err error) {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(m.fn.Timeout)*time.Second)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       newRequestID(),
		InvokedFunctionArn: "arn:aws:lambda:" + m.g.cfg.Region + ":" + AccountID + ":function:" + m.fn.LogicalID,
	})
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	// Each invocation gets its own copy, as each Lambda invocation decodes its own event.
	ev := events.DynamoDBEvent{Records: append([]events.DynamoDBEventRecord(nil), batch...)}
	return m.consumer(ctx, ev)
}

func (m *mapping) fail(ctx context.Context, shardID string, batch []events.DynamoDBEventRecord, attempts int, err error) {
	f := StreamFailure{
		Function:            m.fn.Folder,
		Event:               m.ev.Name,
		StreamARN:           m.streamARN,
		ShardID:             shardID,
		FirstSequenceNumber: batch[0].Change.SequenceNumber,
		LastSequenceNumber:  batch[len(batch)-1].Change.SequenceNumber,
		Records:             batch,
		Attempts:            attempts,
		Err:                 err,
	}
	m.g.log.Error("stream consumer gave up on records (on-failure destination)", "function", f.Function, "event", f.Event,
		"shard", shardID, "firstSequenceNumber", f.FirstSequenceNumber, "lastSequenceNumber", f.LastSequenceNumber,
		"records", len(batch), "attempts", attempts, "err", err)
	if m.g.cfg.OnFailure != nil {
		m.g.cfg.OnFailure(ctx, f)
	}
}
