package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// call is one HTTP request to the local gateway.
type call struct {
	method, path, token string
	body                any
	header              map[string]string
}

// reply is what the gateway answered, and how long it took.
type reply struct {
	status int
	header http.Header
	body   []byte
	ms     float64
}

func (r reply) ok() bool { return r.status >= 200 && r.status < 300 }

// decode reads the reply's JSON body into v.
func (r reply) decode(v any) error {
	if err := json.Unmarshal(r.body, v); err != nil {
		return fmt.Errorf("decode %d reply: %w (%.200s)", r.status, err, r.body)
	}
	return nil
}

// id is the "id" of the JSON object the reply holds.
func (r reply) id() string {
	var v struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(r.body, &v)
	return v.ID
}

func (r reply) String() string { return fmt.Sprintf("%d %.300s", r.status, bytes.TrimSpace(r.body)) }

// apiClient talks HTTP to the local gateway, as a browser would.
type apiClient struct {
	base string
	hc   *http.Client
}

func newAPIClient(base string) *apiClient {
	return &apiClient{base: strings.TrimRight(base, "/"), hc: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute},
	}}
}

func (c *apiClient) do(ctx context.Context, k call) (reply, error) {
	var body io.Reader
	if k.body != nil {
		b, err := json.Marshal(k.body)
		if err != nil {
			return reply{}, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, k.method, c.base+k.path, body)
	if err != nil {
		return reply{}, err
	}
	if k.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if k.token != "" {
		req.Header.Set("Authorization", "Bearer "+k.token)
	}
	for h, v := range k.header {
		req.Header.Set(h, v)
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %w", k.method, k.path, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %w", k.method, k.path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b, ms: ms(d)}, nil
}

// must does k and fails unless the gateway answered 2xx.
func (c *apiClient) must(ctx context.Context, k call) (reply, error) {
	r, err := c.do(ctx, k)
	if err != nil {
		return r, err
	}
	if !r.ok() {
		return r, fmt.Errorf("%s %s: %s", k.method, k.path, r)
	}
	return r, nil
}
