// Package streamapp is the composition root of the stream consumers that
// send email and of the local gateway: app.Load's services plus the
// consumers' dependencies and the SES mailer. The consumers that need only
// the store build their consumers.Deps from app.Load in their main.go and do
// not import it, so they link neither the SES client nor its packages' init.
package streamapp

import (
	"context"
	"time"

	"github.com/assentis/mycrm/internal/app"
	"github.com/assentis/mycrm/internal/consumers"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/assentis/mycrm/internal/mail/sesmail"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// The store is what the consumers read and write.
var _ consumers.Store = (*dynamo.Store)(nil)

// Services are app.Services and the stream consumers' dependencies, which
// share its store, pools and logger.
type Services struct {
	*app.Services
	Consumers consumers.Deps
}

// LoadWithMailer builds app.Load's services with opts, the SES v2 mailer
// (MAIL_FROM; SES_ENDPOINT locally) and the consumers' dependencies.
func LoadWithMailer(ctx context.Context, getenv func(string) string, opts ...app.Option) (*Services, error) {
	var mailer *sesmail.Mailer
	opts = append(opts, app.WithBuilder(func(s *app.Services) error {
		ses := sesv2.NewFromConfig(s.AWS, func(o *sesv2.Options) {
			if ep := getenv("SES_ENDPOINT"); ep != "" {
				o.BaseEndpoint = aws.String(ep)
			}
		})
		mailer = sesmail.New(sesmail.ClientAPI(ses), getenv("MAIL_FROM"))
		return nil
	}))
	svc, err := app.Load(ctx, getenv, opts...)
	if err != nil {
		return nil, err
	}
	h := svc.HTTP
	return &Services{Services: svc, Consumers: consumers.Deps{
		Store: h.Store, Decode: dynamo.DecodeImage, MIAPool: h.MIAAccounts, ApporteurPool: h.ApporteurAccounts, Mailer: mailer,
		WebBaseURL: svc.Getenv("WEB_BASE_URL"), Now: time.Now, Log: h.Log,
	}}, nil
}
