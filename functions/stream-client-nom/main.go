// Command stream-client-nom is a consumer of the table's DynamoDB stream: it
// copies a renamed contact's or entreprise's name onto its affaires (clientNom).
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
	lambda.Start(consumers.ClientNom(consumers.Deps{Store: svc.Store, Log: svc.HTTP.Log}))
}
