package e2e

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/consumers"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/ddbevent"
	"github.com/assentis/mycrm/internal/devstack/emulators"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The onboarding text of DESIGN §1, end to end: the MIA registers an
// apporteur, which activates its account from the emailed link, sends a
// contact, and follows the affaire the MIA opens on it.

const apporteurPassword = "Apporteur-2026x"

var tokenRe = regexp.MustCompile(`/activation\?token=([A-Za-z0-9_-]{43})`)

// emailsTo returns the emails sent to address so far.
func emailsTo(t *testing.T, address string) []emulators.Email {
	t.Helper()
	all, err := stack.Emails(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []emulators.Email
	for _, e := range all {
		for _, to := range e.To {
			if strings.Contains(to, address) {
				out = append(out, e)
			}
		}
	}
	return out
}

// activationToken reads the token of the latest activation email to address.
func activationToken(t *testing.T, address string) string {
	t.Helper()
	waitStreams(t)
	es := emailsTo(t, address)
	if len(es) == 0 {
		t.Fatalf("no email to %s", address)
	}
	m := tokenRe.FindStringSubmatch(es[len(es)-1].Text)
	if m == nil {
		t.Fatalf("no activation link in %q", es[len(es)-1].Text)
	}
	return m[1]
}

type apporteurJSON struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	Statut      string `json:"statut"`
	Version     int    `json:"version"`
	Commissions struct {
		EnCoursCentimes int64 `json:"enCoursCentimes"`
		SigneeCentimes  int64 `json:"signeeCentimes"`
	} `json:"commissions"`
}

// newActiveApporteur has the MIA create an apporteur, activates it from its
// email and returns it with an ID token.
func newActiveApporteur(t *testing.T, miaTok, prefix string) (apporteurJSON, string) {
	t.Helper()
	email := uniqEmail(prefix)
	r := call(t, "POST", "/apporteurs", miaTok, map[string]any{"nom": "Martin", "prenom": "Paul", "email": email,
		"telephone": "06 12 34 56 78", "localisation": "Lyon (69)", "remarques": "Rencontré au salon"})
	if r.Status != http.StatusCreated {
		t.Fatalf("POST /apporteurs = %d %s", r.Status, r.Body)
	}
	var a apporteurJSON
	r.JSON(t, &a)
	tok := activationToken(t, email)
	if r := call(t, "POST", "/activation", "", map[string]string{"token": tok, "motDePasse": apporteurPassword}); r.Status != http.StatusOK {
		t.Fatalf("POST /activation = %d %s", r.Status, r.Body)
	}
	return a, login(t, "apporteur", email, apporteurPassword)
}

func TestOnboardingApporteur(t *testing.T) {
	miaEmail := uniqEmail("mia")
	miaID, err := stack.CreateMIA(context.Background(), miaEmail, "E2e-Password-2026", false)
	if err != nil {
		t.Fatal(err)
	}
	miaTok := login(t, "mia", miaEmail, "E2e-Password-2026")

	// 1. The MIA registers an apporteur: the create only writes.
	email := uniqEmail("apporteur")
	r := call(t, "POST", "/apporteurs", miaTok, map[string]any{"nom": "Martin", "prenom": "Paul", "email": strings.ToUpper(email),
		"telephone": "06 12 34 56 78", "localisation": "Lyon (69)", "remarques": "Rencontré au salon"})
	if r.Status != http.StatusCreated || r.Header.Get("ETag") == "" {
		t.Fatalf("POST /apporteurs = %d %s", r.Status, r.Body)
	}
	var app apporteurJSON
	r.JSON(t, &app)
	if app.Statut != "invitation_envoyee" || app.Email != email {
		t.Errorf("apporteur = %+v", app)
	}
	if r := call(t, "POST", "/apporteurs", miaTok, map[string]any{"nom": "Autre", "email": email}); r.Status != http.StatusConflict {
		t.Errorf("same email again = %d %s, want 409", r.Status, r.Body)
	}

	// 2. The stream consumer sent the activation email from Assentis.
	tok := activationToken(t, email)
	mails := emailsTo(t, email)
	if len(mails) != 1 || !strings.Contains(mails[0].From, "Assentis") || !strings.Contains(mails[0].Subject, "Assentis") ||
		!strings.Contains(mails[0].HTML, "/activation?token="+tok) {
		t.Errorf("activation email = %+v", mails)
	}

	// 3. Activation: weak password refused (and counted), then accepted; the link is single-use.
	if r := call(t, "POST", "/activation", "", map[string]string{"token": tok, "motDePasse": "court"}); r.Status != http.StatusBadRequest ||
		!strings.Contains(string(r.Body), "motDePasse") {
		t.Errorf("weak password = %d %s, want 400 on motDePasse", r.Status, r.Body)
	}
	if r := call(t, "POST", "/activation", "", map[string]string{"token": strings.Repeat("A", 43), "motDePasse": apporteurPassword}); r.Status != http.StatusBadRequest ||
		!strings.Contains(string(r.Body), "pas valide") {
		t.Errorf("unknown token = %d %s, want 400 pas valide", r.Status, r.Body)
	}
	r = call(t, "POST", "/activation", "", map[string]string{"token": tok, "motDePasse": apporteurPassword})
	var act struct{ Email, Pool, Statut string }
	r.JSON(t, &act)
	if r.Status != http.StatusOK || act.Email != email || act.Pool != "apporteur" || act.Statut != "actif" {
		t.Fatalf("POST /activation = %d %s", r.Status, r.Body)
	}
	if r := call(t, "POST", "/activation", "", map[string]string{"token": tok, "motDePasse": "Autre-Passe-2026"}); r.Status != http.StatusBadRequest ||
		!strings.Contains(string(r.Body), "déjà été utilisé") {
		t.Errorf("second activation = %d %s, want 400 déjà utilisé", r.Status, r.Body)
	}
	if r := call(t, "GET", "/apporteurs/"+app.ID, miaTok, nil); !strings.Contains(string(r.Body), `"statut":"actif"`) {
		t.Errorf("apporteur after activation = %s", r.Body)
	}

	// 4. The apporteur logs in (InitiateAuth on cognito-local) and sees its space.
	appTok := login(t, "apporteur", email, apporteurPassword)
	r = call(t, "GET", "/espace-apporteur/profil", appTok, nil)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"miaNom"`) || strings.Contains(string(r.Body), "salon") {
		t.Errorf("profil = %d %s (must name the MIA, never its remarks)", r.Status, r.Body)
	}
	if r := call(t, "GET", "/contacts", appTok, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("apporteur token on a MIA route = %d, want 401", r.Status)
	}

	// 5. It creates a contact, with a note for its MIA, which lands in the
	// MIA's base attributed to it.
	const note = "Rappeler après 18 h.\nPréfère les SMS."
	r = call(t, "POST", "/espace-apporteur/contacts", appTok, map[string]any{"nom": "Dupont", "prenom": "Jean",
		"email": uniqEmail("jean.dupont"), "telephone": "06 98 76 54 32", "noteApporteur": note})
	if r.Status != http.StatusCreated {
		t.Fatalf("POST /espace-apporteur/contacts = %d %s", r.Status, r.Body)
	}
	var contact struct{ ID, ApporteurID, NoteApporteur string }
	r.JSON(t, &contact)
	if contact.NoteApporteur != note {
		t.Errorf("created contact's note = %q, want %q", contact.NoteApporteur, note)
	}
	r = call(t, "GET", "/contacts?apporteurId="+app.ID, miaTok, nil)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), contact.ID) {
		t.Fatalf("MIA's GET /contacts = %d %s, want the apporteur's contact", r.Status, r.Body)
	}
	// The MIA reads the note on the contact and keeps its own remarques,
	// which the apporteur never sees; the note is not the MIA's to rewrite.
	var seen struct{ NoteApporteur string }
	call(t, "GET", "/contacts/"+contact.ID, miaTok, nil).JSON(t, &seen)
	if seen.NoteApporteur != note {
		t.Errorf("MIA's contact note = %q, want %q", seen.NoteApporteur, note)
	}
	wantStatus(t, call(t, "PATCH", "/contacts/"+contact.ID, miaTok, map[string]any{"remarques": "Remarque privée du MIA"}), http.StatusOK)
	wantProblem(t, call(t, "PATCH", "/contacts/"+contact.ID, miaTok, map[string]any{"noteApporteur": "réécrite"}), http.StatusBadRequest, "noteApporteur")
	r = call(t, "GET", "/espace-apporteur/contacts", appTok, nil)
	var mine struct {
		Items []struct{ ID, NoteApporteur, Remarques string }
	}
	r.JSON(t, &mine)
	if len(mine.Items) != 1 || mine.Items[0].NoteApporteur != note || strings.Contains(string(r.Body), "privée") ||
		strings.Contains(string(r.Body), `"remarques"`) {
		t.Errorf("apporteur's contacts = %s, want its note and never the MIA's remarques", r.Body)
	}
	wantProblem(t, call(t, "POST", "/espace-apporteur/contacts", appTok, map[string]any{"nom": "Long", "email": uniqEmail("long"),
		"noteApporteur": strings.Repeat("é", 1001)}), http.StatusBadRequest, "noteApporteur")
	wantProblem(t, call(t, "POST", "/espace-apporteur/contacts", appTok, map[string]any{"nom": "Ctl", "email": uniqEmail("ctl"),
		"noteApporteur": "rappeler \x1b[2J"}), http.StatusBadRequest, "noteApporteur")
	// A duplicate is refused without revealing the existing contact.
	r = call(t, "POST", "/espace-apporteur/contacts", appTok, map[string]any{"nom": "Autre", "telephone": "+33698765432"})
	if r.Status != http.StatusConflict || strings.Contains(string(r.Body), contact.ID) || strings.Contains(string(r.Body), "existantId") {
		t.Errorf("duplicate = %d %s, want a 409 naming nothing", r.Status, r.Body)
	}

	// 6. The MIA opens an affaire on it and sets the apporteur's rate to 20 %.
	r = call(t, "POST", "/affaires", miaTok, map[string]any{"clientId": contact.ID, "produitId": "auto", "primeAnnuelleCentimes": 123456,
		"remarques": "marge à négocier"})
	if r.Status != http.StatusCreated {
		t.Fatalf("POST /affaires = %d %s", r.Status, r.Body)
	}
	var aff struct {
		ID                    string
		CommissionMIACentimes int64
	}
	r.JSON(t, &aff)
	r = call(t, "PATCH", "/affaires/"+aff.ID, miaTok, map[string]any{"tauxCommissionApporteur": 20})
	if r.Status != http.StatusOK {
		t.Fatalf("PATCH /affaires = %d %s", r.Status, r.Body)
	}
	want := (aff.CommissionMIACentimes*20 + 50) / 100
	waitStreams(t)

	// 7. The apporteur sees the affaire, its historique and its commission.
	r = call(t, "GET", "/espace-apporteur/affaires", appTok, nil)
	var affs struct {
		Items []struct {
			ID                          string
			ProduitNom                  string
			Statut                      string
			TauxCommissionApporteur     int
			CommissionApporteurCentimes int64
			Historique                  []struct {
				Evenement   string
				Changements []struct{ Champ, Avant, Apres string }
			}
		}
	}
	r.JSON(t, &affs)
	if r.Status != http.StatusOK || len(affs.Items) != 1 {
		t.Fatalf("espace affaires = %d %s", r.Status, r.Body)
	}
	got := affs.Items[0]
	if got.ID != aff.ID || got.Statut != "en_cours" || got.TauxCommissionApporteur != 20 || got.CommissionApporteurCentimes != want || got.ProduitNom == "" {
		t.Errorf("espace affaire = %+v, want commission %d", got, want)
	}
	if len(got.Historique) != 2 || got.Historique[0].Evenement != "creation" || len(got.Historique[1].Changements) != 1 ||
		got.Historique[1].Changements[0].Champ != "tauxCommissionApporteur" || got.Historique[1].Changements[0].Apres != "20" {
		t.Errorf("historique = %+v", got.Historique)
	}
	for _, secret := range []string{"commissionMIACentimes", "primeAnnuelleCentimes", "tauxCommissionMIA", "remarques", "marge"} {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("espace affaires shows %q: %s", secret, r.Body)
		}
	}
	r = call(t, "GET", "/espace-apporteur/commissions", appTok, nil)
	var com struct {
		Items []struct {
			AffaireID                        string
			CommissionPrevisionnelleCentimes int64
		}
		Totaux struct{ EnCoursCentimes, SigneeCentimes, TotalCentimes int64 }
	}
	r.JSON(t, &com)
	if len(com.Items) != 1 || com.Items[0].CommissionPrevisionnelleCentimes != want ||
		com.Totaux.EnCoursCentimes != want || com.Totaux.SigneeCentimes != 0 || com.Totaux.TotalCentimes != want {
		t.Errorf("commissions = %s, want %d en cours", r.Body, want)
	}

	// 8. Signing: the contact becomes client, totals move to signee, the
	// apporteur is told; the MIA was told of the new contact.
	if r := call(t, "PATCH", "/affaires/"+aff.ID, miaTok, map[string]any{"statut": "signee"}); r.Status != http.StatusOK {
		t.Fatalf("sign = %d %s", r.Status, r.Body)
	}
	waitStreams(t)
	if r := call(t, "GET", "/contacts/"+contact.ID, miaTok, nil); !strings.Contains(string(r.Body), `"statut":"client"`) {
		t.Errorf("contact after signature = %s", r.Body)
	}
	r = call(t, "GET", "/apporteurs/"+app.ID, miaTok, nil)
	r.JSON(t, &app)
	if app.Commissions.SigneeCentimes != want || app.Commissions.EnCoursCentimes != 0 {
		t.Errorf("apporteur totals = %+v, want %d signee", app.Commissions, want)
	}
	// The MIA got one email about the new contact (its name only), and a
	// redelivered record sends no second one.
	notif := func() []emulators.Email {
		var out []emulators.Email
		for _, e := range emailsTo(t, miaEmail) {
			if strings.Contains(e.Subject, "nouveau contact") {
				out = append(out, e)
			}
		}
		return out
	}
	if n := notif(); len(n) != 1 || !strings.Contains(n[0].Text, "Jean Dupont") || strings.Contains(n[0].Text, "06 98") {
		t.Errorf("MIA notifications = %+v", n)
	} else if want := stack.APIURL + "/mia/contacts/" + contact.ID; !strings.Contains(n[0].Text, want) || !strings.Contains(n[0].HTML, want) {
		t.Errorf("MIA notification links %q, want the contact's page %s", linkRe.FindAllString(n[0].Text, -1), want)
	}
	ctx := context.Background()
	item := tableItem(t, miaID, dynamo.ContactSK(crm.ContactID(contact.ID)))
	notify := consumers.Notifications(stack.Services.Consumers)
	for range 2 {
		resp, err := notify(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{record(t, "c1", "INSERT", item)}})
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("replay: %+v %v", resp, err)
		}
	}
	if n := notif(); len(n) != 1 {
		t.Errorf("after replays: %d notifications, want 1", len(n))
	}

	var statutMail bool
	for _, e := range emailsTo(t, email) {
		if !strings.Contains(e.Subject, "signée") {
			continue
		}
		statutMail = true
		// The web client's "Mes affaires" (it once linked /espace-apporteur, a "Page introuvable").
		if want := stack.APIURL + "/espace/affaires"; !slices.Contains(linkRe.FindAllString(e.Text, -1), want) {
			t.Errorf("statut email links %q, want %s", linkRe.FindAllString(e.Text, -1), want)
		}
	}
	if !statutMail {
		t.Error("no statut email to the apporteur")
	}
}

var linkRe = regexp.MustCompile(`https?://[^\s"'<>]+`)

func TestDeactivationRefusesEveryToken(t *testing.T) {
	miaTok := newTenant(t, false).token
	app, before := newActiveApporteur(t, miaTok, "desactive")
	routes := []struct{ method, path string }{
		{"GET", "/espace-apporteur/profil"}, {"GET", "/espace-apporteur/contacts"},
		{"GET", "/espace-apporteur/affaires"}, {"GET", "/espace-apporteur/commissions"},
		{"POST", "/espace-apporteur/contacts"},
	}
	body := func(method string) any {
		if method == "POST" {
			return map[string]any{"nom": "Nouveau", "email": uniqEmail("nouveau")}
		}
		return nil
	}
	for _, rt := range routes {
		want := http.StatusOK
		if rt.method == "POST" {
			want = http.StatusCreated
		}
		if r := call(t, rt.method, rt.path, before, body(rt.method)); r.Status != want {
			t.Fatalf("%s %s while actif = %d %s, want %d", rt.method, rt.path, r.Status, r.Body, want)
		}
	}

	r := call(t, "PATCH", "/apporteurs/"+app.ID, miaTok, map[string]any{"statut": "desactive"}, "If-Match", `"2"`)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"statut":"desactive"`) {
		t.Fatalf("deactivate = %d %s", r.Status, r.Body)
	}
	u, err := cognito().AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: aws.String(stack.ApporteurPoolID), Username: aws.String(app.Email)})
	if err != nil || u.Enabled {
		t.Errorf("Cognito user after deactivation: enabled %v, err %v", u != nil && u.Enabled, err)
	}
	// cognito-local still lets a disabled user log in: the API must refuse.
	after, err := stack.Login(context.Background(), "apporteur", app.Email, apporteurPassword)
	tokens := map[string]string{"issued before": before}
	if err == nil {
		tokens["issued after"] = after
	}
	for name, tok := range tokens {
		for _, rt := range routes {
			if r := call(t, rt.method, rt.path, tok, body(rt.method)); r.Status != http.StatusForbidden {
				t.Errorf("token %s: %s %s = %d %s, want 403", name, rt.method, rt.path, r.Status, r.Body)
			}
		}
	}

	// Reactivation lets it in again.
	if r := call(t, "PATCH", "/apporteurs/"+app.ID, miaTok, map[string]any{"statut": "actif"}); r.Status != http.StatusOK ||
		!strings.Contains(string(r.Body), `"statut":"actif"`) {
		t.Fatalf("reactivate = %d %s", r.Status, r.Body)
	}
	if r := call(t, "GET", "/espace-apporteur/profil", before, nil); r.Status != http.StatusOK {
		t.Errorf("after reactivation = %d %s", r.Status, r.Body)
	}
}

func TestApporteursSeeOnlyTheirOwn(t *testing.T) {
	miaTok := newTenant(t, false).token
	_, tokA := newActiveApporteur(t, miaTok, "iso-a")
	_, tokB := newActiveApporteur(t, miaTok, "iso-b")
	otherMIA := newTenant(t, false).token
	_, tokC := newActiveApporteur(t, otherMIA, "iso-c")

	r := call(t, "POST", "/espace-apporteur/contacts", tokB, map[string]any{"nom": "Secret", "prenom": "B", "email": uniqEmail("secret-b")})
	wantStatus(t, r, http.StatusCreated)
	var cb struct{ ID string }
	r.JSON(t, &cb)
	if r := call(t, "POST", "/affaires", miaTok, map[string]any{"clientId": cb.ID, "produitId": "auto", "primeAnnuelleCentimes": 50000}); r.Status != http.StatusCreated {
		t.Fatalf("affaire for B = %d %s", r.Status, r.Body)
	}
	// C's contact must exist, or "A sees no Secret" below would hold vacuously.
	wantStatus(t, call(t, "POST", "/espace-apporteur/contacts", tokC, map[string]any{"nom": "Secret", "prenom": "C", "email": uniqEmail("secret-c")}),
		http.StatusCreated)
	waitStreams(t)

	for _, path := range []string{"/espace-apporteur/contacts", "/espace-apporteur/affaires", "/espace-apporteur/commissions"} {
		r := call(t, "GET", path, tokA, nil)
		if r.Status != http.StatusOK || strings.Contains(string(r.Body), "Secret") || strings.Contains(string(r.Body), cb.ID) {
			t.Errorf("A's %s = %d %s: shows another apporteur's data", path, r.Status, r.Body)
		}
	}
	if r := call(t, "GET", "/espace-apporteur/contacts", tokB, nil); !strings.Contains(string(r.Body), cb.ID) {
		t.Errorf("B does not see its own contact: %s", r.Body)
	}
	// The other MIA sees none of it either, nor can it read the apporteurs.
	if r := call(t, "GET", "/contacts/"+cb.ID, otherMIA, nil); r.Status != http.StatusNotFound {
		t.Errorf("other MIA GET contact = %d, want 404", r.Status)
	}
}

func TestInvitationReissueAndRedelivery(t *testing.T) {
	mia := newTenant(t, false)
	miaTok := mia.token
	email := uniqEmail("redelivery")
	r := call(t, "POST", "/apporteurs", miaTok, map[string]any{"nom": "Bernard", "email": email})
	wantStatus(t, r, http.StatusCreated)
	var app apporteurJSON
	r.JSON(t, &app)
	first := activationToken(t, email)

	// The MIA asks for a new email: the first link dies at once.
	if r := call(t, "POST", "/apporteurs/"+app.ID+"/invitation", miaTok, nil); r.Status != http.StatusAccepted {
		t.Fatalf("new invitation = %d %s", r.Status, r.Body)
	}
	second := activationToken(t, email)
	if second == first || len(emailsTo(t, email)) != 2 {
		t.Fatalf("want a second email with a new token (got %d emails)", len(emailsTo(t, email)))
	}
	if r := call(t, "POST", "/activation", "", map[string]string{"token": first, "motDePasse": apporteurPassword}); r.Status != http.StatusBadRequest {
		t.Errorf("old link = %d %s, want 400", r.Status, r.Body)
	}

	// The same stream record delivered twice more sends no email: replay the
	// INSERT and the MODIFY (new invitation) images through the consumer.
	ctx := context.Background()
	item := tableItem(t, mia.id, dynamo.ApporteurSK(crm.ApporteurID(app.ID)))
	insert := maps.Clone(item)
	insert["invitationN"] = &types.AttributeValueMemberN{Value: "1"}
	delete(insert, "invitationTraitee")
	delete(insert, "activationHash")
	modify := maps.Clone(item)
	delete(modify, "invitationTraitee")
	handler := consumers.Invitations(stack.Services.Consumers)
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{record(t, "1", "INSERT", insert), record(t, "2", "MODIFY", modify)}}
	for range 2 {
		resp, err := handler(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("replay: %+v %v", resp, err)
		}
	}
	if n := len(emailsTo(t, email)); n != 2 {
		t.Errorf("after replaying the records twice: %d emails, want still 2", n)
	}
	if r := call(t, "POST", "/activation", "", map[string]string{"token": second, "motDePasse": apporteurPassword}); r.Status != http.StatusOK {
		t.Errorf("current link after replays = %d %s", r.Status, r.Body)
	}
}

func TestAdminCreatesMIAAccount(t *testing.T) {
	staffTok := login(t, "mia", "staff@assentis.test", "Staff-Assentis-2026!")
	miaTok := newTenant(t, false).token
	email := uniqEmail("nouveau-mia")
	body := map[string]any{"nom": "Durand", "prenom": "Claire", "email": email, "cabinet": "Cabinet Durand"}
	if r := call(t, "POST", "/admin/mias", miaTok, body); r.Status != http.StatusForbidden {
		t.Errorf("POST /admin/mias by a MIA = %d, want 403", r.Status)
	}
	key := fmt.Sprintf("mia-%d", time.Now().UnixNano())
	first := call(t, "POST", "/admin/mias", staffTok, body, "Idempotency-Key", key)
	if first.Status != http.StatusCreated {
		t.Fatalf("POST /admin/mias = %d %s", first.Status, first.Body)
	}
	again := call(t, "POST", "/admin/mias", staffTok, body, "Idempotency-Key", key)
	if again.Status != http.StatusCreated || string(again.Body) != string(first.Body) {
		t.Errorf("replayed POST /admin/mias = %d %s, want the first answer %s", again.Status, again.Body, first.Body)
	}
	if r := call(t, "POST", "/admin/mias", staffTok, body); r.Status != http.StatusConflict {
		t.Errorf("same email without the key = %d, want 409", r.Status)
	}
	tok := activationToken(t, email)
	if n := len(emailsTo(t, email)); n != 1 {
		t.Errorf("%d activation emails, want 1", n)
	}
	r := call(t, "POST", "/activation", "", map[string]string{"token": tok, "motDePasse": "Claire-Durand-2026"})
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"pool":"mia"`) {
		t.Fatalf("MIA activation = %d %s", r.Status, r.Body)
	}
	tokMIA := login(t, "mia", email, "Claire-Durand-2026")
	if r := call(t, "GET", "/contacts", tokMIA, nil); r.Status != http.StatusOK {
		t.Errorf("new MIA GET /contacts = %d %s", r.Status, r.Body)
	}
}

// tableItem reads a MIA's item (consistently), failing the test when it is absent.
func tableItem(t *testing.T, m crm.MIAID, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := stack.Services.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(stack.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: dynamo.MIAPK(m)}, "SK": &types.AttributeValueMemberS{Value: sk}}})
	if err != nil || out.Item == nil {
		t.Fatalf("read %s %s: %v", m, sk, err)
	}
	return out.Item
}

// record is a stream record of the table as Lambda delivers it.
func record(t *testing.T, id, name string, image map[string]types.AttributeValue) events.DynamoDBEventRecord {
	t.Helper()
	img, err := ddbevent.FromSDKMap(image)
	if err != nil {
		t.Fatal(err)
	}
	return events.DynamoDBEventRecord{EventID: id, EventName: name, EventSource: ddbevent.EventSource,
		Change: events.DynamoDBStreamRecord{NewImage: img, SequenceNumber: id, StreamViewType: "NEW_AND_OLD_IMAGES",
			Keys: map[string]events.DynamoDBAttributeValue{"PK": img["PK"], "SK": img["SK"]}}}
}
