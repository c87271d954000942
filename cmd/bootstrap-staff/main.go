// Command bootstrap-staff creates the first Assentis staff account of a
// deployment, which no route can (POST /admin/mias needs a staff token). It
// takes the path of POST /admin/mias: the MIA account item (invitation
// number 1, email guard) written through internal/dynamo, so the stream-mail
// reader sends the activation email; it also creates the Cognito user
// (AdminCreateUser, no Cognito message, as the consumer would: whichever
// comes second reuses it) and puts it in the assentis group.
//
//	make bootstrap-staff EMAIL=prenom.nom@assentis.fr [NOM=… PRENOM=…] [STACK=mycrm REGION=eu-west-3]
//	go run ./cmd/bootstrap-staff -table T -mia-pool P -email E [-nom N -prenom P] [-region R]
//
// Run again for an address that already has an account, it only makes sure
// the account is in the group (the activation email is not sent twice).
// Credentials are the usual AWS ones (AWS_PROFILE…).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/assentis/mycrm/internal/httpapi"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bootstrap-staff:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bootstrap-staff", flag.ContinueOnError)
	table := fs.String("table", "", "the stack's table (output TableName)")
	pool := fs.String("mia-pool", "", "the stack's MIA user pool id (output MiaUserPoolId)")
	region := fs.String("region", "", "AWS region (default: the AWS configuration's)")
	n := crm.NewMIAAccount{Cabinet: "Assentis"}
	fs.StringVar(&n.Email, "email", "", "email of the staff member (the username)")
	fs.StringVar(&n.Nom, "nom", "Assentis", "nom")
	fs.StringVar(&n.Prenom, "prenom", "Équipe", "prénom")
	dynamoEndpoint := fs.String("dynamodb-endpoint", "", "DynamoDB endpoint (local stack only)")
	cognitoEndpoint := fs.String("cognito-endpoint", "", "Cognito endpoint (local stack only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	n.Email = strings.ToLower(strings.TrimSpace(n.Email)) // the username, as the store writes it
	if *table == "" || *pool == "" || n.Email == "" {
		fs.Usage()
		return errors.New("-table, -mia-pool and -email are required")
	}
	var opts []func(*config.LoadOptions) error
	if *region != "" {
		opts = append(opts, config.WithRegion(*region))
	}
	if *dynamoEndpoint != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return fmt.Errorf("aws configuration: %w", err)
	}
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if *dynamoEndpoint != "" {
			o.BaseEndpoint = aws.String(*dynamoEndpoint)
		}
	})
	idp := cip.NewFromConfig(cfg, func(o *cip.Options) {
		if *cognitoEndpoint != "" {
			o.BaseEndpoint = aws.String(*cognitoEndpoint)
		}
	})
	// No list is served here: the store's cursor secret is never used.
	id, created, err := bootstrap(ctx, dynamo.New(db, *table, nil), accounts.NewPool(accounts.ClientAPI(idp), *pool), n)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stdout, "staff account %s created (MIA %s, group %s); the activation email is on its way.\n", n.Email, id, httpapi.StaffGroup)
	} else {
		fmt.Fprintf(stdout, "%s already had an account: it is in group %s.\n", n.Email, httpapi.StaffGroup)
	}
	return nil
}

// miaAccounts creates MIA accounts (*dynamo.Store).
type miaAccounts interface {
	CreateMIAAccount(ctx context.Context, n crm.NewMIAAccount, staff crm.MIAID, idem *crm.Idempotency) (crm.MIA, *crm.Replay, error)
}

// staffPool creates users of the MIA pool and groups them (*accounts.Pool).
type staffPool interface {
	CreateUser(ctx context.Context, u accounts.NewUser) (sub string, err error)
	AddToGroup(ctx context.Context, username, group string) error
}

// bootstrap creates the staff account n, or (created false) only puts an
// existing account of that email in the staff group.
func bootstrap(ctx context.Context, s miaAccounts, p staffPool, n crm.NewMIAAccount) (id crm.MIAID, created bool, err error) {
	m, _, err := s.CreateMIAAccount(ctx, n, "", nil) // no key: never a replay
	switch {
	case crm.ErrorCode(err) == crm.ECONFLICT:
		// Its Cognito user may not exist yet if the reader has not run: then
		// the group cannot be set, and a later run will.
		if err := p.AddToGroup(ctx, n.Email, httpapi.StaffGroup); err != nil {
			return "", false, fmt.Errorf("%s has an account; add it to group %s: %w", n.Email, httpapi.StaffGroup, err)
		}
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("create the account: %w", describe(err))
	}
	if _, err := p.CreateUser(ctx, accounts.NewUser{Email: m.Email, MIAID: m.ID}); err != nil {
		return "", false, fmt.Errorf("create the Cognito user: %w", err)
	}
	if err := p.AddToGroup(ctx, m.Email, httpapi.StaffGroup); err != nil {
		return "", false, fmt.Errorf("add to group %s: %w", httpapi.StaffGroup, err)
	}
	return m.ID, true, nil
}

// describe adds a refused input's field messages (in French, as the API
// gives them) to the error.
func describe(err error) error {
	var e *crm.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return fmt.Errorf("%w: %v", err, e.Fields)
	}
	return err
}
