package uploads

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/files"
	"github.com/aws/aws-lambda-go/events"
)

// bucket is a small in-memory Files: key → (version, content type, bytes).
type bucket struct {
	objects map[string]object
	copies  int
}

type object struct {
	version, contentType string
	data                 []byte
}

func (b *bucket) Open(_ context.Context, key, version string) (files.Object, error) {
	o, ok := b.objects[key]
	if !ok || (version != "" && version != o.version) {
		return files.Object{}, files.ErrGone
	}
	return files.Object{Body: io.NopCloser(bytes.NewReader(o.data)), Size: int64(len(o.data)), ContentType: o.contentType, Version: o.version}, nil
}

func (b *bucket) Copy(_ context.Context, from, _, to string) (string, error) {
	b.copies++
	o := b.objects[from]
	o.version = "v-copy"
	b.objects[to] = o
	return o.version, nil
}

func (b *bucket) Remove(_ context.Context, key, _ string) error {
	delete(b.objects, key)
	return nil
}

// table records what the check settled.
type table struct{ settled []string }

func (t *table) VerifyDocument(_ context.Context, _ crm.MIAID, id crm.DocumentID, taille int64, sha, v string, _ time.Time) error {
	t.settled = append(t.settled, "verifie "+string(id)+" "+v)
	return nil
}

func (t *table) RefuseDocument(_ context.Context, _ crm.MIAID, id crm.DocumentID, _ int64, _, motif string, _ time.Time) error {
	t.settled = append(t.settled, motif)
	return nil
}

// The import kind is tested by e2e (TestImportAPI); these tests upload documents.
func (t *table) GetImport(context.Context, crm.MIAID, crm.ImportID) (crm.Import, error) {
	return crm.Import{}, crm.Errorf(crm.ENOTFOUND, "Import introuvable.")
}

func (t *table) SetImportFile(context.Context, crm.MIAID, crm.ImportID, crm.Import) (crm.Import, error) {
	return crm.Import{}, crm.Errorf(crm.ENOTFOUND, "Import introuvable.")
}

const (
	mia = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
	doc = "01ARZ3NDEKTSV4RRFFQ69G5FAW"
)

func event(key string) events.S3Event {
	return events.S3Event{Records: []events.S3EventRecord{{EventName: "ObjectCreated:Post",
		S3: events.S3Entity{Object: events.S3Object{Key: key, VersionID: "v1"}}}}}
}

func TestCheck(t *testing.T) {
	key := files.IncomingKey(files.Document, mia, doc)
	cases := []struct {
		name        string
		contentType string
		data        []byte
		want        string
	}{
		{"a PDF", "application/pdf", []byte("%PDF-1.7\n..."), "verifie " + doc + " v-copy"},
		{"HTML declared as PDF", "application/pdf", []byte("<!DOCTYPE html><html></html>"), "refuse: type réel text/html"},
		{"a PNG declared as PDF", "application/pdf", []byte("\x89PNG\r\n\x1a\n...."), "refuse: type réel image/png"},
		{"a JPEG", "image/jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}, "verifie " + doc + " v-copy"},
		{"a ZIP declared as PNG", "image/png", []byte("PK\x03\x04rest"), "refuse: type réel application/zip"},
		{"empty", "application/pdf", nil, "refuse: fichier vide"},
		{"over the limit", "application/pdf", append([]byte("%PDF-"), make([]byte, 10<<20)...), "refuse: taille"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := &bucket{objects: map[string]object{key: {"v1", c.contentType, c.data}}}
			tb := &table{}
			h, err := Check(Deps{Store: tb, Files: b})
			if err != nil {
				t.Fatal(err)
			}
			if err := h(context.Background(), event(key)); err != nil {
				t.Fatal(err)
			}
			if len(tb.settled) != 1 || !strings.HasPrefix(tb.settled[0], c.want) {
				t.Fatalf("settled %q, want %q", tb.settled, c.want)
			}
			if _, ok := b.objects[key]; ok {
				t.Error("the quarantine object is still there")
			}
			// The same event again: nothing more.
			if err := h(context.Background(), event(key)); err != nil {
				t.Fatal(err)
			}
			if len(tb.settled) != 1 || b.copies > 1 {
				t.Errorf("redelivered: settled %q, %d copies, want nothing more", tb.settled, b.copies)
			}
		})
	}
	t.Run("keys no kind owns", func(t *testing.T) {
		tb := &table{}
		h, _ := Check(Deps{Store: tb, Files: &bucket{objects: map[string]object{}}})
		for _, k := range []string{"depot/inconnu/" + mia + "/" + doc, "depot/document/../" + doc, "mia/" + mia + "/documents/" + doc, "depot/document/x/y"} {
			if err := h(context.Background(), event(k)); err != nil || len(tb.settled) > 0 {
				t.Errorf("%s: %v, settled %q", k, err, tb.settled)
			}
		}
	})
}
