// Package ddbevent converts between the AWS SDK v2 DynamoDB types and the
// Lambda event types of aws-lambda-go: attribute values in both directions,
// and DynamoDB Streams records into the records of an events.DynamoDBEvent.
//
// A real Lambda receives stream images as events.DynamoDBAttributeValue, which
// attributevalue.UnmarshalMap cannot read; ToSDKMap (or UnmarshalImage) turns
// them back into SDK values. The local gateway uses Record to build the same
// events from the records it polls.
package ddbevent

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// EventSource is the eventSource of every DynamoDB stream record.
const EventSource = "aws:dynamodb"

// FromSDK converts a DynamoDB SDK attribute value to its Lambda event form.
func FromSDK(av ddbtypes.AttributeValue) (events.DynamoDBAttributeValue, error) {
	switch v := av.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value), nil
	case *ddbtypes.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value), nil
	case *ddbtypes.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value), nil
	case *ddbtypes.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value), nil
	case *ddbtypes.AttributeValueMemberNULL:
		return events.NewNullAttribute(), nil
	case *ddbtypes.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value), nil
	case *ddbtypes.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value), nil
	case *ddbtypes.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value), nil
	case *ddbtypes.AttributeValueMemberL:
		l, err := convertList(v.Value, FromSDK)
		if err != nil {
			return events.DynamoDBAttributeValue{}, err
		}
		return events.NewListAttribute(l), nil
	case *ddbtypes.AttributeValueMemberM:
		m, err := FromSDKMap(v.Value)
		if err != nil {
			return events.DynamoDBAttributeValue{}, err
		}
		return events.NewMapAttribute(m), nil
	case nil:
		return events.DynamoDBAttributeValue{}, fmt.Errorf("nil attribute value")
	default:
		return events.DynamoDBAttributeValue{}, fmt.Errorf("unsupported attribute value %T", av)
	}
}

// FromSDKMap converts an SDK item (or key, or image) to its Lambda event form.
// A nil map gives a nil map.
func FromSDKMap(m map[string]ddbtypes.AttributeValue) (map[string]events.DynamoDBAttributeValue, error) {
	return convertMap(m, FromSDK)
}

// convertMap converts each value of m with conv, naming the key of a failure.
// A nil map gives a nil map.
func convertMap[V, W any](m map[string]V, conv func(V) (W, error)) (map[string]W, error) {
	if m == nil {
		return nil, nil
	}
	out := make(map[string]W, len(m))
	for k, v := range m {
		c, err := conv(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = c
	}
	return out, nil
}

// convertList converts each element of l with conv, naming the index of a
// failure.
func convertList[V, W any](l []V, conv func(V) (W, error)) ([]W, error) {
	out := make([]W, len(l))
	for i, e := range l {
		c, err := conv(e)
		if err != nil {
			return nil, fmt.Errorf("list[%d]: %w", i, err)
		}
		out[i] = c
	}
	return out, nil
}

// ToSDK converts a Lambda event attribute value to the SDK form, which
// attributevalue.Unmarshal reads.
func ToSDK(av events.DynamoDBAttributeValue) (ddbtypes.AttributeValue, error) {
	if av.DataType() != events.DataTypeNull && av.IsNull() {
		// The zero DynamoDBAttributeValue holds no value at all.
		return nil, fmt.Errorf("empty attribute value")
	}
	switch av.DataType() {
	case events.DataTypeString:
		return &ddbtypes.AttributeValueMemberS{Value: av.String()}, nil
	case events.DataTypeNumber:
		return &ddbtypes.AttributeValueMemberN{Value: av.Number()}, nil
	case events.DataTypeBinary:
		return &ddbtypes.AttributeValueMemberB{Value: av.Binary()}, nil
	case events.DataTypeBoolean:
		return &ddbtypes.AttributeValueMemberBOOL{Value: av.Boolean()}, nil
	case events.DataTypeNull:
		return &ddbtypes.AttributeValueMemberNULL{Value: true}, nil
	case events.DataTypeStringSet:
		return &ddbtypes.AttributeValueMemberSS{Value: av.StringSet()}, nil
	case events.DataTypeNumberSet:
		return &ddbtypes.AttributeValueMemberNS{Value: av.NumberSet()}, nil
	case events.DataTypeBinarySet:
		return &ddbtypes.AttributeValueMemberBS{Value: av.BinarySet()}, nil
	case events.DataTypeList:
		l, err := convertList(av.List(), ToSDK)
		if err != nil {
			return nil, err
		}
		return &ddbtypes.AttributeValueMemberL{Value: l}, nil
	case events.DataTypeMap:
		m, err := ToSDKMap(av.Map())
		if err != nil {
			return nil, err
		}
		if m == nil {
			m = map[string]ddbtypes.AttributeValue{}
		}
		return &ddbtypes.AttributeValueMemberM{Value: m}, nil
	default:
		return nil, fmt.Errorf("unsupported data type %d", av.DataType())
	}
}

// ToSDKMap converts a stream image (or keys) from a Lambda event to an SDK
// item, ready for attributevalue.UnmarshalMap. A nil map gives a nil map.
func ToSDKMap(m map[string]events.DynamoDBAttributeValue) (map[string]ddbtypes.AttributeValue, error) {
	return convertMap(m, ToSDK)
}

// UnmarshalImage decodes a stream image of a Lambda event into out (a pointer
// to a struct with dynamodbav tags, or a map), like attributevalue.UnmarshalMap.
func UnmarshalImage(image map[string]events.DynamoDBAttributeValue, out any) error {
	m, err := ToSDKMap(image)
	if err != nil {
		return fmt.Errorf("convert stream image: %w", err)
	}
	if err := attributevalue.UnmarshalMap(m, out); err != nil {
		return fmt.Errorf("unmarshal stream image: %w", err)
	}
	return nil
}

// FromStream converts a DynamoDB Streams SDK attribute value to its Lambda
// event form: through the SDK's own Streams → DynamoDB conversion, then FromSDK.
func FromStream(av streamtypes.AttributeValue) (events.DynamoDBAttributeValue, error) {
	sdk, err := attributevalue.FromDynamoDBStreams(av)
	if err != nil {
		return events.DynamoDBAttributeValue{}, err
	}
	return FromSDK(sdk)
}

// FromStreamMap converts a DynamoDB Streams image or key to its Lambda event
// form. A nil map gives a nil map.
func FromStreamMap(m map[string]streamtypes.AttributeValue) (map[string]events.DynamoDBAttributeValue, error) {
	return convertMap(m, FromStream)
}

// Record converts a record returned by dynamodbstreams GetRecords into the
// record a Lambda receives. GetRecords does not carry the stream ARN:
// streamARN is the table's LatestStreamArn (eventSourceARN). The region is
// taken from the record, or from region when the record has none.
func Record(r streamtypes.Record, streamARN, region string) (events.DynamoDBEventRecord, error) {
	out := events.DynamoDBEventRecord{
		AWSRegion:      deref(r.AwsRegion),
		EventID:        deref(r.EventID),
		EventName:      string(r.EventName),
		EventSource:    deref(r.EventSource),
		EventVersion:   deref(r.EventVersion),
		EventSourceArn: streamARN,
	}
	if out.AWSRegion == "" {
		out.AWSRegion = region
	}
	if out.EventSource == "" {
		out.EventSource = EventSource
	}
	if out.EventVersion == "" {
		out.EventVersion = "1.1"
	}
	if r.UserIdentity != nil {
		out.UserIdentity = &events.DynamoDBUserIdentity{
			Type:        deref(r.UserIdentity.Type),
			PrincipalID: deref(r.UserIdentity.PrincipalId),
		}
	}
	d := r.Dynamodb
	if d == nil {
		return out, fmt.Errorf("record %s: no dynamodb part", out.EventID)
	}
	var err error
	if out.Change.Keys, err = FromStreamMap(d.Keys); err != nil {
		return out, fmt.Errorf("record %s keys: %w", out.EventID, err)
	}
	if out.Change.NewImage, err = FromStreamMap(d.NewImage); err != nil {
		return out, fmt.Errorf("record %s new image: %w", out.EventID, err)
	}
	if out.Change.OldImage, err = FromStreamMap(d.OldImage); err != nil {
		return out, fmt.Errorf("record %s old image: %w", out.EventID, err)
	}
	if d.ApproximateCreationDateTime != nil {
		out.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: *d.ApproximateCreationDateTime}
	}
	out.Change.SequenceNumber = deref(d.SequenceNumber)
	if d.SizeBytes != nil {
		out.Change.SizeBytes = *d.SizeBytes
	}
	out.Change.StreamViewType = string(d.StreamViewType)
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
