// Package app is the composition root of the HTTP functions: it reads the
// environment and builds, once per Lambda instance (or once for the local
// gateway), the AWS clients and the dependencies of handlers. Package
// streamapp does the same for the stream consumers.
//
// Load builds only what its options ask for, and each option is the only code
// that refers to its client, so the linker keeps only the client code a
// Lambda's handler uses: GET /config keeps no AWS SDK client's, a table route
// no Cognito client's. The SDK packages stay in every function's import graph
// (httpapi.Deps holds a *dynamo.Store and *accounts.Pool), so their package
// init (DynamoDB's schemas, Cognito's endpoints) still runs in each.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/assentis/mycrm/internal/files"
	"github.com/assentis/mycrm/internal/httpapi"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Services are the dependencies built from the environment. Fields no option
// asked for stay zero: AWS is loaded only when a client is built.
type Services struct {
	AWS      aws.Config
	DynamoDB *dynamodb.Client
	Store    *dynamo.Store
	Files    *files.Store
	HTTP     httpapi.Deps
	// Getenv is the environment Load read.
	Getenv func(string) string

	idp *cip.Client
}

// An Option asks Load for a dependency (WithStore, WithMIAAccounts…) or
// changes how the AWS config is loaded (WithAWSConfig).
type Option func(*loader)

type loader struct {
	// awsConfig loads the AWS config; nil when no option needs one.
	awsConfig func(ctx context.Context, region string, getenv func(string) string) (aws.Config, error)
	builds    []func(*Services) error
	phone     crm.PhoneNormalizer
}

func (l *loader) build(b func(*Services) error) {
	if l.awsConfig == nil {
		l.awsConfig = lambdaConfig
	}
	l.builds = append(l.builds, b)
}

// WithAWSConfig loads the AWS config with load instead of from the Lambda
// environment alone. The local gateway passes config.LoadDefaultConfig
// (shared files, profiles, IMDS…) with its options (devstack.AWSConfig);
// package app does not import package config, whose STS, SSO, SSO-OIDC,
// sign-in and IMDS clients would otherwise be linked, and initialised, in
// every Lambda.
func WithAWSConfig(load func(ctx context.Context, region string, getenv func(string) string) (aws.Config, error)) Option {
	return func(l *loader) { l.awsConfig = load }
}

// WithBuilder runs b once the clients asked by the options before it are
// built (streamapp adds the mailer with it).
func WithBuilder(b func(*Services) error) Option {
	return func(l *loader) { l.build(b) }
}

// WithStore builds the DynamoDB client and the table's store (TABLE_NAME,
// CURSOR_SECRET; DYNAMODB_ENDPOINT locally).
func WithStore() Option {
	// l.phone is read when the store is built, after every option is applied.
	return func(l *loader) { l.build(func(s *Services) error { return buildStore(s, l.phone) }) }
}

// WithMIAAccounts builds the MIA pool's administration (MIA_POOL_ID).
func WithMIAAccounts() Option {
	return func(l *loader) {
		l.build(func(s *Services) error {
			s.HTTP.MIAAccounts = accounts.NewPool(accounts.ClientAPI(s.cognito()), s.HTTP.Config.MIAPoolID)
			return nil
		})
	}
}

// WithApporteurAccounts builds the apporteur pool's administration (APPORTEUR_POOL_ID).
func WithApporteurAccounts() Option {
	return func(l *loader) {
		l.build(func(s *Services) error {
			s.HTTP.ApporteurAccounts = accounts.NewPool(accounts.ClientAPI(s.cognito()), s.HTTP.Config.ApporteurPoolID)
			return nil
		})
	}
}

// WithPhone gives the store the telephone normaliser of the routes that
// accept a number (phone.Normalize; the Phone client of internal/routes,
// whose makers fail at start without it). Package app does not import
// package phone: only the functions that pass it link its generated tables.
func WithPhone(n crm.PhoneNormalizer) Option {
	return func(l *loader) { l.phone = n }
}

// WithFiles builds the S3 client and the files bucket's store (BUCKET_NAME;
// S3_ENDPOINT locally, path-style).
func WithFiles() Option {
	return func(l *loader) {
		l.build(func(s *Services) error {
			bucket := s.Getenv("BUCKET_NAME")
			if bucket == "" {
				return fmt.Errorf("BUCKET_NAME is required")
			}
			client := s3.NewFromConfig(s.AWS, func(o *s3.Options) {
				// The check hashes what it reads itself; a partial read (the
				// first bytes) must not be reported as a checksum mismatch.
				o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
				if ep := s.Getenv("S3_ENDPOINT"); ep != "" {
					o.BaseEndpoint = aws.String(ep)
					o.UsePathStyle = true
				}
			})
			s.Files = files.New(client, bucket)
			s.HTTP.Files = s.Files
			return nil
		})
	}
}

// WithEverything builds the store, both pools and the files bucket: the
// local gateway serves every function from one Services.
func WithEverything() Option {
	return func(l *loader) {
		for _, o := range []Option{WithStore(), WithMIAAccounts(), WithApporteurAccounts(), WithFiles()} {
			o(l)
		}
	}
}

// Load reads the environment through getenv, then loads the AWS config and
// builds what opts ask for. Locally, DYNAMODB_ENDPOINT and COGNITO_ENDPOINT
// point the clients at the emulators, with static credentials. Clients make
// no call until used.
func Load(ctx context.Context, getenv func(string) string, opts ...Option) (*Services, error) {
	var l loader
	for _, o := range opts {
		o(&l)
	}
	region := getenv("AWS_REGION")
	if region == "" {
		region = "eu-west-3"
	}
	c := httpapi.Config{
		Region:            region,
		MIAPoolID:         getenv("MIA_POOL_ID"),
		MIAClientID:       getenv("MIA_CLIENT_ID"),
		ApporteurPoolID:   getenv("APPORTEUR_POOL_ID"),
		ApporteurClientID: getenv("APPORTEUR_CLIENT_ID"),
		CognitoEndpoint:   getenv("COGNITO_ENDPOINT"),
		CursorSecret:      []byte(getenv("CURSOR_SECRET")),
	}
	c.MIAIssuer = Issuer(region, c.CognitoEndpoint, c.MIAPoolID)
	c.ApporteurIssuer = Issuer(region, c.CognitoEndpoint, c.ApporteurPoolID)
	if o := getenv("ALLOWED_ORIGINS"); o != "" {
		c.AllowedOrigins = strings.Split(o, ",")
	}
	s := &Services{
		HTTP:   httpapi.Deps{Config: c, Now: time.Now, Log: slog.New(slog.NewJSONHandler(os.Stderr, nil))},
		Getenv: getenv,
	}
	if l.awsConfig != nil {
		var err error
		if s.AWS, err = l.awsConfig(ctx, region, getenv); err != nil {
			return nil, fmt.Errorf("load aws config: %w", err)
		}
	}
	for _, b := range l.builds {
		if err := b(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// lambdaConfig is the AWS config of a Lambda: its region and the execution
// role's credentials, both in the environment (what config.LoadDefaultConfig
// would find there first, without linking its SSO, STS and IMDS clients).
func lambdaConfig(_ context.Context, region string, getenv func(string) string) (aws.Config, error) {
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if getenv("DYNAMODB_ENDPOINT") != "" {
		id, secret = "local", "local"
	}
	if id == "" || secret == "" {
		return aws.Config{}, fmt.Errorf("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are required (set by Lambda)")
	}
	return aws.Config{
		Region:      region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(id, secret, getenv("AWS_SESSION_TOKEN"))),
	}, nil
}

func buildStore(s *Services, phone crm.PhoneNormalizer) error {
	if s.Store != nil {
		return nil
	}
	table := s.Getenv("TABLE_NAME")
	if table == "" {
		return fmt.Errorf("TABLE_NAME is required")
	}
	// An empty secret would make list cursors forgeable.
	if len(s.HTTP.Config.CursorSecret) == 0 {
		return fmt.Errorf("CURSOR_SECRET is required with TABLE_NAME")
	}
	s.DynamoDB = dynamodb.NewFromConfig(s.AWS, func(o *dynamodb.Options) {
		if ep := s.Getenv("DYNAMODB_ENDPOINT"); ep != "" {
			o.BaseEndpoint = aws.String(ep)
			// DynamoDB Local sends no X-Amz-Crc32 on an error answer, which the
			// SDK then checks against 0 and logs as a WARN on every failed
			// condition (aws/aws-sdk-go-v2#3545). AWS keeps the check.
			o.DisableValidateResponseChecksum = true
		}
	})
	s.Store = dynamo.New(s.DynamoDB, table, s.HTTP.Config.CursorSecret)
	s.Store.Phone = phone
	s.HTTP.Store = s.Store
	return nil
}

// cognito is the Cognito client both pools share, built on first use.
func (s *Services) cognito() *cip.Client {
	if s.idp == nil {
		s.idp = cip.NewFromConfig(s.AWS, func(o *cip.Options) {
			if ep := s.Getenv("COGNITO_ENDPOINT"); ep != "" {
				o.BaseEndpoint = aws.String(ep)
			}
		})
	}
	return s.idp
}

// Issuer is the `iss` claim of a pool's tokens: Cognito's regional URL, or the
// local endpoint followed by the pool id (cognito-local's form).
func Issuer(region, cognitoEndpoint, poolID string) string {
	if cognitoEndpoint != "" {
		return strings.TrimRight(cognitoEndpoint, "/") + "/" + poolID
	}
	return "https://cognito-idp." + region + ".amazonaws.com/" + poolID
}
