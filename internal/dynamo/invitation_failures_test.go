package dynamo

import (
	"context"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// TestInvitationFailuresStop: each released claim (Cognito or SES failed)
// counts; at MaxInvitationFailures no claim succeeds any more, the
// apporteur shows invitationEchouee, and a new invitation starts afresh.
func TestInvitationFailuresStop(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	a := newApporteur(t, s, m, uniqueEmail("echecs"))
	acc := crm.Account{Kind: crm.AccountApporteur, MIA: m, Apporteur: a.ID, Email: a.Email, Statut: string(a.Statut), InvitationN: 1}
	for i := range MaxInvitationFailures {
		_, h, _ := crm.NewActivationToken()
		if ok := must[bool](t)(s.ClaimInvitation(ctx, acc, h, time.Now().Add(crm.ActivationValidity))); !ok {
			t.Fatalf("claim %d refused before the limit", i+1)
		}
		if err := s.ReleaseInvitation(ctx, acc, h); err != nil {
			t.Fatal(err)
		}
		if got := must[crm.Apporteur](t)(s.GetApporteur(ctx, m, a.ID)); got.InvitationEchouee != (i+1 == MaxInvitationFailures) {
			t.Errorf("after %d failures invitationEchouee = %v", i+1, got.InvitationEchouee)
		}
	}
	_, h, _ := crm.NewActivationToken()
	if ok := must[bool](t)(s.ClaimInvitation(ctx, acc, h, time.Now().Add(crm.ActivationValidity))); ok {
		t.Fatal("a claim after the limit was accepted: the retries would never stop")
	}
	if re := must[crm.Apporteur](t)(s.ReissueInvitation(ctx, m, a.ID)); re.InvitationEchouee {
		t.Errorf("reissued = %+v, want no failure shown", re)
	}
	acc.InvitationN = 2
	if ok := must[bool](t)(s.ClaimInvitation(ctx, acc, h, time.Now().Add(crm.ActivationValidity))); !ok {
		t.Fatal("the new invitation's claim was refused")
	}
	if got := must[crm.Apporteur](t)(s.GetApporteur(ctx, m, a.ID)); got.InvitationEchouee {
		t.Errorf("after the new invitation: %+v", got)
	}
}
