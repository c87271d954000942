// Package files is MyCRM's private S3 store of files (documents, imports):
// presigned uploads straight from the browser, presigned downloads, and
// the few object operations the upload check and the soft delete need. No
// Lambda carries a file's bytes in a request body.
//
// An upload is of a Kind, which bounds its size and types; it lands in
// quarantine (IncomingKey, under depot/), where the S3-event function of
// package uploads checks it, then moves it to its place under the MIA's
// prefix or deletes it. The bucket's lifecycle removes whatever stays in
// quarantine, and the old versions of deleted files after 30 days.
package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// Type is a file type an upload may declare, told by its first bytes.
type Type struct {
	ContentType string // "application/pdf"
	Ext         string // ".pdf"
	// Match tells whether a file's first bytes are of this type.
	Match func(head []byte) bool
}

// The types uploads may have.
var (
	PDF  = Type{"application/pdf", ".pdf", func(b []byte) bool { return bytes.HasPrefix(b, []byte("%PDF-")) }}
	JPEG = Type{"image/jpeg", ".jpg", func(b []byte) bool { return bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}) }}
	PNG  = Type{"image/png", ".png", func(b []byte) bool { return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) }}
	// CSV is text: no magic bytes, so what is refused is what is plainly
	// something else (a binary, HTML).
	CSV = Type{"text/csv", ".csv", looksLikeCSV}
)

// Kind is a kind of upload: its name (a key segment), its size limit and
// its types. The presigned POST's policy enforces the limit and the
// declared type; the upload check then checks the real type.
type Kind struct {
	Name     string // "document"; [a-z]+
	MaxBytes int64
	Types    []Type
}

// Type returns the kind's type of a declared content type.
func (k Kind) Type(contentType string) (Type, bool) {
	for _, t := range k.Types {
		if t.ContentType == contentType {
			return t, true
		}
	}
	return Type{}, false
}

// UploadTTL is how long a presigned upload stays valid.
const UploadTTL = 5 * time.Minute

// DownloadTTL is how long a presigned download link stays valid.
const DownloadTTL = 2 * time.Minute

// DocumentKey is where a checked document of MIA m is kept.
func DocumentKey(m crm.MIAID, id crm.DocumentID) string {
	return "mia/" + string(m) + "/documents/" + string(id)
}

// IncomingKey is where an upload of kind k for MIA m lands: the quarantine.
// id is the upload's own id (a ULID): nothing a user typed is in a key.
func IncomingKey(k Kind, m, id string) string { return "depot/" + k.Name + "/" + m + "/" + id }

// ParseIncomingKey reads the kind name, MIA and id of a quarantine key, as
// an S3 event gives it (URL-encoded, '+' for spaces).
func ParseIncomingKey(eventKey string) (kind, m, id string, ok bool) {
	key, err := url.QueryUnescape(eventKey)
	if err != nil {
		return "", "", "", false
	}
	parts := strings.Split(key, "/")
	if len(parts) != 4 || parts[0] != "depot" || parts[1] == "" || parts[2] == "" || parts[3] == "" {
		return "", "", "", false
	}
	return parts[1], parts[2], parts[3], true
}

// API is the part of the S3 client the store uses.
type API interface {
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	CopyObject(context.Context, *s3.CopyObjectInput, ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
	DeleteObject(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// Store is the files bucket.
type Store struct {
	api     API
	presign *s3.PresignClient
	bucket  string
	now     func() time.Time
}

// New is the store of bucket through client.
func New(client *s3.Client, bucket string) *Store {
	return &Store{api: client, presign: s3.NewPresignClient(client), bucket: bucket, now: time.Now}
}

// Bucket is the bucket's name.
func (s *Store) Bucket() string { return s.bucket }

// PresignUpload signs a POST of one file of kind k and declared type t to
// key: the policy binds the key, the Content-Type and the size (1 byte to
// k.MaxBytes) and expires in UploadTTL. No network call.
func (s *Store) PresignUpload(ctx context.Context, k Kind, t Type, key string) (crm.Upload, error) {
	if _, ok := k.Type(t.ContentType); !ok {
		return crm.Upload{}, fmt.Errorf("presign upload: %s is not a type of %s", t.ContentType, k.Name)
	}
	p, err := s.presign.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)},
		func(o *s3.PresignPostOptions) {
			o.Expires = UploadTTL
			o.Conditions = []any{
				map[string]string{"Content-Type": t.ContentType},
				[]any{"content-length-range", 1, k.MaxBytes},
			}
		})
	if err != nil {
		return crm.Upload{}, fmt.Errorf("presign upload: %w", err)
	}
	fields := map[string]string{"Content-Type": t.ContentType}
	for k, v := range p.Values {
		fields[k] = v
	}
	return crm.Upload{URL: p.URL, Fields: fields, ExpiresAt: s.now().Add(UploadTTL).UTC().Truncate(time.Second)}, nil
}

// PresignDownload signs a GET of key (its version when given) that the
// browser saves as filename (Content-Disposition: attachment) of
// contentType, valid DownloadTTL.
func (s *Store) PresignDownload(ctx context.Context, key, version, filename, contentType string) (string, time.Time, error) {
	in := &s3.GetObjectInput{
		Bucket:                     aws.String(s.bucket),
		Key:                        aws.String(key),
		ResponseContentDisposition: aws.String(Attachment(filename)),
		ResponseContentType:        aws.String(contentType),
	}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	r, err := s.presign.PresignGetObject(ctx, in, s3.WithPresignExpires(DownloadTTL))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("presign download: %w", err)
	}
	return r.URL, s.now().Add(DownloadTTL).UTC().Truncate(time.Second), nil
}

// Attachment is the Content-Disposition of a download named filename:
// an ASCII fallback and the UTF-8 name (RFC 6266), neither able to break
// out of the header.
func Attachment(filename string) string {
	var ascii strings.Builder
	for _, r := range filename {
		switch {
		case r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == '/' || r > 0x7e:
			ascii.WriteByte('_')
		default:
			ascii.WriteRune(r)
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + url.PathEscape(filename)
}

// ErrGone is returned for an object (or version) that is not there.
var ErrGone = errors.New("files: no such object")

// Object is an object being read.
type Object struct {
	Body        io.ReadCloser
	Size        int64
	ContentType string
	Version     string
}

// Open reads key at version ("" = current); ErrGone when it is not there.
func (s *Store) Open(ctx context.Context, key, version string) (Object, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := s.api.GetObject(ctx, in)
	if err != nil {
		return Object{}, gone(fmt.Errorf("open %s: %w", key, err))
	}
	return Object{Body: out.Body, Size: aws.ToInt64(out.ContentLength), ContentType: aws.ToString(out.ContentType), Version: aws.ToString(out.VersionId)}, nil
}

// Copy copies from (at version) to to, and returns the new version of to.
func (s *Store) Copy(ctx context.Context, from, version, to string) (string, error) {
	src := url.PathEscape(s.bucket) + "/" + pathEscape(from)
	if version != "" {
		src += "?versionId=" + url.QueryEscape(version)
	}
	out, err := s.api.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(to), CopySource: aws.String(src)})
	if err != nil {
		return "", gone(fmt.Errorf("copy %s to %s: %w", from, to, err))
	}
	return aws.ToString(out.VersionId), nil
}

// Remove deletes one version of key for good (a missing one is not an error).
func (s *Store) Remove(ctx context.Context, key, version string) error {
	_, err := s.api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key), VersionId: aws.String(version)})
	if err != nil && !errors.Is(gone(err), ErrGone) {
		return fmt.Errorf("remove %s: %w", key, err)
	}
	return nil
}

// Hide soft-deletes key: a delete marker hides it, its data stays as a
// noncurrent version (the lifecycle removes it after 30 days). It returns
// the marker's version, which Unhide removes.
func (s *Store) Hide(ctx context.Context, key string) (string, error) {
	out, err := s.api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return "", fmt.Errorf("hide %s: %w", key, err)
	}
	return aws.ToString(out.VersionId), nil
}

// Unhide removes the delete marker Hide left, making the file current again.
func (s *Store) Unhide(ctx context.Context, key, marker string) error {
	if marker == "" {
		return nil
	}
	return s.Remove(ctx, key, marker)
}

// gone turns S3's "not there" errors into ErrGone.
func gone(err error) error {
	var nsk *types.NoSuchKey
	var api smithy.APIError
	if errors.As(err, &nsk) || (errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NoSuchVersion" || api.ErrorCode() == "NotFound")) {
		return fmt.Errorf("%w: %v", ErrGone, err)
	}
	return err
}

// pathEscape escapes each segment of a key, keeping its slashes.
func pathEscape(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// Sniff names the real type of a file from its first bytes (512 are
// enough): one of types when it matches, else what it plainly is
// ("text/html", "application/zip"…), as the refusal reason says.
func Sniff(head []byte, types []Type) string {
	for _, t := range types {
		if t.Match(head) {
			return t.ContentType
		}
	}
	for _, t := range []Type{PDF, JPEG, PNG} {
		if t.Match(head) {
			return t.ContentType
		}
	}
	ct := httpDetect(head)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return ct
}

// looksLikeCSV: valid text with no NUL and no markup start.
func looksLikeCSV(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	ct := httpDetect(b)
	return strings.HasPrefix(ct, "text/plain")
}
