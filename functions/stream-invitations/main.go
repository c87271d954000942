// Command stream-invitations is a consumer of the table's DynamoDB stream: it
// creates the Cognito account, the activation token and the activation email of a new apporteur or MIA account (or of a new invitation).
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
	lambda.Start(consumers.Invitations(svc.Consumers))
}
