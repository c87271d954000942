// Package app is the composition root: it reads the environment and builds,
// once per Lambda instance (or once for the local gateway), the AWS clients and
// the dependencies of handlers and stream consumers.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/consumers"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/assentis/mycrm/internal/httpapi"
	"github.com/assentis/mycrm/internal/mail"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// Services are the dependencies built from the environment.
type Services struct {
	AWS      aws.Config
	DynamoDB *dynamodb.Client
	// Store is nil when TABLE_NAME is not set (e.g. GET /config alone).
	Store *dynamo.Store
	HTTP  httpapi.Deps
	// Consumers are the stream consumers' dependencies (issue 3).
	Consumers consumers.Deps
}

// Load reads the environment through getenv and builds the services.
// Locally, DYNAMODB_ENDPOINT, COGNITO_ENDPOINT and SES_ENDPOINT point the
// clients at the emulators, with static credentials. extra options apply to
// the AWS config every client is built from (the benchmark adds an SDK
// middleware with config.WithAPIOptions to count DynamoDB calls).
func Load(ctx context.Context, getenv func(string) string, extra ...func(*config.LoadOptions) error) (*Services, error) {
	region := getenv("AWS_REGION")
	if region == "" {
		region = "eu-west-3"
	}
	opts := []func(*config.LoadOptions) error{config.WithRegion(region)}
	if getenv("DYNAMODB_ENDPOINT") != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	opts = append(opts, extra...)
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	c := httpapi.Config{
		Region:            region,
		MiaPoolID:         getenv("MIA_POOL_ID"),
		MiaClientID:       getenv("MIA_CLIENT_ID"),
		ApporteurPoolID:   getenv("APPORTEUR_POOL_ID"),
		ApporteurClientID: getenv("APPORTEUR_CLIENT_ID"),
		CognitoEndpoint:   getenv("COGNITO_ENDPOINT"),
		CursorSecret:      []byte(getenv("CURSOR_SECRET")),
	}
	c.MiaIssuer = Issuer(region, c.CognitoEndpoint, c.MiaPoolID)
	c.ApporteurIssuer = Issuer(region, c.CognitoEndpoint, c.ApporteurPoolID)
	if o := getenv("ALLOWED_ORIGINS"); o != "" {
		c.AllowedOrigins = strings.Split(o, ",")
	}
	ddb := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		if ep := getenv("DYNAMODB_ENDPOINT"); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
	})
	var store *dynamo.Store
	if table := getenv("TABLE_NAME"); table != "" {
		// An empty secret would make list cursors forgeable.
		if len(c.CursorSecret) == 0 {
			return nil, fmt.Errorf("CURSOR_SECRET is required with TABLE_NAME")
		}
		store = dynamo.New(ddb, table, c.CursorSecret)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	// Cognito and SES clients are cheap to build and make no call until used.
	idp := cip.NewFromConfig(awsCfg, func(o *cip.Options) {
		if ep := getenv("COGNITO_ENDPOINT"); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
	})
	ses := sesv2.NewFromConfig(awsCfg, func(o *sesv2.Options) {
		if ep := getenv("SES_ENDPOINT"); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
	})
	miaPool := accounts.NewPool(idp, c.MiaPoolID)
	apporteurPool := accounts.NewPool(idp, c.ApporteurPoolID)
	mailer := mail.New(ses, getenv("MAIL_FROM"))
	return &Services{
		AWS:      awsCfg,
		DynamoDB: ddb,
		Store:    store,
		HTTP: httpapi.Deps{Config: c, Now: time.Now, Store: store, Log: log,
			MiaAccounts: miaPool, ApporteurAccounts: apporteurPool},
		Consumers: consumers.Deps{Store: store, MiaPool: miaPool, ApporteurPool: apporteurPool, Mailer: mailer,
			WebBaseURL: getenv("WEB_BASE_URL"), Now: time.Now, Log: log},
	}, nil
}

// Issuer is the `iss` claim of a pool's tokens: Cognito's regional URL, or the
// local endpoint followed by the pool id (cognito-local's form).
func Issuer(region, cognitoEndpoint, poolID string) string {
	if cognitoEndpoint != "" {
		return strings.TrimRight(cognitoEndpoint, "/") + "/" + poolID
	}
	return "https://cognito-idp." + region + ".amazonaws.com/" + poolID
}
