// Command update-apporteur serves PATCH /apporteurs/{apporteurId}.
package main

import (
	"context"
	"log"
	"os"

	"github.com/assentis/mycrm/internal/app"
	"github.com/assentis/mycrm/internal/httpapi"
	"github.com/assentis/mycrm/internal/phone"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

func main() {
	svc, err := app.Load(context.Background(), os.Getenv, app.WithPhone(phone.Normalize), app.WithStore(), app.WithApporteurAccounts())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(httpadapter.NewV2(httpapi.UpdateApporteur(svc.HTTP)).ProxyWithContext)
}
