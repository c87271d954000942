package devstack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/devstack/emulators"
	"github.com/assentis/mycrm/internal/devstack/samtemplate"
	"github.com/assentis/mycrm/internal/httpapi"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/oklog/ulid/v2"
)

// provision creates what template.yaml declares, when it does not exist yet:
// the table tb, the user pools with their app clients and groups.
func (s *Stack) provision(ctx context.Context, st *state, tb samtemplate.Table) error {
	s.Table = tb.TableName
	if s.Table == "" {
		s.Table = "mycrm-" + Stage
	}
	created, err := emulators.EnsureTable(ctx, s.dynamo, s.Table, tb)
	if err != nil {
		return err
	}
	if created {
		s.log.Info("table created", "table", s.Table)
	}
	vars := map[string]string{"Stage": Stage, "AWS::Region": Region}
	ids := map[string][2]string{} // pool logical id → pool id, client id
	for _, logical := range []string{"MiaUserPool", "ApporteurUserPool"} {
		p, ok := s.Template.UserPools[logical]
		if !ok {
			return fmt.Errorf("template.yaml has no user pool %s", logical)
		}
		poolID, err := s.ensurePool(ctx, p, samtemplate.Sub(p.Name, vars))
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
	s.MIAPoolID, s.MIAClientID = ids["MiaUserPool"][0], ids["MiaUserPool"][1]
	s.ApporteurPoolID, s.ApporteurClientID = ids["ApporteurUserPool"][0], ids["ApporteurUserPool"][1]
	st.Table, st.MIAPoolID, st.MIAClientID, st.ApporteurPoolID, st.ApporteurClientID =
		s.Table, s.MIAPoolID, s.MIAClientID, s.ApporteurPoolID, s.ApporteurClientID
	return nil
}

// ensurePool finds the pool by name (so a restart reuses it) or creates it.
func (s *Stack) ensurePool(ctx context.Context, p samtemplate.UserPool, name string) (string, error) {
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

func (s *Stack) ensureClient(ctx context.Context, poolID string, c samtemplate.UserPoolClient) (string, error) {
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

func (s *Stack) ensureGroup(ctx context.Context, poolID string, g samtemplate.UserPoolGroup) error {
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
	if _, err := s.CreateMIAProfile(ctx, crm.MIA{Email: DemoMIA2Email, Nom: "Bernard", Prenom: "Hugo", Cabinet: "Cabinet Bernard"}, DemoMIA2Password, false); err != nil {
		return fmt.Errorf("seed second demo MIA: %w", err)
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
func (s *Stack) CreateMIA(ctx context.Context, email, password string, staff bool) (crm.MIAID, error) {
	local, _, _ := strings.Cut(email, "@")
	return s.CreateMIAProfile(ctx, crm.MIA{Email: email, Nom: local, Cabinet: "Cabinet " + local}, password, staff)
}

// CreateMIAProfile is CreateMIA with the profile's names (m.ID is ignored:
// a new account gets a new ULID, an existing one keeps its id).
func (s *Stack) CreateMIAProfile(ctx context.Context, m crm.MIA, password string, staff bool) (crm.MIAID, error) {
	m.Email = strings.ToLower(strings.TrimSpace(m.Email))
	pool := accounts.NewPool(s.cognito, s.MIAPoolID)
	id, sub := crm.MIAID(""), ""
	u, err := s.cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.MIAPoolID), Username: aws.String(m.Email)})
	var notFound *ciptypes.UserNotFoundException
	switch {
	case err == nil:
		for _, a := range u.UserAttributes {
			switch aws.ToString(a.Name) {
			case accounts.AttrMIAID:
				id = crm.MIAID(aws.ToString(a.Value))
			case "sub":
				sub = aws.ToString(a.Value)
			}
		}
		if id == "" || sub == "" {
			return "", fmt.Errorf("user %s exists without %s or sub", m.Email, accounts.AttrMIAID)
		}
	case errors.As(err, &notFound):
		id = crm.MIAID(ulid.Make().String())
		if sub, err = pool.CreateUser(ctx, accounts.NewUser{Email: m.Email, MIAID: id}); err != nil {
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
	client := map[string]string{"mia": s.MIAClientID, "apporteur": s.ApporteurClientID}[pool]
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
