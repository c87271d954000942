package s3local_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/devstack"
	"github.com/assentis/mycrm/internal/devstack/s3local"
	"github.com/assentis/mycrm/internal/files"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const bucket = "mycrm-files-test"

type fixture struct {
	srv    *httptest.Server
	store  *files.Store
	mu     sync.Mutex
	events []events.S3EventRecord
	now    time.Time
}

func start(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{now: time.Now()}
	s, err := s3local.New(s3local.Config{Region: "eu-west-3", AccessKey: "local", SecretKey: "local",
		Buckets: map[string]bool{bucket: true}, AllowedOrigins: []string{"http://localhost:3000"},
		Cors: &s3local.Cors{AllowedMethods: []string{"GET", "POST"}, AllowedHeaders: []string{"*"}, MaxAge: 600},
		OnCreated: func(_ string, r events.S3EventRecord) {
			f.mu.Lock()
			f.events = append(f.events, r)
			f.mu.Unlock()
		},
		Now: func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(s)
	t.Cleanup(f.srv.Close)
	client := s3.New(s3.Options{Region: "eu-west-3", BaseEndpoint: aws.String(f.srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	f.store = files.New(client, bucket)
	return f
}

// post sends the browser's form: the fields, then the file.
func post(t *testing.T, u crm.Upload, contentType string, data []byte) (int, string) {
	t.Helper()
	res, body, err := devstack.PostUpload(context.Background(), u, "x.pdf", data, "http://localhost:3000")
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" && res.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("POST: Access-Control-Allow-Origin %q", res.Header.Get("Access-Control-Allow-Origin"))
	}
	return res.StatusCode, string(body)
}

var pdf = []byte("%PDF-1.4\n% a small file\n%%EOF\n")

func TestPresignedPost(t *testing.T) {
	ctx := context.Background()
	f := start(t)
	key := files.IncomingKey(files.Document, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "01ARZ3NDEKTSV4RRFFQ69G5FAW")
	up, err := f.store.PresignUpload(ctx, files.Document, files.PDF, key)
	if err != nil {
		t.Fatal(err)
	}
	withField := func(k, v string) crm.Upload {
		c := crm.Upload{URL: up.URL, Fields: map[string]string{}}
		for a, b := range up.Fields {
			if strings.EqualFold(a, k) {
				a = k
			}
			c.Fields[a] = b
		}
		c.Fields[k] = v
		return c
	}
	cases := []struct {
		name     string
		upload   crm.Upload
		data     []byte
		status   int
		contains string
	}{
		{"11 MB", up, bytes.Repeat([]byte("a"), 11<<20), 400, "EntityTooLarge"},
		{"empty", up, nil, 400, "EntityTooSmall"},
		{"another type", withField("Content-Type", "text/html"), pdf, 403, "Policy Condition failed"},
		{"another key", withField("key", "mia/x/documents/y"), pdf, 403, "Policy Condition failed"},
		{"a field outside the policy", withField("acl", "public-read"), pdf, 403, "Extra input fields"},
		{"a forged signature", withField("X-Amz-Signature", strings.Repeat("0", 64)), pdf, 403, "SignatureDoesNotMatch"},
		{"the PDF", up, pdf, 204, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, body := post(t, c.upload, "x", c.data)
			if got != c.status || !strings.Contains(body, c.contains) {
				t.Errorf("got %d %s, want %d with %q", got, body, c.status, c.contains)
			}
		})
	}
	f.mu.Lock()
	evs := f.events
	f.mu.Unlock()
	if len(evs) != 1 || evs[0].EventName != "ObjectCreated:Post" || evs[0].S3.Object.Size != int64(len(pdf)) || evs[0].S3.Object.VersionID == "" {
		t.Fatalf("events %+v, want one ObjectCreated:Post of %d bytes with its version", evs, len(pdf))
	}
	if kind, _, _, ok := files.ParseIncomingKey(evs[0].S3.Object.Key); !ok || kind != "document" {
		t.Errorf("event key %q", evs[0].S3.Object.Key)
	}

	// Expired: the policy's expiration has passed.
	f.mu.Lock()
	f.now = f.now.Add(files.UploadTTL + time.Second)
	f.mu.Unlock()
	if got, body := post(t, up, "x", pdf); got != 403 || !strings.Contains(body, "Policy expired") {
		t.Errorf("expired policy: got %d %s, want 403 Policy expired", got, body)
	}
}

func TestPresignedGet(t *testing.T) {
	ctx := context.Background()
	f := start(t)
	key := files.IncomingKey(files.Document, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "01ARZ3NDEKTSV4RRFFQ69G5FAX")
	up, _ := f.store.PresignUpload(ctx, files.Document, files.PDF, key)
	if got, body := post(t, up, "x", pdf); got != 204 {
		t.Fatalf("upload: %d %s", got, body)
	}
	u, _, err := f.store.PresignDownload(ctx, key, "", "relevé \"2026\".pdf", "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	get := func(u string) (*http.Response, string) {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	res, body := get(u)
	if res.StatusCode != 200 || body != string(pdf) {
		t.Fatalf("download: %d %q", res.StatusCode, body)
	}
	if got, want := res.Header.Get("Content-Disposition"), `attachment; filename="relev_ _2026_.pdf"; filename*=UTF-8''relev%C3%A9%20%222026%22.pdf`; got != want {
		t.Errorf("Content-Disposition %q, want %q", got, want)
	}
	if res, _ := get(strings.Replace(u, "FAX", "FAV", 1)); res.StatusCode != 403 {
		t.Errorf("another key with the same signature: %d, want 403", res.StatusCode)
	}
	if res, _ := get(f.srv.URL + "/" + bucket + "/" + key); res.StatusCode != 403 {
		t.Errorf("unsigned: %d, want 403", res.StatusCode)
	}
	f.mu.Lock()
	f.now = f.now.Add(files.DownloadTTL + time.Second)
	f.mu.Unlock()
	if res, body := get(u); res.StatusCode != 403 || !strings.Contains(body, "expired") {
		t.Errorf("expired: %d %s, want 403", res.StatusCode, body)
	}
}
