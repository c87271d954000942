// Command emptylambda is the near-empty Lambda the benchmark uses as the
// cold-start baseline: the aws-lambda-go runtime loop and a handler that
// answers an API Gateway HTTP API event with 200, nothing else.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "{}"}, nil
}

func main() {
	lambda.Start(handle)
}
