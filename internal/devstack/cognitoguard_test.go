package devstack

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// accessToken is an unsigned token carrying client_id (the guard does not
// verify tokens; cognito-local does).
func accessToken(clientID string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte(`{"client_id":"`+clientID+`"}`)) + ".sig"
}

func TestCognitoGuard(t *testing.T) {
	var forwarded []string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		forwarded = append(forwarded, r.Header.Get("X-Amz-Target")+" "+string(b))
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer upstream.Close()
	target, _ := url.Parse(upstream.URL)
	g := newCognitoGuard(target)
	g.allow("admin-only", clientPolicy{signUp: false, write: []string{"locale"}})
	g.allow("open", clientPolicy{signUp: true}) // no WriteAttributes: Cognito's default, everything

	tests := []struct {
		name, op string
		body     map[string]any
		wantType string // "" = forwarded
	}{
		{"sign-up on an admin-only pool", "SignUp", map[string]any{"ClientId": "admin-only", "Username": "x@example.fr",
			"UserAttributes": []map[string]string{{"Name": "custom:mia_id", "Value": "VICTIM"}}}, "NotAuthorizedException"},
		{"sign-up with an unknown client", "SignUp", map[string]any{"ClientId": "inconnu"}, "NotAuthorizedException"},
		{"sign-up where the pool allows it", "SignUp", map[string]any{"ClientId": "open"}, ""},
		{"write a custom attribute", "UpdateUserAttributes", map[string]any{"AccessToken": accessToken("admin-only"),
			"UserAttributes": []map[string]string{{"Name": "custom:mia_id", "Value": "VICTIM"}}}, "NotAuthorizedException"},
		{"write the email", "UpdateUserAttributes", map[string]any{"AccessToken": accessToken("admin-only"),
			"UserAttributes": []map[string]string{{"Name": "email", "Value": "autre@example.fr"}}}, "NotAuthorizedException"},
		{"write an allowed attribute among others", "UpdateUserAttributes", map[string]any{"AccessToken": accessToken("admin-only"),
			"UserAttributes": []map[string]string{{"Name": "locale", "Value": "fr"}, {"Name": "email", "Value": "a@b.fr"}}}, "NotAuthorizedException"},
		{"write an allowed attribute", "UpdateUserAttributes", map[string]any{"AccessToken": accessToken("admin-only"),
			"UserAttributes": []map[string]string{{"Name": "locale", "Value": "fr"}}}, ""},
		{"delete a custom attribute", "DeleteUserAttributes", map[string]any{"AccessToken": accessToken("admin-only"),
			"UserAttributeNames": []string{"custom:apporteur_id"}}, "NotAuthorizedException"},
		{"token of an unknown client", "UpdateUserAttributes", map[string]any{"AccessToken": "pas-un-jeton",
			"UserAttributes": []map[string]string{{"Name": "locale", "Value": "fr"}}}, "NotAuthorizedException"},
		{"client without WriteAttributes", "UpdateUserAttributes", map[string]any{"AccessToken": accessToken("open"),
			"UserAttributes": []map[string]string{{"Name": "email", "Value": "a@b.fr"}}}, ""},
		{"any other call passes", "AdminGetUser", map[string]any{"UserPoolId": "p", "Username": "u"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forwarded = nil
			b, _ := json.Marshal(tt.body)
			req := httptest.NewRequest("POST", "/", strings.NewReader(string(b)))
			req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+tt.op)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			rec := httptest.NewRecorder()
			g.ServeHTTP(rec, req)
			var got struct {
				Type string `json:"__type"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &got)
			if tt.wantType != "" {
				if rec.Code != http.StatusBadRequest || got.Type != tt.wantType || len(forwarded) != 0 {
					t.Errorf("got %d %s, %d forwarded; want 400 %s, nothing forwarded", rec.Code, rec.Body, len(forwarded), tt.wantType)
				}
				return
			}
			if rec.Code != http.StatusOK || len(forwarded) != 1 || !strings.HasSuffix(forwarded[0], string(b)) {
				t.Errorf("got %d %s, forwarded %q; want the call forwarded unchanged", rec.Code, rec.Body, forwarded)
			}
		})
	}
}
