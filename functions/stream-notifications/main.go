// Command stream-notifications is a consumer of the table's DynamoDB stream: it
// emails the MIA when an apporteur adds a contact, and the apporteur when an affaire of its contacts changes statut.
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
	svc, err := streamapp.LoadWithMailer(context.Background(), os.Getenv, app.WithStore())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(consumers.Notifications(svc.Consumers))
}
