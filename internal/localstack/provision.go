package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/gateway"
	"github.com/assentis/mycrm/internal/httpapi"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/oklog/ulid/v2"
)

// provision creates what template.yaml declares, when it does not exist yet:
// the table tb, the user pools with their app clients and groups.
func (s *Stack) provision(ctx context.Context, st *state, tb gateway.Table) error {
	s.Table = tb.TableName
	if s.Table == "" {
		s.Table = "mycrm-" + Stage
	}
	if err := s.ensureTable(ctx, tb); err != nil {
		return err
	}
	vars := map[string]string{"Stage": Stage, "AWS::Region": Region}
	ids := map[string][2]string{} // pool logical id → pool id, client id
	for _, logical := range []string{"MiaUserPool", "ApporteurUserPool"} {
		p, ok := s.Template.UserPools[logical]
		if !ok {
			return fmt.Errorf("template.yaml has no user pool %s", logical)
		}
		poolID, err := s.ensurePool(ctx, p, gateway.Sub(p.Name, vars))
		if err != nil {
			return err
		}
		if len(p.Clients) == 0 {
			return fmt.Errorf("user pool %s has no client in template.yaml", logical)
		}
		clientID, err := s.ensureClient(ctx, poolID, p.Clients[0])
		if err != nil {
			return err
		}
		// cognito-local stores these settings but does not enforce them:
		// the guard in front of it does, from the template.
		if s.guard != nil {
			s.guard.allow(clientID, clientPolicy{signUp: !p.AllowAdminCreateUserOnly, write: p.Clients[0].WriteAttributes})
		}
		for _, g := range p.Groups {
			if err := s.ensureGroup(ctx, poolID, g); err != nil {
				return err
			}
		}
		ids[logical] = [2]string{poolID, clientID}
	}
	s.MiaPoolID, s.MiaClientID = ids["MiaUserPool"][0], ids["MiaUserPool"][1]
	s.ApporteurPoolID, s.ApporteurClientID = ids["ApporteurUserPool"][0], ids["ApporteurUserPool"][1]
	st.Table, st.MiaPoolID, st.MiaClientID, st.ApporteurPoolID, st.ApporteurClientID =
		s.Table, s.MiaPoolID, s.MiaClientID, s.ApporteurPoolID, s.ApporteurClientID
	return nil
}

// theTable is the template's only DynamoDB table.
func theTable(t *gateway.Template) (gateway.Table, error) {
	if len(t.Tables) != 1 {
		return gateway.Table{}, fmt.Errorf("template.yaml declares %d tables, want 1", len(t.Tables))
	}
	for _, tb := range t.Tables {
		return tb, nil
	}
	panic("unreachable")
}

func (s *Stack) ensureTable(ctx context.Context, tb gateway.Table) error {
	_, err := s.dynamo.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(s.Table)})
	var notFound *ddbtypes.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		in := &dynamodb.CreateTableInput{TableName: aws.String(s.Table), BillingMode: ddbtypes.BillingModePayPerRequest}
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
		if _, err := s.dynamo.CreateTable(ctx, in); err != nil {
			return fmt.Errorf("create table %s: %w", s.Table, err)
		}
		w := dynamodb.NewTableExistsWaiter(s.dynamo, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 100 * time.Millisecond })
		if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(s.Table)}, 30*time.Second); err != nil {
			return fmt.Errorf("wait for table %s: %w", s.Table, err)
		}
		s.log.Info("table created", "table", s.Table)
	case err != nil:
		return fmt.Errorf("describe table %s: %w", s.Table, err)
	}
	if tb.TimeToLiveAttribute != "" {
		ttl, err := s.dynamo.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(s.Table)})
		if err != nil {
			return fmt.Errorf("describe ttl of %s: %w", s.Table, err)
		}
		if d := ttl.TimeToLiveDescription; d == nil || d.TimeToLiveStatus != ddbtypes.TimeToLiveStatusEnabled {
			if _, err := s.dynamo.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
				TableName:               aws.String(s.Table),
				TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String(tb.TimeToLiveAttribute), Enabled: aws.Bool(true)},
			}); err != nil {
				return fmt.Errorf("enable ttl on %s: %w", s.Table, err)
			}
		}
	}
	return nil
}

func keySchema(ks []gateway.KeySchemaElement) []ddbtypes.KeySchemaElement {
	out := make([]ddbtypes.KeySchemaElement, len(ks))
	for i, k := range ks {
		out[i] = ddbtypes.KeySchemaElement{AttributeName: aws.String(k.AttributeName), KeyType: ddbtypes.KeyType(k.KeyType)}
	}
	return out
}

// ensurePool finds the pool by name (so a restart reuses it) or creates it.
func (s *Stack) ensurePool(ctx context.Context, p gateway.UserPool, name string) (string, error) {
	var next *string
	for {
		out, err := s.cognito.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60), NextToken: next})
		if err != nil {
			return "", fmt.Errorf("list user pools: %w", err)
		}
		for _, up := range out.UserPools {
			if aws.ToString(up.Name) == name {
				return aws.ToString(up.Id), nil
			}
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	in := &cip.CreateUserPoolInput{PoolName: aws.String(name),
		AdminCreateUserConfig: &ciptypes.AdminCreateUserConfigType{AllowAdminCreateUserOnly: p.AllowAdminCreateUserOnly}}
	for _, u := range p.UsernameAttributes {
		in.UsernameAttributes = append(in.UsernameAttributes, ciptypes.UsernameAttributeType(u))
	}
	for _, a := range p.CustomAttributes {
		in.Schema = append(in.Schema, ciptypes.SchemaAttributeType{
			Name: aws.String(a.Name), AttributeDataType: ciptypes.AttributeDataType(a.AttributeDataType),
			Mutable: aws.Bool(a.Mutable), Required: aws.Bool(a.Required),
		})
	}
	out, err := s.cognito.CreateUserPool(ctx, in)
	if err != nil {
		return "", fmt.Errorf("create user pool %s: %w", name, err)
	}
	s.log.Info("user pool created", "name", name, "id", aws.ToString(out.UserPool.Id))
	return aws.ToString(out.UserPool.Id), nil
}

func (s *Stack) ensureClient(ctx context.Context, poolID string, c gateway.UserPoolClient) (string, error) {
	name := c.ClientName
	if name == "" {
		name = c.LogicalID
	}
	out, err := s.cognito.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(poolID), MaxResults: aws.Int32(60)})
	if err != nil {
		return "", fmt.Errorf("list clients of %s: %w", poolID, err)
	}
	for _, d := range out.UserPoolClients {
		if aws.ToString(d.ClientName) == name {
			return aws.ToString(d.ClientId), nil
		}
	}
	in := &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String(name), GenerateSecret: false,
		ReadAttributes: c.ReadAttributes, WriteAttributes: c.WriteAttributes}
	for _, f := range c.ExplicitAuthFlows {
		in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, ciptypes.ExplicitAuthFlowsType(f))
	}
	if len(in.ExplicitAuthFlows) == 0 {
		in.ExplicitAuthFlows = []ciptypes.ExplicitAuthFlowsType{ciptypes.ExplicitAuthFlowsTypeAllowUserPasswordAuth, ciptypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	}
	created, err := s.cognito.CreateUserPoolClient(ctx, in)
	if err != nil {
		return "", fmt.Errorf("create client %s: %w", name, err)
	}
	return aws.ToString(created.UserPoolClient.ClientId), nil
}

func (s *Stack) ensureGroup(ctx context.Context, poolID string, g gateway.UserPoolGroup) error {
	_, err := s.cognito.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String(g.GroupName)})
	if err == nil {
		return nil
	}
	_, err = s.cognito.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String(g.GroupName), Description: aws.String(g.Description)})
	var exists *ciptypes.GroupExistsException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("create group %s: %w", g.GroupName, err)
	}
	return nil
}

// seed writes the produit catalogue and the demo accounts (idempotent).
func (s *Stack) seed(ctx context.Context) error {
	store := s.store()
	if err := store.PutProduits(ctx, crm.Catalogue()); err != nil {
		return fmt.Errorf("seed produits: %w", err)
	}
	if _, err := s.CreateMIAProfile(ctx, crm.MIA{Email: DemoMIAEmail, Nom: "Martin", Prenom: "Claire", Cabinet: DemoMIACabinet}, DemoMIAPassword, false); err != nil {
		return fmt.Errorf("seed demo MIA: %w", err)
	}
	if _, err := s.CreateMIAProfile(ctx, crm.MIA{Email: StaffEmail, Nom: "Assentis", Prenom: "Équipe", Cabinet: "Assentis"}, StaffPassword, true); err != nil {
		return fmt.Errorf("seed staff account: %w", err)
	}
	return nil
}

// CreateMIA creates (or finds) a MIA account: a Cognito user of the MIA pool
// with custom:mia_id and a permanent password, in the assentis group when
// staff, and its MIA profile item. Calling it again with the same email
// returns the same id and resets the password.
func (s *Stack) CreateMIA(ctx context.Context, email, password string, staff bool) (crm.MiaID, error) {
	local, _, _ := strings.Cut(email, "@")
	return s.CreateMIAProfile(ctx, crm.MIA{Email: email, Nom: local, Cabinet: "Cabinet " + local}, password, staff)
}

// CreateMIAProfile is CreateMIA with the profile's names (m.ID is ignored:
// a new account gets a new ULID, an existing one keeps its id).
func (s *Stack) CreateMIAProfile(ctx context.Context, m crm.MIA, password string, staff bool) (crm.MiaID, error) {
	m.Email = strings.ToLower(strings.TrimSpace(m.Email))
	pool := accounts.NewPool(s.cognito, s.MiaPoolID)
	id, sub := crm.MiaID(""), ""
	u, err := s.cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.MiaPoolID), Username: aws.String(m.Email)})
	var notFound *ciptypes.UserNotFoundException
	switch {
	case err == nil:
		for _, a := range u.UserAttributes {
			switch aws.ToString(a.Name) {
			case accounts.AttrMiaID:
				id = crm.MiaID(aws.ToString(a.Value))
			case "sub":
				sub = aws.ToString(a.Value)
			}
		}
		if id == "" || sub == "" {
			return "", fmt.Errorf("user %s exists without %s or sub", m.Email, accounts.AttrMiaID)
		}
	case errors.As(err, &notFound):
		id = crm.MiaID(ulid.Make().String())
		if sub, err = pool.CreateUser(ctx, accounts.NewUser{Email: m.Email, MiaID: id}); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("get user %s: %w", m.Email, err)
	}
	// Admin calls name the user by its sub, as the product does.
	if err := pool.SetPassword(ctx, sub, password); err != nil {
		return "", err
	}
	if staff {
		if err := pool.AddToGroup(ctx, sub, httpapi.StaffGroup); err != nil {
			return "", err
		}
	}
	m.ID = id
	if err := s.store().PutMIA(ctx, m); err != nil {
		return "", fmt.Errorf("put MIA profile: %w", err)
	}
	return id, nil
}

// Login signs in with USER_PASSWORD_AUTH on pool "mia" or "apporteur" and
// returns the ID token (what the web client sends as Bearer).
func (s *Stack) Login(ctx context.Context, pool, email, password string) (string, error) {
	client := map[string]string{"mia": s.MiaClientID, "apporteur": s.ApporteurClientID}[pool]
	if client == "" {
		return "", fmt.Errorf("unknown pool %q (want mia or apporteur)", pool)
	}
	out, err := s.cognito.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow:       ciptypes.AuthFlowTypeUserPasswordAuth,
		ClientId:       aws.String(client),
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		return "", fmt.Errorf("login %s on the %s pool: %w", email, pool, err)
	}
	if out.AuthenticationResult == nil || out.AuthenticationResult.IdToken == nil {
		return "", fmt.Errorf("login %s on the %s pool: challenge %s", email, pool, out.ChallengeName)
	}
	return aws.ToString(out.AuthenticationResult.IdToken), nil
}

// Email is a message aws-ses-v2-local received.
type Email struct {
	MessageID string
	From      string
	To, Cc    []string
	Bcc       []string
	Subject   string
	HTML      string
	Text      string
	At        time.Time
}

// Emails returns every email sent so far, oldest first.
func (s *Stack) Emails(ctx context.Context) ([]Email, error) { return readEmails(ctx, s.SESURL) }

// Emails returns every email an aws-ses-v2-local Emulator received, oldest first.
func (e *Emulator) Emails(ctx context.Context) ([]Email, error) { return readEmails(ctx, e.URL) }

// readEmails reads the mailbox of the aws-ses-v2-local at sesURL.
func readEmails(ctx context.Context, sesURL string) ([]Email, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, sesURL+"/store", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read the local mailbox: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("read the local mailbox: status %d", resp.StatusCode)
	}
	var doc struct {
		Emails []struct {
			MessageID   string `json:"messageId"`
			From        string `json:"from"`
			Destination struct {
				To, Cc, Bcc []string
			} `json:"destination"`
			Subject string `json:"subject"`
			Body    struct {
				HTML string `json:"html"`
				Text string `json:"text"`
			} `json:"body"`
			At float64 `json:"at"`
		} `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode the local mailbox: %w", err)
	}
	out := make([]Email, 0, len(doc.Emails))
	for _, e := range doc.Emails {
		out = append(out, Email{
			MessageID: e.MessageID, From: e.From, To: e.Destination.To, Cc: e.Destination.Cc, Bcc: e.Destination.Bcc,
			Subject: e.Subject, HTML: e.Body.HTML, Text: e.Body.Text, At: time.Unix(int64(e.At), 0),
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}
