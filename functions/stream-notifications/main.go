// Command stream-notifications is a consumer of the table's DynamoDB stream: it
// emails the MIA when an apporteur adds a contact, and the apporteur when an affaire of its contacts changes statut.
package main

import (
	"context"
	"log"
	"os"

	"github.com/assentis/mycrm/internal/app"
	"github.com/assentis/mycrm/internal/consumers"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	svc, err := app.Load(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(consumers.Notifications(svc.Consumers))
}
