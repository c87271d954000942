package e2e

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/devstack"
	"github.com/assentis/mycrm/internal/files"
	"github.com/oklog/ulid/v2"
)

// samplePDF is a small but real PDF (one empty page).
var samplePDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// postForm posts a file to a presigned upload as the browser's form does
// (from the web client's origin) and returns the status and body.
func postForm(t *testing.T, u crm.Upload, data []byte) (int, string) {
	t.Helper()
	res, body, err := devstack.PostUpload(context.Background(), u, "fichier", data, stack.APIURL)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode/100 == 2 && res.Header.Get("Access-Control-Allow-Origin") != stack.APIURL {
		t.Errorf("the browser could not read the upload's answer: Access-Control-Allow-Origin %q", res.Header.Get("Access-Control-Allow-Origin"))
	}
	return res.StatusCode, string(body)
}

func waitUploads(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := stack.WaitUploads(ctx); err != nil {
		t.Fatal(err)
	}
	if err := stack.WaitStreams(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestUploadPlumbing: a presigned POST (the real SDK presigner) from the
// browser's origin reaches the local S3, whose event the gateway delivers
// to the template's check-upload function: a PDF leaves quarantine for its
// place under the MIA's prefix, an HTML page declared as a PDF is deleted,
// an 11 MB file is refused by the policy before any event.
func TestUploadPlumbing(t *testing.T) {
	ctx := context.Background()
	fs := stack.Services.Files
	m := ulid.Make().String()
	cases := []struct {
		name   string
		data   []byte
		status int
		placed bool
	}{
		{"a PDF", samplePDF, http.StatusNoContent, true},
		{"HTML renamed .pdf", []byte("<!DOCTYPE html><html><body>x</body></html>"), http.StatusNoContent, false},
		{"11 MB", bytes.Repeat([]byte("%PDF-"), 11<<20/5), http.StatusBadRequest, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := ulid.Make().String()
			key := files.IncomingKey(files.Document, m, id)
			up, err := fs.PresignUpload(ctx, files.Document, files.PDF, key)
			if err != nil {
				t.Fatal(err)
			}
			status, body := postForm(t, up, c.data)
			if status != c.status {
				t.Fatalf("POST: %d %s, want %d", status, body, c.status)
			}
			if c.status == http.StatusBadRequest && !strings.Contains(body, "EntityTooLarge") {
				t.Errorf("POST: %s, want EntityTooLarge", body)
			}
			waitUploads(t)
			if _, err := fs.Open(ctx, key, ""); !errors.Is(err, files.ErrGone) {
				t.Errorf("quarantine %s: %v, want it gone", key, err)
			}
			obj, err := fs.Open(ctx, files.DocumentKey(crm.MIAID(m), crm.DocumentID(id)), "")
			if got := err == nil; got != c.placed {
				t.Fatalf("placed under mia/: %v (%v), want %v", got, err, c.placed)
			}
			if c.placed {
				got, _ := io.ReadAll(obj.Body)
				obj.Body.Close()
				if !bytes.Equal(got, c.data) {
					t.Errorf("placed file: %d bytes, want the %d uploaded", len(got), len(c.data))
				}
			}
		})
	}
	if f := stack.ObjectFailures(); len(f) > 0 {
		t.Errorf("S3 events given up: %+v", f)
	}
}
