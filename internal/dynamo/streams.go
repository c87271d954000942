package dynamo

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// What the stream consumers read from images and write after a change.

// itemType is the `type` attribute of an image ("" when absent).
func itemType(img map[string]types.AttributeValue) string {
	if v, ok := img["type"].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func miaOf(pk string) crm.MIAID { return crm.MIAID(strings.TrimPrefix(pk, prefixMIA)) }

// SetApporteurCommission records affaire a's contribution to its apporteur's
// commission totals, unless a newer version of the affaire is already
// recorded (idempotent, order-safe). A missing apporteur is not an error.
func (s *Store) SetApporteurCommission(ctx context.Context, m crm.MIAID, p crm.ApporteurID, a crm.Affaire) error {
	entry := commissionEntry{Statut: string(a.Statut), Centimes: a.CommissionApporteurCentimes(), Version: a.Version}
	return s.putCommissionEntry(ctx, m, p, a.ID, entry)
}

// RemoveApporteurCommission takes affaire a out of apporteur p's totals (the
// affaire, at version, was attributed to another apporteur, or deleted). It
// leaves a tombstone (no statut, 0, version) rather than nothing: a late or
// replayed record of an older version, when the affaire still was p's, then
// finds a newer version recorded and changes nothing, and a newer version
// recorded (the affaire came back to p since) is kept.
func (s *Store) RemoveApporteurCommission(ctx context.Context, m crm.MIAID, p crm.ApporteurID, a crm.AffaireID, version int) error {
	return s.putCommissionEntry(ctx, m, p, a, commissionEntry{Version: version})
}

// putCommissionEntry writes affaire a's entry in p's commissions map unless
// the entry holds a newer version.
func (s *Store) putCommissionEntry(ctx context.Context, m crm.MIAID, p crm.ApporteurID, a crm.AffaireID, entry commissionEntry) error {
	path := attrCommissions + "." + string(a)
	upd := expression.Set(expression.Name(path), expression.Value(entry))
	cond := expression.Name(attrPK).AttributeExists().And(expression.Or(
		expression.Name(path).AttributeNotExists(),
		expression.Name(path+".v").LessThanEqual(expression.Value(entry.Version))))
	err := s.updateApporteur(ctx, m, p, upd, cond)
	if errors.Is(err, errNoMap) {
		// An apporteur item written before the map existed: create it.
		upd = expression.Set(expression.Name(attrCommissions), expression.Value(map[string]commissionEntry{string(a): entry}))
		err = s.updateApporteur(ctx, m, p, upd, expression.Name(attrPK).AttributeExists().And(expression.Name(attrCommissions).AttributeNotExists()))
		if errors.Is(err, errStale) {
			return s.putCommissionEntry(ctx, m, p, a, entry)
		}
	}
	if errors.Is(err, errStale) {
		return nil // a newer version is recorded, or no such apporteur
	}
	return err
}

var (
	errStale = errors.New("condition failed")
	errNoMap = errors.New("commissions map missing")
)

func (s *Store) updateApporteur(ctx context.Context, m crm.MIAID, p crm.ApporteurID, upd expression.UpdateBuilder, cond expression.ConditionBuilder) error {
	e, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return internal("build update", err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: s.key(MIAPK(m), ApporteurSK(p)),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
	})
	var ve interface{ ErrorCode() string }
	switch {
	case err == nil:
		return nil
	case isConditionFailed(err):
		return errStale
	case errors.As(err, &ve) && ve.ErrorCode() == "ValidationException" && strings.Contains(err.Error(), "document path"):
		return errNoMap
	}
	return internal("update apporteur", err)
}

// notificationItem records that a notification was sent, so a redelivered
// stream record sends none (removed by TTL after 30 days).
type notificationItem struct {
	PK        string `dynamodbav:"PK"`
	SK        string `dynamodbav:"SK"`
	Type      string `dynamodbav:"type"`
	At        string `dynamodbav:"at"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

// ClaimNotification records notification key of MIA m before it is sent;
// claimed is false when it was already recorded.
func (s *Store) ClaimNotification(ctx context.Context, m crm.MIAID, key string) (claimed bool, err error) {
	now := s.Now().UTC()
	err = s.putNew(ctx, notificationItem{PK: MIAPK(m), SK: NotificationSK(key), Type: "notification",
		At: fmtTime(now), ExpiresAt: now.Add(30 * 24 * time.Hour).Unix()})
	if crm.ErrorCode(err) == crm.ECONFLICT {
		return false, nil
	}
	return err == nil, err
}

// ReleaseNotification forgets a claim whose email could not be sent, so the
// retried record sends it.
func (s *Store) ReleaseNotification(ctx context.Context, m crm.MIAID, key string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: s.key(MIAPK(m), NotificationSK(key))}); err != nil {
		return internal("release notification", err)
	}
	return nil
}

// RenameClientAffaires copies the new name of client id (a contact or an
// entreprise, at version) onto each of its affaires' clientNom: one Query of
// its GSI1 collection (affaires only), then one conditional UpdateItem per
// affaire, applied only if the affaire has not recorded this or a later
// version of the client (clientNomVersion), so a redelivered or late record
// changes nothing. The affaire's own version and updatedAt stay: this is a
// copy of another item's field, not an edit of the affaire.
func (s *Store) RenameClientAffaires(ctx context.Context, m crm.MIAID, id, nom string, version int) error {
	upd := expression.Set(expression.Name("clientNom"), expression.Value(nom)).
		Set(expression.Name("clientNomVersion"), expression.Value(version))
	cond := exists().And(expression.Or(
		expression.AttributeNotExists(expression.Name("clientNomVersion")),
		expression.Name("clientNomVersion").LessThan(expression.Value(version))))
	ue, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return internal("build rename", err)
	}
	return s.eachClientAffaire(ctx, m, id, func(key map[string]types.AttributeValue) error {
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: key,
			UpdateExpression: ue.Update(), ConditionExpression: ue.Condition(),
			ExpressionAttributeNames: ue.Names(), ExpressionAttributeValues: ue.Values()})
		if err != nil && !isConditionFailed(err) {
			return internal("rename client on affaire", err)
		}
		return nil
	})
}

// eachClientAffaire calls fn with the key of each affaire of client id: one
// Query of the client's GSI1 collection (affaires only, keys projected).
func (s *Store) eachClientAffaire(ctx context.Context, m crm.MIAID, id string, fn func(key map[string]types.AttributeValue) error) error {
	kc := expression.Key(attrGSI1PK).Equal(expression.Value(ClientCollection(m, id))).
		And(expression.Key(attrGSI1SK).BeginsWith(prefixAffaire))
	e, err := expression.NewBuilder().WithKeyCondition(kc).
		WithProjection(expression.NamesList(expression.Name(attrPK), expression.Name(attrSK))).Build()
	if err != nil {
		return internal("build query", err)
	}
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI1), KeyConditionExpression: e.KeyCondition(),
		ProjectionExpression: e.Projection(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}
	p := s.queryPages(in)
	for p.HasMorePages() {
		res, err := p.NextPage(ctx)
		if err != nil {
			return internal("query client affaires", err)
		}
		for _, k := range res.Items {
			if err := fn(map[string]types.AttributeValue{attrPK: k[attrPK], attrSK: k[attrSK]}); err != nil {
				return err
			}
		}
	}
	return nil
}

// AttributeClientAffaires gives each affaire of client id (a contact or an
// entreprise, at version) the client's apporteur p ("" for none): one Query
// of the client's GSI1 collection, then one conditional UpdateItem per
// affaire. The update moves the affaire into p's GSI3 collection (out of the
// previous apporteur's), clears tauxCommissionApporteur (a rate agreed with
// one apporteur is not given to another) and is an edit of the affaire
// (version and updatedAt), so the stream carries it to the historique and the
// commission totals. It applies only to an affaire whose apporteur differs
// and that has not taken its apporteur from this or a later version of the
// client (apporteurClientVersion): a redelivered or late record changes nothing.
func (s *Store) AttributeClientAffaires(ctx context.Context, m crm.MIAID, id string, p crm.ApporteurID, version int) error {
	const attr = "apporteurId"
	differs := expression.AttributeExists(expression.Name(attr))
	if p != "" {
		differs = expression.Or(expression.AttributeNotExists(expression.Name(attr)),
			expression.Name(attr).NotEqual(expression.Value(p)))
	}
	cond := exists().And(differs, expression.Or(
		expression.AttributeNotExists(expression.Name("apporteurClientVersion")),
		expression.Name("apporteurClientVersion").LessThan(expression.Value(version))))
	return s.eachClientAffaire(ctx, m, id, func(k map[string]types.AttributeValue) error {
		sk, ok := k[attrSK].(*types.AttributeValueMemberS)
		if !ok {
			return internal("attribute client affaire", errors.New("affaire without a sort key"))
		}
		upd := expression.Set(expression.Name("apporteurClientVersion"), expression.Value(version)).
			Set(expression.Name("updatedAt"), expression.Value(fmtTime(s.Now()))).
			Set(expression.Name("version"), expression.Name("version").Plus(expression.Value(1))).
			Remove(expression.Name("tauxCommissionApporteur"))
		if p == "" {
			upd = upd.Remove(expression.Name(attr)).Remove(expression.Name(attrGSI3PK)).Remove(expression.Name(attrGSI3SK))
		} else {
			// The affaire's GSI3SK is its own sort key (toAffaireItem).
			upd = upd.Set(expression.Name(attr), expression.Value(p)).
				Set(expression.Name(attrGSI3PK), expression.Value(ApporteurCollection(m, p))).
				Set(expression.Name(attrGSI3SK), expression.Value(sk.Value))
		}
		ue, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
		if err != nil {
			return internal("build attribution", err)
		}
		_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: k,
			UpdateExpression: ue.Update(), ConditionExpression: ue.Condition(),
			ExpressionAttributeNames: ue.Names(), ExpressionAttributeValues: ue.Values()})
		if err != nil && !isConditionFailed(err) {
			return internal("attribute client affaire", err)
		}
		return nil
	})
}

// RehomeHistorique moves the historique entries of affaire a into apporteur
// p's GSI3 collection (out of every collection when p is ""), after the
// affaire, at version, changed apporteur: the new apporteur reads the whole
// history of its affaire, the previous one none of it. Entries of a later
// version of the affaire already carry their own apporteur and stay.
// Idempotent: a redelivered record writes the same keys again.
func (s *Store) RehomeHistorique(ctx context.Context, m crm.MIAID, a crm.AffaireID, p crm.ApporteurID, version int) error {
	kc := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).
		And(expression.Key(attrSK).BeginsWith(AffaireSK(a) + prefixHistorique))
	in := &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true)}
	if err := withExpr(in, kc, nil); err != nil {
		return internal("build query", err)
	}
	cond := exists().And(expression.Name("version").LessThanEqual(expression.Value(version)))
	pages := s.queryPages(in)
	for pages.HasMorePages() {
		res, err := pages.NextPage(ctx)
		if err != nil {
			return internal("query historique", err)
		}
		for _, av := range res.Items {
			var it historiqueItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return internal("decode historique", err)
			}
			var upd expression.UpdateBuilder
			if p == "" {
				upd = upd.Remove(expression.Name("apporteurId")).Remove(expression.Name(attrGSI3PK)).Remove(expression.Name(attrGSI3SK))
			} else {
				upd = upd.Set(expression.Name("apporteurId"), expression.Value(p)).
					Set(expression.Name(attrGSI3PK), expression.Value(ApporteurCollection(m, p))).
					Set(expression.Name(attrGSI3SK), expression.Value(HistoriqueApporteurSK(a, parseTime(it.At), it.Seq)))
			}
			ue, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
			if err != nil {
				return internal("build rehome", err)
			}
			_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: s.key(it.PK, it.SK),
				UpdateExpression: ue.Update(), ConditionExpression: ue.Condition(),
				ExpressionAttributeNames: ue.Names(), ExpressionAttributeValues: ue.Values()})
			if err != nil && !isConditionFailed(err) {
				return internal("rehome historique", err)
			}
		}
	}
	return nil
}
