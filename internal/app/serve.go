package app

import (
	"context"
	"log"
	"net/http"
	"os"

	"github.com/assentis/mycrm/internal/httpapi"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// ServeHTTP is the whole main of an HTTP function (functions/<action>,
// generated from internal/routes): it builds what opts ask for, mounts mk on
// pattern for who, and hands the handler to the Lambda runtime. A client the
// maker needs that opts did not build stops the function at start.
func ServeHTTP(pattern string, who httpapi.Access, mk httpapi.Maker, opts ...Option) {
	svc, err := Load(context.Background(), os.Getenv, opts...)
	if err == nil {
		var h http.Handler
		if h, err = httpapi.Handler(svc.HTTP, pattern, who, mk); err == nil {
			lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
			return
		}
	}
	log.Fatal(err)
}
