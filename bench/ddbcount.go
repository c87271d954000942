package main

import (
	"context"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// ddbCall is one DynamoDB operation seen by the recorder.
type ddbCall struct {
	Op         string
	Input      any // the operation's input, kept to replay reads directly
	Capacity   float64
	Err        bool
	Start, End time.Time
}

// waves groups calls into round trips: calls that overlap in time (issued
// concurrently) share one wave, a call that starts after the previous wave
// ended opens the next one.
func waves(calls []ddbCall) [][]ddbCall {
	cs := append([]ddbCall(nil), calls...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Start.Before(cs[j].Start) })
	var out [][]ddbCall
	var end time.Time
	for _, c := range cs {
		if len(out) == 0 || !c.Start.Before(end) {
			out = append(out, nil)
			end = c.End
		}
		out[len(out)-1] = append(out[len(out)-1], c)
		if c.End.After(end) {
			end = c.End
		}
	}
	return out
}

// recorder is an AWS SDK v2 middleware that counts DynamoDB operations and
// the capacity they consumed. It asks DynamoDB for ReturnConsumedCapacity
// TOTAL on every input that leaves it unset (the store is not changed), and
// reads ConsumedCapacity from every output.
//
// Calls made while serving an API Gateway request (the context carries the
// API Gateway V2 request context that the proxy adapter puts there) are
// attributed to the request the bench is currently timing; others (stream
// consumers, seeding) are only counted as background.
type recorder struct {
	mu         sync.Mutex
	current    []ddbCall
	background int
}

// apiOption is the function to append to aws.Config.APIOptions.
func (rec *recorder) apiOption(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("BenchDynamoDBRecorder",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if !askCapacity(in.Parameters) {
				return next.HandleInitialize(ctx, in) // not a DynamoDB data operation
			}
			start := time.Now()
			out, md, err := next.HandleInitialize(ctx, in)
			call := ddbCall{Op: opName(ctx, in.Parameters), Input: in.Parameters, Capacity: capacity(out.Result), Err: err != nil,
				Start: start, End: time.Now()}
			_, inRequest := core.GetAPIGatewayV2ContextFromContext(ctx)
			rec.mu.Lock()
			if inRequest {
				rec.current = append(rec.current, call)
			} else {
				rec.background++
			}
			rec.mu.Unlock()
			return out, md, err
		}), middleware.After)
}

// reset starts a new window and returns the calls of the previous one.
func (rec *recorder) reset() []ddbCall {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	c := rec.current
	rec.current = nil
	return c
}

func opName(ctx context.Context, in any) string {
	if n := awsmiddleware.GetOperationName(ctx); n != "" {
		return n
	}
	return strings.TrimSuffix(reflect.TypeOf(in).Elem().Name(), "Input")
}

// askCapacity sets ReturnConsumedCapacity TOTAL on a DynamoDB data-plane
// input that does not set it, and reports whether in is one.
func askCapacity(in any) bool {
	set := func(v *types.ReturnConsumedCapacity) {
		if *v == "" {
			*v = types.ReturnConsumedCapacityTotal
		}
	}
	switch in := in.(type) {
	case *dynamodb.GetItemInput:
		set(&in.ReturnConsumedCapacity)
	case *dynamodb.QueryInput:
		set(&in.ReturnConsumedCapacity)
	case *dynamodb.ScanInput:
		set(&in.ReturnConsumedCapacity)
	case *dynamodb.PutItemInput:
		set(&in.ReturnConsumedCapacity)
	case *dynamodb.UpdateItemInput:
		set(&in.ReturnConsumedCapacity)
	case *dynamodb.DeleteItemInput:
		set(&in.ReturnConsumedCapacity)
	case *dynamodb.BatchGetItemInput:
		set(&in.ReturnConsumedCapacity)
	case *dynamodb.BatchWriteItemInput:
		set(&in.ReturnConsumedCapacity)
	case *dynamodb.TransactGetItemsInput:
		set(&in.ReturnConsumedCapacity)
	case *dynamodb.TransactWriteItemsInput:
		set(&in.ReturnConsumedCapacity)
	case *dynamodb.ExecuteStatementInput:
		set(&in.ReturnConsumedCapacity)
	default:
		return false
	}
	return true
}

// capacity sums the capacity units an output reports.
func capacity(out any) float64 {
	sum := func(cs ...types.ConsumedCapacity) float64 {
		var t float64
		for _, c := range cs {
			t += aws.ToFloat64(c.CapacityUnits)
		}
		return t
	}
	one := func(c *types.ConsumedCapacity) float64 {
		if c == nil {
			return 0
		}
		return sum(*c)
	}
	switch o := out.(type) {
	case *dynamodb.GetItemOutput:
		return one(o.ConsumedCapacity)
	case *dynamodb.QueryOutput:
		return one(o.ConsumedCapacity)
	case *dynamodb.ScanOutput:
		return one(o.ConsumedCapacity)
	case *dynamodb.PutItemOutput:
		return one(o.ConsumedCapacity)
	case *dynamodb.UpdateItemOutput:
		return one(o.ConsumedCapacity)
	case *dynamodb.DeleteItemOutput:
		return one(o.ConsumedCapacity)
	case *dynamodb.BatchGetItemOutput:
		return sum(o.ConsumedCapacity...)
	case *dynamodb.BatchWriteItemOutput:
		return sum(o.ConsumedCapacity...)
	case *dynamodb.TransactGetItemsOutput:
		return sum(o.ConsumedCapacity...)
	case *dynamodb.TransactWriteItemsOutput:
		return sum(o.ConsumedCapacity...)
	case *dynamodb.ExecuteStatementOutput:
		return one(o.ConsumedCapacity)
	}
	return 0
}

// totalCapacity is the capacity the calls consumed together.
func totalCapacity(calls []ddbCall) float64 {
	var c float64
	for _, k := range calls {
		c += k.Capacity
	}
	return c
}

// isRead tells whether a recorded call can be replayed freely.
func isRead(op string) bool {
	switch op {
	case "GetItem", "Query", "BatchGetItem", "TransactGetItems":
		return true
	}
	return false
}

// opsSummary names the operations of a request, round trip by round trip
// ("GetItem ∥ Query" when issued concurrently, "GetItem → TransactWriteItems"
// when one waits for the other).
func opsSummary(calls []ddbCall) string {
	if len(calls) == 0 {
		return "—"
	}
	var parts []string
	for _, w := range waves(calls) {
		parts = append(parts, countOps(w, " ∥ "))
	}
	return strings.Join(parts, " → ")
}

func countOps(calls []ddbCall, sep string) string {
	n := map[string]int{}
	for _, c := range calls {
		n[c.Op]++
	}
	var parts []string
	for op, k := range n {
		if k > 1 {
			parts = append(parts, op+"×"+strconv.Itoa(k))
		} else {
			parts = append(parts, op)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, sep)
}
