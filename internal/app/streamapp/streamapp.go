// Package streamapp is the composition root of the stream consumers: app.Load's
// services plus the consumers' dependencies, and the SES mailer only for the
// consumers that send email (LoadWithMailer). HTTP functions do not import it,
// so they link neither the consumers nor the SES client and mail templates.
package streamapp

import (
	"context"
	"time"

	"github.com/assentis/mycrm/internal/app"
	"github.com/assentis/mycrm/internal/consumers"
	"github.com/assentis/mycrm/internal/mail"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// Services are app.Services and the stream consumers' dependencies, which
// share its store, pools and logger.
type Services struct {
	*app.Services
	Consumers consumers.Deps
}

// Load builds app.Load's services with opts and the consumers' dependencies,
// without a mailer.
func Load(ctx context.Context, getenv func(string) string, opts ...app.Option) (*Services, error) {
	svc, err := app.Load(ctx, getenv, opts...)
	if err != nil {
		return nil, err
	}
	return deps(svc, nil), nil
}

// LoadWithMailer is Load plus the SES v2 mailer (MAIL_FROM; SES_ENDPOINT locally).
func LoadWithMailer(ctx context.Context, getenv func(string) string, opts ...app.Option) (*Services, error) {
	var mailer *mail.Mailer
	opts = append(opts, app.WithBuilder(func(s *app.Services) error {
		ses := sesv2.NewFromConfig(s.AWS, func(o *sesv2.Options) {
			if ep := getenv("SES_ENDPOINT"); ep != "" {
				o.BaseEndpoint = aws.String(ep)
			}
		})
		mailer = mail.New(mail.ClientAPI(ses), getenv("MAIL_FROM"))
		return nil
	}))
	svc, err := app.Load(ctx, getenv, opts...)
	if err != nil {
		return nil, err
	}
	return deps(svc, mailer), nil
}

func deps(svc *app.Services, mailer *mail.Mailer) *Services {
	h := svc.HTTP
	return &Services{Services: svc, Consumers: consumers.Deps{
		Store: h.Store, MiaPool: h.MiaAccounts, ApporteurPool: h.ApporteurAccounts, Mailer: mailer,
		WebBaseURL: svc.Getenv("WEB_BASE_URL"), Now: time.Now, Log: h.Log,
	}}
}
