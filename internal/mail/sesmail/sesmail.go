// Package sesmail sends mail's Messages through SES v2. It is apart from
// package mail so that package consumers, which composes the emails, does not
// link the SES client: the consumers that send no email would otherwise run
// its packages' init (schemas and endpoints) on every cold start.
package sesmail

import (
	"context"
	"fmt"

	"github.com/assentis/mycrm/internal/mail"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// API is the part of the SES v2 client the Mailer uses.
type API interface {
	SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

var _ API = (*sesv2.Client)(nil)

// ClientAPI is c as an API made of its method value, so that c itself is never
// put in an interface: once reflect's method lookup by name is linked (protobuf
// via nyaruka/phonenumbers, text/template), the linker keeps every exported
// method of a type put in an interface, here the whole SES v2 API.
func ClientAPI(c *sesv2.Client) API { return sendEmail(c.SendEmail) }

type sendEmail func(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)

func (f sendEmail) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, o ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return f(ctx, in, o...)
}

// Mailer sends Messages from one verified identity.
type Mailer struct {
	api  API
	from string
}

// New returns a Mailer sending through api from the address from
// (e.g. "Assentis <no-reply@assentis.fr>").
func New(api API, from string) *Mailer {
	return &Mailer{api: api, from: from}
}

// Send sends msg and returns SES's message id.
func (m *Mailer) Send(ctx context.Context, msg mail.Message) (messageID string, err error) {
	utf8 := aws.String("UTF-8")
	out, err := m.api.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.from),
		Destination:      &types.Destination{ToAddresses: []string{msg.To}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(msg.Subject), Charset: utf8},
			Body: &types.Body{
				Html: &types.Content{Data: aws.String(msg.HTML), Charset: utf8},
				Text: &types.Content{Data: aws.String(msg.Text), Charset: utf8},
			},
		}},
	})
	if err != nil {
		return "", fmt.Errorf("send email: %w", err)
	}
	return aws.ToString(out.MessageId), nil
}
