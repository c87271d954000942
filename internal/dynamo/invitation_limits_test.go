package dynamo

import (
	"context"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Issue 9, item 14: a MIA may ask for a new invitation of one apporteur at
// most once per crm.InvitationCooldown, and have at most
// crm.InvitationsPerDay invitation emails sent per UTC day.
func TestInvitationLimits(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	now := time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }

	a := newApporteur(t, s, m, uniqueEmail("relance"))
	steps := []struct {
		after     time.Duration // since the creation
		wantCode  string        // "" = accepted
		wantRetry time.Duration
	}{
		{0, "", 0}, // the first new invitation is free
		{time.Minute, crm.ETOOMANY, crm.InvitationCooldown - time.Minute},
		{crm.InvitationCooldown - time.Second, crm.ETOOMANY, time.Second},
		{crm.InvitationCooldown, "", 0},
		{crm.InvitationCooldown + 90*time.Second + 500*time.Millisecond, crm.ETOOMANY, crm.InvitationCooldown - 90*time.Second},
	}
	start := now
	for _, st := range steps {
		now = start.Add(st.after)
		_, err := s.ReissueInvitation(ctx, m, a.ID)
		if st.wantCode == "" {
			if err != nil {
				t.Fatalf("new invitation %v after the creation: %v, want accepted", st.after, err)
			}
			continue
		}
		e := wantCode(t, err, st.wantCode)
		if e.RetryAfter != st.wantRetry || e.Message == "" {
			t.Errorf("%v after the creation: retry after %v (%q), want %v", st.after, e.RetryAfter, e.Message, st.wantRetry)
		}
	}

	// The daily quota counts creations and new invitations together; m has
	// used 3 (a creation, two new invitations).
	now = start.Add(time.Hour) // 23:00 UTC
	for i := 3; i < crm.InvitationsPerDay; i++ {
		newApporteur(t, s, m, uniqueEmail("quota"))
	}
	e := wantCode(t, ignore(created(s.CreateApporteur(ctx, m, crm.NewApporteur{Nom: "X", Email: uniqueEmail("quota")}, nil))), crm.ETOOMANY)
	if e.RetryAfter != time.Hour {
		t.Errorf("over the quota at 23:00: retry after %v, want 1h (midnight UTC)", e.RetryAfter)
	}
	wantCode(t, ignore(s.ReissueInvitation(ctx, m, a.ID)), crm.ETOOMANY)
	if got := must[crm.Apporteur](t)(s.GetApporteur(ctx, m, a.ID)); got.Version != 3 {
		t.Errorf("a refused new invitation wrote the apporteur: version %d, want 3", got.Version)
	}
	// Another MIA is not affected; the next day m may invite again.
	_, other := newStore(t)
	newApporteur(t, s, other, uniqueEmail("autre"))
	now = start.Add(2 * time.Hour)
	newApporteur(t, s, m, uniqueEmail("demain"))
}

// Simultaneous invitations of one MIA contend on its day counter: a
// transaction still conflicting after the store's retries is a 429 to
// retry in a moment, never a 500.
func TestInvitationsContendedAreTooMany(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	a := newApporteur(t, s, m, uniqueEmail("contended"))
	inner, calls := s.db, 0
	s.db = transactHook{api: inner, transact: func(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
		calls++
		return nil, &types.TransactionCanceledException{Message: aws.String("conflict"),
			CancellationReasons: []types.CancellationReason{{Code: aws.String("None")}, {Code: aws.String("TransactionConflict")}}}
	}}
	_, _, err := s.CreateApporteur(ctx, m, crm.NewApporteur{Nom: "X", Email: uniqueEmail("contended-new")}, nil)
	e := wantCode(t, err, crm.ETOOMANY)
	if e != nil && e.RetryAfter != time.Second {
		t.Errorf("create: Retry-After %v, want 1s", e.RetryAfter)
	}
	if calls != 4 {
		t.Errorf("create: %d transaction attempts, want 4", calls)
	}
	wantCode(t, ignore(s.ReissueInvitation(ctx, m, a.ID)), crm.ETOOMANY)
}

// transactHook is the store's DynamoDB client with TransactWriteItems replaced.
type transactHook struct {
	api
	transact func(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

func (h transactHook) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return h.transact(ctx, in, o...)
}
