package localstack

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/app"
	"github.com/assentis/mycrm/internal/consumers"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/assentis/mycrm/internal/gateway"
	"github.com/assentis/mycrm/internal/httpapi"
	"github.com/assentis/mycrm/internal/mail"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// httpHandlers builds every HTTP function's handler as its Lambda does.
func httpHandlers(svc *app.Services) map[string]http.Handler {
	out := map[string]http.Handler{}
	for folder, mk := range httpapi.Handlers() {
		out[folder] = mk(svc.HTTP)
	}
	return out
}

// streamConsumers builds every stream consumer as its Lambda does.
//
// TODO: take the consumers' deps from app.Services once app.Load builds them
// (the Lambdas of functions/stream-* need the same); until then they are
// assembled here from the same environment.
func (s *Stack) streamConsumers(svc *app.Services, log *slog.Logger) map[string]gateway.Consumer {
	cfg := aws.Config{Region: Region, Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	ses := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.BaseEndpoint = aws.String(s.SESURL) })
	deps := consumers.Deps{
		Store:         svc.Store,
		MiaPool:       accounts.NewPool(s.cognito, s.MiaPoolID),
		ApporteurPool: accounts.NewPool(s.cognito, s.ApporteurPoolID),
		Mailer:        mail.New(ses, s.Env["MAIL_FROM"]),
		WebBaseURL:    s.Env["WEB_BASE_URL"],
		Now:           time.Now,
		Log:           log,
	}
	out := map[string]gateway.Consumer{}
	for folder, mk := range consumers.Handlers() {
		out[folder] = mk(deps)
	}
	return out
}

func (s *Stack) store() *dynamo.Store {
	return dynamo.New(s.dynamo, s.Table, []byte(s.Env["CURSOR_SECRET"]))
}
