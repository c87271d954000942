package emulators

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/assentis/mycrm/internal/devstack/samtemplate"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// EnsureTable creates the table name as template.yaml declares tb (keys,
// indexes, stream, time to live) when it does not exist yet, and reports
// whether it did. Every table the local stack and the tests use is made
// here, so none drifts from the template.
func EnsureTable(ctx context.Context, db *dynamodb.Client, name string, tb samtemplate.Table) (created bool, err error) {
	_, err = db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	var notFound *ddbtypes.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		in := &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest}
		for _, a := range tb.AttributeDefinitions {
			in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{
				AttributeName: aws.String(a.AttributeName), AttributeType: ddbtypes.ScalarAttributeType(a.AttributeType)})
		}
		in.KeySchema = keySchema(tb.KeySchema)
		for _, g := range tb.GlobalSecondaryIndexes {
			in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, ddbtypes.GlobalSecondaryIndex{
				IndexName:  aws.String(g.IndexName),
				KeySchema:  keySchema(g.KeySchema),
				Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionType(g.ProjectionType), NonKeyAttributes: g.NonKeyAttributes},
			})
		}
		if tb.StreamViewType != "" {
			in.StreamSpecification = &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewType(tb.StreamViewType)}
		}
		if _, err := db.CreateTable(ctx, in); err != nil {
			return false, fmt.Errorf("create table %s: %w", name, err)
		}
		w := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 100 * time.Millisecond })
		if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 30*time.Second); err != nil {
			return false, fmt.Errorf("wait for table %s: %w", name, err)
		}
		created = true
	case err != nil:
		return false, fmt.Errorf("describe table %s: %w", name, err)
	}
	if tb.TimeToLiveAttribute != "" {
		ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
		if err != nil {
			return created, fmt.Errorf("describe ttl of %s: %w", name, err)
		}
		if d := ttl.TimeToLiveDescription; d == nil || d.TimeToLiveStatus != ddbtypes.TimeToLiveStatusEnabled {
			if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
				TableName:               aws.String(name),
				TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String(tb.TimeToLiveAttribute), Enabled: aws.Bool(true)},
			}); err != nil {
				return created, fmt.Errorf("enable ttl on %s: %w", name, err)
			}
		}
	}
	return created, nil
}

func keySchema(ks []samtemplate.KeySchemaElement) []ddbtypes.KeySchemaElement {
	out := make([]ddbtypes.KeySchemaElement, len(ks))
	for i, k := range ks {
		out[i] = ddbtypes.KeySchemaElement{AttributeName: aws.String(k.AttributeName), KeyType: ddbtypes.KeyType(k.KeyType)}
	}
	return out
}
