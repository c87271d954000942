// Package dynamo is MyCRM's single-table DynamoDB store: one method per access
// pattern, the tenant always a parameter taken from the authenticated
// principal, every failure translated into a crm error code.
package dynamo

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/oklog/ulid/v2"
)

// Store reads and writes MyCRM's table.
type Store struct {
	db     api
	table  string
	secret []byte
	// Now and NewID are replaceable by tests; they default to the clock and ULIDs.
	Now   func() time.Time
	NewID func() string
	// Phone normalises the telephone of the contacts and entreprises the
	// store creates or patches (phone.Normalize, set by app.WithPhone). Nil
	// in the functions that accept no number; the makers of those that do
	// refuse to start without it (the Phone client of internal/routes).
	Phone crm.PhoneNormalizer
	// Limits on invitation emails; New sets crm's (the benchmark lifts them
	// to measure the routes, not their limits).
	Limits InvitationLimits
}

// InvitationLimits: at most one new invitation of an apporteur per
// Cooldown, and PerDay invitation emails per MIA and UTC day.
type InvitationLimits struct {
	Cooldown time.Duration
	PerDay   int
}

// New returns a store on the given table; cursorSecret authenticates list cursors.
func New(c *dynamodb.Client, table string, cursorSecret []byte) *Store {
	return &Store{db: newClientAPI(c), table: table, secret: cursorSecret,
		Now: time.Now, NewID: func() string { return ulid.Make().String() },
		Limits: InvitationLimits{Cooldown: crm.InvitationCooldown, PerDay: crm.InvitationsPerDay}}
}

// api is the part of the DynamoDB client the store calls.
type api interface {
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

var _ api = (*dynamodb.Client)(nil)

// clientAPI is a *dynamodb.Client as an api made of its method values, so
// that the client itself is never put in an interface: once reflect's
// method lookup by name is linked (text/template links it), the linker keeps every exported method of a type put in
// an interface, here the whole DynamoDB API.
// Same reason as accounts.ClientAPI.
type clientAPI struct {
	batchGet func(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	del      func(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	get      func(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	put      func(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	query    func(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	transact func(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	update   func(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

func newClientAPI(c *dynamodb.Client) clientAPI {
	return clientAPI{c.BatchGetItem, c.DeleteItem, c.GetItem, c.PutItem, c.Query, c.TransactWriteItems, c.UpdateItem}
}

func (c clientAPI) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return c.batchGet(ctx, in, o...)
}

func (c clientAPI) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return c.del(ctx, in, o...)
}

func (c clientAPI) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return c.get(ctx, in, o...)
}

func (c clientAPI) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return c.put(ctx, in, o...)
}

func (c clientAPI) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return c.query(ctx, in, o...)
}

func (c clientAPI) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return c.transact(ctx, in, o...)
}

func (c clientAPI) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return c.update(ctx, in, o...)
}

// idempotencyTTL is how long a stored response is replayed.
const idempotencyTTL = 24 * time.Hour

// replayError carries a replay from where the store finds it (the
// look-up before a create, the failed condition of its transaction) out of
// the create; replayOutcome turns it into the value the create returns.
type replayError struct{ replay crm.Replay }

func (r *replayError) Error() string { return "idempotent replay" }

// replayOutcome is the result of a create: the entity, or the answer
// recorded for the same request under the same key.
func replayOutcome[T any](v T, err error) (T, *crm.Replay, error) {
	var r *replayError
	if errors.As(err, &r) {
		var zero T
		return zero, &r.replay, nil
	}
	return v, nil, err
}

func (s *Store) key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// getItem reads one item strongly; ENOTFOUND when absent.
func (s *Store) getItem(ctx context.Context, pk, sk string, out any, what string) error {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.table, Key: s.key(pk, sk), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return internal("get "+what, err)
	}
	if res.Item == nil {
		return crm.Errorf(crm.ENOTFOUND, "%s introuvable.", what)
	}
	if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
		return internal("decode "+what, err)
	}
	return nil
}

func internal(op string, err error) error {
	return &crm.Error{Code: crm.EINTERNAL, Message: "Erreur interne.", Err: fmt.Errorf("%s: %w", op, err)}
}

// txItem is one action of a transaction, with what its failed condition means.
type txItem struct {
	item types.TransactWriteItem
	// fail turns a ConditionalCheckFailed of this action (with the old item,
	// nil if absent) into the error to return; nil means "not expected".
	fail func(old map[string]types.AttributeValue) error
}

// errContended marks a transaction still conflicting with concurrent ones
// after transact's retries.
var errContended = errors.New("transaction still contended after retries")

// transact runs a TransactWriteItems, retrying briefly on transaction conflicts
// (a concurrent request on the same items), and explains a cancellation by the
// first failed condition, in the order of the actions.
func (s *Store) transact(ctx context.Context, op string, items []txItem) error {
	in := &dynamodb.TransactWriteItemsInput{}
	for _, it := range items {
		in.TransactItems = append(in.TransactItems, it.item)
	}
	for attempt := 0; ; attempt++ {
		_, err := s.db.TransactWriteItems(ctx, in)
		if err == nil {
			return nil
		}
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) {
			return internal(op, err)
		}
		conflict := false
		for i, r := range tce.CancellationReasons {
			code := aws.ToString(r.Code)
			if code == "ConditionalCheckFailed" && i < len(items) && items[i].fail != nil {
				return items[i].fail(r.Item)
			}
			conflict = conflict || code == "TransactionConflict"
		}
		if !conflict {
			return internal(op, err)
		}
		if attempt == 3 {
			return internal(op, fmt.Errorf("%w: %w", errContended, err))
		}
		select {
		case <-ctx.Done():
			return internal(op, ctx.Err())
		case <-time.After(time.Duration(25*(attempt+1)) * time.Millisecond):
		}
	}
}

// transactLimit is the most actions one TransactWriteItems takes.
const transactLimit = 100

// transactChunks runs independent actions (deletes of what a removal or an
// erasure leaves, each fine alone) in transactions of at most
// transactLimit, in order: the table's policy allows no batch writes. Run
// again after a failure, the chunks already done change nothing more.
func (s *Store) transactChunks(ctx context.Context, op string, items []types.TransactWriteItem) error {
	for chunk := range slices.Chunk(items, transactLimit) {
		tx := make([]txItem, len(chunk))
		for i, it := range chunk {
			tx[i] = txItem{item: it}
		}
		if err := s.transact(ctx, op, tx); err != nil {
			return err
		}
	}
	return nil
}

// build turns a condition into the expression fields of a request.
func build(c expression.ConditionBuilder) (expression.Expression, error) {
	return expression.NewBuilder().WithCondition(c).Build()
}

func notExists() expression.ConditionBuilder {
	return expression.AttributeNotExists(expression.Name(attrPK))
}
func exists() expression.ConditionBuilder { return expression.AttributeExists(expression.Name(attrPK)) }

// putAction is a conditional Put that returns the old item when its condition fails.
func (s *Store) putAction(item any, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	e, err := build(cond)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName: &s.table, Item: av, ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}, nil
}

// checkAction asserts a condition on another item inside a transaction.
func (s *Store) checkAction(pk, sk string, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
	e, err := build(cond)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: &s.table, Key: s.key(pk, sk), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
	}}, nil
}

// deleteAction removes an item (a released guard) inside a transaction.
func (s *Store) deleteAction(pk, sk string) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: s.key(pk, sk)}}
}

// actions collects transaction actions and any error building them, so a
// sequence of add calls needs one error check (in run).
type actions struct {
	items []txItem
	last  *txItem // the action onFail applies to; nil after a failed add
	err   error
}

func (a *actions) add(item types.TransactWriteItem, err error) {
	if err != nil {
		a.err = errors.Join(a.err, err)
		a.last = nil
		return
	}
	a.items = append(a.items, txItem{item: item})
	a.last = &a.items[len(a.items)-1]
}

// onFail says what a failed condition of the last added action means.
func (a *actions) onFail(fail func(map[string]types.AttributeValue) error) {
	if a.last != nil {
		a.last.fail = fail
	}
}

func (s *Store) run(ctx context.Context, op string, a *actions) error {
	if a.err != nil {
		return internal(op, a.err)
	}
	return s.transact(ctx, op, a.items)
}

// idempotenceAction is the transaction action recording the response, and
// what to do when the key was already used.
func (s *Store) idempotenceAction(m crm.MIAID, idem *crm.Idempotency, created any) (txItem, error) {
	answer, err := idem.Answer(created)
	if err != nil {
		return txItem{}, err
	}
	it := idempotenceItem{PK: MIAPK(m), SK: IdempotenceSK(idem.Sub, idem.Key), Type: typeIdempotence,
		Hash: idem.Hash, Answer: answer, ExpiresAt: s.Now().Add(idempotencyTTL).Unix(), Mentions: mentions(crm.RefersTo(created))}
	p, err := s.putAction(it, notExists())
	if err != nil {
		return txItem{}, err
	}
	return txItem{item: p, fail: func(old map[string]types.AttributeValue) error {
		if old == nil {
			return internal("idempotence", errors.New("no stored response"))
		}
		return replayOf(old, idem)
	}}, nil
}

// mentions is the Mentions attribute of ids: each between spaces, so that
// contains(mentions, " <id> ") finds exactly that id; " " for none (only a
// reply stored before mentions existed lacks the attribute).
func mentions(ids []string) string {
	if len(ids) == 0 {
		return " "
	}
	return " " + strings.Join(ids, " ") + " "
}

// replayed looks up the answer stored under idem's key before a create reads
// anything else: a retry of a request that succeeded gets that answer even
// when what the create would check has changed since (the transaction's own
// idempotence action still settles concurrent first attempts). Nil when the
// key is new (or idem nil).
func (s *Store) replayed(ctx context.Context, m crm.MIAID, idem *crm.Idempotency) error {
	if idem == nil {
		return nil
	}
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table,
		Key: s.key(MIAPK(m), IdempotenceSK(idem.Sub, idem.Key)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return internal("read idempotence", err)
	}
	if res.Item == nil {
		return nil
	}
	return replayOf(res.Item, idem)
}

// replayOf is the answer to a request whose key holds stored item av: the
// first response when the request is the same, 422 when the key served another.
func replayOf(av map[string]types.AttributeValue, idem *crm.Idempotency) error {
	var prev idempotenceItem
	if err := attributevalue.UnmarshalMap(av, &prev); err != nil {
		return internal("decode idempotence", err)
	}
	if prev.Hash != idem.Hash {
		return crm.Errorf(crm.EUNPROCESSABLE, "Cette clé d'idempotence a déjà servi pour une autre requête.")
	}
	if prev.Efface {
		return crm.Errorf(crm.EUNPROCESSABLE, "Cette requête a déjà été traitée ; sa réponse, qui nommait une personne effacée depuis (RGPD), n'est plus conservée.")
	}
	if prev.Answer == nil {
		return internal("decode idempotence", errors.New("no stored answer"))
	}
	return &replayError{crm.Replay{Answer: prev.Answer}}
}

// Cursors: base64url(JSON of the LastEvaluatedKey's string attributes) "."
// base64url(HMAC-SHA256(secret, list, tenant, payload)), so a client can
// neither forge one nor use one on another tenant or list.

func (s *Store) encodeCursor(m crm.MIAID, list string, lek map[string]types.AttributeValue) string {
	if len(lek) == 0 {
		return ""
	}
	keys := map[string]string{}
	for k, v := range lek {
		if sv, ok := v.(*types.AttributeValueMemberS); ok {
			keys[k] = sv.Value
		}
	}
	payload, _ := json.Marshal(keys)
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(s.tag(m, list, p))
}

func (s *Store) decodeCursor(m crm.MIAID, list, cursor string) (map[string]types.AttributeValue, error) {
	if cursor == "" {
		return nil, nil
	}
	bad := crm.Invalid(crm.FieldError{Champ: "cursor", Message: "Curseur de pagination invalide."})
	p, t, ok := strings.Cut(cursor, ".")
	if !ok || len(cursor) > 2048 {
		return nil, bad
	}
	tag, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil || !hmac.Equal(tag, s.tag(m, list, p)) {
		return nil, bad
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return nil, bad
	}
	var keys map[string]string
	if err := json.Unmarshal(payload, &keys); err != nil || len(keys) == 0 {
		return nil, bad
	}
	out := map[string]types.AttributeValue{}
	for k, v := range keys {
		out[k] = &types.AttributeValueMemberS{Value: v}
	}
	return out, nil
}

func (s *Store) tag(m crm.MIAID, list, payload string) []byte {
	h := hmac.New(sha256.New, s.secret)
	h.Write([]byte("cursor\x00" + list + "\x00" + string(m) + "\x00" + payload))
	return h.Sum(nil)
}

// queryPage runs one Query for a page of list (cursor and limit from o) and
// converts its decoded items with conv.
func queryPage[I any, T any](ctx context.Context, s *Store, m crm.MIAID, list string, in *dynamodb.QueryInput,
	o crm.ListOptions, conv func(I) T) (crm.Page[T], error) {
	start, err := s.decodeCursor(m, list, o.Cursor)
	if err != nil {
		return crm.Page[T]{}, err
	}
	in.TableName = &s.table
	in.ExclusiveStartKey = start
	in.Limit = aws.Int32(int32(o.Limit))
	res, err := s.db.Query(ctx, in)
	if err != nil {
		return crm.Page[T]{}, internal("query "+list, err)
	}
	page := crm.Page[T]{Items: make([]T, 0, len(res.Items))}
	for _, av := range res.Items {
		var it I
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return crm.Page[T]{}, internal("decode "+list, err)
		}
		page.Items = append(page.Items, conv(it))
	}
	page.NextCursor = s.encodeCursor(m, list, res.LastEvaluatedKey)
	return page, nil
}

// queryPages pages through a Query like dynamodb.NewQueryPaginator, which
// takes the SDK client as an interface: see client for why the store never
// puts it in one.
func (s *Store) queryPages(in *dynamodb.QueryInput) *queryPages {
	cp := *in
	return &queryPages{s: s, in: &cp}
}

// eachQueried reads every page of Query in and calls fn with each item
// decoded as T (op names the read in errors).
func eachQueried[T any](ctx context.Context, s *Store, op string, in *dynamodb.QueryInput, fn func(T) error) error {
	pages := s.queryPages(in)
	for pages.HasMorePages() {
		res, err := pages.NextPage(ctx)
		if err != nil {
			return internal(op, err)
		}
		for _, av := range res.Items {
			var it T
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return internal("decode "+op, err)
			}
			if err := fn(it); err != nil {
				return err
			}
		}
	}
	return nil
}

type queryPages struct {
	s    *Store
	in   *dynamodb.QueryInput
	done bool
}

func (p *queryPages) HasMorePages() bool { return !p.done }

func (p *queryPages) NextPage(ctx context.Context) (*dynamodb.QueryOutput, error) {
	res, err := p.s.db.Query(ctx, p.in)
	if err != nil {
		return nil, err
	}
	p.in.ExclusiveStartKey = res.LastEvaluatedKey
	p.done = len(res.LastEvaluatedKey) == 0
	return res, nil
}
