package e2e

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Issue 9, item 13: a name holding CR, LF or TAB would reach an email's
// subject ("Dupont\r\nBcc: …"). Every single-line field refuses control
// characters with a French field problem; remarques keep their line breaks.
func TestHeaderInjectionRefused(t *testing.T) {
	mia := newTenant(t, false)
	app, appTok := newActiveApporteur(t, mia.token, "inj")
	const hostile = "Dupont\r\nBcc: intrus@evil.example"
	tests := []struct {
		method, path, token string
		body                map[string]any
		champ               string
	}{
		{"POST", "/apporteurs", mia.token, map[string]any{"nom": hostile, "email": uniqEmail("inj-nom")}, "nom"},
		{"POST", "/apporteurs", mia.token, map[string]any{"nom": "Dupont", "prenom": "Paul\tX", "email": uniqEmail("inj-prenom")}, "prenom"},
		{"POST", "/apporteurs", mia.token, map[string]any{"nom": "Dupont", "localisation": "Lyon\nBcc: x", "email": uniqEmail("inj-loc")}, "localisation"},
		{"PATCH", "/apporteurs/" + app.ID, mia.token, map[string]any{"nom": hostile}, "nom"},
		{"POST", "/contacts", mia.token, map[string]any{"nom": hostile, "email": uniqEmail("inj-contact")}, "nom"},
		{"POST", "/espace-apporteur/contacts", appTok, map[string]any{"nom": "Dupont", "prenom": hostile, "email": uniqEmail("inj-esp")}, "prenom"},
		{"POST", "/entreprises", mia.token, map[string]any{"raisonSociale": hostile, "siren": uniqSiren(), "adresse": "1 rue", "dirigeantId": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "raisonSociale"},
		{"POST", "/admin/mias", newTenant(t, true).token, map[string]any{"nom": "Martin", "prenom": "Claire", "cabinet": hostile, "email": uniqEmail("inj-mia")}, "cabinet"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+" "+tt.champ, func(t *testing.T) {
			r := call(t, tt.method, tt.path, tt.token, tt.body)
			var p struct {
				Errors []struct{ Champ, Message string } `json:"errors"`
			}
			r.JSON(t, &p)
			champs := []string{}
			for _, e := range p.Errors {
				champs = append(champs, e.Champ)
			}
			if r.Status != http.StatusBadRequest || !slices.Contains(champs, tt.champ) {
				t.Errorf("got %d with fields %v, want 400 naming %q: %s", r.Status, champs, tt.champ, r.Body)
			}
		})
	}
	// Multi-line remarques stay accepted.
	r := call(t, "POST", "/contacts", mia.token, map[string]any{"nom": "Dupont", "email": uniqEmail("inj-rem"), "remarques": "Rappeler après 18 h.\nPas le lundi."})
	wantStatus(t, r, http.StatusCreated)

	waitStreams(t)
	all, err := stack.Emails(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if strings.Contains(e.Subject, "evil.example") || slices.ContainsFunc(append(e.Bcc, e.Cc...), func(a string) bool { return strings.Contains(a, "evil.example") }) {
			t.Errorf("an email carries the injected header: subject %q, cc %v, bcc %v", e.Subject, e.Cc, e.Bcc)
		}
	}
}

// cognitoUser reads an apporteur-pool user by username, email or sub.
func cognitoUser(t *testing.T, username string) (attrs map[string]string, enabled bool) {
	t.Helper()
	u, err := cognito().AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: aws.String(stack.ApporteurPoolID), Username: aws.String(username)})
	if err != nil {
		t.Fatalf("AdminGetUser: %v", err)
	}
	attrs = map[string]string{}
	for _, a := range u.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return attrs, u.Enabled
}

// keysOf lists the names of a JSON object's members, sorted.
func keysOf(t *testing.T, r response) []string {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return slices.Sorted(maps.Keys(m))
}

// Issue 9, item 11: the apporteur email guard is per MIA. MIA B inviting a
// person who already works with MIA A gets the same answer and sees the
// same state as for a new person, and A's apporteur account is untouched.
func TestApporteurOfAnotherMIA(t *testing.T) {
	a, b := newTenant(t, false), newTenant(t, false)
	appA, _ := newActiveApporteur(t, a.token, "partage")
	before, _ := cognitoUser(t, appA.Email)

	// Inside one MIA the email stays unique.
	r := call(t, "POST", "/apporteurs", a.token, map[string]any{"nom": "Doublon", "email": appA.Email})
	wantStatus(t, r, http.StatusConflict)

	type created struct {
		status int
		keys   []string
		app    apporteurJSON
	}
	got := map[string]created{}
	for name, email := range map[string]string{"known to MIA A": appA.Email, "new person": uniqEmail("nouveau")} {
		r := call(t, "POST", "/apporteurs", b.token, map[string]any{"nom": "Martin", "prenom": "Paul", "email": email})
		c := created{status: r.Status, keys: keysOf(t, r)}
		r.JSON(t, &c.app)
		got[name] = c
	}
	known, fresh := got["known to MIA A"], got["new person"]
	if known.status != http.StatusCreated || fresh.status != http.StatusCreated || known.app.Statut != "invitation_envoyee" ||
		known.app.Statut != fresh.app.Statut || !slices.Equal(known.keys, fresh.keys) {
		t.Fatalf("MIA B creating A's apporteur: %d %s %v; a new person: %d %s %v; want the same 201 and state",
			known.status, known.app.Statut, known.keys, fresh.status, fresh.app.Statut, fresh.keys)
	}
	waitStreams(t)
	// The fiche (which adds the day's alertes to what the creation answered)
	// has the same fields for both.
	var freshKeys []string
	for _, name := range []string{"new person", "known to MIA A"} {
		c := got[name]
		r := call(t, "GET", "/apporteurs/"+c.app.ID, b.token, nil)
		var st apporteurJSON
		r.JSON(t, &st)
		k := keysOf(t, r)
		if freshKeys == nil {
			freshKeys = k
		}
		if r.Status != http.StatusOK || st.Statut != "invitation_envoyee" || !slices.Equal(k, freshKeys) {
			t.Errorf("%s after the invitation: %d %s %v, want 200 invitation_envoyee %v", name, r.Status, st.Statut, k, freshKeys)
		}
	}

	// The person is told, with no link to activate anything.
	es := emailsTo(t, appA.Email)
	last := es[len(es)-1]
	if !strings.Contains(last.Subject, "vous propose de travailler avec lui") || tokenRe.MatchString(last.Text) {
		t.Errorf("email to the person: subject %q, text %q; want the other-MIA message without a link", last.Subject, last.Text)
	}
	// A new invitation by B is not blocked either.
	wantStatus(t, call(t, "POST", "/apporteurs/"+known.app.ID+"/invitation", b.token, nil), http.StatusAccepted)
	waitStreams(t)
	if n := len(emailsTo(t, appA.Email)); n != len(es)+1 {
		t.Errorf("after B's new invitation: %d emails, want %d", n, len(es)+1)
	}
	// B deactivating its apporteur touches nobody's account.
	wantStatus(t, call(t, "PATCH", "/apporteurs/"+known.app.ID, b.token, map[string]any{"statut": "desactive"}), http.StatusOK)

	after, enabled := cognitoUser(t, appA.Email)
	if !maps.Equal(after, before) || !enabled {
		t.Errorf("A's apporteur account: %v enabled %v, want unchanged %v and enabled", after, enabled, before)
	}
	tok := login(t, "apporteur", appA.Email, apporteurPassword)
	var profil struct {
		ID string `json:"id"`
	}
	r = call(t, "GET", "/espace-apporteur/profil", tok, nil)
	r.JSON(t, &profil)
	if r.Status != http.StatusOK || profil.ID != appA.ID {
		t.Errorf("A's apporteur logs in to %d %s, want its own profile %s", r.Status, r.Body, appA.ID)
	}
	var mine apporteurJSON
	call(t, "GET", "/apporteurs/"+appA.ID, a.token, nil).JSON(t, &mine)
	if mine.Statut != "actif" {
		t.Errorf("A's apporteur statut = %q, want actif", mine.Statut)
	}
}

// Issue 9, item 12: the admin calls use the account's sub. An apporteur
// whose email changed in Cognito (the app client allowed it) is still
// disabled by its deactivation, and enabled by its reactivation.
func TestDeactivationFollowsTheSub(t *testing.T) {
	mia := newTenant(t, false)
	app, _ := newActiveApporteur(t, mia.token, "sub")
	attrs, _ := cognitoUser(t, app.Email)
	sub := attrs["sub"]
	if _, err := cognito().AdminUpdateUserAttributes(context.Background(), &cip.AdminUpdateUserAttributesInput{
		UserPoolId: aws.String(stack.ApporteurPoolID), Username: aws.String(sub),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(uniqEmail("ailleurs"))}},
	}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		statut      string
		wantEnabled bool
	}{{"desactive", false}, {"actif", true}} {
		wantStatus(t, call(t, "PATCH", "/apporteurs/"+app.ID, mia.token, map[string]any{"statut": tt.statut}), http.StatusOK)
		if _, enabled := cognitoUser(t, sub); enabled != tt.wantEnabled {
			t.Errorf("after statut %s: Cognito account enabled = %v, want %v", tt.statut, enabled, tt.wantEnabled)
		}
	}
}

// wantTooMany checks a 429 problem in French with a Retry-After of at most max seconds.
func wantTooMany(t *testing.T, r response, max int) {
	t.Helper()
	var p struct{ Detail string }
	r.JSON(t, &p)
	retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if r.Status != http.StatusTooManyRequests || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") ||
		err != nil || retry < 1 || retry > max || p.Detail == "" {
		t.Errorf("got %d Retry-After %q: %s; want 429, a problem and Retry-After in [1, %d]", r.Status, r.Header.Get("Retry-After"), r.Body, max)
	}
}

// Issue 9, item 14: one new invitation per apporteur per cooldown, and a
// daily quota of invitation emails per MIA, answered with a French 429 and
// Retry-After; a refused request sends nothing and writes nothing.
func TestInvitationLimits(t *testing.T) {
	mia := newTenant(t, false)
	email := uniqEmail("limite")
	r := call(t, "POST", "/apporteurs", mia.token, map[string]any{"nom": "Limite", "email": email})
	wantStatus(t, r, http.StatusCreated)
	var app apporteurJSON
	r.JSON(t, &app)
	wantStatus(t, call(t, "POST", "/apporteurs/"+app.ID+"/invitation", mia.token, nil), http.StatusAccepted)
	waitStreams(t)
	sent := len(emailsTo(t, email))
	wantTooMany(t, call(t, "POST", "/apporteurs/"+app.ID+"/invitation", mia.token, nil), int(crm.InvitationCooldown/time.Second))
	waitStreams(t)
	if n := len(emailsTo(t, email)); n != sent {
		t.Errorf("after the refused new invitation: %d emails, want %d", n, sent)
	}

	// The day's counter is full (as after InvitationsPerDay invitations).
	day := time.Now().UTC().Format(time.DateOnly)
	if _, err := stack.Services.DynamoDB.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(stack.Table),
		Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: dynamo.MIAPK(mia.id)}, "SK": &types.AttributeValueMemberS{Value: dynamo.InvitationQuotaSK(day)},
			"n": &types.AttributeValueMemberN{Value: strconv.Itoa(crm.InvitationsPerDay)},
		}}); err != nil {
		t.Fatal(err)
	}
	over := uniqEmail("quota")
	wantTooMany(t, call(t, "POST", "/apporteurs", mia.token, map[string]any{"nom": "Quota", "email": over}), 24*3600)
	var list page[apporteurJSON]
	call(t, "GET", "/apporteurs", mia.token, nil).JSON(t, &list)
	waitStreams(t)
	if len(list.Items) != 1 || len(emailsTo(t, over)) != 0 {
		t.Errorf("after the refused creation: %d apporteurs, %d emails; want 1 and none", len(list.Items), len(emailsTo(t, over)))
	}
	// Another MIA is not limited by this one's quota.
	wantStatus(t, call(t, "POST", "/apporteurs", newTenant(t, false).token, map[string]any{"nom": "Autre", "email": over}), http.StatusCreated)
}

// Issue 9, item 16: the local Cognito applies the template's pool settings
// (through the guard in front of cognito-local, which the web client and
// the tests reach from GET /config): nobody signs up, nobody writes its own
// email or tenant attributes. Counted in the isolation figures.
func TestPoolSettingsEnforced(t *testing.T) {
	ctx := context.Background()
	var cfg struct {
		CognitoEndpoint string
		MIA, Apporteur  struct{ UserPoolID, ClientID string }
	}
	call(t, "GET", "/config", "", nil).JSON(t, &cfg)
	if cfg.CognitoEndpoint != stack.CognitoURL {
		t.Fatalf("GET /config cognitoEndpoint = %q, want the guarded endpoint %q", cfg.CognitoEndpoint, stack.CognitoURL)
	}
	idp := cip.NewFromConfig(stack.Services.AWS, func(o *cip.Options) { o.BaseEndpoint = aws.String(cfg.CognitoEndpoint) })
	victim := newTenant(t, false)

	miaEmail := uniqEmail("pool-mia")
	const miaPassword = "E2e-Password-2026"
	if _, err := stack.CreateMIA(ctx, miaEmail, miaPassword, false); err != nil {
		t.Fatal(err)
	}
	app, _ := newActiveApporteur(t, newTenant(t, false).token, "pool-app")
	pools := []struct {
		name, clientID, poolID, email, password string
	}{
		{"mia", cfg.MIA.ClientID, cfg.MIA.UserPoolID, miaEmail, miaPassword},
		{"apporteur", cfg.Apporteur.ClientID, cfg.Apporteur.UserPoolID, app.Email, apporteurPassword},
	}
	notAuthorized := func(err error) bool {
		var na *ciptypes.NotAuthorizedException
		return errors.As(err, &na)
	}
	attr := func(name, value string) []ciptypes.AttributeType {
		return []ciptypes.AttributeType{{Name: aws.String(name), Value: aws.String(value)}}
	}
	for _, p := range pools {
		t.Run(p.name, func(t *testing.T) {
			intrus := uniqEmail("signup")
			_, err := idp.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(p.clientID), Username: aws.String(intrus),
				Password:       aws.String("Intrus-2026-Long"),
				UserAttributes: append(attr("email", intrus), attr("custom:mia_id", string(victim.id))...)})
			ok := notAuthorized(err)
			if !ok {
				t.Errorf("SignUp with the victim's custom:mia_id: %v, want NotAuthorizedException", err)
			}
			probe("Cognito "+p.name+" pool", "SignUp refused", ok)

			auth, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
				ClientId: aws.String(p.clientID), AuthParameters: map[string]string{"USERNAME": p.email, "PASSWORD": p.password}})
			if err != nil || auth.AuthenticationResult == nil {
				t.Fatalf("login: %v", err)
			}
			access := auth.AuthenticationResult.AccessToken
			before, err := idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(p.poolID), Username: aws.String(p.email)})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range []struct{ name, attr, value string }{
				{"UpdateUserAttributes custom:mia_id refused", "custom:mia_id", string(victim.id)},
				{"UpdateUserAttributes custom:apporteur_id refused", "custom:apporteur_id", "01ARZ3NDEKTSV4RRFFQ69G5FAV"},
				{"UpdateUserAttributes email refused", "email", uniqEmail("nouvelle")},
			} {
				_, err := idp.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: access, UserAttributes: attr(w.attr, w.value)})
				ok := notAuthorized(err)
				if !ok {
					t.Errorf("%s: %v, want NotAuthorizedException", w.name, err)
				}
				probe("Cognito "+p.name+" pool", w.name, ok)
			}
			after, err := idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(p.poolID), Username: aws.String(p.email)})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := attrMap(after.UserAttributes), attrMap(before.UserAttributes); !maps.Equal(got, want) {
				t.Errorf("attributes after the refused writes: %v, want %v", got, want)
			}
		})
	}
}

func attrMap(attrs []ciptypes.AttributeType) map[string]string {
	m := map[string]string{}
	for _, a := range attrs {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}
