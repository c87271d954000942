package gateway

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// verifier checks JWTs as the HTTP API JWT authorizer does: RS256 signature
// against the issuer's JWKS, iss, aud, exp (and nbf), and — stricter than API
// Gateway, as MyCRM's handlers need the ID token's claims — token_use "id".
type verifier struct {
	client *http.Client
	now    func() time.Time

	mu   sync.Mutex
	sets map[string]*jwks // by JWKS URL
}

type jwks struct {
	keys    map[string]*rsa.PublicKey
	fetched time.Time
}

// errUnauthorized is every authorizer failure: the client only ever sees 401.
var errUnauthorized = errors.New("unauthorized")

// verify returns the token's claims when it is a valid ID token of issuer for
// one of the audiences.
func (v *verifier) verify(ctx context.Context, token, issuer string, audiences []string) (jwt.MapClaims, error) {
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(audiences...),
		jwt.WithExpirationRequired(),
		jwt.WithJSONNumber(),
		jwt.WithTimeFunc(v.now),
	)
	claims := jwt.MapClaims{}
	_, err := p.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return v.key(ctx, strings.TrimRight(issuer, "/")+"/.well-known/jwks.json", kid)
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUnauthorized, err)
	}
	if use, _ := claims["token_use"].(string); use != "id" {
		return nil, fmt.Errorf("%w: token_use %q, want id", errUnauthorized, use)
	}
	return claims, nil
}

// key returns the public key kid of the JWKS at url, fetching the set the
// first time and again (at most every few seconds) when kid is unknown.
func (v *verifier) key(ctx context.Context, url, kid string) (*rsa.PublicKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	set := v.sets[url]
	if set != nil {
		if k, ok := set.keys[kid]; ok {
			return k, nil
		}
		if v.now().Sub(set.fetched) < 5*time.Second {
			return nil, fmt.Errorf("unknown key id %q", kid)
		}
	}
	fresh, err := fetchJWKS(ctx, v.client, url)
	if err != nil {
		return nil, err
	}
	fresh.fetched = v.now()
	if v.sets == nil {
		v.sets = map[string]*jwks{}
	}
	v.sets[url] = fresh
	if k, ok := fresh.keys[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("unknown key id %q", kid)
}

func fetchJWKS(ctx context.Context, client *http.Client, url string) (*jwks, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks %s: status %d", url, resp.StatusCode)
	}
	var doc struct {
		Keys []struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			Use string `json:"use"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode jwks %s: %w", url, err)
	}
	set := &jwks{keys: map[string]*rsa.PublicKey{}}
	for _, k := range doc.Keys {
		if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.N, "="))
		e, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.E, "="))
		if err1 != nil || err2 != nil || len(e) > 4 {
			continue
		}
		set.keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return set, nil
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
// API Gateway also accepts the bare token.
func bearer(h string) string {
	h = strings.TrimSpace(h)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return h
}

// flattenClaims renders claims as API Gateway puts them in
// requestContext.authorizer.jwt.claims: strings as they are, numbers and
// booleans as text, arrays as "[a b]", objects as JSON.
func flattenClaims(c jwt.MapClaims) map[string]string {
	out := make(map[string]string, len(c))
	for k, v := range c {
		out[k] = claimString(v)
	}
	return out
}

func claimString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool, float64:
		return fmt.Sprint(v)
	case nil:
		return ""
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = claimString(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// scopes returns the token's "scope" claim split on spaces, as API Gateway
// fills requestContext.authorizer.jwt.scopes (nil when there is none).
func scopes(c jwt.MapClaims) []string {
	s, _ := c["scope"].(string)
	if s == "" {
		return nil
	}
	return strings.Fields(s)
}
