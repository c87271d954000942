package dynamo

import (
	"context"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/oklog/ulid/v2"
)

// A client's affaires follow its apporteur (issue 9 item 1): the store's
// half, as the client-nom handler calls it with each client version.
func TestAttributeClientAffaires(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	if err := s.PutProduits(ctx, crm.Catalogue()); err != nil {
		t.Fatal(err)
	}
	p, q := putApporteur(t, m), putApporteur(t, m)
	c := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Suivi", Email: uniqueEmail("suivi"), ApporteurID: p}, nil)))
	aff := must[crm.Affaire](t)(created(s.CreateAffaire(ctx, m, crm.NewAffaire{ClientID: string(c.ID), ProduitID: "auto",
		PrimeAnnuelleCentimes: 80000, TauxCommissionApporteur: ptr(20)}, nil)))
	ofApporteur := func(a crm.ApporteurID) []crm.AffaireID {
		var ids []crm.AffaireID
		for _, v := range must[crm.Page[crm.Affaire]](t)(s.ListAffaires(ctx, m, crm.AffaireFilter{ApporteurID: a})).Items {
			ids = append(ids, v.ID)
		}
		return ids
	}
	get := func(id crm.AffaireID) crm.Affaire { return must[crm.AffaireView](t)(s.GetAffaire(ctx, m, id)).Affaire }

	// The contact moves from p to q (its version 2): the affaire follows, its
	// rate is cleared, and that is an edit of the affaire.
	must[crm.Contact](t)(s.UpdateContact(ctx, m, c.ID, crm.ContactPatch{ApporteurID: ptr(q)}, nil))
	if err := s.AttributeClientAffaires(ctx, m, string(c.ID), q, 2); err != nil {
		t.Fatal(err)
	}
	got := get(aff.ID)
	if got.ApporteurID != q || got.TauxCommissionApporteur != nil || got.Version != 2 || !got.UpdatedAt.After(aff.UpdatedAt) {
		t.Errorf("after the move: apporteur %q, taux %v, version %d; want %q, none, 2", got.ApporteurID, got.TauxCommissionApporteur, got.Version, q)
	}
	if ids := ofApporteur(p); len(ids) != 0 {
		t.Errorf("affaires of the previous apporteur = %v, want none", ids)
	}
	if ids := ofApporteur(q); len(ids) != 1 || ids[0] != aff.ID {
		t.Errorf("affaires of the new apporteur = %v, want [%s]", ids, aff.ID)
	}
	// An affaire created after the move took q and client version 2 with it.
	later := must[crm.Affaire](t)(created(s.CreateAffaire(ctx, m, crm.NewAffaire{ClientID: string(c.ID), ProduitID: "auto"}, nil)))

	// Redelivered records change nothing: the same one, and an older one
	// (version 1, with p) that would move the affaires back.
	for _, r := range []struct {
		p       crm.ApporteurID
		version int
	}{{q, 2}, {p, 1}} {
		if err := s.AttributeClientAffaires(ctx, m, string(c.ID), r.p, r.version); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []crm.Affaire{got, later} {
		if a := get(want.ID); a.ApporteurID != q || a.Version != want.Version {
			t.Errorf("affaire %s after redelivered records: apporteur %q version %d, want %q version %d",
				want.ID, a.ApporteurID, a.Version, q, want.Version)
		}
	}

	// The apporteur is removed (version 3): no apporteur, no collection, and
	// a rate is refused again.
	if err := s.AttributeClientAffaires(ctx, m, string(c.ID), "", 3); err != nil {
		t.Fatal(err)
	}
	if a := get(aff.ID); a.ApporteurID != "" {
		t.Errorf("after removal: apporteur %q, want none", a.ApporteurID)
	}
	if ids := ofApporteur(q); len(ids) != 0 {
		t.Errorf("affaires of the removed apporteur = %v, want none", ids)
	}
	wantCode(t, ignore(s.UpdateAffaire(ctx, m, aff.ID, crm.AffairePatch{TauxCommissionApporteur: ptr(15)}, nil)), crm.EUNPROCESSABLE)

	// A client that gains an apporteur after its affaire exists: the rate can now be set.
	sans := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Sans", Email: uniqueEmail("sans")}, nil)))
	nu := must[crm.Affaire](t)(created(s.CreateAffaire(ctx, m, crm.NewAffaire{ClientID: string(sans.ID), ProduitID: "auto"}, nil)))
	if err := s.AttributeClientAffaires(ctx, m, string(sans.ID), p, 2); err != nil {
		t.Fatal(err)
	}
	if a := must[crm.Affaire](t)(s.UpdateAffaire(ctx, m, nu.ID, crm.AffairePatch{TauxCommissionApporteur: ptr(25)}, nil)); a.ApporteurID != p || *a.TauxCommissionApporteur != 25 {
		t.Errorf("gained apporteur: %q taux %v, want %q 25", a.ApporteurID, a.TauxCommissionApporteur, p)
	}
}

// The historique of an affaire moves with it to its new apporteur; entries
// of a later version keep their own apporteur.
func TestRehomeHistorique(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	if err := s.PutProduits(ctx, crm.Catalogue()); err != nil {
		t.Fatal(err)
	}
	p, q := putApporteur(t, m), putApporteur(t, m)
	c := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Histo", Email: uniqueEmail("histo"), ApporteurID: p}, nil)))
	aff := must[crm.Affaire](t)(created(s.CreateAffaire(ctx, m, crm.NewAffaire{ClientID: string(c.ID), ProduitID: "auto"}, nil)))
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for _, h := range []struct {
		version int
		p       crm.ApporteurID
	}{{1, p}, {2, p}, {4, p}} { // 4: a later version, written before the move's record arrives
		if err := s.PutHistorique(ctx, m, crm.Historique{AffaireID: aff.ID, At: at.Add(time.Duration(h.version) * time.Minute),
			Seq: h.version, Evenement: "mise_a_jour", Statut: crm.AffaireEnCours, Version: h.version}, h.p); err != nil {
			t.Fatal(err)
		}
	}
	must[crm.Contact](t)(s.UpdateContact(ctx, m, c.ID, crm.ContactPatch{ApporteurID: ptr(q)}, nil))
	if err := s.AttributeClientAffaires(ctx, m, string(c.ID), q, 2); err != nil {
		t.Fatal(err)
	}
	for range 2 { // idempotent
		if err := s.RehomeHistorique(ctx, m, aff.ID, q, 3); err != nil {
			t.Fatal(err)
		}
	}
	versions := func(a crm.ApporteurID) []int {
		var out []int
		for _, v := range must[[]crm.AffaireView](t)(s.ApporteurAffaires(ctx, m, a)) {
			for _, h := range v.Historique {
				out = append(out, h.Version)
			}
		}
		return out
	}
	if got := versions(q); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("historique read by the new apporteur: versions %v, want [1 2]", got)
	}
	if got := versions(p); len(got) != 0 {
		t.Errorf("historique read by the previous apporteur: versions %v, want none", got)
	}
	// The MIA still reads the whole historique, wherever the entries are attributed.
	if h := must[crm.AffaireView](t)(s.GetAffaire(ctx, m, aff.ID)).Historique; len(h) != 3 {
		t.Errorf("MIA's historique: %d entries, want 3", len(h))
	}
}

// Commission totals when an affaire changes apporteur: the previous one's
// entry is tombstoned at the moving version, so a replayed older record
// neither re-adds the affaire nor removes a newer entry.
func TestCommissionFollowsTheAffaire(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	p := newApporteur(t, s, m, uniqueEmail("com-p")).ID
	q := newApporteur(t, s, m, uniqueEmail("com-q")).ID
	id := crm.AffaireID(ulid.Make().String())
	aff := func(version int, a crm.ApporteurID) crm.Affaire {
		return crm.Affaire{ID: id, Statut: crm.AffaireEnCours, PrimeAnnuelleCentimes: 100000,
			TauxCommissionMIA: 10, ApporteurID: a, TauxCommissionApporteur: ptr(20), Version: version}
	}
	total := func(a crm.ApporteurID) int64 {
		return must[crm.Apporteur](t)(s.GetApporteur(ctx, m, a)).Commissions.TotalCentimes
	}
	steps := []struct {
		name         string
		do           func() error
		wantP, wantQ int64
	}{
		{"v1 with p", func() error { return s.SetApporteurCommission(ctx, m, p, aff(1, p)) }, 2000, 0},
		{"v2 moves to q: p removed", func() error { return s.RemoveApporteurCommission(ctx, m, p, aff(2, q).ID, 2) }, 0, 0},
		{"v2 moves to q: q set", func() error { return s.SetApporteurCommission(ctx, m, q, aff(2, q)) }, 0, 2000},
		{"v3 back to p: q removed", func() error { return s.RemoveApporteurCommission(ctx, m, q, aff(3, p).ID, 3) }, 0, 0},
		{"v3 back to p: p set", func() error { return s.SetApporteurCommission(ctx, m, p, aff(3, p)) }, 2000, 0},
		// Replays of the v2 record and of the v1 record: nothing changes.
		{"replayed v2: p removed", func() error { return s.RemoveApporteurCommission(ctx, m, p, aff(2, q).ID, 2) }, 2000, 0},
		{"replayed v2: q set", func() error { return s.SetApporteurCommission(ctx, m, q, aff(2, q)) }, 2000, 0},
		{"replayed v1", func() error { return s.SetApporteurCommission(ctx, m, p, aff(1, p)) }, 2000, 0},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if gotP, gotQ := total(p), total(q); gotP != st.wantP || gotQ != st.wantQ {
			t.Errorf("%s: totals p %d, q %d; want %d, %d", st.name, gotP, gotQ, st.wantP, st.wantQ)
		}
	}
}

// An affaire created while its client moves to another apporteur (between
// the create's read and its transaction) does not keep the previous one:
// the transaction checks the client's version and the create reads again.
func TestCreateAffaireWhileTheClientMoves(t *testing.T) {
	ctx := context.Background()
	s, m := newStore(t)
	if err := s.PutProduits(ctx, crm.Catalogue()); err != nil {
		t.Fatal(err)
	}
	p, q := putApporteur(t, m), putApporteur(t, m)
	c := must[crm.Contact](t)(created(s.CreateContact(ctx, m, crm.Contact{Nom: "Course", Email: uniqueEmail("course"), ApporteurID: p}, nil)))
	inner, moved := s.db, false
	s.db = batchGetHook{api: inner, batchGet: func(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
		out, err := inner.BatchGetItem(ctx, in, o...)
		if !moved { // the MIA moves the client just after the first read
			moved = true
			must[crm.Contact](t)(s.UpdateContact(ctx, m, c.ID, crm.ContactPatch{ApporteurID: ptr(q)}, nil))
		}
		return out, err
	}}
	a := must[crm.Affaire](t)(created(s.CreateAffaire(ctx, m, crm.NewAffaire{ClientID: string(c.ID), ProduitID: "auto"}, nil)))
	if a.ApporteurID != q {
		t.Errorf("affaire created during the move: apporteur %q, want the new one %q", a.ApporteurID, q)
	}
}

// batchGetHook is the store's DynamoDB client with BatchGetItem replaced.
type batchGetHook struct {
	api
	batchGet func(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

func (h batchGetHook) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return h.batchGet(ctx, in, o...)
}
