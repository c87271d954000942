package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Daily work: tâches, notes, the timeline, the dashboard, and the date
// indexes of the digest and the relances.

type cibleRec struct {
	Type        string `dynamodbav:"type"`
	ID          string `dynamodbav:"id"`
	Nom         string `dynamodbav:"nom"`
	ClientID    string `dynamodbav:"clientId"`
	ApporteurID string `dynamodbav:"apporteurId,omitempty"`
}

func toCibleRec(c *crm.Cible) *cibleRec {
	if c == nil {
		return nil
	}
	return &cibleRec{Type: string(c.Type), ID: c.ID, Nom: c.Nom, ClientID: c.ClientID, ApporteurID: string(c.ApporteurID)}
}

func (c *cibleRec) cible() *crm.Cible {
	if c == nil {
		return nil
	}
	return &crm.Cible{Type: crm.CibleType(c.Type), ID: c.ID, Nom: c.Nom, ClientID: c.ClientID, ApporteurID: crm.ApporteurID(c.ApporteurID)}
}

type tacheItem struct {
	keys
	meta
	Titre       string    `dynamodbav:"titre"`
	Echeance    string    `dynamodbav:"echeance"`
	Heure       string    `dynamodbav:"heure,omitempty"`
	Cible       *cibleRec `dynamodbav:"cible,omitempty"`
	ApporteurID string    `dynamodbav:"apporteurId,omitempty"`
	Statut      string    `dynamodbav:"statut"`
	Relance     string    `dynamodbav:"relance,omitempty"`
	FaiteLe     string    `dynamodbav:"faiteLe,omitempty"`
	// ClientID is the client the tâche is about ("" for none): the
	// retention clock of a client restarts on a tâche about it done.
	ClientID string `dynamodbav:"clientId,omitempty"`
}

func toTacheItem(m crm.MIAID, t crm.Tache) tacheItem {
	it := tacheItem{
		keys:  keys{PK: MIAPK(m), SK: TacheSK(t.ID), GSI2PK: TacheStatutList(m, t.Statut), Type: typeTache},
		meta:  toMeta(string(t.ID), t.CreatedAt, t.UpdatedAt, t.Version),
		Titre: t.Titre, Echeance: t.Echeance, Heure: t.Heure, Cible: toCibleRec(t.Cible),
		ApporteurID: string(t.ApporteurID), Statut: string(t.Statut), Relance: t.Relance,
	}
	switch {
	case t.Open():
		it.GSI2SK = TacheOpenSK(t)
	case t.FaiteLe != nil:
		it.GSI2SK = fmtTime(*t.FaiteLe) + "#" + string(t.ID)
		it.FaiteLe = fmtTime(*t.FaiteLe)
	default:
		it.GSI2SK = fmtTime(t.UpdatedAt) + "#" + string(t.ID)
	}
	if t.Cible != nil {
		it.GSI1PK, it.GSI1SK = CibleCollection(m, t.Cible.ID), t.Echeance+"#"+string(t.ID)
		it.ClientID = t.Cible.ClientID
	}
	if t.ApporteurID != "" {
		it.GSI3PK, it.GSI3SK = ApporteurCollection(m, t.ApporteurID), ApporteurTacheSK(t)
	}
	return it
}

func (it tacheItem) tache() crm.Tache {
	t := crm.Tache{ID: crm.TacheID(it.ID), Titre: it.Titre, Echeance: it.Echeance, Heure: it.Heure,
		Cible: it.Cible.cible(), ApporteurID: crm.ApporteurID(it.ApporteurID), Statut: crm.TacheStatut(it.Statut),
		Relance: it.Relance, CreatedAt: parseTime(it.CreatedAt), UpdatedAt: parseTime(it.UpdatedAt), Version: it.Version}
	if it.FaiteLe != "" {
		f := parseTime(it.FaiteLe)
		t.FaiteLe = &f
	}
	return t
}

type noteVersionRec struct {
	Texte string `dynamodbav:"texte"`
	At    string `dynamodbav:"at"`
}

type noteItem struct {
	keys
	meta
	Cible       cibleRec         `dynamodbav:"cible"`
	Texte       string           `dynamodbav:"texte"`
	Partagee    bool             `dynamodbav:"partagee"`
	Auteur      string           `dynamodbav:"auteur"`
	ApporteurID string           `dynamodbav:"apporteurId,omitempty"`
	Versions    []noteVersionRec `dynamodbav:"versions,omitempty"`
	// ClientID: see tacheItem (a note is a contact with the client).
	ClientID string `dynamodbav:"clientId"`
}

func toNoteItem(m crm.MIAID, n crm.Note) noteItem {
	it := noteItem{
		keys:  keys{PK: MIAPK(m), SK: NoteSK(n.ID), Type: typeNote},
		meta:  toMeta(string(n.ID), n.CreatedAt, n.UpdatedAt, n.Version),
		Cible: *toCibleRec(&n.Cible), Texte: n.Texte, Partagee: n.Partagee, Auteur: n.Auteur,
		ApporteurID: string(n.ApporteurID), Versions: []noteVersionRec{}, ClientID: n.Cible.ClientID,
	}
	for _, v := range n.Versions {
		it.Versions = append(it.Versions, noteVersionRec{Texte: v.Texte, At: fmtTime(v.At)})
	}
	// Only a shared note enters its apporteur's collection: a private one
	// has no key any apporteur route reads.
	if n.VisibleTo(n.ApporteurID) {
		it.GSI3PK, it.GSI3SK = ApporteurCollection(m, n.ApporteurID), ApporteurNoteSK(n.Cible.ClientID, n.ID)
	}
	return it
}

func (it noteItem) note() crm.Note {
	n := crm.Note{ID: crm.NoteID(it.ID), Cible: *it.Cible.cible(), Texte: it.Texte, Partagee: it.Partagee,
		Auteur: it.Auteur, ApporteurID: crm.ApporteurID(it.ApporteurID), Versions: []crm.NoteVersion{},
		CreatedAt: parseTime(it.CreatedAt), UpdatedAt: parseTime(it.UpdatedAt), Version: it.Version}
	for _, v := range it.Versions {
		n.Versions = append(n.Versions, crm.NoteVersion{Texte: v.Texte, At: parseTime(v.At)})
	}
	return n
}

func decodeTache(img map[string]types.AttributeValue) (crm.Image, error) {
	var it tacheItem
	if err := attributevalue.UnmarshalMap(img, &it); err != nil {
		return crm.Image{}, err
	}
	t := it.tache()
	return crm.Image{Kind: crm.KindTache, MIA: miaOf(it.PK), Tache: &t}, nil
}

func decodeNote(img map[string]types.AttributeValue) (crm.Image, error) {
	var it noteItem
	if err := attributevalue.UnmarshalMap(img, &it); err != nil {
		return crm.Image{}, err
	}
	n := it.note()
	return crm.Image{Kind: crm.KindNote, MIA: miaOf(it.PK), Note: &n}, nil
}

// Cible reads the record a tâche or note is about (one GetItem): its name,
// its client and its apporteur. ENOTFOUND-free: an unknown record, or an
// erased contact, is a 422 on field cibleId.
func (s *Store) Cible(ctx context.Context, m crm.MIAID, t crm.CibleType, id string) (crm.Cible, error) {
	unknown := &crm.Error{Code: crm.EUNPROCESSABLE, Message: "Fiche introuvable.",
		Fields: []crm.FieldError{{Champ: "cibleId", Message: "Aucune fiche de ce type ne porte cet identifiant."}}}
	var sk string
	switch t {
	case crm.CibleContact:
		sk = ContactSK(crm.ContactID(id))
	case crm.CibleEntreprise:
		sk = EntrepriseSK(crm.EntrepriseID(id))
	case crm.CibleAffaire:
		sk = AffaireSK(crm.AffaireID(id))
	default:
		return crm.Cible{}, unknown
	}
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: s.key(MIAPK(m), sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return crm.Cible{}, internal("read cible", err)
	}
	if res.Item == nil {
		return crm.Cible{}, unknown
	}
	c := crm.Cible{Type: t, ID: id, ClientID: id}
	switch t {
	case crm.CibleContact:
		var it contactItem
		if err := attributevalue.UnmarshalMap(res.Item, &it); err != nil {
			return crm.Cible{}, internal("decode cible", err)
		}
		ct := it.contact()
		if ct.Efface { // what the erasure took away must not come back in a tâche or a note
			return crm.Cible{}, unprocessable("cibleId", "Ce contact a été effacé (RGPD) : il ne peut plus recevoir de tâche ni de note.")(nil)
		}
		c.Nom, c.ApporteurID = ct.DisplayName(), ct.ApporteurID
	case crm.CibleEntreprise:
		var it entrepriseItem
		if err := attributevalue.UnmarshalMap(res.Item, &it); err != nil {
			return crm.Cible{}, internal("decode cible", err)
		}
		c.Nom, c.ApporteurID = it.RaisonSociale, crm.ApporteurID(it.ApporteurID)
	case crm.CibleAffaire:
		var it affaireItem
		if err := attributevalue.UnmarshalMap(res.Item, &it); err != nil {
			return crm.Cible{}, internal("decode cible", err)
		}
		c.Nom, c.ClientID, c.ApporteurID = it.ClientNom+" – "+it.ProduitNom, it.ClientID, crm.ApporteurID(it.ApporteurID)
	}
	return c, nil
}

// CreateTache writes a new tâche: (GetItem of its record) + one
// TransactWriteItems (tâche Put, ConditionCheck of the apporteur it is
// assigned to, idempotency record).
func (s *Store) CreateTache(ctx context.Context, m crm.MIAID, n crm.NewTache, idem *crm.Idempotency) (crm.Tache, *crm.Replay, error) {
	return replayOutcome(s.createTache(ctx, m, n, idem))
}

func (s *Store) createTache(ctx context.Context, m crm.MIAID, n crm.NewTache, idem *crm.Idempotency) (crm.Tache, error) {
	if errs := n.Validate(); errs != nil {
		return crm.Tache{}, crm.Invalid(errs...)
	}
	if err := s.replayed(ctx, m, idem); err != nil {
		return crm.Tache{}, err
	}
	now := s.Now()
	t := crm.Tache{ID: crm.TacheID(s.NewID()), Titre: n.Titre, Echeance: n.Echeance, Heure: n.Heure,
		ApporteurID: n.ApporteurID, Statut: crm.TacheAFaire, CreatedAt: now, UpdatedAt: now, Version: 1}
	if n.CibleID != "" {
		c, err := s.Cible(ctx, m, n.CibleType, n.CibleID)
		if err != nil {
			return crm.Tache{}, err
		}
		t.Cible = &c
	}
	var acts actions
	if idem != nil {
		it, err := s.idempotenceAction(m, idem, t)
		acts.add(it.item, err)
		acts.onFail(it.fail)
	}
	acts.add(s.putAction(toTacheItem(m, t), notExists()))
	if t.ApporteurID != "" {
		acts.add(s.checkAction(MIAPK(m), ApporteurSK(t.ApporteurID), exists()))
		acts.onFail(unprocessable("apporteurId", "Cet apporteur n'existe pas."))
	}
	if err := s.run(ctx, "create tache", &acts); err != nil {
		return crm.Tache{}, err
	}
	return t, nil
}

// PutRelance writes a tâche created by an event, once: its id derives from
// the event, and the Put is conditioned on its absence (a redelivered
// record, or a relance the MIA dismissed, writes nothing).
//
// A relance about a contact is written only while the contact exists and
// is not erased: a record of it delivered late or replayed after its
// removal or erasure creates no "Appeler <nom>".
func (s *Store) PutRelance(ctx context.Context, m crm.MIAID, t crm.Tache) error {
	if t.Cible == nil || t.Cible.Type != crm.CibleContact {
		err := s.putNew(ctx, toTacheItem(m, t))
		if crm.ErrorCode(err) == crm.ECONFLICT {
			return nil
		}
		return err
	}
	var a actions
	a.add(s.putAction(toTacheItem(m, t), notExists()))
	a.onFail(skip)
	a.add(s.checkAction(MIAPK(m), ContactSK(crm.ContactID(t.Cible.ID)), exists().And(notErased())))
	a.onFail(skip)
	return skipped(s.run(ctx, "put relance", &a))
}

// DropRelance deletes a relance the stream created for a record since
// removed, if nobody touched it (still at version 1 and open).
func (s *Store) DropRelance(ctx context.Context, m crm.MIAID, id crm.TacheID) error {
	e, err := build(expression.Name(attrVersion).Equal(expression.Value(1)).
		And(expression.Name("statut").Equal(expression.Value(string(crm.TacheAFaire)))))
	if err != nil {
		return internal("drop relance", err)
	}
	_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: s.key(MIAPK(m), TacheSK(id)),
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
	if err != nil && !isConditionFailed(err) {
		return internal("drop relance", err)
	}
	return nil
}

// SettleRelance rewrites relance id as step makes it from the stored
// tâche: GetItem, then a Put conditioned on the version read (read again
// when a concurrent write, the MIA's PATCH, won). An absent relance (never
// made, or deleted with its erased apporteur) or a step that makes nothing
// writes nothing. The tâche's stream record then moves the dashboard, the
// agenda and the lists as a PATCH /taches would.
func (s *Store) SettleRelance(ctx context.Context, m crm.MIAID, id crm.TacheID, step func(crm.Tache) (crm.Tache, bool)) error {
	for attempt := 0; attempt < 5; attempt++ {
		t, err := s.GetTache(ctx, m, id)
		if crm.ErrorCode(err) == crm.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		next, ok := step(t)
		if !ok {
			return nil
		}
		av, err := attributevalue.MarshalMap(toTacheItem(m, next))
		if err != nil {
			return internal("settle relance", err)
		}
		e, err := build(exists().And(expression.Name(attrVersion).Equal(expression.Value(t.Version))))
		if err != nil {
			return internal("settle relance", err)
		}
		_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av, ConditionExpression: e.Condition(),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
		if !isConditionFailed(err) {
			if err != nil {
				return internal("settle relance", err)
			}
			return nil
		}
	}
	return internal("settle relance", errors.New("contended"))
}

// errSkip is a stream handler's write whose condition says it has nothing
// to write (a newer line, a source gone, an erased contact).
var errSkip = errors.New("nothing to write")

func skip(map[string]types.AttributeValue) error { return errSkip }

func skipped(err error) error {
	if errors.Is(err, errSkip) {
		return nil
	}
	return err
}

// notErased holds on a contact item not erased (and on an absent item).
func notErased() expression.ConditionBuilder {
	return expression.AttributeNotExists(expression.Name("efface")).Or(expression.Name("efface").Equal(expression.Value(false)))
}

// provenanceChecks are the ConditionChecks of a derived line's provenance.
func (s *Store) provenanceChecks(a *actions, m crm.MIAID, p crm.Provenance) {
	if p.Tache != "" {
		a.add(s.checkAction(MIAPK(m), TacheSK(p.Tache), exists()))
		a.onFail(skip)
	}
	if p.Note != "" {
		a.add(s.checkAction(MIAPK(m), NoteSK(p.Note), exists()))
		a.onFail(skip)
	}
	if p.Client != "" {
		a.add(s.checkAction(MIAPK(m), ContactSK(crm.ContactID(p.Client)), notErased()))
		a.onFail(func(map[string]types.AttributeValue) error { return crm.ErrContactErased })
	}
}

// GetTache reads a tâche (strongly consistent).
func (s *Store) GetTache(ctx context.Context, m crm.MIAID, id crm.TacheID) (crm.Tache, error) {
	if !crm.IsULID(string(id)) {
		return crm.Tache{}, crm.Errorf(crm.ENOTFOUND, "Tâche introuvable.")
	}
	var it tacheItem
	if err := s.getItem(ctx, MIAPK(m), TacheSK(id), &it, "Tâche"); err != nil {
		return crm.Tache{}, err
	}
	return it.tache(), nil
}

// UpdateTache edits a tâche: GetItem, then a Put conditioned on the
// version read (and If-Match). who, when set, is the apporteur doing it:
// it may only change the statut of a tâche assigned to it.
func (s *Store) UpdateTache(ctx context.Context, m crm.MIAID, id crm.TacheID, p crm.TachePatch, ifMatch *int, who crm.ApporteurID) (crm.Tache, error) {
	if errs := p.Validate(); errs != nil {
		return crm.Tache{}, crm.Invalid(errs...)
	}
	t, err := s.GetTache(ctx, m, id)
	if err != nil {
		return crm.Tache{}, err
	}
	if who != "" {
		if t.ApporteurID != who {
			return crm.Tache{}, crm.Errorf(crm.ENOTFOUND, "Tâche introuvable.")
		}
		if p.Titre != nil || p.Echeance != nil || p.Heure != nil || p.ApporteurID != nil {
			return crm.Tache{}, crm.Errorf(crm.EFORBIDDEN, "Vous pouvez seulement marquer cette tâche faite ou à faire.")
		}
	}
	if ifMatch != nil && *ifMatch != t.Version {
		return crm.Tache{}, crm.Errorf(crm.EPRECONDITION, "La tâche a été modifiée depuis votre lecture.")
	}
	if p.ApporteurID != nil && *p.ApporteurID != "" && *p.ApporteurID != t.ApporteurID {
		if _, err := s.GetApporteur(ctx, m, *p.ApporteurID); crm.ErrorCode(err) == crm.ENOTFOUND {
			return crm.Tache{}, unprocessable("apporteurId", "Cet apporteur n'existe pas.")(nil)
		} else if err != nil {
			return crm.Tache{}, err
		}
	}
	now := s.Now()
	next := p.Apply(t, now)
	next.UpdatedAt, next.Version = now, t.Version+1
	put, err := s.putAction(toTacheItem(m, next), exists().And(expression.Name("version").Equal(expression.Value(t.Version))))
	if err != nil {
		return crm.Tache{}, internal("update tache", err)
	}
	err = s.transact(ctx, "update tache", []txItem{{item: put, fail: func(map[string]types.AttributeValue) error {
		return crm.Errorf(crm.EPRECONDITION, "La tâche a été modifiée depuis votre lecture.")
	}}})
	if err != nil {
		return crm.Tache{}, err
	}
	return next, nil
}

// ListTaches reads one list of tâches in one Query: a vue (GSI2 of the
// statut; Aujourd'hui, En retard, À venir are ranges of the open tâches'
// day) or the tâches of one record (GSI1).
func (s *Store) ListTaches(ctx context.Context, m crm.MIAID, f crm.TacheFilter) (crm.Page[crm.Tache], error) {
	errs := f.ListOptions.Validate()
	if f.CibleID != "" && !crm.IsULID(f.CibleID) {
		errs = append(errs, crm.FieldError{Champ: "cibleId", Message: "Identifiant invalide."})
	}
	if f.CibleID == "" && f.Vue == "" {
		f.Vue = crm.VueAujourdhui
	}
	in := &dynamodb.QueryInput{}
	var key expression.KeyConditionBuilder
	open := expression.Key(attrGSI2PK).Equal(expression.Value(TacheStatutList(m, crm.TacheAFaire)))
	switch {
	case f.CibleID != "":
		in.IndexName = aws.String(indexGSI1)
		key = expression.Key(attrGSI1PK).Equal(expression.Value(CibleCollection(m, f.CibleID)))
	case f.Vue == crm.VueAujourdhui:
		key = open.And(expression.Key(attrGSI2SK).BeginsWith(f.Today + "#"))
	case f.Vue == crm.VueEnRetard:
		key = open.And(expression.Key(attrGSI2SK).LessThan(expression.Value(f.Today)))
	case f.Vue == crm.VueAVenir:
		key = open.And(expression.Key(attrGSI2SK).GreaterThan(expression.Value(f.Today + "#~")))
	case f.Vue == crm.VueFaites:
		in.ScanIndexForward = aws.Bool(false)
		key = expression.Key(attrGSI2PK).Equal(expression.Value(TacheStatutList(m, crm.TacheFaite)))
	default:
		errs = append(errs, crm.FieldError{Champ: "vue", Message: "La vue doit être « aujourdhui », « en_retard », « a_venir » ou « faites »."})
	}
	if errs != nil {
		return crm.Page[crm.Tache]{}, crm.Invalid(errs...)
	}
	if in.IndexName == nil {
		in.IndexName = aws.String(indexGSI2)
	}
	if err := withExpr(in, key, nil); err != nil {
		return crm.Page[crm.Tache]{}, internal("list taches", err)
	}
	list := "taches|" + string(f.Vue) + "|" + f.Today + "|" + f.CibleID
	return queryPage(ctx, s, m, list, in, f.ListOptions, tacheItem.tache)
}

// ListApporteurTaches reads the open tâches assigned to apporteur p, by
// day, in one Query of its collection (GSI3).
func (s *Store) ListApporteurTaches(ctx context.Context, m crm.MIAID, p crm.ApporteurID, o crm.ListOptions) (crm.Page[crm.Tache], error) {
	if errs := o.Validate(); errs != nil {
		return crm.Page[crm.Tache]{}, crm.Invalid(errs...)
	}
	in := &dynamodb.QueryInput{IndexName: aws.String(indexGSI3)}
	key := expression.Key(attrGSI3PK).Equal(expression.Value(ApporteurCollection(m, p))).
		And(expression.Key(attrGSI3SK).BeginsWith(prefixTache + string(crm.TacheAFaire) + "#"))
	if err := withExpr(in, key, nil); err != nil {
		return crm.Page[crm.Tache]{}, internal("list apporteur taches", err)
	}
	return queryPage(ctx, s, m, "taches-apporteur|"+string(p), in, o, tacheItem.tache)
}

// OpenTachesUntil reads the open tâches of recipient (a MIA, or one of its
// apporteurs) due on or before day: the digest's content (paged internally).
func (s *Store) OpenTachesUntil(ctx context.Context, m crm.MIAID, p crm.ApporteurID, day string) ([]crm.Tache, error) {
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI2)}
	key := expression.Key(attrGSI2PK).Equal(expression.Value(TacheStatutList(m, crm.TacheAFaire))).
		And(expression.Key(attrGSI2SK).LessThan(expression.Value(day + "#~")))
	if p != "" {
		in.IndexName = aws.String(indexGSI3)
		key = expression.Key(attrGSI3PK).Equal(expression.Value(ApporteurCollection(m, p))).
			And(expression.Key(attrGSI3SK).Between(expression.Value(prefixTache+string(crm.TacheAFaire)+"#"),
				expression.Value(prefixTache+string(crm.TacheAFaire)+"#"+day+"#~")))
	}
	if err := withExpr(in, key, nil); err != nil {
		return nil, internal("open taches", err)
	}
	var out []crm.Tache
	pages := s.queryPages(in)
	for pages.HasMorePages() {
		res, err := pages.NextPage(ctx)
		if err != nil {
			return nil, internal("open taches", err)
		}
		for _, av := range res.Items {
			var it tacheItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, internal("decode tache", err)
			}
			out = append(out, it.tache())
		}
	}
	return out, nil
}

// CreateNote writes a note of the MIA, or of apporteur author on its own
// contact: (GetItem of the record) + one TransactWriteItems.
func (s *Store) CreateNote(ctx context.Context, m crm.MIAID, author crm.ApporteurID, n crm.NewNote, idem *crm.Idempotency) (crm.Note, *crm.Replay, error) {
	return replayOutcome(s.createNote(ctx, m, author, n, idem))
}

func (s *Store) createNote(ctx context.Context, m crm.MIAID, author crm.ApporteurID, n crm.NewNote, idem *crm.Idempotency) (crm.Note, error) {
	if errs := n.Validate(); errs != nil {
		return crm.Note{}, crm.Invalid(errs...)
	}
	if err := s.replayed(ctx, m, idem); err != nil {
		return crm.Note{}, err
	}
	c, err := s.Cible(ctx, m, n.CibleType, n.CibleID)
	if err != nil {
		return crm.Note{}, err
	}
	now := s.Now()
	note := crm.Note{ID: crm.NoteID(s.NewID()), Cible: c, Texte: n.Texte, Partagee: n.Partagee, Auteur: crm.AuteurMIA,
		ApporteurID: c.ApporteurID, Versions: []crm.NoteVersion{}, CreatedAt: now, UpdatedAt: now, Version: 1}
	if author != "" {
		// An apporteur writes on its own contacts only, and what it writes
		// is shared by nature (the MIA sees everything of its tenant).
		if n.CibleType != crm.CibleContact || c.ApporteurID != author {
			return crm.Note{}, unprocessable("cibleId", "Ce contact ne fait pas partie des vôtres.")(nil)
		}
		note.Auteur, note.Partagee = crm.AuteurApporteur, true
	}
	var acts actions
	if idem != nil {
		it, err := s.idempotenceAction(m, idem, note)
		acts.add(it.item, err)
		acts.onFail(it.fail)
	}
	acts.add(s.putAction(toNoteItem(m, note), notExists()))
	if err := s.run(ctx, "create note", &acts); err != nil {
		return crm.Note{}, err
	}
	return note, nil
}

// UpdateNote edits a MIA's note (text, sharing), keeping the former text:
// GetItem, then a Put conditioned on the version read.
func (s *Store) UpdateNote(ctx context.Context, m crm.MIAID, id crm.NoteID, p crm.NotePatch, ifMatch *int) (crm.Note, error) {
	notFound := crm.Errorf(crm.ENOTFOUND, "Note introuvable.")
	if errs := p.Validate(); errs != nil {
		return crm.Note{}, crm.Invalid(errs...)
	}
	if !crm.IsULID(string(id)) {
		return crm.Note{}, notFound
	}
	var it noteItem
	if err := s.getItem(ctx, MIAPK(m), NoteSK(id), &it, "Note"); err != nil {
		return crm.Note{}, err
	}
	n := it.note()
	if ifMatch != nil && *ifMatch != n.Version {
		return crm.Note{}, crm.Errorf(crm.EPRECONDITION, "La note a été modifiée depuis votre lecture.")
	}
	if n.Auteur == crm.AuteurApporteur && p.Partagee != nil && !*p.Partagee {
		return crm.Note{}, unprocessable("partagee", "La note d'un apporteur reste visible de lui.")(nil)
	}
	now := s.Now()
	next := p.Apply(n, now)
	next.UpdatedAt, next.Version = now, n.Version+1
	put, err := s.putAction(toNoteItem(m, next), exists().And(expression.Name("version").Equal(expression.Value(n.Version))))
	if err != nil {
		return crm.Note{}, internal("update note", err)
	}
	err = s.transact(ctx, "update note", []txItem{{item: put, fail: func(map[string]types.AttributeValue) error {
		return crm.Errorf(crm.EPRECONDITION, "La note a été modifiée depuis votre lecture.")
	}}})
	if err != nil {
		return crm.Note{}, err
	}
	return next, nil
}

// ListApporteurNotes reads the notes apporteur p may see, of one of its
// clients (clientID) or all, newest first, in one Query of its collection:
// only shared notes have keys there.
func (s *Store) ListApporteurNotes(ctx context.Context, m crm.MIAID, p crm.ApporteurID, clientID string, o crm.ListOptions) (crm.Page[crm.Note], error) {
	errs := o.Validate()
	if clientID != "" && !crm.IsULID(clientID) {
		errs = append(errs, crm.FieldError{Champ: "contactId", Message: "Identifiant invalide."})
	}
	if errs != nil {
		return crm.Page[crm.Note]{}, crm.Invalid(errs...)
	}
	prefix := prefixNote
	if clientID != "" {
		prefix = ApporteurNoteSK(clientID, "")
	}
	in := &dynamodb.QueryInput{IndexName: aws.String(indexGSI3), ScanIndexForward: aws.Bool(false)}
	key := expression.Key(attrGSI3PK).Equal(expression.Value(ApporteurCollection(m, p))).
		And(expression.Key(attrGSI3SK).BeginsWith(prefix))
	if err := withExpr(in, key, nil); err != nil {
		return crm.Page[crm.Note]{}, internal("list notes", err)
	}
	page, err := queryPage(ctx, s, m, "notes-apporteur|"+string(p)+"|"+clientID, in, o, noteItem.note)
	// The keys say shared; the item says it too (defence in depth).
	kept := page.Items[:0]
	for _, n := range page.Items {
		if n.VisibleTo(p) {
			kept = append(kept, n)
		}
	}
	page.Items = kept
	return page, err
}

// activiteItem is one line of a record's timeline, written by a stream
// consumer; a line about something that changes (a note) is rewritten at
// each newer version.
type activiteItem struct {
	keys
	At         string          `dynamodbav:"at"`
	Kind       string          `dynamodbav:"kind"`
	Resume     string          `dynamodbav:"resume"`
	AffaireID  string          `dynamodbav:"affaireId,omitempty"`
	TacheID    string          `dynamodbav:"tacheId,omitempty"`
	Note       *noteItem       `dynamodbav:"note,omitempty"`
	Historique *historiqueItem `dynamodbav:"historique,omitempty"`
	Version    int             `dynamodbav:"version"`
}

func (it activiteItem) activite() crm.Activite {
	a := crm.Activite{At: parseTime(it.At), Type: it.Kind, Resume: it.Resume,
		AffaireID: crm.AffaireID(it.AffaireID), TacheID: crm.TacheID(it.TacheID)}
	if it.Note != nil {
		n := it.Note.note()
		a.Note = &n
	}
	if it.Historique != nil {
		h := it.Historique.historique()
		a.Historique = &h
	}
	return a
}

// PutActivite writes line a of record cibleID's timeline, keyed by id (what
// it is about) and a.At, unless a newer version of it is there, and only
// while its provenance holds (its tâche or note exists, its client is not
// erased): else it writes nothing, and a tâche or note written before its
// client's erasure goes (dropLateWork).
func (s *Store) PutActivite(ctx context.Context, m crm.MIAID, cibleID, id string, version int, a crm.Activite, from crm.Provenance) error {
	it := activiteItem{keys: keys{PK: MIAPK(m), SK: ActiviteSK(cibleID, a.At, a.Type, id), Type: typeActivite},
		At: fmtTime(a.At), Kind: a.Type, Resume: a.Resume, AffaireID: string(a.AffaireID), TacheID: string(a.TacheID), Version: version}
	if a.Note != nil {
		n := toNoteItem(m, *a.Note)
		n.keys = keys{}
		it.Note = &n
	}
	if a.Historique != nil {
		h := toHistoriqueItem(m, *a.Historique, "")
		h.keys = keys{}
		it.Historique = &h
	}
	var acts actions
	acts.add(s.putAction(it, expression.Or(notExists(), expression.Name("version").LessThanEqual(expression.Value(version)))))
	acts.onFail(skip)
	s.provenanceChecks(&acts, m, from)
	err := skipped(s.run(ctx, "put activite", &acts))
	if errors.Is(err, crm.ErrContactErased) {
		return s.dropLateWork(ctx, m, from)
	}
	return err
}

// dropLateWork deletes the tâche or note of from if it was written before
// its client's erasure: the erasure finds notes through the timeline, and
// this one was not on it yet. What was written about its affaires since
// (a tâche to cash a premium) stays. One GetItem, then a conditional
// DeleteItem each.
func (s *Store) dropLateWork(ctx context.Context, m crm.MIAID, from crm.Provenance) error {
	var sks []string
	if from.Tache != "" {
		sks = append(sks, TacheSK(from.Tache))
	}
	if from.Note != "" {
		sks = append(sks, NoteSK(from.Note))
	}
	if len(sks) == 0 {
		return nil
	}
	var c struct {
		EffaceLe string `dynamodbav:"effaceLe"`
	}
	err := s.getItem(ctx, MIAPK(m), ContactSK(crm.ContactID(from.Client)), &c, "Contact")
	if crm.ErrorCode(err) == crm.ENOTFOUND || (err == nil && c.EffaceLe == "") {
		return nil // gone since, or erased before effaceLe was recorded
	}
	if err != nil {
		return err
	}
	e, err := build(expression.Name("createdAt").LessThan(expression.Value(c.EffaceLe)))
	if err != nil {
		return internal("drop late work", err)
	}
	for _, sk := range sks {
		_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: s.key(MIAPK(m), sk),
			ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
		if err != nil && !isConditionFailed(err) {
			return internal("drop late work", err)
		}
	}
	return nil
}

// DropActivite deletes the lines of record cibleID's timeline about id
// (the last part of their key), or all of them when id is "": what the
// stream wrote of a record since removed. One Query (keys only), then
// deletes by transactions of ≤ 100; run again, it finds nothing more.
func (s *Store) DropActivite(ctx context.Context, m crm.MIAID, cibleID, id string) error {
	sks, err := s.sortKeys(ctx, "drop activite", MIAPK(m), ActivitePrefix(cibleID))
	if err != nil {
		return err
	}
	var del []types.TransactWriteItem
	for _, sk := range sks {
		if id == "" || strings.HasSuffix(sk, "#"+id) {
			del = append(del, s.deleteAction(MIAPK(m), sk))
		}
	}
	return s.transactChunks(ctx, "drop activite", del)
}

// sortKeys reads the sort keys of partition pk starting with prefix (every
// page, keys only).
func (s *Store) sortKeys(ctx context.Context, op, pk, prefix string) ([]string, error) {
	in := &dynamodb.QueryInput{TableName: &s.table, ProjectionExpression: aws.String("PK, SK")}
	key := expression.Key(attrPK).Equal(expression.Value(pk)).And(expression.Key(attrSK).BeginsWith(prefix))
	if err := withExpr(in, key, nil); err != nil {
		return nil, internal(op, err)
	}
	var out []string
	err := eachQueried(ctx, s, op, in, func(k keys) error {
		out = append(out, k.SK)
		return nil
	})
	return out, err
}

// ListActivite reads a record's timeline, newest first, in one Query.
// Another tenant's id has no timeline in this one: ENOTFOUND.
func (s *Store) ListActivite(ctx context.Context, m crm.MIAID, cibleID string, o crm.ListOptions) (crm.Page[crm.Activite], error) {
	if errs := o.Validate(); errs != nil {
		return crm.Page[crm.Activite]{}, crm.Invalid(errs...)
	}
	if !crm.IsULID(cibleID) {
		return crm.Page[crm.Activite]{}, crm.Errorf(crm.ENOTFOUND, "Fiche introuvable.")
	}
	in := &dynamodb.QueryInput{ScanIndexForward: aws.Bool(false)}
	key := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(ActivitePrefix(cibleID)))
	if err := withExpr(in, key, nil); err != nil {
		return crm.Page[crm.Activite]{}, internal("list activite", err)
	}
	page, err := queryPage(ctx, s, m, "activite|"+cibleID, in, o, activiteItem.activite)
	if err == nil && o.Cursor == "" && len(page.Items) == 0 {
		// Every record's timeline starts with its creation: none is a record
		// unknown to this MIA (or one older than the timelines).
		return page, crm.Errorf(crm.ENOTFOUND, "Aucune activité pour cette fiche.")
	}
	return page, err
}

// contributionItem is what the dashboard recorded of one record.
type contributionItem struct {
	PK      string `dynamodbav:"PK"`
	SK      string `dynamodbav:"SK"`
	Type    string `dynamodbav:"type"`
	Version int    `dynamodbav:"version"`
	Signe   string `dynamodbav:"signe,omitempty"`
	// Counters as JSON: a string, whatever the names of the counters (the
	// stream reader's conversion of DynamoDB Local's map images is partial).
	Counters string `dynamodbav:"counters"`
}

// ApplyContribution moves the dashboard of m from what it recorded of one
// record (kind, id) to what counters says at version: GetItem of the
// record's contribution, then one TransactWriteItems (contribution Put on
// the version read + the dashboard's ADD of the difference), retried when a
// concurrent write of the same record won. names are SET on the dashboard
// (the produits' names). A contribution is recorded only while its record
// exists (a ConditionCheck): a record delivered late or replayed after its
// removal counts nothing.
func (s *Store) ApplyContribution(ctx context.Context, m crm.MIAID, kind, id string, version int,
	counters func(signe string) (crm.Counters, string), names map[string]string) error {
	source := map[string]string{"affaire": AffaireSK(crm.AffaireID(id)), "contact": ContactSK(crm.ContactID(id)),
		"tache": TacheSK(crm.TacheID(id))}[kind]
	return s.moveContribution(ctx, m, kind, id, source, names, func(prev *crm.Contribution) (*crm.Contribution, crm.Counters, bool) {
		next, delta, ok := crm.NextContribution(prev, version, counters)
		return &next, delta, ok
	})
}

// DropContribution takes back from the dashboard what it recorded of a
// record since removed, and deletes the record's contribution: the
// dashboard and the partition are as if the record had never been. A
// redelivered removal finds no contribution and does nothing.
func (s *Store) DropContribution(ctx context.Context, m crm.MIAID, kind, id string) error {
	return s.moveContribution(ctx, m, kind, id, "", nil, func(prev *crm.Contribution) (*crm.Contribution, crm.Counters, bool) {
		if prev == nil {
			return nil, nil, false
		}
		return nil, crm.Delta(prev.Counters, crm.Counters{}), true
	})
}

// RestoreContribution follows a record put back to an earlier version (an
// import's undo restores the item it replaced, version included): the
// contribution recorded at version from goes back to version to with the
// counters of the restored record. Any other recorded version (the
// restore already followed, or a later write) is left alone.
func (s *Store) RestoreContribution(ctx context.Context, m crm.MIAID, kind, id string, from, to int,
	counters func(signe string) (crm.Counters, string)) error {
	return s.moveContribution(ctx, m, kind, id, "", nil, func(prev *crm.Contribution) (*crm.Contribution, crm.Counters, bool) {
		if prev == nil || prev.Version != from {
			return nil, nil, false
		}
		c, signe := counters(prev.Signe)
		return &crm.Contribution{Version: to, Signe: signe, Counters: c}, crm.Delta(prev.Counters, c), true
	})
}

// moveContribution reads a record's contribution, asks step for the next
// one (nil: delete it) and the dashboard's difference, and writes both in
// one transaction on the contribution read (and, when source is set, while
// that item exists); a concurrent write of the same record makes it read
// again.
func (s *Store) moveContribution(ctx context.Context, m crm.MIAID, kind, id, source string, names map[string]string,
	step func(prev *crm.Contribution) (*crm.Contribution, crm.Counters, bool)) error {
	for attempt := 0; attempt < 5; attempt++ {
		var prev *crm.Contribution
		var it contributionItem
		err := s.getItem(ctx, MIAPK(m), ContributionSK(kind, id), &it, "contribution")
		switch {
		case err == nil:
			prev = &crm.Contribution{Version: it.Version, Signe: it.Signe, Counters: crm.Counters{}}
			if err := json.Unmarshal([]byte(it.Counters), &prev.Counters); err != nil {
				return internal("decode contribution", err)
			}
		case crm.ErrorCode(err) != crm.ENOTFOUND:
			return err
		}
		next, delta, ok := step(prev)
		if !ok {
			return nil
		}
		cond := notExists()
		if prev != nil {
			cond = expression.Name("version").Equal(expression.Value(prev.Version)).And(
				expression.Name("signe").AttributeNotExists().Or(expression.Name("signe").Equal(expression.Value(prev.Signe))))
		}
		var acts actions
		if next == nil {
			e, err := build(cond)
			acts.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: s.key(MIAPK(m), ContributionSK(kind, id)),
				ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}, err)
		} else {
			counts, err := json.Marshal(next.Counters)
			if err != nil {
				return internal("encode contribution", err)
			}
			acts.add(s.putAction(contributionItem{PK: MIAPK(m), SK: ContributionSK(kind, id), Type: "contribution",
				Version: next.Version, Signe: next.Signe, Counters: string(counts)}, cond))
		}
		acts.onFail(func(map[string]types.AttributeValue) error { return errStale })
		if source != "" {
			acts.add(s.checkAction(MIAPK(m), source, exists()))
			acts.onFail(skip)
		}
		if len(delta) > 0 || len(names) > 0 {
			var upd expression.UpdateBuilder
			for _, k := range sortedKeys(delta) {
				upd = upd.Add(expression.Name(k), expression.Value(delta[k]))
			}
			for k, v := range names {
				upd = upd.Set(expression.Name(k), expression.Value(v))
			}
			upd = upd.Set(expression.Name("type"), expression.Value("tableau"))
			e, err := expression.NewBuilder().WithUpdate(upd).Build()
			acts.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: s.key(MIAPK(m), TableauSK()),
				UpdateExpression: e.Update(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}, err)
		}
		err = skipped(s.run(ctx, "apply contribution", &acts))
		if !errors.Is(err, errStale) {
			return err
		}
	}
	return internal("apply contribution", errors.New("contended"))
}

func sortedKeys(c crm.Counters) []string {
	out := make([]string, 0, len(c))
	for k := range c {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// GetTableau reads the MIA's dashboard counters in one GetItem, with the
// produit names recorded beside them ("pn|<produit>").
func (s *Store) GetTableau(ctx context.Context, m crm.MIAID) (crm.Counters, map[string]string, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: s.key(MIAPK(m), TableauSK())})
	if err != nil {
		return nil, nil, internal("get tableau", err)
	}
	c, names := crm.Counters{}, map[string]string{}
	for k, v := range res.Item {
		switch v := v.(type) {
		case *types.AttributeValueMemberN:
			var n int64
			if err := attributevalue.Unmarshal(v, &n); err == nil {
				c[k] = n
			}
		case *types.AttributeValueMemberS:
			if p, ok := strings.CutPrefix(k, "pn|"); ok {
				names[p] = v.Value
			}
		}
	}
	return c, names, nil
}

// Agenda: the digest's index of open tâches by day and recipient.

// AgendaAdd and AgendaRemove add or remove tâche id in the set of the open
// tâches of recipient (m, p) due on day: set operations, so a redelivered
// record changes nothing more. A set emptied is deleted (only if still empty).
func (s *Store) AgendaAdd(ctx context.Context, day string, m crm.MIAID, p crm.ApporteurID, id crm.TacheID) error {
	upd := expression.Add(expression.Name("taches"), expression.Value(&types.AttributeValueMemberSS{Value: []string{string(id)}})).
		Set(expression.Name("mia"), expression.Value(string(m)))
	if p != "" {
		upd = upd.Set(expression.Name("apporteurId"), expression.Value(string(p)))
	}
	e, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		return internal("agenda add", err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: s.key(AgendaPK(), AgendaSK(day, m, p)),
		UpdateExpression: e.Update(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
	if err != nil {
		return internal("agenda add", err)
	}
	return nil
}

func (s *Store) AgendaRemove(ctx context.Context, day string, m crm.MIAID, p crm.ApporteurID, id crm.TacheID) error {
	upd := expression.Delete(expression.Name("taches"), expression.Value(&types.AttributeValueMemberSS{Value: []string{string(id)}}))
	e, err := expression.NewBuilder().WithUpdate(upd).WithCondition(exists()).Build()
	if err != nil {
		return internal("agenda remove", err)
	}
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: s.key(AgendaPK(), AgendaSK(day, m, p)),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(),
		ExpressionAttributeValues: e.Values(), ReturnValues: types.ReturnValueAllNew})
	switch {
	case isConditionFailed(err):
		return nil
	case err != nil:
		return internal("agenda remove", err)
	}
	if _, left := res.Attributes["taches"]; left {
		return nil
	}
	e, err = build(expression.AttributeNotExists(expression.Name("taches")))
	if err != nil {
		return internal("agenda remove", err)
	}
	_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: s.key(AgendaPK(), AgendaSK(day, m, p)),
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
	if err != nil && !isConditionFailed(err) {
		return internal("agenda remove", err)
	}
	return nil
}

// DueRecipients reads the recipients with open tâches due on or before day:
// one Query of the agenda, whose items are the (day, recipient) pairs with
// open tâches; a recipient comes once.
func (s *Store) DueRecipients(ctx context.Context, day string) ([]crm.Recipient, error) {
	in := &dynamodb.QueryInput{TableName: &s.table}
	key := expression.Key(attrPK).Equal(expression.Value(AgendaPK())).And(expression.Key(attrSK).LessThan(expression.Value(day + "#~")))
	if err := withExpr(in, key, nil); err != nil {
		return nil, internal("due recipients", err)
	}
	seen := map[crm.Recipient]bool{}
	var out []crm.Recipient
	pages := s.queryPages(in)
	for pages.HasMorePages() {
		res, err := pages.NextPage(ctx)
		if err != nil {
			return nil, internal("due recipients", err)
		}
		for _, av := range res.Items {
			var it struct {
				MIA       string `dynamodbav:"mia"`
				Apporteur string `dynamodbav:"apporteurId"`
			}
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, internal("decode agenda", err)
			}
			r := crm.Recipient{MIA: crm.MIAID(it.MIA), Apporteur: crm.ApporteurID(it.Apporteur)}
			if r.MIA != "" && !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out, nil
}

type reveilItem struct {
	PK        string `dynamodbav:"PK"`
	SK        string `dynamodbav:"SK"`
	Type      string `dynamodbav:"type"`
	Day       string `dynamodbav:"day"`
	Kind      string `dynamodbav:"kind"`
	MIA       string `dynamodbav:"mia"`
	AffaireID string `dynamodbav:"affaireId"`
	N         int    `dynamodbav:"n"`
	// ApporteurID and Ref: see crm.Reveil.
	ApporteurID string `dynamodbav:"apporteurId,omitempty"`
	Ref         string `dynamodbav:"ref,omitempty"`
}

// PutReveil writes a wake-up (the same key for the same event: idempotent).
func (s *Store) PutReveil(ctx context.Context, r crm.Reveil) error {
	av, err := attributevalue.MarshalMap(reveilItem{PK: ReveilsPK(), SK: ReveilSK(r),
		Type: "reveil", Day: r.Day, Kind: r.Kind, MIA: string(r.MIA), AffaireID: string(r.AffaireID), N: r.N,
		ApporteurID: string(r.ApporteurID), Ref: r.Ref})
	if err != nil {
		return internal("encode reveil", err)
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av}); err != nil {
		return internal("put reveil", err)
	}
	return nil
}

// DueReveils reads the wake-ups due on or before day (one Query, paged).
func (s *Store) DueReveils(ctx context.Context, day string) ([]crm.Reveil, error) {
	in := &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true)}
	key := expression.Key(attrPK).Equal(expression.Value(ReveilsPK())).And(expression.Key(attrSK).LessThan(expression.Value(day + "#~")))
	if err := withExpr(in, key, nil); err != nil {
		return nil, internal("due reveils", err)
	}
	var out []crm.Reveil
	pages := s.queryPages(in)
	for pages.HasMorePages() {
		res, err := pages.NextPage(ctx)
		if err != nil {
			return nil, internal("due reveils", err)
		}
		for _, av := range res.Items {
			var it reveilItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, internal("decode reveil", err)
			}
			out = append(out, crm.Reveil{Day: it.Day, Kind: it.Kind, MIA: crm.MIAID(it.MIA), AffaireID: crm.AffaireID(it.AffaireID), N: it.N,
				ApporteurID: crm.ApporteurID(it.ApporteurID), Ref: it.Ref})
		}
	}
	return out, nil
}

// DeleteReveil removes a wake-up once handled.
func (s *Store) DeleteReveil(ctx context.Context, r crm.Reveil) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table,
		Key: s.key(ReveilsPK(), ReveilSK(r))}); err != nil {
		return internal("delete reveil", err)
	}
	return nil
}

// AffaireOf reads one affaire alone (GetItem, strongly consistent).
func (s *Store) AffaireOf(ctx context.Context, m crm.MIAID, id crm.AffaireID) (crm.Affaire, error) {
	var it affaireItem
	if err := s.getItem(ctx, MIAPK(m), AffaireSK(id), &it, "Affaire"); err != nil {
		return crm.Affaire{}, err
	}
	return it.affaire(), nil
}
