package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/accounts"
	"github.com/assentis/mycrm/internal/crm"
)

// fakeActivations is a hand-written activation store holding one token.
type fakeActivations struct {
	act              crm.Activation
	current, statut  string
	consumed, undone bool
	consumeErr       error
}

func (f *fakeActivations) GetActivation(_ context.Context, hash string) (crm.Activation, error) {
	if hash != f.act.Hash {
		return crm.Activation{}, crm.Errorf(crm.ENOTFOUND, "introuvable")
	}
	return f.act, nil
}

func (f *fakeActivations) FailActivation(context.Context, string) (int, error) {
	f.act.Echecs++
	return f.act.Echecs, nil
}

func (f *fakeActivations) ConsumeActivation(context.Context, crm.Activation) error {
	if f.consumeErr != nil {
		return f.consumeErr
	}
	if f.current != f.act.Hash || f.statut != "invitation_envoyee" { // the transaction's account condition
		return crm.ActivationError("used")
	}
	f.consumed = true
	return nil
}

func (f *fakeActivations) UndoActivation(context.Context, crm.Activation) error {
	f.undone = true
	return nil
}

type fakePool struct {
	err           error
	user, written string
	// found and findErr answer Find (a token without a recorded sub).
	found   string
	findErr error
}

func (p *fakePool) Find(context.Context, accounts.NewUser) (string, error) { return p.found, p.findErr }

func (p *fakePool) SetPassword(_ context.Context, user, pw string) error {
	if p.err != nil {
		return p.err
	}
	p.user, p.written = user, pw
	return nil
}

func TestActivate(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	token, hash, _ := crm.NewActivationToken()
	const good = "Motdepasse-2026"
	tests := []struct {
		name       string
		token, pw  string
		setup      func(*fakeActivations, *fakePool)
		wantStatus int
		wantText   string
		wantSet    bool
		wantEchecs int
		wantUndo   bool
	}{
		{name: "ok", token: token, pw: good, wantStatus: 200, wantText: `"pool":"apporteur"`, wantSet: true},
		{name: "malformed token", token: "abc", pw: good, wantStatus: 400, wantText: "pas valide"},
		{name: "unknown token", token: strings.Repeat("A", 43), pw: good, wantStatus: 400, wantText: "pas valide"},
		{name: "used", token: token, pw: good, setup: func(f *fakeActivations, _ *fakePool) { f.act.Used = true },
			wantStatus: 400, wantText: "déjà été utilisé"},
		{name: "expired", token: token, pw: good, setup: func(f *fakeActivations, _ *fakePool) { f.act.ExpireLe = now.Add(-time.Second) },
			wantStatus: 400, wantText: "expiré"},
		{name: "locked", token: token, pw: good, setup: func(f *fakeActivations, _ *fakePool) { f.act.Echecs = crm.ActivationMaxFailures },
			wantStatus: 400, wantText: "Trop d'essais", wantEchecs: crm.ActivationMaxFailures},
		{name: "replaced by a newer link", token: token, pw: good, setup: func(f *fakeActivations, _ *fakePool) { f.current = strings.Repeat("0", 64) },
			wantStatus: 400, wantText: "remplacé"},
		{name: "deactivated meanwhile", token: token, pw: good, setup: func(f *fakeActivations, _ *fakePool) { f.statut = "desactive" },
			wantStatus: 400, wantText: "déjà été utilisé"},
		{name: "weak password counts", token: token, pw: "court", wantStatus: 400, wantText: "Essais restants avec ce lien : 4", wantEchecs: 1},
		{name: "fifth failure locks", token: token, pw: "court", setup: func(f *fakeActivations, _ *fakePool) { f.act.Echecs = 4 },
			wantStatus: 400, wantText: "Trop d'essais", wantEchecs: 5},
		{name: "consumed concurrently", token: token, pw: good, setup: func(f *fakeActivations, _ *fakePool) { f.consumeErr = crm.ActivationError("used") },
			wantStatus: 400, wantText: "déjà été utilisé"},
		{name: "token without sub: its own account found by email", token: token, pw: good,
			setup:      func(f *fakeActivations, p *fakePool) { f.act.Sub, p.found = "", "sub-paul" },
			wantStatus: 200, wantSet: true},
		{name: "token without sub: the email is another account's", token: token, pw: good,
			setup: func(f *fakeActivations, p *fakePool) {
				f.act.Sub, p.findErr = "", &crm.Error{Code: crm.ECONFLICT, Message: "autre compte"}
			},
			wantStatus: 400, wantText: "pas valide"},
		{name: "cognito fails: undone", token: token, pw: good, setup: func(_ *fakeActivations, p *fakePool) { p.err = errors.New("cognito down") },
			wantStatus: 500, wantUndo: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &fakeActivations{act: crm.Activation{Hash: hash, Kind: crm.AccountApporteur, MIA: "M", Apporteur: "P",
				Email: "paul@exemple.fr", ExpireLe: now.Add(time.Hour), Sub: "sub-paul"}, current: hash, statut: "invitation_envoyee"}
			pool := &fakePool{}
			if tt.setup != nil {
				tt.setup(store, pool)
			}
			h := route(Deps{}, "POST /activation", Public, handleActivate(store,
				map[crm.AccountKind]passwordSetter{crm.AccountApporteur: pool}, func() time.Time { return now }))
			body, _ := json.Marshal(map[string]string{"token": tt.token, "motDePasse": tt.pw})
			req := httptest.NewRequest("POST", "/activation", strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantText) {
				t.Errorf("got %d %s, want %d containing %q", rec.Code, rec.Body, tt.wantStatus, tt.wantText)
			}
			if got := pool.written == tt.pw && pool.user == "sub-paul"; got != tt.wantSet {
				t.Errorf("password set = %v, want %v", got, tt.wantSet)
			}
			if store.act.Echecs != tt.wantEchecs {
				t.Errorf("failures = %d, want %d", store.act.Echecs, tt.wantEchecs)
			}
			if store.undone != tt.wantUndo {
				t.Errorf("undone = %v, want %v", store.undone, tt.wantUndo)
			}
			if strings.Contains(rec.Body.String(), tt.pw) && tt.pw != "" && rec.Code != 200 {
				t.Errorf("the answer echoes the password")
			}
		})
	}
}

// fakeEspace answers the espace reads; its actif check can refuse and be slow.
type fakeEspace struct {
	statut crm.ApporteurStatut
	delay  time.Duration
}

func (f fakeEspace) ActiveApporteur(ctx context.Context, who crm.Principal) (crm.Apporteur, error) {
	time.Sleep(f.delay)
	if f.statut != crm.ApporteurActif {
		return crm.Apporteur{}, crm.Errorf(crm.EFORBIDDEN, "désactivé")
	}
	return crm.Apporteur{ID: who.Apporteur, Statut: f.statut}, nil
}

func (f fakeEspace) ApporteurAffaires(ctx context.Context, m crm.MIAID, p crm.ApporteurID) ([]crm.AffaireView, error) {
	vingt := 20
	return []crm.AffaireView{
		{Affaire: crm.Affaire{ID: "A1", ClientNom: "Jean Dupont", Statut: crm.AffaireEnCours, PrimeAnnuelleCentimes: 123457,
			TauxCommissionMIA: 10, TauxCommissionApporteur: &vingt, Remarques: "marge secrète"},
			Historique: []crm.Historique{
				{Evenement: "creation", Statut: crm.AffaireEnCours},
				{Evenement: "mise_a_jour", Statut: crm.AffaireEnCours, Changements: []crm.Changement{{Champ: "primeAnnuelleCentimes", Avant: "1", Apres: "123457"}}},
				{Evenement: "mise_a_jour", Statut: crm.AffaireEnCours, Changements: []crm.Changement{{Champ: "tauxCommissionApporteur", Apres: "20"},
					{Champ: "tauxCommissionMIA", Avant: "8", Apres: "10"}}},
			}},
		{Affaire: crm.Affaire{ID: "A2", Statut: crm.AffaireSignee, PrimeAnnuelleCentimes: 100000, TauxCommissionMIA: 10, TauxCommissionApporteur: &vingt}},
		{Affaire: crm.Affaire{ID: "A3", Statut: crm.AffairePerdue, PrimeAnnuelleCentimes: 100000, TauxCommissionMIA: 10, TauxCommissionApporteur: &vingt}},
	}, nil
}

func apporteurClaims() map[string]string {
	return map[string]string{"iss": apporteurIss, "sub": "s", "token_use": "id", "custom:mia_id": "M", "custom:apporteur_id": "P"}
}

func TestEspace(t *testing.T) {
	d := testDeps
	t.Run("commissions and what the apporteur never sees", func(t *testing.T) {
		resp := call(t, route(d, "GET /espace-apporteur/commissions", Apporteur, handleEspaceCommissions(fakeEspace{statut: crm.ApporteurActif})),
			"GET", "/espace-apporteur/commissions", "", nil, apporteurClaims())
		var got commissionsResponse
		if err := json.Unmarshal([]byte(resp.Body), &got); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		// 123457 × 10 % = 12345.7 → 12346; × 20 % = 2469.2 → 2469. 100000 → 10000 → 2000.
		want := crm.CommissionTotaux{EnCoursCentimes: 2469, SigneeCentimes: 2000, TotalCentimes: 4469}
		if got.Totaux != want || len(got.Items) != 3 || got.Items[0].CommissionPrevisionnelleCentimes != 2469 {
			t.Errorf("commissions = %+v, want totals %+v", got, want)
		}

		resp = call(t, route(d, "GET /espace-apporteur/affaires", Apporteur, handleListEspaceAffaires(fakeEspace{statut: crm.ApporteurActif})),
			"GET", "/espace-apporteur/affaires", "", nil, apporteurClaims())
		for _, secret := range []string{"marge", "primeAnnuelle", "tauxCommissionMIA", "commissionMIA", "123457"} {
			if strings.Contains(resp.Body, secret) {
				t.Errorf("espace affaires shows %q: %s", secret, resp.Body)
			}
		}
		var page crm.Page[espaceAffaire]
		_ = json.Unmarshal([]byte(resp.Body), &page)
		if len(page.Items) != 3 || len(page.Items[0].Historique) != 2 || len(page.Items[0].Historique[1].Changements) != 1 {
			t.Errorf("historique shown = %+v", page.Items)
		}
	})
	t.Run("a deactivated apporteur gets 403 and no data, however slow the check", func(t *testing.T) {
		resp := call(t, route(d, "GET /espace-apporteur/affaires", Apporteur, handleListEspaceAffaires(fakeEspace{statut: crm.ApporteurDesactive, delay: 20 * time.Millisecond})),
			"GET", "/espace-apporteur/affaires", "", nil, apporteurClaims())
		if resp.StatusCode != http.StatusForbidden || strings.Contains(resp.Body, "Jean") {
			t.Errorf("got %d %s, want 403 without data", resp.StatusCode, resp.Body)
		}
	})
}

// fakeEspaceContacts records the answer as the store does, from the
// crm.Contact it wrote, and replays it to the next create with the same key.
type fakeEspaceContacts struct {
	stored []byte
	got    crm.Contact // what the handler asked to store
}

func (f *fakeEspaceContacts) CreateContactByApporteur(_ context.Context, who crm.Principal, c crm.Contact, idem *crm.Idempotency) (crm.Contact, *crm.Replay, error) {
	if f.stored != nil {
		return crm.Contact{}, &crm.Replay{Answer: f.stored}, nil
	}
	f.got = c
	c.ID, c.ApporteurID, c.Version, c.Remarques = "01HCONTACT00000000000000AB", who.Apporteur, 1, "note privée du MIA"
	if idem != nil {
		var err error
		if f.stored, err = idem.Answer(c); err != nil {
			return crm.Contact{}, nil, err
		}
	}
	return c, nil, nil
}

// TestEspaceContactReplayIsTheApporteurView: the answer recorded for a
// replay is the apporteur's view: a replay sends the same bytes as the first
// answer.
func TestEspaceContactReplayIsTheApporteurView(t *testing.T) {
	f := &fakeEspaceContacts{}
	h := route(testDeps, "POST /espace-apporteur/contacts", Apporteur, handleCreateEspaceContact(f))
	hdr := map[string]string{"content-type": "application/json", "idempotency-key": "k"}
	first := call(t, h, "POST", "/espace-apporteur/contacts", `{"nom":"Dupont","email":"a@b.fr"}`, hdr, apporteurClaims())
	again := call(t, h, "POST", "/espace-apporteur/contacts", `{"nom":"Dupont","email":"a@b.fr"}`, hdr, apporteurClaims())
	if first.StatusCode != 201 || strings.Contains(first.Body, "privée") {
		t.Errorf("first answer %d %s, want 201 without the MIA's note", first.StatusCode, first.Body)
	}
	if again.StatusCode != 201 || again.Body != first.Body || again.Headers["Idempotent-Replayed"] != "true" {
		t.Errorf("replay %d %s, want the first answer %s", again.StatusCode, again.Body, first.Body)
	}
}

// TestEspaceContactNote: the apporteur's note reaches the store and comes back
// in its view; the MIA's remarques are neither writable nor shown.
func TestEspaceContactNote(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantNote   string
	}{
		{"note on two lines", `{"nom":"Dupont","email":"a@b.fr","noteApporteur":"Rappeler après 18 h.\nPas le lundi."}`, 201, "Rappeler après 18 h.\nPas le lundi."},
		{"no note", `{"nom":"Dupont","email":"a@b.fr"}`, 201, ""},
		{"the MIA's remarques", `{"nom":"Dupont","email":"a@b.fr","remarques":"x"}`, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeEspaceContacts{}
			resp := call(t, route(testDeps, "POST /espace-apporteur/contacts", Apporteur, handleCreateEspaceContact(f)),
				"POST", "/espace-apporteur/contacts", tt.body, map[string]string{"content-type": "application/json"}, apporteurClaims())
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("got %d %s, want %d", resp.StatusCode, resp.Body, tt.wantStatus)
			}
			if tt.wantStatus != 201 {
				return
			}
			var got espaceContact
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
				t.Fatal(err)
			}
			if got.NoteApporteur != tt.wantNote {
				t.Errorf("note shown = %q, want %q", got.NoteApporteur, tt.wantNote)
			}
			if f.got.NoteApporteur != tt.wantNote {
				t.Errorf("note stored = %q, want %q", f.got.NoteApporteur, tt.wantNote)
			}
			if strings.Contains(resp.Body, "privée") || strings.Contains(resp.Body, `"remarques"`) {
				t.Errorf("the apporteur's view shows the MIA's remarques: %s", resp.Body)
			}
		})
	}
}
