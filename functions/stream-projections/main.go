// Command stream-projections is one of the two readers of the table's
// DynamoDB stream: it keeps the derived data current (an affaire's
// historique, the apporteurs' commission totals, contact → client, the
// client name on its affaires). It sends no email and links no SES client.
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
	lambda.Start(consumers.Projections(consumers.Deps{Store: svc.Store, Log: svc.HTTP.Log}))
}
