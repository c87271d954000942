// Command stream-contact-client is a consumer of the table's DynamoDB stream: it
// makes a contact a client when one of its affaires is signed.
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
	svc, err := app.Load(context.Background(), os.Getenv, app.WithStore())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(consumers.ContactClient(consumers.Deps{Store: svc.Store, Log: svc.HTTP.Log}))
}
