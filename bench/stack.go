package main

import (
	"context"
	"io"
)

// benchStack is the local stack the benchmark runs against. Until
// internal/localstack lands, only the cold-start phase runs, with an
// environment that points nowhere.
type benchStack struct{}

func startStack(ctx context.Context, o options, log io.Writer) (*benchStack, error) {
	return &benchStack{}, nil
}

func (s *benchStack) close() error                                     { return nil }
func (s *benchStack) prepare(ctx context.Context, log io.Writer) error { return nil }
func (s *benchStack) claimsFor(authorizer string) map[string]string {
	if authorizer == "" {
		return nil
	}
	return map[string]string{"sub": "bench", "custom:mia_id": placeholderID, "token_use": "id"}
}

func (s *benchStack) lambdaEnv() []string {
	return append(baseEnv(), "TABLE_NAME=mycrm-bench", "AWS_REGION=eu-west-3", "CURSOR_SECRET=0123456789abcdef0123456789abcdef")
}

func routePhase(ctx context.Context, st *benchStack, routes []Route, n int, log io.Writer) ([]*RouteResult, []*Overhead) {
	return nil, nil
}

func flatPhase(ctx context.Context, st *benchStack, o options, log io.Writer) ([]*Flatness, []LoadStat, error) {
	return nil, nil, nil
}
