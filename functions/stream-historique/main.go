// Command stream-historique is a consumer of the table's DynamoDB stream: it
// writes an affaire's historique after each change of statut, prime or taux.
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
	lambda.Start(consumers.Historique(consumers.Deps{Store: svc.Store, Log: svc.HTTP.Log}))
}
