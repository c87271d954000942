package dynamo

import (
	"context"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// streamMarkValidity outlives every redelivery: records are retried for at
// most a day (MaximumRecordAgeInSeconds); TTL removes the marks left after.
const streamMarkValidity = 48 * time.Hour

type streamMarkItem struct {
	PK        string `dynamodbav:"PK"`
	SK        string `dynamodbav:"SK"`
	Type      string `dynamodbav:"type"`
	EventID   string `dynamodbav:"eventId"`
	Handler   string `dynamodbav:"handler"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

// StreamMarks returns the marks of a reader (one strongly consistent Query:
// none, on the path without failures).
func (s *Store) StreamMarks(ctx context.Context, reader string) ([]crm.StreamMark, error) {
	in := &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true)}
	if err := withExpr(in, expression.Key(attrPK).Equal(expression.Value(StreamMarksPK(reader))), nil); err != nil {
		return nil, internal("stream marks", err)
	}
	var out []crm.StreamMark
	p := s.queryPages(in)
	for p.HasMorePages() {
		res, err := p.NextPage(ctx)
		if err != nil {
			return nil, internal("stream marks", err)
		}
		for _, av := range res.Items {
			var it streamMarkItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, internal("decode stream mark", err)
			}
			out = append(out, crm.StreamMark{EventID: it.EventID, Handler: it.Handler})
		}
	}
	return out, nil
}

// UpdateStreamMarks writes the marks put and deletes the marks del of a
// reader, one item each (a reader writes them only when it reports a
// failure, and deletes them once the redelivered records are done).
func (s *Store) UpdateStreamMarks(ctx context.Context, reader string, put, del []crm.StreamMark) error {
	exp := s.Now().Add(streamMarkValidity).Unix()
	for _, m := range put {
		av, err := attributevalue.MarshalMap(streamMarkItem{PK: StreamMarksPK(reader), SK: StreamMarkSK(m.EventID, m.Handler),
			Type: typeStreamMark, EventID: m.EventID, Handler: m.Handler, ExpiresAt: exp})
		if err != nil {
			return internal("encode stream mark", err)
		}
		if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av}); err != nil {
			return internal("put stream mark", err)
		}
	}
	for _, m := range del {
		if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table,
			Key: s.key(StreamMarksPK(reader), StreamMarkSK(m.EventID, m.Handler))}); err != nil {
			return internal("delete stream mark", err)
		}
	}
	return nil
}
