package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/consumers"
	"github.com/assentis/mycrm/internal/ddbevent"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Stream-consumer faults (issue 5): SES or Cognito failing under the
// invitation consumer (an SDK middleware makes their next calls fail, as a
// dead endpoint would), a poison record on the stream. Expected: the failed
// records are reported in batchItemFailures and retried, the retry succeeds
// once the dependency is back, no email or account twice, nothing lost; a
// poison record goes to the on-failure sink without blocking the shard.

const (
	sesService     = "SESv2"
	cognitoService = "Cognito Identity Provider"
)

// failedRecords counts the records the consumers reported failed so far
// (each one is logged once by the consumer as it adds it to batchItemFailures).
func failedRecords(handler string) int {
	return strings.Count(string(logs.Bytes()), `"msg":"stream record failed","handler":"`+handler+`"`)
}

// cognito is an admin client of the stack's cognito-local.
func cognito() *cip.Client {
	return cip.NewFromConfig(stack.Services.AWS, func(o *cip.Options) { o.BaseEndpoint = aws.String(stack.CognitoURL) })
}

func cognitoUsers(t *testing.T, email string) int {
	t.Helper()
	out, err := cognito().ListUsers(context.Background(), &cip.ListUsersInput{UserPoolId: aws.String(stack.ApporteurPoolID),
		Filter: aws.String(fmt.Sprintf("email = %q", email))})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Users)
}

func TestStreamConsumerFaults(t *testing.T) {
	miaTok := newTenant(t, false).token
	waitStreams(t)
	for _, tc := range []struct {
		name, service string
		n             int
	}{
		{"SES down for 3 calls", sesService, 3},
		{"Cognito down for 3 calls", cognitoService, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sinkBefore, failedBefore, injectedBefore := len(stack.StreamFailures()), failedRecords("invitations"), faults.injected.Load()
			email := uniqEmail("panne")
			faults.failNext(tc.service, tc.n)
			r := call(t, "POST", "/apporteurs", miaTok, map[string]any{"nom": "Panne", "prenom": "Paul", "email": email})
			if r.Status != http.StatusCreated {
				faults.failNext(tc.service, 0)
				t.Fatalf("POST /apporteurs = %d %s", r.Status, r.Body)
			}
			deadline := time.Now().Add(30 * time.Second)
			for faults.remaining(tc.service) > 0 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			faults.failNext(tc.service, 0)
			tok := activationToken(t, email) // waits for the streams
			injected := int(faults.injected.Load() - injectedBefore)
			reported := failedRecords("invitations") - failedBefore
			emails, users := len(emailsTo(t, email)), cognitoUsers(t, email)
			lost := 0
			if emails == 0 {
				lost = 1
			}
			sink := len(stack.StreamFailures()) - sinkBefore
			figMu.Lock()
			figs.Faults[tc.name] = &FaultCount{Injected: injected, Records: 1, Lost: lost, Duplicates: max(0, emails-1) + max(0, users-1), Reported: reported}
			figMu.Unlock()
			if injected != tc.n || reported < 1 || emails != 1 || users != 1 || sink != 0 {
				t.Errorf("%d faults injected, %d records reported failed, %d emails, %d Cognito users, %d records to the sink; want %d, ≥ 1, 1, 1, 0",
					injected, reported, emails, users, sink, tc.n)
			}
			if r := call(t, "POST", "/activation", "", map[string]string{"token": tok, "motDePasse": apporteurPassword}); r.Status != http.StatusOK {
				t.Errorf("activation after the retry = %d %s", r.Status, r.Body)
			}
		})
	}

	t.Run("SES down until the MIA resends", func(t *testing.T) {
		// A long outage: the invitation is attempted MaxInvitationFailures
		// times, then stops (no retry storm) and the MIA sees
		// invitationEchouee; once SES is back, its new invitation arrives.
		injectedBefore, failedBefore := faults.injected.Load(), failedRecords("invitations")
		email := uniqEmail("longue-panne")
		faults.failNext(sesService, 1000)
		r := call(t, "POST", "/apporteurs", miaTok, map[string]any{"nom": "Panne", "prenom": "Longue", "email": email})
		wantStatus(t, r, http.StatusCreated)
		var app apporteurJSON
		r.JSON(t, &app)
		waitStreams(t)
		injected := int(faults.injected.Load() - injectedBefore)
		faults.failNext(sesService, 0)
		var got struct {
			Statut            string `json:"statut"`
			InvitationEchouee bool   `json:"invitationEchouee"`
		}
		call(t, "GET", "/apporteurs/"+app.ID, miaTok, nil).JSON(t, &got)
		if injected != dynamo.MaxInvitationFailures || !got.InvitationEchouee || got.Statut != "invitation_envoyee" || len(emailsTo(t, email)) != 0 {
			t.Errorf("%d attempts while SES was down, apporteur %+v, %d emails; want %d attempts, invitationEchouee, no email",
				injected, got, len(emailsTo(t, email)), dynamo.MaxInvitationFailures)
		}
		if r := call(t, "POST", "/apporteurs/"+app.ID+"/invitation", miaTok, nil); r.Status != http.StatusAccepted {
			t.Fatalf("resend = %d %s", r.Status, r.Body)
		}
		tok := activationToken(t, email)
		got.InvitationEchouee = false
		call(t, "GET", "/apporteurs/"+app.ID, miaTok, nil).JSON(t, &got)
		emails := len(emailsTo(t, email))
		if got.InvitationEchouee || emails != 1 {
			t.Errorf("after the resend: %+v, %d emails; want no failure shown, 1 email", got, emails)
		}
		if r := call(t, "POST", "/activation", "", map[string]string{"token": tok, "motDePasse": apporteurPassword}); r.Status != http.StatusOK {
			t.Errorf("activation = %d %s", r.Status, r.Body)
		}
		lost := 0
		if emails != 1 {
			lost = 1
		}
		figMu.Lock()
		figs.Faults["SES down until the MIA resends"] = &FaultCount{Injected: injected, Records: 1, Lost: lost, Duplicates: max(0, emails-1),
			Reported: failedRecords("invitations") - failedBefore}
		figMu.Unlock()
	})

	t.Run("batchItemFailures of a direct invocation", func(t *testing.T) {
		// The consumer invoked as Lambda does, with a batch of three records:
		// a skipped one, a poison one (undecodable image), one after it.
		ctx := context.Background()
		poison := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "MIA#POISON"},
			"SK": &types.AttributeValueMemberS{Value: "APPORTEUR#POISON"}, "type": &types.AttributeValueMemberS{Value: "apporteur"},
			"statut":      &types.AttributeValueMemberS{Value: "invitation_envoyee"},
			"invitationN": &types.AttributeValueMemberS{Value: "not a number"}}
		other := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "MIA#X"}, "SK": &types.AttributeValueMemberS{Value: "CONTACT#X"},
			"type": &types.AttributeValueMemberS{Value: "contact"}}
		h := consumers.Invitations(stack.Services.Consumers)
		ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{record(t, "101", "INSERT", other), record(t, "102", "INSERT", poison),
			record(t, "103", "INSERT", other)}}
		resp, err := h(ctx, ev)
		ok := err == nil && len(resp.BatchItemFailures) == 1 && resp.BatchItemFailures[0].ItemIdentifier == "102"
		if !ok {
			t.Errorf("batchItemFailures %+v, %v; want the poison record 102 only", resp.BatchItemFailures, err)
		}
		probe("stream handler invitations", "poison record reported", ok)
	})

	t.Run("poison record on the stream", func(t *testing.T) {
		// A record no retry can fix, written to the table: after its
		// retries it goes to the on-failure sink, and the records after it
		// are still handled.
		ctx := context.Background()
		sinkBefore := len(stack.StreamFailures())
		pk, sk := "MIA#POISON"+fmt.Sprint(uniq()), "APPORTEUR#POISON"
		_, err := stack.Services.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(stack.Table), Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk},
			"type": &types.AttributeValueMemberS{Value: "apporteur"}, "statut": &types.AttributeValueMemberS{Value: "invitation_envoyee"},
			"invitationN": &types.AttributeValueMemberS{Value: "not a number"}}})
		if err != nil {
			t.Fatal(err)
		}
		defer stack.Services.DynamoDB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(stack.Table),
			Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}}})
		email := uniqEmail("apres-poison")
		r := call(t, "POST", "/apporteurs", miaTok, map[string]any{"nom": "Apres", "email": email})
		wantStatus(t, r, http.StatusCreated)
		activationToken(t, email) // the apporteur after the poison record got its email
		// Both readers decode apporteur records (invitations; the ORIAS and
		// RC Pro relances), so each sinks it after its own retries.
		want := []string{"stream-mail " + pk, "stream-projections " + pk}
		var sunk []string
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
			sunk = nil
			for _, f := range stack.StreamFailures()[sinkBefore:] {
				for _, rec := range f.Records {
					img, _ := ddbevent.ToSDKMap(rec.Change.NewImage)
					if v, ok := img["PK"].(*types.AttributeValueMemberS); ok {
						sunk = append(sunk, f.Function+" "+v.Value)
					}
				}
			}
			slices.Sort(sunk)
			if len(sunk) >= len(want) || time.Now().After(deadline) {
				break
			}
		}
		ok := slices.Equal(sunk, want)
		if !ok {
			t.Errorf("on-failure sink got %v, want the poison record once per reader: %v", sunk, want)
		}
		emails := len(emailsTo(t, email))
		if emails != 1 {
			t.Errorf("%d emails to the apporteur after the poison record, want 1", emails)
		}
		figMu.Lock()
		// The record after the poison is lost when its invitation never left.
		lost := 0
		if emails == 0 {
			lost = 1
		}
		figs.Faults["poison record"] = &FaultCount{Injected: 1, Records: 2, Reported: len(sunk), Lost: lost,
			Duplicates: max(emails-1, 0), Unblocked: emails == 1}
		figMu.Unlock()
	})
}
