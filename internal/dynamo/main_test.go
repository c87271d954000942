package dynamo

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/devstack/emulators"
	"github.com/assentis/mycrm/internal/devstack/samtemplate"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// The store is tested against Amazon's DynamoDB Local, started here in memory
// on a free port, with template.yaml's table, and stopped by PID at the end.
// With -short it is not started and the tests that need it skip (newStore, emulatortest.SkipShort).

var testDB *dynamodb.Client

const testTable = "mycrm-test"

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	// A fuzz run (make fuzz-short, -run '^$') needs no database: its targets are pure.
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-test.fuzz") {
			return m.Run()
		}
	}
	if testing.Short() {
		return m.Run()
	}
	tpl, err := samtemplate.ParseTemplate("../../template.yaml")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	table, err := tpl.Table()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "mycrm-dynamo-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ddb, err := emulators.StartDynamoDB(emulators.Config{Dir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start DynamoDB Local:", err)
		return 1
	}
	defer ddb.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := ddb.Ready(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	testDB = emulators.DynamoDBClient(ddb.URL)
	if _, err := emulators.EnsureTable(ctx, testDB, testTable, table); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}
