package app_test

import (
	"context"
	"testing"

	"github.com/assentis/mycrm/internal/app"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadBuildsOnlyWhatIsAsked(t *testing.T) {
	base := map[string]string{"AWS_REGION": "eu-west-3", "TABLE_NAME": "t", "CURSOR_SECRET": "s",
		"MIA_POOL_ID": "eu-west-3_mia", "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret", "BUCKET_NAME": "b"}
	ctx := context.Background()

	svc, err := app.Load(ctx, env(base))
	if err != nil {
		t.Fatal(err)
	}
	if svc.DynamoDB != nil || svc.Store != nil || svc.Files != nil || svc.HTTP.MIAAccounts != nil || svc.HTTP.ApporteurAccounts != nil || svc.AWS.Credentials != nil {
		t.Errorf("Load without options built clients: %+v", svc)
	}
	if got, want := svc.HTTP.Config.MIAIssuer, "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_mia"; got != want {
		t.Errorf("MIAIssuer = %q, want %q", got, want)
	}

	svc, err = app.Load(ctx, env(base), app.WithStore())
	if err != nil {
		t.Fatal(err)
	}
	if svc.Store == nil || svc.HTTP.Store != svc.Store || svc.HTTP.MIAAccounts != nil {
		t.Errorf("WithStore: store %v, HTTP store %v, mia accounts %v", svc.Store, svc.HTTP.Store, svc.HTTP.MIAAccounts)
	}
	creds, err := svc.AWS.Credentials.Retrieve(ctx)
	if err != nil || creds.AccessKeyID != "id" {
		t.Errorf("credentials = %+v, %v, want the environment's", creds, err)
	}

	svc, err = app.Load(ctx, env(base), app.WithFiles())
	if err != nil || svc.Files == nil || svc.HTTP.Files != svc.Files || svc.Store != nil {
		t.Errorf("WithFiles: files %v, HTTP files %v, store %v, %v", svc.Files, svc.HTTP.Files, svc.Store, err)
	}

	svc, err = app.Load(ctx, env(base), app.WithEverything())
	if err != nil || svc.Store == nil || svc.HTTP.MIAAccounts == nil || svc.HTTP.ApporteurAccounts == nil || svc.Files == nil {
		t.Errorf("WithEverything: %+v, %v", svc, err)
	}
}

func TestLoadRefuses(t *testing.T) {
	ok := map[string]string{"TABLE_NAME": "t", "CURSOR_SECRET": "s", "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret", "BUCKET_NAME": "b"}
	for name, drop := range map[string]string{
		"no table":       "TABLE_NAME",
		"no secret":      "CURSOR_SECRET",
		"no credentials": "AWS_ACCESS_KEY_ID",
		"no bucket":      "BUCKET_NAME",
	} {
		t.Run(name, func(t *testing.T) {
			m := map[string]string{}
			for k, v := range ok {
				if k != drop {
					m[k] = v
				}
			}
			if _, err := app.Load(context.Background(), env(m), app.WithStore(), app.WithFiles()); err == nil {
				t.Errorf("Load without %s: no error", drop)
			}
		})
	}
}
