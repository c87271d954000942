package dynamo

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The RGPD rights (issue 15): erasure by anonymisation with its audit entry,
// the prospects' retention clocks and purge proposals, the MIA's settings.

const (
	typeAudit        = "audit"
	typeConservation = "conservation"
	typePurge        = "purge"
)

// auditItem is one entry of a MIA's RGPD journal: never the erased data.
type auditItem struct {
	PK      string `dynamodbav:"PK"`
	SK      string `dynamodbav:"SK"`
	Type    string `dynamodbav:"type"`
	ID      string `dynamodbav:"id"`
	At      string `dynamodbav:"at"`
	Action  string `dynamodbav:"action"`
	Cible   string `dynamodbav:"cible"`
	CibleID string `dynamodbav:"cibleId"`
	Par     string `dynamodbav:"par"`
	Motif   string `dynamodbav:"motif,omitempty"`
}

func (it auditItem) entry() crm.AuditEntry {
	return crm.AuditEntry{ID: it.ID, At: parseTime(it.At), Action: it.Action, Cible: it.Cible, CibleID: it.CibleID,
		Par: it.Par, Motif: it.Motif}
}

func (s *Store) auditAction(m crm.MIAID, e crm.AuditEntry) (types.TransactWriteItem, error) {
	e.ID = s.NewID()
	it := auditItem{PK: MIAPK(m), SK: AuditSK(e.At, e.ID), Type: typeAudit, ID: e.ID, At: fmtTime(e.At),
		Action: e.Action, Cible: e.Cible, CibleID: e.CibleID, Par: e.Par, Motif: e.Motif}
	return s.putAction(it, notExists())
}

// EraseContact anonymises a contact (crm.Contact.Erased) in one
// transaction: the contact on the version read, its email and telephone
// guards released, its retention clock and purge proposal deleted, and an
// audit entry (action, id, who, reason: never the erased data). Its affaires
// keep their figures; the stream then renames them and drops the contact
// from the search index. Then eraseDailyWork deletes its tâches and notes.
// An erased contact is ECONFLICT.
func (s *Store) EraseContact(ctx context.Context, m crm.MIAID, id crm.ContactID, audit crm.AuditEntry) (crm.Contact, error) {
	var it contactItem
	if err := s.getItem(ctx, MIAPK(m), ContactSK(id), &it, "Contact"); err != nil {
		return crm.Contact{}, err
	}
	c := it.contact()
	if c.Efface {
		return crm.Contact{}, crm.Errorf(crm.ECONFLICT, "Ce contact est déjà effacé.")
	}
	now := s.Now().UTC()
	e := c.Erased(now)
	var a actions
	erased := toContactItem(m, e)
	erased.EffaceLe = fmtTime(now)
	a.add(s.putAction(erased, expression.Name(attrVersion).Equal(expression.Value(c.Version))))
	a.onFail(func(map[string]types.AttributeValue) error {
		return crm.Errorf(crm.ECONFLICT, "Ce contact vient d'être modifié : réessayez.")
	})
	if c.Email != "" {
		a.add(s.deleteAction(MIAPK(m), UniqueEmailSK(c.Email)), nil)
	}
	if c.Telephone != "" {
		a.add(s.deleteAction(MIAPK(m), UniqueTelephoneSK(c.Telephone)), nil)
	}
	a.add(s.deleteAction(MIAPK(m), ConservationSK(id)), nil)
	a.add(s.deleteAction(MIAPK(m), PurgeSK(id)), nil)
	audit.At, audit.Cible, audit.CibleID = now, "contact", string(id)
	a.add(s.auditAction(m, audit))
	if err := s.run(ctx, "erase contact", &a); err != nil {
		return crm.Contact{}, err
	}
	if err := s.eraseDailyWork(ctx, m, id); err != nil {
		return crm.Contact{}, err
	}
	if err := s.eraseReplies(ctx, m, string(id)); err != nil {
		return crm.Contact{}, err
	}
	return e, nil
}

// eraseReplies empties the stored idempotent replies of MIA m (kept 24 h)
// that hold data of person id (mentions, see crm.RefersTo), and those
// stored before replies said whom they name: the answer is removed, the key
// stays used (efface), so a retry gets a 422 instead of the person's data,
// and never runs twice (a second affaire). One Query of the MIA's replies
// (at most a day of its POSTs), then one UpdateItem per reply found.
func (s *Store) eraseReplies(ctx context.Context, m crm.MIAID, id string) error {
	in := &dynamodb.QueryInput{TableName: &s.table, ProjectionExpression: aws.String("PK, SK")}
	key := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(prefixIdempotence))
	names := expression.Name("mentions")
	filter := expression.Contains(names, " "+id+" ").Or(expression.AttributeNotExists(names))
	if err := withExpr(in, key, []expression.ConditionBuilder{filter}); err != nil {
		return internal("erase replies", err)
	}
	e, err := expression.NewBuilder().WithUpdate(expression.Set(expression.Name("efface"), expression.Value(true)).
		Remove(expression.Name("answer")).Remove(names)).WithCondition(exists()).Build()
	if err != nil {
		return internal("erase replies", err)
	}
	return eachQueried(ctx, s, "erase replies", in, func(k keys) error {
		// One UpdateItem each (a MIA has few replies naming one person),
		// only if the reply has not expired meanwhile.
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: s.key(MIAPK(m), k.SK),
			UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
		if err != nil && !isConditionFailed(err) {
			return internal("erase reply", err)
		}
		return nil
	})
}

// eraseDailyWork deletes what the daily work holds on an erased contact:
// its tâches and notes, and those of its affaires (titles such as "Appeler
// <nom>", the record's name in their cible, free text), with their timeline
// lines. Its timeline keeps only its creation line (no personal data), and
// its affaires' timelines their historique and emails (figures, no name).
// The tâches are deleted as items, so the stream updates the dashboard and
// the agenda as for any removal, and writes no timeline line for a removal.
// Queries: the contact's timeline, its tâches (GSI1), then each affaire's
// timeline and tâches; deletes in transactions of at most 100 (the policy
// allows no batch writes). Run again, it finds only what is left.
func (s *Store) eraseDailyWork(ctx context.Context, m crm.MIAID, c crm.ContactID) error {
	del := map[string]bool{} // sort keys to delete
	taches := map[string]bool{}
	affaires := map[string]bool{}
	timeline := func(cibleID string, keep func(kind string) bool) error {
		in := &dynamodb.QueryInput{TableName: &s.table}
		key := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(ActivitePrefix(cibleID)))
		if err := withExpr(in, key, nil); err != nil {
			return internal("erase timeline", err)
		}
		return eachQueried(ctx, s, "erase timeline", in, func(it activiteItem) error {
			if it.AffaireID != "" && cibleID == string(c) {
				affaires[it.AffaireID] = true
			}
			if it.TacheID != "" {
				taches[it.TacheID] = true
			}
			if it.Note != nil && it.Note.ID != "" {
				del[NoteSK(crm.NoteID(it.Note.ID))] = true
			}
			if !keep(it.Kind) {
				del[it.SK] = true
			}
			return nil
		})
	}
	cibleTaches := func(cibleID string) error { return s.cibleTacheSKs(ctx, m, cibleID, del) }
	if err := timeline(string(c), func(kind string) bool { return kind == crm.ActiviteCreation }); err != nil {
		return err
	}
	// Its affaires from its own collection too: the timeline has them only
	// once the stream wrote their historique.
	if err := s.eachClientAffaire(ctx, m, string(c), func(key map[string]types.AttributeValue) error {
		if sk, ok := key[attrSK].(*types.AttributeValueMemberS); ok {
			affaires[strings.TrimPrefix(sk.Value, prefixAffaire)] = true
		}
		return nil
	}); err != nil {
		return err
	}
	if err := cibleTaches(string(c)); err != nil {
		return err
	}
	for a := range affaires {
		keep := func(kind string) bool {
			return kind == crm.ActiviteCreation || kind == crm.ActiviteHistorique || kind == crm.ActiviteEmail
		}
		if err := timeline(a, keep); err != nil {
			return err
		}
		if err := cibleTaches(a); err != nil {
			return err
		}
	}
	for t := range taches {
		del[TacheSK(crm.TacheID(t))] = true
	}
	return s.deleteAll(ctx, "erase daily work", m, del)
}

// deleteAll deletes the items of MIA m with these sort keys, in key order,
// by transactions of ≤ 100.
func (s *Store) deleteAll(ctx context.Context, op string, m crm.MIAID, sks map[string]bool) error {
	keys := slices.Sorted(maps.Keys(sks))
	del := make([]types.TransactWriteItem, len(keys))
	for i, sk := range keys {
		del[i] = s.deleteAction(MIAPK(m), sk)
	}
	return s.transactChunks(ctx, op, del)
}

// cibleTacheSKs adds to del the sort keys of the tâches about record
// cibleID (Query GSI1, paged).
func (s *Store) cibleTacheSKs(ctx context.Context, m crm.MIAID, cibleID string, del map[string]bool) error {
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI1)}
	if err := withExpr(in, expression.Key(attrGSI1PK).Equal(expression.Value(CibleCollection(m, cibleID))), nil); err != nil {
		return internal("erase taches", err)
	}
	return eachQueried(ctx, s, "erase taches", in, func(k keys) error {
		if strings.HasPrefix(k.SK, prefixTache) {
			del[k.SK] = true
		}
		return nil
	})
}

// EraseApporteur anonymises an apporteur: its name becomes
// crm.ApporteurEffaceNom, its email, telephone, localisation and remarques
// are removed, it is deactivated, its email guard released, with an audit
// entry, in one transaction; then the tâches about it are deleted. Its affaires and commission totals remain. The
// caller deletes its Cognito account first (CognitoSub of the result read).
func (s *Store) EraseApporteur(ctx context.Context, m crm.MIAID, p crm.ApporteurID, audit crm.AuditEntry) error {
	it, err := s.apporteurItem(ctx, m, p)
	if err != nil {
		return err
	}
	if it.Nom == crm.ApporteurEffaceNom && it.Email == "" {
		return crm.Errorf(crm.ECONFLICT, "Cet apporteur est déjà effacé.")
	}
	now := s.Now().UTC()
	u := expression.Set(expression.Name("nom"), expression.Value(crm.ApporteurEffaceNom)).
		Set(expression.Name("email"), expression.Value("")).
		Set(expression.Name(attrStatut), expression.Value(string(crm.ApporteurDesactive))).
		Set(expression.Name(attrGSI2PK), expression.Value(ApporteurStatutList(m, string(crm.ApporteurDesactive)))).
		Set(expression.Name(attrUpdatedAt), expression.Value(fmtTime(now))).
		Set(expression.Name(attrVersion), expression.Value(it.Version+1)).
		Remove(expression.Name("prenom")).Remove(expression.Name("telephone")).
		Remove(expression.Name("localisation")).Remove(expression.Name("remarques")).
		Remove(expression.Name(attrActivationHash)).Remove(expression.Name(attrActivationHashes))
	e, err := expression.NewBuilder().WithUpdate(u).
		WithCondition(expression.Name(attrVersion).Equal(expression.Value(it.Version))).Build()
	if err != nil {
		return internal("erase apporteur", err)
	}
	var a actions
	a.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: s.key(MIAPK(m), ApporteurSK(p)),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}, nil)
	a.onFail(func(map[string]types.AttributeValue) error {
		return crm.Errorf(crm.ECONFLICT, "Cet apporteur vient d'être modifié : réessayez.")
	})
	if it.Email != "" {
		a.add(s.deleteAction(MIAPK(m), UniqueApporteurEmailSK(it.Email)), nil)
	}
	hashes := it.ActivationHashes
	if it.ActivationHash != "" && !slices.Contains(hashes, it.ActivationHash) {
		hashes = append(hashes, it.ActivationHash)
	}
	for _, h := range hashes[:min(len(hashes), 90)] { // the daily invitation quota keeps them far fewer
		a.add(s.deleteAction(ActivationPK(h), ActivationSK()), nil)
	}
	audit.At, audit.Cible, audit.CibleID = now, "apporteur", string(p)
	a.add(s.auditAction(m, audit))
	if err := s.run(ctx, "erase apporteur", &a); err != nil {
		return err
	}
	if err := s.eraseApporteurWork(ctx, m, p); err != nil {
		return err
	}
	return s.eraseReplies(ctx, m, string(p))
}

// eraseApporteurWork deletes the daily work of an erased apporteur: the
// relances about it (its ORIAS check, its RC Pro: its name in their titles;
// GSI1 of the record), the tâches assigned to it and the notes it wrote (its
// own words; its GSI3 collection, two Queries); deleted as items, so the stream takes
// them off the dashboard, the agenda and the timelines. The MIA's own notes
// it was shown stay (they are the MIA's, about its client). Run again, it
// finds only what is left.
func (s *Store) eraseApporteurWork(ctx context.Context, m crm.MIAID, p crm.ApporteurID) error {
	del := map[string]bool{}
	if err := s.cibleTacheSKs(ctx, m, string(p), del); err != nil {
		return err
	}
	for _, q := range []struct {
		prefix string
		filter []expression.ConditionBuilder
	}{
		{prefixTache, nil},
		{prefixNote, []expression.ConditionBuilder{expression.Name("auteur").Equal(expression.Value(crm.AuteurApporteur))}},
	} {
		in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI3)}
		key := expression.Key(attrGSI3PK).Equal(expression.Value(ApporteurCollection(m, p))).
			And(expression.Key(attrGSI3SK).BeginsWith(q.prefix))
		if err := withExpr(in, key, q.filter); err != nil {
			return internal("erase apporteur work", err)
		}
		if err := eachQueried(ctx, s, "erase apporteur work", in, func(k keys) error {
			del[k.SK] = true
			return nil
		}); err != nil {
			return err
		}
	}
	return s.deleteAll(ctx, "erase apporteur work", m, del)
}

// ListAudit lists a MIA's RGPD journal, newest first (1 Query).
func (s *Store) ListAudit(ctx context.Context, m crm.MIAID, o crm.ListOptions) (crm.Page[crm.AuditEntry], error) {
	if errs := o.Validate(); errs != nil {
		return crm.Page[crm.AuditEntry]{}, crm.Invalid(errs...)
	}
	key := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(prefixAudit))
	in := &dynamodb.QueryInput{ScanIndexForward: aws.Bool(false)}
	if err := withExpr(in, key, nil); err != nil {
		return crm.Page[crm.AuditEntry]{}, internal("list audit", err)
	}
	return queryPage(ctx, s, m, "audit", in, o, auditItem.entry)
}

// conservationItem is a prospect's retention clock (ConservationSK), in the
// month bucket of its expiry (GSI2, ConservationDue).
type conservationItem struct {
	keys
	ContactID        string `dynamodbav:"contactId"`
	DernierContactLe string `dynamodbav:"dernierContactLe"`
	ExpireLe         string `dynamodbav:"expireLe"`
}

func (it conservationItem) conservation() crm.Conservation {
	return crm.Conservation{ContactID: crm.ContactID(it.ContactID), DernierContactLe: parseTime(it.DernierContactLe),
		ExpireLe: parseTime(it.ExpireLe)}
}

// TouchConservation restarts a prospect's clock at `at` unless it already
// shows a later contact (the max, so records in any order or replayed give
// the same clock). create false only moves an existing clock (an affaire
// of a contact that is no longer a prospect has none).
func (s *Store) TouchConservation(ctx context.Context, m crm.MIAID, c crm.ContactID, at time.Time, create bool) error {
	exp := crm.ConservationExpire(at)
	u := expression.Set(expression.Name("contactId"), expression.Value(string(c))).
		Set(expression.Name("dernierContactLe"), expression.Value(fmtTime(at))).
		Set(expression.Name("expireLe"), expression.Value(fmtTime(exp))).
		Set(expression.Name(attrGSI2PK), expression.Value(ConservationDue(Month(exp)))).
		Set(expression.Name(attrGSI2SK), expression.Value(ConservationDueSK(exp, m, c))).
		Set(expression.Name("type"), expression.Value(typeConservation))
	older := expression.Name("dernierContactLe").LessThan(expression.Value(fmtTime(at)))
	cond := expression.AttributeExists(expression.Name(attrPK)).And(older)
	if create {
		cond = expression.AttributeNotExists(expression.Name(attrPK)).Or(older)
	}
	e, err := expression.NewBuilder().WithUpdate(u).WithCondition(cond).Build()
	if err != nil {
		return internal("touch conservation", err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: s.key(MIAPK(m), ConservationSK(c)),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil // a later contact is already counted (or no clock to move)
	}
	if err != nil {
		return internal("touch conservation", err)
	}
	// A contact since the clock ran out: a pending purge proposal is void.
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: s.key(MIAPK(m), PurgeSK(c))}); err != nil {
		return internal("void purge proposal", err)
	}
	return nil
}

// DropConservation removes a contact's clock (it became a client, or was
// erased): nothing left to purge.
func (s *Store) DropConservation(ctx context.Context, m crm.MIAID, c crm.ContactID) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: s.key(MIAPK(m), ConservationSK(c))})
	if err != nil {
		return internal("drop conservation", err)
	}
	return nil
}

// GetConservation is a contact's clock, nil when it has none.
func (s *Store) GetConservation(ctx context.Context, m crm.MIAID, c crm.ContactID) (*crm.Conservation, error) {
	var it conservationItem
	err := s.getItem(ctx, MIAPK(m), ConservationSK(c), &it, "Conservation")
	if crm.ErrorCode(err) == crm.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cv := it.conservation()
	return &cv, nil
}

// dueIn reads one month bucket of index (ConservationDue or PurgeDue) up
// to `before`, every page: the run's work list, flat in the table's size.
func (s *Store) dueIn(ctx context.Context, bucket string, before time.Time) ([]crm.Echeance, error) {
	key := expression.Key(attrGSI2PK).Equal(expression.Value(bucket)).
		And(expression.Key(attrGSI2SK).LessThanEqual(expression.Value(fmtTime(before) + "~")))
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI2)}
	if err := withExpr(in, key, nil); err != nil {
		return nil, internal("due "+bucket, err)
	}
	var out []crm.Echeance
	pages := s.queryPages(in)
	for pages.HasMorePages() {
		res, err := pages.NextPage(ctx)
		if err != nil {
			return nil, internal("due "+bucket, err)
		}
		for _, av := range res.Items {
			var k keys
			if err := attributevalue.UnmarshalMap(av, &k); err != nil {
				return nil, internal("decode due", err)
			}
			var d struct {
				ContactID string `dynamodbav:"contactId"`
				ExpireLe  string `dynamodbav:"expireLe"`
				Echeance  string `dynamodbav:"echeance"`
			}
			if err := attributevalue.UnmarshalMap(av, &d); err != nil {
				return nil, internal("decode due", err)
			}
			at := d.ExpireLe
			if at == "" {
				at = d.Echeance
			}
			out = append(out, crm.Echeance{MIA: miaOf(k.PK), Contact: crm.ContactID(d.ContactID), At: parseTime(at)})
		}
	}
	return out, nil
}

// DueConservations are the clocks of a month that ran out by `before`.
func (s *Store) DueConservations(ctx context.Context, month string, before time.Time) ([]crm.Echeance, error) {
	return s.dueIn(ctx, ConservationDue(month), before)
}

// DuePurges are the proposals of a month whose 30 days ended by `before`.
func (s *Store) DuePurges(ctx context.Context, month string, before time.Time) ([]crm.Echeance, error) {
	return s.dueIn(ctx, PurgeDue(month), before)
}

// purgeItem is a purge proposed to the MIA (PurgeSK), in the month bucket of
// its deadline (GSI2, PurgeDue). It holds the name the review screen shows;
// the erasure deletes it.
type purgeItem struct {
	keys
	ContactID        string `dynamodbav:"contactId"`
	Nom              string `dynamodbav:"nom"`
	DernierContactLe string `dynamodbav:"dernierContactLe"`
	ProposeeLe       string `dynamodbav:"proposeeLe"`
	Echeance         string `dynamodbav:"echeance"`
	Statut           string `dynamodbav:"statut"`
}

func (it purgeItem) proposal() crm.PurgeProposee {
	return crm.PurgeProposee{ContactID: crm.ContactID(it.ContactID), Nom: it.Nom, DernierContactLe: parseTime(it.DernierContactLe),
		ProposeeLe: parseTime(it.ProposeeLe), Echeance: parseTime(it.Echeance), Statut: crm.PurgeStatut(it.Statut)}
}

// ProposePurge proposes the purge of a prospect whose clock ran out, unless
// one is already proposed (the run is idempotent). It reads the contact for
// the name to show and the clock (a contact since then: nothing to propose).
// It reports whether a proposal is pending afterwards, new or not, so a
// retried run still knows what waits for the MIA.
func (s *Store) ProposePurge(ctx context.Context, m crm.MIAID, c crm.ContactID, at time.Time) (bool, error) {
	clock, err := s.GetConservation(ctx, m, c)
	if err != nil || clock == nil || clock.ExpireLe.After(at) {
		return false, err
	}
	var ct contactItem
	if err := s.getItem(ctx, MIAPK(m), ContactSK(c), &ct, "Contact"); err != nil {
		if crm.ErrorCode(err) == crm.ENOTFOUND {
			return false, s.DropConservation(ctx, m, c)
		}
		return false, err
	}
	contact := ct.contact()
	if contact.Efface || contact.Statut != crm.ContactProspect {
		return false, s.DropConservation(ctx, m, c)
	}
	ech := at.Add(crm.DelaiDecision)
	it := purgeItem{keys: keys{PK: MIAPK(m), SK: PurgeSK(c), GSI2PK: PurgeDue(Month(ech)), GSI2SK: ConservationDueSK(ech, m, c), Type: typePurge},
		ContactID: string(c), Nom: contact.DisplayName(), DernierContactLe: fmtTime(clock.DernierContactLe),
		ProposeeLe: fmtTime(at), Echeance: fmtTime(ech), Statut: string(crm.PurgeAConfirmer)}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return false, internal("propose purge", err)
	}
	e, err := build(notExists())
	if err != nil {
		return false, internal("propose purge", err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av, ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return true, nil
	}
	if err != nil {
		return false, internal("propose purge", err)
	}
	return true, nil
}

// GetPurge is a proposal, ENOTFOUND when none is pending for the contact.
func (s *Store) GetPurge(ctx context.Context, m crm.MIAID, c crm.ContactID) (crm.PurgeProposee, error) {
	var it purgeItem
	if !crm.IsULID(string(c)) {
		return crm.PurgeProposee{}, crm.Errorf(crm.ENOTFOUND, "Aucune purge n'est proposée pour ce contact.")
	}
	if err := s.getItem(ctx, MIAPK(m), PurgeSK(c), &it, "Proposition de purge"); err != nil {
		if crm.ErrorCode(err) == crm.ENOTFOUND {
			return crm.PurgeProposee{}, crm.Errorf(crm.ENOTFOUND, "Aucune purge n'est proposée pour ce contact.")
		}
		return crm.PurgeProposee{}, err
	}
	return it.proposal(), nil
}

// ListPurges lists the purges proposed to a MIA (1 Query).
func (s *Store) ListPurges(ctx context.Context, m crm.MIAID, o crm.ListOptions) (crm.Page[crm.PurgeProposee], error) {
	if errs := o.Validate(); errs != nil {
		return crm.Page[crm.PurgeProposee]{}, crm.Invalid(errs...)
	}
	key := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(prefixPurge))
	in := &dynamodb.QueryInput{}
	if err := withExpr(in, key, nil); err != nil {
		return crm.Page[crm.PurgeProposee]{}, internal("list purges", err)
	}
	return queryPage(ctx, s, m, "purges", in, o, purgeItem.proposal)
}

// KeepProspect records the MIA's refusal of a proposed purge, with its
// reason: the proposal is deleted, the clock restarts now, audited; one
// transaction. No pending proposal is ENOTFOUND.
func (s *Store) KeepProspect(ctx context.Context, m crm.MIAID, c crm.ContactID, audit crm.AuditEntry) error {
	p, err := s.GetPurge(ctx, m, c)
	if err != nil {
		return err
	}
	// The clock restarts at the decision, and never before the proposal
	// (a decision is always after it; the run may be replayed late).
	now := s.Now().UTC()
	if p.ProposeeLe.After(now) {
		now = p.ProposeeLe
	}
	exp := crm.ConservationExpire(now)
	var a actions
	a.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: s.key(MIAPK(m), PurgeSK(c)),
		ConditionExpression: aws.String("attribute_exists(PK)")}}, nil)
	a.onFail(func(map[string]types.AttributeValue) error {
		return crm.Errorf(crm.ENOTFOUND, "Aucune purge n'est proposée pour ce contact.")
	})
	clock := conservationItem{keys: keys{PK: MIAPK(m), SK: ConservationSK(c), GSI2PK: ConservationDue(Month(exp)),
		GSI2SK: ConservationDueSK(exp, m, c), Type: typeConservation},
		ContactID: string(c), DernierContactLe: fmtTime(now), ExpireLe: fmtTime(exp)}
	av, err := attributevalue.MarshalMap(clock)
	a.add(types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: av}}, err)
	audit.At, audit.Cible, audit.CibleID, audit.Action = now, "contact", string(c), crm.AuditConservation
	a.add(s.auditAction(m, audit))
	return s.run(ctx, "keep prospect", &a)
}
