// Package uploads is the check of every file uploaded to the files bucket:
// the S3-event function (functions/check-upload) reads each new object in
// quarantine (files.IncomingKey), checks its size, its real type by its
// first bytes against the type it was declared with, and its SHA-256, then
// hands the result to its kind's Settle, which records it (and moves an
// accepted file to its place); the quarantine object is then removed.
//
// A redelivered event finds the quarantine object gone and changes
// nothing; a Settle called twice for one upload (the removal failed and
// S3 retried) must change nothing the second time.
//
// Adding a kind of upload (say imports): its files.Kind (name, size limit,
// types), a Settle maker below in Kinds, the store methods it calls in the
// Store interface, and a route that presigns with files.Store.PresignUpload
// into files.IncomingKey(kind, mia, id).
package uploads

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/files"
	"github.com/aws/aws-lambda-go/events"
)

// Deps are what the check needs, built once per instance by its main.go.
type Deps struct {
	Store Store
	Files Files
	Now   func() time.Time
	Log   *slog.Logger
}

// Store is what the kinds record in the table (*dynamo.Store).
type Store interface {
	documentStore
	importStore
}

// Files is the bucket (*files.Store).
type Files interface {
	Open(ctx context.Context, key, version string) (files.Object, error)
	Copy(ctx context.Context, from, version, to string) (string, error)
	Remove(ctx context.Context, key, version string) error
}

var _ Files = (*files.Store)(nil)

// Checked is an upload once read: accepted when Motif is empty.
type Checked struct {
	Kind    files.Kind
	MIA     crm.MIAID
	ID      string // the upload's id, last segment of its key
	Key     string // its quarantine key
	Version string // its version there
	Size    int64
	SHA256  string // hex
	// RealType is what its first bytes say it is.
	RealType string
	// Motif says why it is refused ("refuse: type réel text/html"), "" when accepted.
	Motif string
	At    time.Time
}

// Settle records a checked upload of its kind. It must be idempotent.
type Settle func(context.Context, Checked) error

// Kind is a kind of upload and what follows its check.
type Kind struct {
	files.Kind
	Settle func(Deps) (Settle, error)
}

// Kinds are every kind of upload, by the name in their keys.
var Kinds = []Kind{
	{files.Document, settleDocument},
	{files.Import, settleImport},
}

// Handler is the S3-event function's Lambda handler.
type Handler = func(context.Context, events.S3Event) error

// Check builds the handler: one Settle per kind, built now, so a missing
// dependency stops the function at start.
func Check(d Deps) (Handler, error) {
	if d.Files == nil {
		return nil, errors.New("missing dependency: files bucket")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	settles := map[string]Kind{}
	byName := map[string]Settle{}
	for _, k := range Kinds {
		s, err := k.Settle(d)
		if err != nil {
			return nil, fmt.Errorf("%s uploads: %w", k.Name, err)
		}
		settles[k.Name], byName[k.Name] = k, s
	}
	return func(ctx context.Context, ev events.S3Event) error {
		for _, r := range ev.Records {
			if !strings.HasPrefix(r.EventName, "ObjectCreated:") {
				continue
			}
			kind, m, id, ok := files.ParseIncomingKey(r.S3.Object.Key)
			k, known := settles[kind]
			if !ok || !known || !crm.IsULID(id) || !crm.IsULID(m) {
				// Nothing presigned such a key: the lifecycle removes it.
				log.Warn("upload check: a key no kind owns", "function", "check-upload")
				continue
			}
			c, err := check(ctx, d, k.Kind, files.IncomingKey(k.Kind, m, id), r.S3.Object.VersionID)
			if errors.Is(err, files.ErrGone) {
				continue // settled already: a redelivered event
			}
			if err != nil {
				return err // S3 retries the whole event
			}
			c.MIA, c.ID = crm.MIAID(m), id
			if err := byName[kind](ctx, c); err != nil {
				return fmt.Errorf("settle %s upload: %w", kind, err)
			}
			if err := d.Files.Remove(ctx, c.Key, c.Version); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// sniffLen is how many first bytes tell a type.
const sniffLen = 512

// check reads the object: its size, hash and real type against the type
// it was uploaded with (the policy made the Content-Type the declared one).
func check(ctx context.Context, d Deps, k files.Kind, key, version string) (Checked, error) {
	obj, err := d.Files.Open(ctx, key, version)
	if err != nil {
		return Checked{}, err
	}
	defer obj.Body.Close()
	h := sha256.New()
	head := make([]byte, 0, sniffLen)
	var size int64
	buf := make([]byte, 32<<10)
	for {
		n, err := obj.Body.Read(buf)
		if n > 0 {
			if len(head) < sniffLen {
				head = append(head, buf[:min(n, sniffLen-len(head))]...)
			}
			size += int64(n)
			if size <= k.MaxBytes {
				h.Write(buf[:n])
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return Checked{}, fmt.Errorf("read %s: %w", key, err)
		}
	}
	c := Checked{Kind: k, Key: key, Version: obj.Version, Size: size, SHA256: hex.EncodeToString(h.Sum(nil)),
		RealType: files.Sniff(head, k.Types), At: d.Now().UTC()}
	if c.Version == "" {
		c.Version = version
	}
	declared := obj.ContentType
	if i := strings.IndexByte(declared, ';'); i >= 0 {
		declared = declared[:i]
	}
	switch {
	case size == 0:
		c.Motif = "refuse: fichier vide"
	case size > k.MaxBytes:
		c.Motif = fmt.Sprintf("refuse: taille %d octets, au-delà de %d", size, k.MaxBytes)
	case c.RealType != strings.TrimSpace(declared):
		c.Motif = "refuse: type réel " + c.RealType
	}
	if _, ok := k.Type(c.RealType); !ok && c.Motif == "" {
		c.Motif = "refuse: type réel " + c.RealType
	}
	return c, nil
}
