package consumers

import (
	"context"
	"errors"
	"testing"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/mail"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// renames records the client renames and attributions asked of the store.
type renames struct {
	Store // the other methods are not called here
	got   []string
}

func (r *renames) RenameClientAffaires(_ context.Context, m crm.MIAID, id, nom string, version int) error {
	r.got = append(r.got, "rename "+string(m)+" "+id+" "+nom)
	return nil
}

func (r *renames) AttributeClientAffaires(_ context.Context, m crm.MIAID, id string, p crm.ApporteurID, version int) error {
	r.got = append(r.got, "attribute "+string(m)+" "+id+" "+string(p))
	return nil
}

// TestClientNomFollowsTheDecodedClient: the consumer acts on the images the
// store's decoder gives it, and only on a change of name or apporteur; a
// decoding failure reports the record.
func TestClientNomFollowsTheDecodedClient(t *testing.T) {
	client := func(nom string, p crm.ApporteurID) map[string]events.DynamoDBAttributeValue {
		return map[string]events.DynamoDBAttributeValue{"nom": events.NewStringAttribute(nom), "p": events.NewStringAttribute(string(p))}
	}
	decode := func(img map[string]types.AttributeValue) (crm.Image, error) {
		nom := img["nom"].(*types.AttributeValueMemberS).Value
		if nom == "illisible" {
			return crm.Image{}, errors.New("bad image")
		}
		p := crm.ApporteurID(img["p"].(*types.AttributeValueMemberS).Value)
		return crm.Image{Kind: crm.KindContact, MIA: "m1", Client: &crm.ClientRef{ID: "C1", Nom: nom, ApporteurID: p, Version: 2}}, nil
	}
	tests := []struct {
		name       string
		old, cur   map[string]events.DynamoDBAttributeValue
		want       []string
		wantFailed bool
	}{
		{"renamed", client("Luc Martin", "P1"), client("Luc Martine", "P1"), []string{"rename m1 C1 Luc Martine"}, false},
		{"new apporteur", client("Luc Martin", "P1"), client("Luc Martin", "P2"), []string{"attribute m1 C1 P2"}, false},
		{"unchanged", client("Luc Martin", "P1"), client("Luc Martin", "P1"), nil, false},
		{"undecodable", client("Luc Martin", "P1"), client("illisible", "P1"), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &renames{}
			d := quiet
			d.Store, d.Decode = store, decode
			rec := events.DynamoDBEventRecord{EventID: "e1", EventName: "MODIFY",
				Change: events.DynamoDBStreamRecord{SequenceNumber: "1", OldImage: tt.old, NewImage: tt.cur}}
			resp, err := ClientNom(d)(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(resp.BatchItemFailures) == 1; got != tt.wantFailed {
				t.Errorf("record failed: got %v, want %v", got, tt.wantFailed)
			}
			if len(store.got) != len(tt.want) || len(tt.want) > 0 && store.got[0] != tt.want[0] {
				t.Errorf("store calls: got %q, want %q", store.got, tt.want)
			}
		})
	}
}

// TestReadersNeedADecoder: a reader without the store's image decoder fails
// at start, not on its first record.
func TestReadersNeedADecoder(t *testing.T) {
	d := quiet
	d.Store, d.Mailer = &renames{}, noMail{}
	d.MIAPool, d.ApporteurPool = accounts.NewPool(nil, "mia"), accounts.NewPool(nil, "apporteur")
	for name, start := range map[string]func(Deps) (Handler, error){"projections": Projections, "mail": Mail} {
		if _, err := start(d); err == nil {
			t.Errorf("%s without a decoder: started, want a missing dependency", name)
		}
	}
}

type noMail struct{}

func (noMail) Send(context.Context, mail.Message) (string, error) { return "", nil }
