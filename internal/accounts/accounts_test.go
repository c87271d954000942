package accounts_test

import (
	"context"
	"errors"
	"testing"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/devstack/emulators"
	"github.com/assentis/mycrm/internal/devstack/emulators/emulatortest"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// startCognito runs a real cognito-local from infra/local/node_modules on a
// free port and stops it at the end (skipped with -short).
func startCognito(t *testing.T) *cip.Client {
	t.Helper()
	e := emulatortest.Start(t, emulators.StartCognito)
	endpoint := e.URL
	return cip.New(cip.Options{
		Region:       "eu-west-3",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

func newPool(t *testing.T, client *cip.Client) (poolID, clientID string) {
	t.Helper()
	ctx := context.Background()
	p, err := client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("test"), UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: p.UserPool.Id, ClientName: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: p.UserPool.Id, GroupName: aws.String("assentis")}); err != nil {
		t.Fatal(err)
	}
	return *p.UserPool.Id, *c.UserPoolClient.ClientId
}

func TestPoolLifecycle(t *testing.T) {
	client := startCognito(t)
	poolID, clientID := newPool(t, client)
	pool := accounts.NewPool(client, poolID)
	ctx := context.Background()
	u := accounts.NewUser{Email: "paul.martin@example.fr", MIAID: "01JMIA", ApporteurID: "01JAPP"}

	sub, err := pool.CreateUser(ctx, u)
	if err != nil || sub == "" {
		t.Fatalf("CreateUser: sub %q, err %v", sub, err)
	}
	again, err := pool.CreateUser(ctx, u)
	if err != nil {
		t.Fatalf("second CreateUser: %v", err)
	}
	if again != sub {
		t.Errorf("second CreateUser sub = %q, want %q (same account)", again, sub)
	}

	other := u
	other.ApporteurID = "01JAUTRE"
	if _, err := pool.CreateUser(ctx, other); crm.ErrorCode(err) != crm.ECONFLICT {
		t.Errorf("CreateUser of another apporteur with the same email: %v, want ECONFLICT", err)
	}

	got, err := client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String(u.Email)})
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{}
	for _, a := range got.UserAttributes {
		attrs[*a.Name] = aws.ToString(a.Value)
	}
	for name, want := range map[string]string{"email": u.Email, "email_verified": "true", accounts.AttrMIAID: "01JMIA", accounts.AttrApporteurID: "01JAPP"} {
		if attrs[name] != want {
			t.Errorf("attribute %s = %q, want %q", name, attrs[name], want)
		}
	}

	if found, err := pool.Find(ctx, u); err != nil || found != sub {
		t.Errorf("Find = %q, %v; want %q", found, err, sub)
	}
	if _, err := pool.Find(ctx, other); crm.ErrorCode(err) != crm.ECONFLICT {
		t.Errorf("Find of another apporteur with the same email: %v, want ECONFLICT", err)
	}

	err = pool.SetPassword(ctx, sub, "court")
	var ce *crm.Error
	if !errors.As(err, &ce) || ce.Code != crm.EINVALID || len(ce.Fields) != 1 || ce.Fields[0].Message != accounts.PasswordRules {
		t.Fatalf("SetPassword(weak) = %v, want EINVALID with the rules", err)
	}
	const pw = "Motdepasse-2026"
	if err := pool.SetPassword(ctx, sub, pw); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	auth, err := client.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &clientID,
		AuthParameters: map[string]string{"USERNAME": u.Email, "PASSWORD": pw},
	})
	if err != nil || auth.AuthenticationResult == nil || aws.ToString(auth.AuthenticationResult.IdToken) == "" {
		t.Fatalf("InitiateAuth after SetPassword: %v", err)
	}

	// The user's email changes (an admin here; a user's own change is
	// forbidden by the app clients): the sub still reaches the account.
	const moved = "paul.ailleurs@example.fr"
	if _, err := client.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &poolID, Username: aws.String(sub),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(moved)}}}); err != nil {
		t.Fatal(err)
	}
	u.Email = moved
	if err := pool.Disable(ctx, sub); err != nil {
		t.Fatalf("Disable: %v", err)
	}
	got, err = client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String(u.Email)})
	if err != nil {
		t.Fatalf("AdminGetUser: %v", err)
	}
	if got.Enabled {
		t.Errorf("after Disable: Enabled = true")
	}
	if err := pool.Enable(ctx, sub); err != nil {
		t.Fatalf("Enable: %v", err)
	}
	got, err = client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String(u.Email)})
	if err != nil {
		t.Fatalf("AdminGetUser: %v", err)
	}
	if !got.Enabled {
		t.Errorf("after Enable: Enabled = false")
	}

	if err := pool.AddToGroup(ctx, sub, "assentis"); err != nil {
		t.Fatalf("AddToGroup: %v", err)
	}
	if err := pool.AddToGroup(ctx, sub, "assentis"); err != nil {
		t.Fatalf("AddToGroup again: %v", err)
	}

	for _, unknown := range []string{"personne@example.fr", "00000000-0000-4000-8000-000000000000"} {
		if err := pool.Disable(ctx, unknown); crm.ErrorCode(err) != crm.ENOTFOUND {
			t.Errorf("Disable(%s) code = %q, want %q", unknown, crm.ErrorCode(err), crm.ENOTFOUND)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw   string
		want bool
	}{
		{"Motdepasse-2026", true},
		{"Abcdefghi1", true},
		{"Abcdefgh1", false},    // 9 characters
		{"abcdefghij1", false},  // no upper case
		{"ABCDEFGHIJ1", false},  // no lower case
		{"Abcdefghijk", false},  // no digit
		{" Abcdefghi1", false},  // leading space
		{"Éléphant-2026", true}, // accents count as letters
	}
	for _, tt := range tests {
		t.Run(tt.pw, func(t *testing.T) {
			err := accounts.CheckPassword(tt.pw)
			if got := err == nil; got != tt.want {
				t.Errorf("CheckPassword(%q) = %v, want ok=%v", tt.pw, err, tt.want)
			}
		})
	}
}
