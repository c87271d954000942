package consumers

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// reveils records the wake-ups asked of the store.
type reveils struct {
	Store // the other methods are not called here
	got   []string
}

func (r *reveils) PutReveil(_ context.Context, w crm.Reveil) error {
	r.got = append(r.got, w.Kind+" "+w.Day+" "+w.Ref)
	return nil
}

// SettleRelance settles the open relance each id stands for, made before
// any change, and records those closed.
func (r *reveils) SettleRelance(_ context.Context, _ crm.MIAID, id crm.TacheID, step func(crm.Tache) (crm.Tache, bool)) error {
	made := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, kind := range []string{crm.RelanceORIAS, crm.RelanceRCPro} {
		for _, ref := range []string{"2025-11-27", "2027-03-31"} {
			if crm.StatutRelanceID(kind, "m1", "P1", ref) != id {
				continue
			}
			t := crm.Tache{ID: id, Statut: crm.TacheAFaire, Relance: kind, CreatedAt: made, UpdatedAt: made, Version: 1}
			if next, ok := step(t); ok && next.Statut == crm.TacheFaite {
				r.got = append(r.got, "faite "+kind+" "+ref)
			}
		}
	}
	return nil
}

// TestStatutReveils: an apporteur's write sets the wake-ups of the dates it
// recorded anew and closes the relances of the dates it replaced, and does
// nothing when its legal status is unchanged (its commission totals move
// it often).
func TestStatutReveilsFollowNewDates(t *testing.T) {
	img := func(verifie, rcpro string) map[string]events.DynamoDBAttributeValue {
		return map[string]events.DynamoDBAttributeValue{"v": events.NewStringAttribute(verifie), "r": events.NewStringAttribute(rcpro)}
	}
	decode := func(im map[string]types.AttributeValue) (crm.Image, error) {
		s := &crm.StatutLegal{Type: crm.IntermediaireORIAS, VerifieLe: im["v"].(*types.AttributeValueMemberS).Value,
			RCProExpiration: im["r"].(*types.AttributeValueMemberS).Value}
		if s.VerifieLe == "" {
			s = nil
		}
		return crm.Image{Kind: crm.KindApporteur, MIA: "m1", Apporteur: &crm.Apporteur{ID: "P1", StatutLegal: s,
			UpdatedAt: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}}, nil
	}
	tests := []struct {
		name     string
		old, cur map[string]events.DynamoDBAttributeValue
		want     []string
	}{
		{"status set", img("", ""), img("2025-11-27", "2027-03-31"),
			[]string{"orias_verification 2026-11-27 2025-11-27", "rc_pro_expiration 2027-03-01 2027-03-31"}},
		{"new apporteur with a status", nil, img("2025-11-27", "2027-03-31"),
			[]string{"orias_verification 2026-11-27 2025-11-27", "rc_pro_expiration 2027-03-01 2027-03-31"}},
		{"checked again", img("2025-11-27", "2027-03-31"), img("2026-11-20", "2027-03-31"),
			[]string{"faite orias_verification 2025-11-27", "orias_verification 2027-11-20 2026-11-20"}},
		{"RC Pro renewed", img("2025-11-27", "2027-03-31"), img("2025-11-27", "2028-03-31"),
			[]string{"faite rc_pro_expiration 2027-03-31", "rc_pro_expiration 2028-03-01 2028-03-31"}},
		{"status removed", img("2025-11-27", "2027-03-31"), img("", ""),
			[]string{"faite orias_verification 2025-11-27", "faite rc_pro_expiration 2027-03-31"}},
		{"unchanged (commissions moved)", img("2025-11-27", "2027-03-31"), img("2025-11-27", "2027-03-31"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &reveils{}
			d := quiet
			d.Store, d.Decode = store, decode
			name := "MODIFY"
			if tt.old == nil {
				name = "INSERT"
			}
			rec := events.DynamoDBEventRecord{EventID: "e1", EventName: name,
				Change: events.DynamoDBStreamRecord{SequenceNumber: "1", OldImage: tt.old, NewImage: tt.cur}}
			resp, err := Relances(d)(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}})
			if err != nil || len(resp.BatchItemFailures) > 0 {
				t.Fatalf("relances: %+v %v", resp, err)
			}
			slices.Sort(store.got)
			if !slices.Equal(store.got, tt.want) {
				t.Errorf("wake-ups and relances closed: got %q, want %q", store.got, tt.want)
			}
		})
	}
}
