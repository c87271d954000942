// Package s3local is the local stack's S3: github.com/johannesboyne/gofakes3
// (the S3 REST API in Go, in-process, in memory, with versioning) behind a
// guard that does what gofakes3 does not and the product relies on:
//
//   - a presigned POST's policy is enforced as S3 does: its signature, its
//     expiration, each condition (bucket, key, Content-Type,
//     content-length-range…), and no form field outside the conditions;
//   - a presigned URL is refused once expired or when its signature does not
//     match (so it is bound to its one object), and a request with no
//     signature at all is refused: the bucket is private;
//   - the bucket's CORS rule (template.yaml) answers the browser, with the
//     local stack's origins;
//   - each object created is reported (OnCreated) as S3 notifies it, for the
//     local gateway to deliver to the template's S3-event function.
//
// Requests signed in the Authorization header (the functions' own SDK
// calls) are passed through without checking their signature.
package s3local

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// maxPost bounds what the guard reads of a POST upload (S3's own limit is
// 5 GB; the product's kinds stay far below).
const maxPost = 64 << 20

// Config is the local S3.
type Config struct {
	Region string
	// AccessKey and SecretKey are the credentials every local client signs with.
	AccessKey, SecretKey string
	// Buckets to create, versioned or not, by name.
	Buckets map[string]bool
	// Cors is the buckets' CORS rule; AllowedOrigins are the browser's origins.
	Cors           *Cors
	AllowedOrigins []string
	// OnCreated receives each object created (asynchronously, as S3 notifies).
	OnCreated func(bucket string, rec events.S3EventRecord)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Cors is a bucket's CORS rule, origins apart.
type Cors struct {
	AllowedMethods, AllowedHeaders, ExposedHeaders []string
	MaxAge                                         int
}

// Server is the local S3; it is an http.Handler.
type Server struct {
	cfg  Config
	next http.Handler
	seq  atomic.Int64
}

// New creates the buckets in memory and returns the guarded server.
func New(cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	backend := s3mem.New()
	for name, versioned := range cfg.Buckets {
		if err := backend.CreateBucket(name); err != nil {
			return nil, fmt.Errorf("create bucket %s: %w", name, err)
		}
		if versioned {
			if err := backend.SetVersioningConfiguration(name, gofakes3.VersioningConfiguration{Status: gofakes3.VersioningEnabled}); err != nil {
				return nil, fmt.Errorf("version bucket %s: %w", name, err)
			}
		}
	}
	faker := gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog()), gofakes3.WithAutoBucket(false))
	return &Server{cfg: cfg, next: faker.Server()}, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		s.preflight(w, r)
		return
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	var body []byte
	event := ""
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodPost && key == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data"):
		b, k, err := s.checkPost(r, bucket)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		body, key, event = b, k, "ObjectCreated:Post"
	case q.Get("X-Amz-Signature") != "":
		if err := s.checkPresigned(r); err != nil {
			s.fail(w, r, err)
			return
		}
	case r.Header.Get("Authorization") == "":
		s.fail(w, r, denied("AccessDenied", "Access Denied"))
		return
	}
	if r.Method == http.MethodPut && key != "" && q.Get("uploadId") == "" && q.Get("tagging") == "" {
		event = "ObjectCreated:Put"
		if r.Header.Get("X-Amz-Copy-Source") != "" {
			event = "ObjectCreated:Copy"
		}
	}
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	rec := httptest.NewRecorder()
	s.next.ServeHTTP(rec, r)
	if event == "ObjectCreated:Copy" && rec.Code == http.StatusOK {
		s.fixCopyVersion(rec, r, bucket, key)
	}
	h := w.Header()
	for k, vs := range rec.Header() {
		lk := strings.ToLower(k)
		// gofakes3 puts the object's checksum on a copy's or a put's answer,
		// whose XML body the SDK then fails to match against it.
		stray := strings.HasPrefix(lk, "x-amz-checksum-") && r.Method != http.MethodGet && r.Method != http.MethodHead
		if !strings.HasPrefix(lk, "access-control-") && !stray {
			h[k] = vs
		}
	}
	s.corsHeaders(w, r)
	status := rec.Code
	if event == "ObjectCreated:Post" && status == http.StatusOK && rec.Body.Len() == 0 {
		status = http.StatusNoContent // S3's answer without success_action_status
	}
	w.WriteHeader(status)
	_, _ = w.Write(rec.Body.Bytes())
	if event != "" && status/100 == 2 && s.cfg.OnCreated != nil {
		s.cfg.OnCreated(bucket, s.record(bucket, key, event, rec.Header(), r, body))
	}
}

// fixCopyVersion: gofakes3 answers a copy with the source's version id;
// S3 answers the new object's, which the upload check records (the version
// a download is bound to).
func (s *Server) fixCopyVersion(rec *httptest.ResponseRecorder, r *http.Request, bucket, key string) {
	head, err := http.NewRequestWithContext(r.Context(), http.MethodHead, "/"+bucket+"/"+key, nil)
	if err != nil {
		return
	}
	head.Header.Set("Authorization", r.Header.Get("Authorization"))
	hr := httptest.NewRecorder()
	s.next.ServeHTTP(hr, head)
	if v := hr.Header().Get("X-Amz-Version-Id"); hr.Code == http.StatusOK && v != "" {
		rec.Header().Set("X-Amz-Version-Id", v)
	}
}

// record is the S3 event record of an object created.
func (s *Server) record(bucket, key, event string, h http.Header, r *http.Request, body []byte) events.S3EventRecord {
	size := r.ContentLength
	if body != nil {
		size = s.fileSize(body, r.Header.Get("Content-Type"))
	}
	n := s.seq.Add(1)
	return events.S3EventRecord{
		EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: s.cfg.Region, EventTime: s.cfg.Now().UTC(), EventName: event,
		S3: events.S3Entity{
			SchemaVersion: "1.0",
			Bucket:        events.S3Bucket{Name: bucket, Arn: "arn:aws:s3:::" + bucket},
			// S3 URL-encodes the key of an event, spaces as '+', slashes kept.
			Object: events.S3Object{Key: strings.ReplaceAll(url.QueryEscape(key), "%2F", "/"), Size: size, ETag: strings.Trim(h.Get("ETag"), `"`),
				VersionID: h.Get("X-Amz-Version-Id"), Sequencer: fmt.Sprintf("%016X", n)},
		},
	}
}

// fileSize is the size of the file part of a POST body.
func (s *Server) fileSize(body []byte, contentType string) int64 {
	_, params, _ := mime.ParseMediaType(contentType)
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return 0
		}
		if p.FormName() == "file" {
			n, _ := io.Copy(io.Discard, p)
			return n
		}
	}
}

// s3Error is an S3 error answer.
type s3Error struct {
	Status  int      `xml:"-"`
	XMLName xml.Name `xml:"Error"`
	Code    string   `xml:"Code"`
	Message string   `xml:"Message"`
}

func (e *s3Error) Error() string { return e.Code + ": " + e.Message }

func denied(code, msg string) *s3Error {
	return &s3Error{Status: http.StatusForbidden, Code: code, Message: msg}
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := err.(*s3Error)
	if !ok {
		e = &s3Error{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: err.Error()}
	}
	s.corsHeaders(w, r)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	_ = xml.NewEncoder(w).Encode(e)
}

// checkPost enforces a presigned POST's policy and returns the body to
// forward and the object's key.
func (s *Server) checkPost(r *http.Request, bucket string) ([]byte, string, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPost+1))
	if err != nil {
		return nil, "", err
	}
	if len(body) > maxPost {
		return nil, "", &s3Error{Status: http.StatusBadRequest, Code: "EntityTooLarge", Message: "Your proposed upload exceeds the maximum allowed size"}
	}
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, "", &s3Error{Status: http.StatusBadRequest, Code: "MalformedPOSTRequest", Message: "The body of your POST request is not well-formed multipart/form-data."}
	}
	fields := map[string]string{}
	var fileSize int64 = -1
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", &s3Error{Status: http.StatusBadRequest, Code: "MalformedPOSTRequest", Message: "The body of your POST request is not well-formed multipart/form-data."}
		}
		name := p.FormName()
		if name == "file" {
			// S3 ignores the fields after the file.
			fileSize, _ = io.Copy(io.Discard, p)
			break
		}
		v, _ := io.ReadAll(io.LimitReader(p, 64<<10))
		fields[strings.ToLower(name)] = string(v)
	}
	if fileSize < 0 {
		return nil, "", &s3Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: "POST requires exactly one file upload per request."}
	}
	policyB64 := fields["policy"]
	if policyB64 == "" || fields["x-amz-signature"] == "" {
		return nil, "", denied("AccessDenied", "Bucket POST must contain a policy and its signature")
	}
	if err := s.checkCredential(fields["x-amz-credential"], fields["x-amz-date"], fields["x-amz-algorithm"]); err != nil {
		return nil, "", err
	}
	date, _ := time.Parse("20060102T150405Z", fields["x-amz-date"])
	if want := hex.EncodeToString(hmacSHA256(s.signingKey(date), []byte(policyB64))); !hmac.Equal([]byte(want), []byte(fields["x-amz-signature"])) {
		return nil, "", denied("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
	}
	raw, err := base64.StdEncoding.DecodeString(policyB64)
	if err != nil {
		return nil, "", &s3Error{Status: http.StatusBadRequest, Code: "InvalidPolicyDocument", Message: "Invalid Policy: Invalid 'base64' encoding."}
	}
	var policy struct {
		Expiration string            `json:"expiration"`
		Conditions []json.RawMessage `json:"conditions"`
	}
	if err := json.Unmarshal(raw, &policy); err != nil {
		return nil, "", &s3Error{Status: http.StatusBadRequest, Code: "InvalidPolicyDocument", Message: "Invalid Policy: Invalid JSON."}
	}
	exp, err := time.Parse(time.RFC3339, policy.Expiration)
	if err != nil || !s.cfg.Now().Before(exp) {
		return nil, "", denied("AccessDenied", "Invalid according to Policy: Policy expired.")
	}
	fields["bucket"] = bucket
	covered := map[string]bool{"policy": true, "x-amz-signature": true, "file": true, "bucket": true}
	for _, c := range policy.Conditions {
		if err := checkCondition(c, fields, fileSize, covered); err != nil {
			return nil, "", err
		}
	}
	for name := range fields {
		if !covered[name] && !strings.HasPrefix(name, "x-ignore-") {
			return nil, "", denied("AccessDenied", "Invalid according to Policy: Extra input fields: "+name)
		}
	}
	if fields["key"] == "" {
		return nil, "", &s3Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: "Bucket POST must contain a field named 'key'."}
	}
	return body, fields["key"], nil
}

// checkCondition checks one condition of a POST policy.
func checkCondition(raw json.RawMessage, fields map[string]string, fileSize int64, covered map[string]bool) error {
	failed := func(what string) error {
		return denied("AccessDenied", "Invalid according to Policy: Policy Condition failed: "+what)
	}
	var eq map[string]string
	if json.Unmarshal(raw, &eq) == nil {
		for k, v := range eq {
			name := strings.ToLower(k)
			covered[name] = true
			if fields[name] != v {
				return failed(fmt.Sprintf(`["eq", "$%s", %q]`, k, v))
			}
		}
		return nil
	}
	var list []any
	if err := json.Unmarshal(raw, &list); err != nil || len(list) != 3 {
		return &s3Error{Status: http.StatusBadRequest, Code: "InvalidPolicyDocument", Message: "Invalid Policy: Invalid Condition: " + string(raw)}
	}
	op, _ := list[0].(string)
	switch strings.ToLower(op) {
	case "content-length-range":
		lo, hi := number(list[1]), number(list[2])
		if fileSize > hi {
			return &s3Error{Status: http.StatusBadRequest, Code: "EntityTooLarge", Message: "Your proposed upload exceeds the maximum allowed size"}
		}
		if fileSize < lo {
			return &s3Error{Status: http.StatusBadRequest, Code: "EntityTooSmall", Message: "Your proposed upload is smaller than the minimum allowed size"}
		}
		return nil
	case "eq", "starts-with":
		field, _ := list[1].(string)
		want, _ := list[2].(string)
		name := strings.ToLower(strings.TrimPrefix(field, "$"))
		covered[name] = true
		got := fields[name]
		if (op == "eq" && got != want) || (op == "starts-with" && !strings.HasPrefix(got, want)) {
			return failed(fmt.Sprintf(`[%q, %q, %q]`, op, field, want))
		}
		return nil
	}
	return &s3Error{Status: http.StatusBadRequest, Code: "InvalidPolicyDocument", Message: "Invalid Policy: Invalid Condition: " + string(raw)}
}

func number(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case string:
		i, _ := strconv.ParseInt(n, 10, 64)
		return i
	}
	return 0
}

// checkCredential checks the access key and scope of a signature.
func (s *Server) checkCredential(credential, date, algorithm string) error {
	parts := strings.Split(credential, "/")
	if algorithm != "AWS4-HMAC-SHA256" || len(parts) != 5 || parts[0] != s.cfg.AccessKey || parts[2] != s.cfg.Region || parts[3] != "s3" || !strings.HasPrefix(date, parts[1]) {
		return denied("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
	}
	return nil
}

func (s *Server) signingKey(t time.Time) []byte {
	k := hmacSHA256([]byte("AWS4"+s.cfg.SecretKey), []byte(t.UTC().Format("20060102")))
	k = hmacSHA256(k, []byte(s.cfg.Region))
	k = hmacSHA256(k, []byte("s3"))
	return hmacSHA256(k, []byte("aws4_request"))
}

func hmacSHA256(key, data []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(data)
	return h.Sum(nil)
}

// checkPresigned checks a presigned URL: not expired, and signed for this
// very request (method, path, query, host) with the local credentials.
func (s *Server) checkPresigned(r *http.Request) error {
	q := r.URL.Query()
	if err := s.checkCredential(q.Get("X-Amz-Credential"), q.Get("X-Amz-Date"), q.Get("X-Amz-Algorithm")); err != nil {
		return err
	}
	signed, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	expires, err2 := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || err2 != nil || expires < 1 || expires > 604800 {
		return denied("AuthorizationQueryParametersError", "X-Amz-Date and X-Amz-Expires must be valid.")
	}
	if !s.cfg.Now().Before(signed.Add(time.Duration(expires) * time.Second)) {
		return denied("AccessDenied", "Request has expired")
	}
	if q.Get("X-Amz-SignedHeaders") != "host" {
		return denied("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
	}
	u := *r.URL
	q.Del("X-Amz-Signature")
	u.RawQuery = q.Encode()
	u.Scheme, u.Host = "http", r.Host
	req, err := http.NewRequestWithContext(context.Background(), r.Method, u.String(), nil)
	if err != nil {
		return err
	}
	got, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: s.cfg.AccessKey, SecretAccessKey: s.cfg.SecretKey},
		req, "UNSIGNED-PAYLOAD", "s3", s.cfg.Region, signed, func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err != nil {
		return err
	}
	gu, err := url.Parse(got)
	if err != nil || !hmac.Equal([]byte(gu.Query().Get("X-Amz-Signature")), []byte(r.URL.Query().Get("X-Amz-Signature"))) {
		return denied("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
	}
	return nil
}

func (s *Server) originAllowed(origin string) bool {
	if s.cfg.Cors == nil || origin == "" {
		return false
	}
	for _, o := range s.cfg.AllowedOrigins {
		if o == "*" || strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	return false
}

func (s *Server) corsHeaders(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if !s.originAllowed(origin) || !contains(s.cfg.Cors.AllowedMethods, r.Method) {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	if len(s.cfg.Cors.ExposedHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(s.cfg.Cors.ExposedHeaders, ", "))
	}
}

// preflight answers as S3 does: 403 unless the rule allows the origin, the
// method and every requested header.
func (s *Server) preflight(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	ok := s.originAllowed(origin) && contains(s.cfg.Cors.AllowedMethods, method)
	var reqHeaders []string
	for _, h := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		if h = strings.TrimSpace(h); h != "" {
			reqHeaders = append(reqHeaders, h)
			ok = ok && (contains(s.cfg.Cors.AllowedHeaders, "*") || contains(s.cfg.Cors.AllowedHeaders, h))
		}
	}
	if !ok {
		s.fail(w, r, denied("AccessForbidden", "CORSResponse: This CORS request is not allowed."))
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Allow-Methods", strings.Join(s.cfg.Cors.AllowedMethods, ", "))
	if len(reqHeaders) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(reqHeaders, ", "))
	}
	if s.cfg.Cors.MaxAge > 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(s.cfg.Cors.MaxAge))
	}
	w.WriteHeader(http.StatusOK)
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}
