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

// ItemType is the `type` attribute of an image ("" when absent).
func ItemType(img map[string]types.AttributeValue) string {
	if v, ok := img["type"].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// Item types the consumers look for.
const (
	TypeAffaire   = typeAffaire
	TypeContact   = typeContact
	TypeApporteur = typeApporteur
	TypeMIA       = typeMIA
)

func miaOf(pk string) crm.MiaID { return crm.MiaID(strings.TrimPrefix(pk, prefixMIA)) }

// AffaireFromImage decodes an affaire item image; ok is false for any other item.
func AffaireFromImage(img map[string]types.AttributeValue) (m crm.MiaID, a crm.Affaire, ok bool, err error) {
	if img == nil || ItemType(img) != typeAffaire {
		return "", a, false, nil
	}
	var it affaireItem
	if err := attributevalue.UnmarshalMap(img, &it); err != nil {
		return "", a, false, err
	}
	return miaOf(it.PK), it.affaire(), true, nil
}

// ContactFromImage decodes a contact item image; byApporteur tells that its
// apporteur created it through the espace apporteur.
func ContactFromImage(img map[string]types.AttributeValue) (m crm.MiaID, c crm.Contact, byApporteur, ok bool, err error) {
	if img == nil || ItemType(img) != typeContact {
		return "", c, false, false, nil
	}
	var it apporteurContactItem
	if err := attributevalue.UnmarshalMap(img, &it); err != nil {
		return "", c, false, false, err
	}
	return miaOf(it.PK), it.contact(), it.Origine == origineApporteur, true, nil
}

// SetApporteurCommission records affaire a's contribution to its apporteur's
// commission totals, unless a newer version of the affaire is already
// recorded (idempotent, order-safe). A missing apporteur is not an error.
func (s *Store) SetApporteurCommission(ctx context.Context, m crm.MiaID, p crm.ApporteurID, a crm.Affaire) error {
	entry := commissionEntry{Statut: string(a.Statut), Centimes: a.CommissionApporteurCentimes(), Version: a.Version}
	path := attrCommissions + "." + string(a.ID)
	upd := expression.Set(expression.Name(path), expression.Value(entry))
	cond := expression.Name(attrPK).AttributeExists().And(expression.Or(
		expression.Name(path).AttributeNotExists(),
		expression.Name(path+".v").LessThanEqual(expression.Value(a.Version))))
	err := s.updateApporteur(ctx, m, p, upd, cond)
	if errors.Is(err, errNoMap) {
		// An apporteur item written before the map existed: create it.
		upd = expression.Set(expression.Name(attrCommissions), expression.Value(map[string]commissionEntry{string(a.ID): entry}))
		err = s.updateApporteur(ctx, m, p, upd, expression.Name(attrPK).AttributeExists().And(expression.Name(attrCommissions).AttributeNotExists()))
		if errors.Is(err, errStale) {
			return s.SetApporteurCommission(ctx, m, p, a)
		}
	}
	if errors.Is(err, errStale) {
		return nil // a newer version is recorded, or no such apporteur
	}
	return err
}

// RemoveApporteurCommission drops affaire a from apporteur p's totals (the
// affaire was attributed to another apporteur, or deleted).
func (s *Store) RemoveApporteurCommission(ctx context.Context, m crm.MiaID, p crm.ApporteurID, a crm.AffaireID) error {
	path := attrCommissions + "." + string(a)
	err := s.updateApporteur(ctx, m, p, expression.Remove(expression.Name(path)),
		expression.Name(attrPK).AttributeExists().And(expression.Name(attrCommissions).AttributeExists()))
	if errors.Is(err, errStale) || errors.Is(err, errNoMap) {
		return nil
	}
	return err
}

var (
	errStale = errors.New("condition failed")
	errNoMap = errors.New("commissions map missing")
)

func (s *Store) updateApporteur(ctx context.Context, m crm.MiaID, p crm.ApporteurID, upd expression.UpdateBuilder, cond expression.ConditionBuilder) error {
	e, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return internal("build update", err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: s.key(MiaPK(m), ApporteurSK(p)),
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
func (s *Store) ClaimNotification(ctx context.Context, m crm.MiaID, key string) (claimed bool, err error) {
	now := s.Now().UTC()
	err = s.putNew(ctx, notificationItem{PK: MiaPK(m), SK: NotificationSK(key), Type: "notification",
		At: fmtTime(now), ExpiresAt: now.Add(30 * 24 * time.Hour).Unix()})
	if crm.ErrorCode(err) == crm.ECONFLICT {
		return false, nil
	}
	return err == nil, err
}

// ReleaseNotification forgets a claim whose email could not be sent, so the
// retried record sends it.
func (s *Store) ReleaseNotification(ctx context.Context, m crm.MiaID, key string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: s.key(MiaPK(m), NotificationSK(key))}); err != nil {
		return internal("release notification", err)
	}
	return nil
}

// ClientFromImage decodes a contact or entreprise image into what affaires
// copy of it: its id, the name they show (clientNom) and its version; ok is
// false for any other item.
func ClientFromImage(img map[string]types.AttributeValue) (m crm.MiaID, id, nom string, version int, ok bool, err error) {
	switch ItemType(img) {
	case typeContact:
		var it contactItem
		if err := attributevalue.UnmarshalMap(img, &it); err != nil {
			return "", "", "", 0, false, err
		}
		c := it.contact()
		return miaOf(it.PK), string(c.ID), c.DisplayName(), c.Version, true, nil
	case typeEntreprise:
		var it entrepriseItem
		if err := attributevalue.UnmarshalMap(img, &it); err != nil {
			return "", "", "", 0, false, err
		}
		return miaOf(it.PK), it.ID, it.RaisonSociale, it.Version, true, nil
	}
	return "", "", "", 0, false, nil
}

// RenameClientAffaires copies the new name of client id (a contact or an
// entreprise, at version) onto each of its affaires' clientNom: one Query of
// its GSI1 collection (affaires only), then one conditional UpdateItem per
// affaire, applied only if the affaire has not recorded this or a later
// version of the client (clientNomVersion), so a redelivered or late record
// changes nothing. The affaire's own version and updatedAt stay: this is a
// copy of another item's field, not an edit of the affaire.
func (s *Store) RenameClientAffaires(ctx context.Context, m crm.MiaID, id, nom string, version int) error {
	kc := expression.Key(attrGSI1PK).Equal(expression.Value(ClientCollection(m, id))).
		And(expression.Key(attrGSI1SK).BeginsWith(prefixAffaire))
	e, err := expression.NewBuilder().WithKeyCondition(kc).
		WithProjection(expression.NamesList(expression.Name(attrPK), expression.Name(attrSK))).Build()
	if err != nil {
		return internal("build query", err)
	}
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI1), KeyConditionExpression: e.KeyCondition(),
		ProjectionExpression: e.Projection(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}
	upd := expression.Set(expression.Name("clientNom"), expression.Value(nom)).
		Set(expression.Name("clientNomVersion"), expression.Value(version))
	cond := exists().And(expression.Or(
		expression.AttributeNotExists(expression.Name("clientNomVersion")),
		expression.Name("clientNomVersion").LessThan(expression.Value(version))))
	ue, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return internal("build rename", err)
	}
	p := s.queryPages(in)
	for p.HasMorePages() {
		res, err := p.NextPage(ctx)
		if err != nil {
			return internal("query client affaires", err)
		}
		for _, k := range res.Items {
			_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table,
				Key:              map[string]types.AttributeValue{attrPK: k[attrPK], attrSK: k[attrSK]},
				UpdateExpression: ue.Update(), ConditionExpression: ue.Condition(),
				ExpressionAttributeNames: ue.Names(), ExpressionAttributeValues: ue.Values()})
			if err != nil && !isConditionFailed(err) {
				return internal("rename client on affaire", err)
			}
		}
	}
	return nil
}
