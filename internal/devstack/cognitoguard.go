package devstack

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// cognitoGuard is a reverse proxy in front of cognito-local that enforces
// the pool settings of template.yaml which cognito-local stores but ignores:
// AllowAdminCreateUserOnly (SignUp refused) and each app client's
// WriteAttributes (UpdateUserAttributes and DeleteUserAttributes of any
// other attribute refused). It answers as Cognito does: 400 with an
// x-amz-json-1.1 body {"__type": "NotAuthorizedException", "message": …}.
// Everything else passes through unchanged. Without it, on `make dev`
// anyone could SignUp with any custom:mia_id and read that MIA's data.
//
// It does not make cognito-local a security boundary: the admin API stays
// open to anyone who can reach the port (AWS would require IAM credentials),
// and cognito-local's signing key is public. The local stack is for
// development only.
type cognitoGuard struct {
	upstream *httputil.ReverseProxy

	mu      sync.RWMutex
	clients map[string]clientPolicy // by app client id
}

// clientPolicy is what the template allows one app client.
type clientPolicy struct {
	signUp bool     // the client's pool lets users sign up
	write  []string // WriteAttributes; nil: every attribute (Cognito's default)
}

// maxGuardedBody bounds what the guard reads of a request it inspects.
const maxGuardedBody = 1 << 20

func newCognitoGuard(target *url.URL) *cognitoGuard {
	return &cognitoGuard{upstream: httputil.NewSingleHostReverseProxy(target), clients: map[string]clientPolicy{}}
}

// allow records the policy of app client id (provisioning calls it).
func (g *cognitoGuard) allow(id string, p clientPolicy) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.clients[id] = p
}

func (g *cognitoGuard) policy(id string) (clientPolicy, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	p, ok := g.clients[id]
	return p, ok
}

const targetPrefix = "AWSCognitoIdentityProviderService."

func (g *cognitoGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	switch op {
	case "SignUp", "UpdateUserAttributes", "DeleteUserAttributes":
	default:
		g.upstream.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxGuardedBody+1))
	if err != nil || len(body) > maxGuardedBody {
		cognitoError(w, "InvalidParameterException", "Request body too large or unreadable")
		return
	}
	var in struct {
		ClientID       string `json:"ClientId"`
		AccessToken    string `json:"AccessToken"`
		UserAttributes []struct {
			Name string `json:"Name"`
		} `json:"UserAttributes"`
		UserAttributeNames []string `json:"UserAttributeNames"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		cognitoError(w, "InvalidParameterException", "Invalid JSON body")
		return
	}
	switch op {
	case "SignUp":
		// An unknown client is refused too: every pool of the stack is the
		// template's, and all of them are admin-only or listed.
		if p, ok := g.policy(in.ClientID); !ok || !p.signUp {
			cognitoError(w, "NotAuthorizedException", "SignUp is not permitted for this user pool")
			return
		}
	default:
		names := in.UserAttributeNames
		for _, a := range in.UserAttributes {
			names = append(names, a.Name)
		}
		p, ok := g.policy(accessTokenClient(in.AccessToken))
		if !ok {
			cognitoError(w, "NotAuthorizedException", "Invalid Access Token")
			return
		}
		for _, n := range names {
			if p.write != nil && !slices.Contains(p.write, n) {
				cognitoError(w, "NotAuthorizedException", "A client attempted to write unauthorized attribute")
				return
			}
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	g.upstream.ServeHTTP(w, r)
}

// accessTokenClient reads the client_id claim of an access token without
// verifying it (cognito-local verifies it when the call passes), "" when
// unreadable. A forged token naming a permissive client gains nothing: its
// signature still fails upstream.
func accessTokenClient(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		ClientID string `json:"client_id"`
	}
	if json.Unmarshal(b, &c) != nil {
		return ""
	}
	return c.ClientID
}

// cognitoError answers as the Cognito API does.
func cognitoError(w http.ResponseWriter, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}
