// Command stream-mail is one of the two readers of the table's DynamoDB
// stream: it sends the email that follows a write, the activation email of
// a new apporteur or MIA account (with its Cognito user) and the
// notifications to MIA and apporteurs.
package main

import (
	"context"
	"log"
	"os"

	"github.com/assentis/mycrm/internal/app"
	"github.com/assentis/mycrm/internal/app/streamapp"
	"github.com/assentis/mycrm/internal/consumers"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	svc, err := streamapp.LoadWithMailer(context.Background(), os.Getenv,
		app.WithStore(), app.WithMiaAccounts(), app.WithApporteurAccounts())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(consumers.Mail(svc.Consumers))
}
