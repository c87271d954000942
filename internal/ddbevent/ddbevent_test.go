package ddbevent

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// cases pairs an SDK value, the same value as DynamoDB Streams returns it, and
// its JSON in a Lambda event (the wire format Lambda delivers).
var cases = []struct {
	name   string
	sdk    ddbtypes.AttributeValue
	stream streamtypes.AttributeValue
	json   string
}{
	{"string", &ddbtypes.AttributeValueMemberS{Value: "Dupont é"}, &streamtypes.AttributeValueMemberS{Value: "Dupont é"}, `{"S":"Dupont é"}`},
	{"empty string", &ddbtypes.AttributeValueMemberS{Value: ""}, &streamtypes.AttributeValueMemberS{Value: ""}, `{"S":""}`},
	{"number", &ddbtypes.AttributeValueMemberN{Value: "12345678901234567890.5"}, &streamtypes.AttributeValueMemberN{Value: "12345678901234567890.5"}, `{"N":"12345678901234567890.5"}`},
	{"binary", &ddbtypes.AttributeValueMemberB{Value: []byte{0, 1, 0xff}}, &streamtypes.AttributeValueMemberB{Value: []byte{0, 1, 0xff}}, `{"B":"AAH/"}`},
	{"bool true", &ddbtypes.AttributeValueMemberBOOL{Value: true}, &streamtypes.AttributeValueMemberBOOL{Value: true}, `{"BOOL":true}`},
	{"bool false", &ddbtypes.AttributeValueMemberBOOL{Value: false}, &streamtypes.AttributeValueMemberBOOL{Value: false}, `{"BOOL":false}`},
	{"null", &ddbtypes.AttributeValueMemberNULL{Value: true}, &streamtypes.AttributeValueMemberNULL{Value: true}, `{"NULL":true}`},
	{"string set", &ddbtypes.AttributeValueMemberSS{Value: []string{"a", "b"}}, &streamtypes.AttributeValueMemberSS{Value: []string{"a", "b"}}, `{"SS":["a","b"]}`},
	{"number set", &ddbtypes.AttributeValueMemberNS{Value: []string{"1", "2.5"}}, &streamtypes.AttributeValueMemberNS{Value: []string{"1", "2.5"}}, `{"NS":["1","2.5"]}`},
	{"binary set", &ddbtypes.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}}, &streamtypes.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}}, `{"BS":["AQ==","AgM="]}`},
	{"empty list", &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{}}, &streamtypes.AttributeValueMemberL{Value: []streamtypes.AttributeValue{}}, `{"L":[]}`},
	{"empty map", &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{}}, &streamtypes.AttributeValueMemberM{Value: map[string]streamtypes.AttributeValue{}}, `{"M":{}}`},
	{
		"nested",
		&ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{
			"l": &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{
				&ddbtypes.AttributeValueMemberS{Value: "x"},
				&ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{
					"n":    &ddbtypes.AttributeValueMemberN{Value: "7"},
					"null": &ddbtypes.AttributeValueMemberNULL{Value: true},
				}},
				&ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{&ddbtypes.AttributeValueMemberBOOL{Value: true}}},
			}},
			"ss": &ddbtypes.AttributeValueMemberSS{Value: []string{"z"}},
		}},
		&streamtypes.AttributeValueMemberM{Value: map[string]streamtypes.AttributeValue{
			"l": &streamtypes.AttributeValueMemberL{Value: []streamtypes.AttributeValue{
				&streamtypes.AttributeValueMemberS{Value: "x"},
				&streamtypes.AttributeValueMemberM{Value: map[string]streamtypes.AttributeValue{
					"n":    &streamtypes.AttributeValueMemberN{Value: "7"},
					"null": &streamtypes.AttributeValueMemberNULL{Value: true},
				}},
				&streamtypes.AttributeValueMemberL{Value: []streamtypes.AttributeValue{&streamtypes.AttributeValueMemberBOOL{Value: true}}},
			}},
			"ss": &streamtypes.AttributeValueMemberSS{Value: []string{"z"}},
		}},
		`{"M":{"l":{"L":[{"S":"x"},{"M":{"n":{"N":"7"},"null":{"NULL":true}}},{"L":[{"BOOL":true}]}]},"ss":{"SS":["z"]}}}`,
	},
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := FromSDK(tc.sdk)
			if err != nil {
				t.Fatalf("FromSDK: %v", err)
			}
			// The event value serialises as Lambda delivers it…
			b, err := json.Marshal(ev)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if !jsonEqual(t, b, []byte(tc.json)) {
				t.Errorf("json: got %s, want %s", b, tc.json)
			}
			// …and a value decoded from a Lambda event converts back to the SDK value.
			var decoded events.DynamoDBAttributeValue
			if err := json.Unmarshal([]byte(tc.json), &decoded); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			for name, in := range map[string]events.DynamoDBAttributeValue{"converted": ev, "decoded": decoded} {
				got, err := ToSDK(in)
				if err != nil {
					t.Fatalf("ToSDK(%s): %v", name, err)
				}
				if !reflect.DeepEqual(got, tc.sdk) {
					t.Errorf("ToSDK(%s): got %#v, want %#v", name, got, tc.sdk)
				}
			}
			// The streams SDK type gives the same event value.
			fromStream, err := FromStream(tc.stream)
			if err != nil {
				t.Fatalf("FromStream: %v", err)
			}
			if !reflect.DeepEqual(fromStream, ev) {
				t.Errorf("FromStream: got %#v, want %#v", fromStream, ev)
			}
		})
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("unmarshal %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		run  func() error
	}{
		{"FromSDK nil", func() error { _, err := FromSDK(nil); return err }},
		{"FromSDK unknown member", func() error { _, err := FromSDK(&ddbtypes.UnknownUnionMember{Tag: "X"}); return err }},
		{"FromSDK nested nil", func() error {
			_, err := FromSDK(&ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{nil}})
			return err
		}},
		{"FromStream nil", func() error { _, err := FromStream(nil); return err }},
		{"FromStream unknown member", func() error { _, err := FromStream(&streamtypes.UnknownUnionMember{Tag: "X"}); return err }},
		{"ToSDK zero value", func() error { _, err := ToSDK(events.DynamoDBAttributeValue{}); return err }},
		{"ToSDKMap nested zero value", func() error {
			_, err := ToSDKMap(map[string]events.DynamoDBAttributeValue{
				"m": events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"z": {}}),
			})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); err == nil {
				t.Errorf("got nil error, want one")
			}
		})
	}
}

func TestNilMaps(t *testing.T) {
	if got, err := FromSDKMap(nil); got != nil || err != nil {
		t.Errorf("FromSDKMap(nil): got %v, %v, want nil, nil", got, err)
	}
	if got, err := ToSDKMap(nil); got != nil || err != nil {
		t.Errorf("ToSDKMap(nil): got %v, %v, want nil, nil", got, err)
	}
	if got, err := FromStreamMap(nil); got != nil || err != nil {
		t.Errorf("FromStreamMap(nil): got %v, %v, want nil, nil", got, err)
	}
}

func TestRecord(t *testing.T) {
	created := time.Date(2026, 11, 26, 10, 42, 0, 0, time.UTC)
	keys := map[string]streamtypes.AttributeValue{
		"PK": &streamtypes.AttributeValueMemberS{Value: "MIA#01J"},
		"SK": &streamtypes.AttributeValueMemberS{Value: "CONTACT#01K"},
	}
	newImage := map[string]streamtypes.AttributeValue{
		"PK":      keys["PK"],
		"SK":      keys["SK"],
		"nom":     &streamtypes.AttributeValueMemberS{Value: "Dupont"},
		"version": &streamtypes.AttributeValueMemberN{Value: "2"},
	}
	oldImage := map[string]streamtypes.AttributeValue{
		"PK":      keys["PK"],
		"SK":      keys["SK"],
		"nom":     &streamtypes.AttributeValueMemberS{Value: "Dupond"},
		"version": &streamtypes.AttributeValueMemberN{Value: "1"},
	}
	const arn = "arn:aws:dynamodb:ddblocal:000000000000:table/mycrm/stream/2026-11-26T10:00:00.000"

	tests := []struct {
		name   string
		in     streamtypes.Record
		region string
		want   events.DynamoDBEventRecord
	}{
		{
			name: "modify with both images",
			in: streamtypes.Record{
				AwsRegion:    aws.String("eu-west-3"),
				EventID:      aws.String("e1"),
				EventName:    streamtypes.OperationTypeModify,
				EventSource:  aws.String("aws:dynamodb"),
				EventVersion: aws.String("1.1"),
				Dynamodb: &streamtypes.StreamRecord{
					ApproximateCreationDateTime: &created,
					Keys:                        keys,
					NewImage:                    newImage,
					OldImage:                    oldImage,
					SequenceNumber:              aws.String("000000000000000000042"),
					SizeBytes:                   aws.Int64(120),
					StreamViewType:              streamtypes.StreamViewTypeNewAndOldImages,
				},
			},
			region: "ignored",
			want: events.DynamoDBEventRecord{
				AWSRegion:      "eu-west-3",
				EventID:        "e1",
				EventName:      "MODIFY",
				EventSource:    "aws:dynamodb",
				EventVersion:   "1.1",
				EventSourceArn: arn,
				Change: events.DynamoDBStreamRecord{
					ApproximateCreationDateTime: events.SecondsEpochTime{Time: created},
					Keys: map[string]events.DynamoDBAttributeValue{
						"PK": events.NewStringAttribute("MIA#01J"),
						"SK": events.NewStringAttribute("CONTACT#01K"),
					},
					NewImage: map[string]events.DynamoDBAttributeValue{
						"PK":      events.NewStringAttribute("MIA#01J"),
						"SK":      events.NewStringAttribute("CONTACT#01K"),
						"nom":     events.NewStringAttribute("Dupont"),
						"version": events.NewNumberAttribute("2"),
					},
					OldImage: map[string]events.DynamoDBAttributeValue{
						"PK":      events.NewStringAttribute("MIA#01J"),
						"SK":      events.NewStringAttribute("CONTACT#01K"),
						"nom":     events.NewStringAttribute("Dupond"),
						"version": events.NewNumberAttribute("1"),
					},
					SequenceNumber: "000000000000000000042",
					SizeBytes:      120,
					StreamViewType: "NEW_AND_OLD_IMAGES",
				},
			},
		},
		{
			name: "ttl remove without region or source",
			in: streamtypes.Record{
				EventID:      aws.String("e2"),
				EventName:    streamtypes.OperationTypeRemove,
				UserIdentity: &streamtypes.Identity{Type: aws.String("Service"), PrincipalId: aws.String("dynamodb.amazonaws.com")},
				Dynamodb: &streamtypes.StreamRecord{
					Keys:           keys,
					OldImage:       oldImage,
					SequenceNumber: aws.String("43"),
					StreamViewType: streamtypes.StreamViewTypeNewAndOldImages,
				},
			},
			region: "eu-west-3",
			want: events.DynamoDBEventRecord{
				AWSRegion:      "eu-west-3",
				EventID:        "e2",
				EventName:      "REMOVE",
				EventSource:    "aws:dynamodb",
				EventVersion:   "1.1",
				EventSourceArn: arn,
				UserIdentity:   &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"},
				Change: events.DynamoDBStreamRecord{
					Keys: map[string]events.DynamoDBAttributeValue{
						"PK": events.NewStringAttribute("MIA#01J"),
						"SK": events.NewStringAttribute("CONTACT#01K"),
					},
					OldImage: map[string]events.DynamoDBAttributeValue{
						"PK":      events.NewStringAttribute("MIA#01J"),
						"SK":      events.NewStringAttribute("CONTACT#01K"),
						"nom":     events.NewStringAttribute("Dupond"),
						"version": events.NewNumberAttribute("1"),
					},
					SequenceNumber: "43",
					StreamViewType: "NEW_AND_OLD_IMAGES",
				},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Record(tc.in, arn, tc.region)
			if err != nil {
				t.Fatalf("Record: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
			// The record survives the JSON a Lambda would receive.
			b, err := json.Marshal(events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{got}})
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			var ev events.DynamoDBEvent
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			if len(ev.Records) != 1 || ev.Records[0].Change.SequenceNumber != tc.want.Change.SequenceNumber ||
				!reflect.DeepEqual(ev.Records[0].Change.OldImage, tc.want.Change.OldImage) {
				t.Errorf("after JSON: got %+v, want %+v", ev.Records, tc.want)
			}
		})
	}

	if _, err := Record(streamtypes.Record{EventID: aws.String("x")}, arn, "r"); err == nil {
		t.Errorf("record without dynamodb part: got nil error, want one")
	}
}

func TestUnmarshalImage(t *testing.T) {
	type contactItem struct {
		PK      string   `dynamodbav:"PK"`
		Nom     string   `dynamodbav:"nom"`
		Version int      `dynamodbav:"version"`
		Tags    []string `dynamodbav:"tags,stringset"`
		Absent  *string  `dynamodbav:"absent"`
		Adresse struct {
			Ville string `dynamodbav:"ville"`
		} `dynamodbav:"adresse"`
	}
	image := map[string]events.DynamoDBAttributeValue{
		"PK":      events.NewStringAttribute("MIA#1"),
		"nom":     events.NewStringAttribute("Dupont"),
		"version": events.NewNumberAttribute("3"),
		"tags":    events.NewStringSetAttribute([]string{"vip"}),
		"absent":  events.NewNullAttribute(),
		"adresse": events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"ville": events.NewStringAttribute("Lyon")}),
	}
	var got contactItem
	if err := UnmarshalImage(image, &got); err != nil {
		t.Fatalf("UnmarshalImage: %v", err)
	}
	want := contactItem{PK: "MIA#1", Nom: "Dupont", Version: 3, Tags: []string{"vip"}}
	want.Adresse.Ville = "Lyon"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if err := UnmarshalImage(map[string]events.DynamoDBAttributeValue{"version": events.NewBooleanAttribute(true)}, &got); err == nil {
		t.Errorf("bool into int field: got nil error, want one")
	}
}
