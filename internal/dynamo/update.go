package dynamo

import (
	"context"
	"errors"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// itemUpdate is a PATCH written without a read: ONE conditional UpdateItem
// of an existing versioned item. The store adds updatedAt and version + 1 to
// upd, and to the condition that the item exists, that its version is
// ifMatch (when given) and rules (the cross-field conditions, when any).
type itemUpdate struct {
	what    string // the entity, for "… introuvable." and error contexts
	key     map[string]types.AttributeValue
	upd     expression.UpdateBuilder
	rules   []expression.ConditionBuilder
	ifMatch *int
	// stale is the EPRECONDITION to return (stale() when nil).
	stale error
	// explain turns a failed rule into its error, from the old item.
	explain func(old map[string]types.AttributeValue) error
	// at is the updatedAt written (s.Now() when zero).
	at time.Time
	// returnOld asks for the item before the update instead of after.
	returnOld bool
}

// setOrRemove sets name to v, or removes it when v is empty (the items omit
// empty optional attributes).
func setOrRemove(upd expression.UpdateBuilder, name, v string) expression.UpdateBuilder {
	if v == "" {
		return upd.Remove(expression.Name(name))
	}
	return upd.Set(expression.Name(name), expression.Value(v))
}

// updateItem runs u. On a failed condition DynamoDB returns the old item,
// which tells ENOTFOUND (none), EPRECONDITION (another version) and the rule
// that failed (explain) apart without a second read.
func (s *Store) updateItem(ctx context.Context, u itemUpdate) (map[string]types.AttributeValue, error) {
	if u.at.IsZero() {
		u.at = s.Now()
	}
	upd := u.upd.Set(expression.Name(attrUpdatedAt), expression.Value(fmtTime(u.at))).
		Set(expression.Name(attrVersion), expression.Name(attrVersion).Plus(expression.Value(1)))
	cond := exists()
	if u.ifMatch != nil {
		cond = cond.And(versionIs(*u.ifMatch))
	}
	for _, r := range u.rules {
		cond = cond.And(r)
	}
	e, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return nil, internal("update "+u.what, err)
	}
	rv := types.ReturnValueAllNew
	if u.returnOld {
		rv = types.ReturnValueAllOld
	}
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: u.key,
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValues:                        rv,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil, u.failure(ccf.Item)
	}
	if err != nil {
		return nil, internal("update "+u.what, err)
	}
	return res.Attributes, nil
}

func (u itemUpdate) failure(old map[string]types.AttributeValue) error {
	if old == nil {
		return crm.Errorf(crm.ENOTFOUND, "%s introuvable.", u.what)
	}
	var m meta
	if err := attributevalue.UnmarshalMap(old, &m); err != nil {
		return internal("decode "+u.what, err)
	}
	if u.ifMatch != nil && m.Version != *u.ifMatch {
		if u.stale != nil {
			return u.stale
		}
		return stale()
	}
	if u.explain != nil {
		return u.explain(old)
	}
	return internal("update "+u.what, errors.New("condition failed for no known reason"))
}

// patchErrors keeps the problems of the patched fields only: a patch written
// without a read is validated on a probe entity whose other fields are empty.
func patchErrors(errs []crm.FieldError, patched map[string]bool) error {
	var out []crm.FieldError
	for _, e := range errs {
		if patched[e.Champ] {
			out = append(out, e)
		}
	}
	if out != nil {
		return crm.Invalid(out...)
	}
	return nil
}
