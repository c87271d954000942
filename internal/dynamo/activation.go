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

func accountKey(a crm.Account) (pk, sk string) {
	if a.Kind == crm.AccountMIA {
		return MIAPK(a.MIA), ProfilSK()
	}
	return MIAPK(a.MIA), ApporteurSK(a.Apporteur)
}

// accountFromImage decodes an apporteur or MIA profile item (a stream image
// converted by internal/ddbevent); ok is false for any other item.
func accountFromImage(img map[string]types.AttributeValue) (acc crm.Account, ok bool, err error) {
	var it struct {
		keys
		meta
		invitation
		Email  string `dynamodbav:"email"`
		Nom    string `dynamodbav:"nom"`
		Prenom string `dynamodbav:"prenom"`
	}
	if err := attributevalue.UnmarshalMap(img, &it); err != nil {
		return acc, false, err
	}
	acc = crm.Account{Email: it.Email, Nom: it.Nom, Prenom: it.Prenom, Statut: it.Statut,
		InvitationN: it.InvitationN, InvitationTraitee: it.InvitationTraitee, ActivationHash: it.ActivationHash,
		InvitationEchecs: it.InvitationEchecs, Sub: it.CognitoSub}
	switch it.Type {
	case typeApporteur:
		acc.Kind, acc.Apporteur = crm.AccountApporteur, crm.ApporteurID(it.ID)
		acc.MIA = crm.MIAID(it.PK[len(prefixMIA):])
	case typeMIA:
		if it.InvitationN == 0 {
			return acc, false, nil // a seeded profile: no invitation flow
		}
		acc.Kind, acc.MIA = crm.AccountMIA, crm.MIAID(it.ID)
	default:
		return acc, false, nil
	}
	return acc, true, nil
}

// activationItem is a token, stored under the SHA-256 of its value only.
type activationItem struct {
	PK          string `dynamodbav:"PK"`
	SK          string `dynamodbav:"SK"`
	Type        string `dynamodbav:"type"`
	Kind        string `dynamodbav:"kind"`
	MIAID       string `dynamodbav:"miaId"`
	ApporteurID string `dynamodbav:"apporteurId,omitempty"`
	Email       string `dynamodbav:"email"`
	CreatedAt   string `dynamodbav:"createdAt"`
	ExpireLe    string `dynamodbav:"expireLe"`
	UsedAt      string `dynamodbav:"usedAt,omitempty"`
	Echecs      int    `dynamodbav:"echecs"`
	// Sub is the Cognito account's sub, set once the account exists
	// (RecordAccountSub): the activation sets the password of that account.
	Sub string `dynamodbav:"sub,omitempty"`
	// ExpiresAt (epoch seconds) lets the table's TTL remove the item a month
	// after it expired; until then the page can say "expired".
	ExpiresAt int64 `dynamodbav:"expiresAt"`
}

// activationAccount is the account token a activates.
func activationAccount(a crm.Activation) crm.Account {
	return crm.Account{Kind: a.Kind, MIA: a.MIA, Apporteur: a.Apporteur, Email: a.Email}
}

// ClaimInvitation records that invitation number acc.InvitationN is handled,
// with the token hash and its expiry, and writes the token item — one
// transaction. claimed is false when that invitation was already handled (a
// redelivered stream record), superseded by a newer one, or the account is no
// longer waiting for an activation: then nothing must be sent.
func (s *Store) ClaimInvitation(ctx context.Context, acc crm.Account, hash string, expire time.Time) (claimed bool, err error) {
	now := s.Now().UTC()
	pk, sk := accountKey(acc)
	upd := expression.Set(expression.Name(attrInvitationTraitee), expression.Value(acc.InvitationN)).
		Set(expression.Name(attrActivationHash), expression.Value(hash)).
		// Every token the account was sent, so that an erasure deletes them (they hold the email).
		Add(expression.Name(attrActivationHashes), expression.Value(&types.AttributeValueMemberSS{Value: []string{hash}}))
	cond := expression.Name(attrInvitationN).Equal(expression.Value(acc.InvitationN)).
		And(expression.Name(attrStatut).Equal(expression.Value(string(crm.ApporteurInvitationEnvoyee)))).
		And(expression.Or(
			expression.Name(attrInvitationTraitee).AttributeNotExists(),
			expression.Name(attrInvitationTraitee).LessThan(expression.Value(acc.InvitationN)))).
		And(expression.Or(
			expression.Name(attrInvitationEchecs).AttributeNotExists(),
			expression.Name(attrInvitationEchecs).LessThan(expression.Value(MaxInvitationFailures))))
	e, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return false, internal("build claim", err)
	}
	tok := activationItem{PK: ActivationPK(hash), SK: ActivationSK(), Type: typeActivation, Kind: string(acc.Kind),
		MIAID: string(acc.MIA), ApporteurID: string(acc.Apporteur), Email: acc.Email,
		CreatedAt: fmtTime(now), ExpireLe: fmtTime(expire), ExpiresAt: expire.Add(30 * 24 * time.Hour).Unix()}
	p, err := s.putAction(tok, notExists())
	if err != nil {
		return false, internal("encode token", err)
	}
	claimedNot := errors.New("already claimed")
	err = s.transact(ctx, "claim invitation", []txItem{
		{item: types.TransactWriteItem{Update: &types.Update{
			TableName: &s.table, Key: s.key(pk, sk),
			UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		}}, fail: func(map[string]types.AttributeValue) error { return claimedNot }},
		{item: p},
	})
	if errors.Is(err, claimedNot) {
		return false, nil
	}
	return err == nil, err
}

// ReleaseInvitation undoes a claim whose email could not be sent, so the
// redelivered record tries again: the token item is deleted and the account
// forgets the claim (only if it is still this claim) and counts the failure:
// after MaxInvitationFailures the invitation is no longer attempted.
func (s *Store) ReleaseInvitation(ctx context.Context, acc crm.Account, hash string) error {
	pk, sk := accountKey(acc)
	upd := expression.Remove(expression.Name(attrInvitationTraitee)).Remove(expression.Name(attrActivationHash)).
		Add(expression.Name(attrInvitationEchecs), expression.Value(1))
	cond := expression.Name(attrActivationHash).Equal(expression.Value(hash))
	e, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return internal("build release", err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: s.key(pk, sk),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
	})
	if err != nil && !isConditionFailed(err) {
		return internal("release invitation", err)
	}
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: s.key(ActivationPK(hash), ActivationSK())}); err != nil {
		return internal("delete token", err)
	}
	return nil
}

// RecordAccountSub stores the sub of acc's Cognito account on the account
// item and on the token of invitation hash, so that the activation and the
// deactivation address the account by its immutable sub, never by an email.
// A sub already recorded must be the same (ECONFLICT otherwise: the account
// was replaced behind MyCRM's back). A token gone meanwhile (a newer
// invitation) is not an error: the next invitation records the sub again.
func (s *Store) RecordAccountSub(ctx context.Context, acc crm.Account, hash, sub string) error {
	pk, sk := accountKey(acc)
	e, err := expression.NewBuilder().
		WithUpdate(expression.Set(expression.Name(attrCognitoSub), expression.Value(sub))).
		WithCondition(expression.Name(attrPK).AttributeExists().And(expression.Or(
			expression.Name(attrCognitoSub).AttributeNotExists(),
			expression.Name(attrCognitoSub).Equal(expression.Value(sub))))).Build()
	if err != nil {
		return internal("build record sub", err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: s.key(pk, sk),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
	})
	if isConditionFailed(err) {
		return &crm.Error{Code: crm.ECONFLICT, Message: "Le compte a changé.", Err: errors.New("account item gone or holding another sub")}
	}
	if err != nil {
		return internal("record sub", err)
	}
	e, err = expression.NewBuilder().
		WithUpdate(expression.Set(expression.Name("sub"), expression.Value(sub))).
		WithCondition(expression.Name(attrPK).AttributeExists()).Build()
	if err != nil {
		return internal("build record sub", err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: s.key(ActivationPK(hash), ActivationSK()),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
	})
	if err != nil && !isConditionFailed(err) {
		return internal("record sub on token", err)
	}
	return nil
}

// GetActivation reads the token stored under hash; ENOTFOUND when unknown.
func (s *Store) GetActivation(ctx context.Context, hash string) (crm.Activation, error) {
	var it activationItem
	if err := s.getItem(ctx, ActivationPK(hash), ActivationSK(), &it, "Lien d'activation"); err != nil {
		return crm.Activation{}, err
	}
	return crm.Activation{Hash: hash, Kind: crm.AccountKind(it.Kind), MIA: crm.MIAID(it.MIAID),
		Apporteur: crm.ApporteurID(it.ApporteurID), Email: it.Email, ExpireLe: parseTime(it.ExpireLe),
		Used: it.UsedAt != "", Echecs: it.Echecs, Sub: it.Sub}, nil
}

// FailActivation counts a failed attempt on the token (e.g. a password that
// breaks the rules) and returns the new count; at crm.ActivationMaxFailures
// the token is dead.
func (s *Store) FailActivation(ctx context.Context, hash string) (int, error) {
	e, err := expression.NewBuilder().
		WithUpdate(expression.Add(expression.Name("echecs"), expression.Value(1))).
		WithCondition(expression.Name(attrPK).AttributeExists()).Build()
	if err != nil {
		return 0, internal("build update", err)
	}
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: s.key(ActivationPK(hash), ActivationSK()),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if isConditionFailed(err) {
		return crm.ActivationMaxFailures, nil
	}
	if err != nil {
		return 0, internal("count failure", err)
	}
	var out struct {
		Echecs int `dynamodbav:"echecs"`
	}
	_ = attributevalue.UnmarshalMap(res.Attributes, &out)
	return out.Echecs, nil
}

// ConsumeActivation uses the token and activates its account in one
// transaction: the token must be unused, not expired, under the failure
// limit; the account must still hold this token's hash and wait for its
// activation — so the account is not read first. A cancelled transaction is
// explained from the old items DynamoDB returns: a token or account gone is
// crm.ActivationError("unknown"); a token used, locked or expired
// meanwhile, that error; an account holding another token (a newer link) or
// no longer awaiting activation, "used".
func (s *Store) ConsumeActivation(ctx context.Context, a crm.Activation) error {
	now := s.Now().UTC()
	tokUpd := expression.Set(expression.Name("usedAt"), expression.Value(fmtTime(now)))
	tokCond := expression.Name("usedAt").AttributeNotExists().
		And(expression.Name("echecs").LessThan(expression.Value(crm.ActivationMaxFailures))).
		And(expression.Name("expireLe").GreaterThan(expression.Value(fmtTime(now))))
	te, err := expression.NewBuilder().WithUpdate(tokUpd).WithCondition(tokCond).Build()
	if err != nil {
		return internal("build consume", err)
	}
	acc := activationAccount(a)
	pk, sk := accountKey(acc)
	accUpd := expression.Set(expression.Name(attrStatut), expression.Value(string(crm.ApporteurActif))).
		Set(expression.Name(attrActiveLe), expression.Value(fmtTime(now))).
		Set(expression.Name(attrUpdatedAt), expression.Value(fmtTime(now))).
		Add(expression.Name(attrVersion), expression.Value(1)).
		Remove(expression.Name(attrActivationHash))
	if a.Kind == crm.AccountApporteur {
		accUpd = accUpd.Set(expression.Name(attrGSI2PK), expression.Value(ApporteurStatutList(a.MIA, string(crm.ApporteurActif))))
	}
	accCond := expression.Name(attrActivationHash).Equal(expression.Value(a.Hash)).
		And(expression.Name(attrStatut).Equal(expression.Value(string(crm.ApporteurInvitationEnvoyee))))
	ae, err := expression.NewBuilder().WithUpdate(accUpd).WithCondition(accCond).Build()
	if err != nil {
		return internal("build activate", err)
	}
	allOld := types.ReturnValuesOnConditionCheckFailureAllOld
	return s.transact(ctx, "consume activation", []txItem{
		{item: types.TransactWriteItem{Update: &types.Update{
			TableName: &s.table, Key: s.key(ActivationPK(a.Hash), ActivationSK()),
			UpdateExpression: te.Update(), ConditionExpression: te.Condition(),
			ExpressionAttributeNames: te.Names(), ExpressionAttributeValues: te.Values(),
			ReturnValuesOnConditionCheckFailure: allOld,
		}}, fail: func(old map[string]types.AttributeValue) error { return explainToken(old, now) }},
		{item: types.TransactWriteItem{Update: &types.Update{
			TableName: &s.table, Key: s.key(pk, sk),
			UpdateExpression: ae.Update(), ConditionExpression: ae.Condition(),
			ExpressionAttributeNames: ae.Names(), ExpressionAttributeValues: ae.Values(),
			ReturnValuesOnConditionCheckFailure: allOld,
		}}, fail: func(old map[string]types.AttributeValue) error {
			if old == nil {
				return crm.ActivationError("unknown")
			}
			return crm.ActivationError("used") // another token's hash, or activated / deactivated meanwhile
		}},
	})
}

// explainToken tells why a token's condition failed, from its old item.
func explainToken(old map[string]types.AttributeValue, now time.Time) error {
	var it activationItem
	if old == nil || attributevalue.UnmarshalMap(old, &it) != nil {
		return crm.ActivationError("unknown")
	}
	switch {
	case it.UsedAt != "":
		return crm.ActivationError("used")
	case it.Echecs >= crm.ActivationMaxFailures:
		return crm.ActivationError("locked")
	case it.ExpireLe <= fmtTime(now):
		return crm.ActivationError("expired")
	}
	return crm.ActivationError("used")
}

// UndoActivation reverts ConsumeActivation when the password could not be
// set in Cognito, so the same link can be tried again.
func (s *Store) UndoActivation(ctx context.Context, a crm.Activation) error {
	te, err := expression.NewBuilder().WithUpdate(expression.Remove(expression.Name("usedAt"))).Build()
	if err != nil {
		return internal("build undo", err)
	}
	acc := activationAccount(a)
	pk, sk := accountKey(acc)
	accUpd := expression.Set(expression.Name(attrStatut), expression.Value(string(crm.ApporteurInvitationEnvoyee))).
		Set(expression.Name(attrActivationHash), expression.Value(a.Hash)).
		Remove(expression.Name(attrActiveLe))
	if a.Kind == crm.AccountApporteur {
		accUpd = accUpd.Set(expression.Name(attrGSI2PK), expression.Value(ApporteurStatutList(a.MIA, string(crm.ApporteurInvitationEnvoyee))))
	}
	ae, err := expression.NewBuilder().WithUpdate(accUpd).Build()
	if err != nil {
		return internal("build undo", err)
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: &s.table, Key: s.key(ActivationPK(a.Hash), ActivationSK()),
			UpdateExpression: te.Update(), ExpressionAttributeNames: te.Names()}},
		{Update: &types.Update{TableName: &s.table, Key: s.key(pk, sk),
			UpdateExpression: ae.Update(), ExpressionAttributeNames: ae.Names(), ExpressionAttributeValues: ae.Values()}},
	}})
	if err != nil {
		return internal("undo activation", err)
	}
	return nil
}

// miaAccountItem is a MIA profile created by Assentis staff: the profile
// plus its invitation state.
type miaAccountItem struct {
	miaItem
	invitation
}

// typeMIAEmailGuard is the type of the global guard of a MIA account's email.
const typeMIAEmailGuard = "mia_email"

type miaEmailGuardItem struct {
	PK    string `dynamodbav:"PK"`
	SK    string `dynamodbav:"SK"`
	Type  string `dynamodbav:"type"`
	MIAID string `dynamodbav:"miaId"`
}

// CreateMIAAccount stores a new MIA profile waiting for its activation
// (invitation number 1: the stream consumer creates the Cognito user and
// sends the email), with a global guard on its email, in one transaction.
//
// idem (nil without Idempotency-Key) is recorded under the staff member's own
// tenant, staff.
func (s *Store) CreateMIAAccount(ctx context.Context, n crm.NewMIAAccount, staff crm.MIAID, idem *crm.Idempotency) (crm.MIA, *crm.Replay, error) {
	return replayOutcome(s.createMIAAccount(ctx, n, staff, idem))
}

func (s *Store) createMIAAccount(ctx context.Context, n crm.NewMIAAccount, staff crm.MIAID, idem *crm.Idempotency) (crm.MIA, error) {
	if errs := n.Validate(s.Phone); errs != nil {
		return crm.MIA{}, crm.Invalid(errs...)
	}
	now := s.Now().UTC()
	m := crm.MIA{ID: crm.MIAID(s.NewID()), Nom: n.Nom, Prenom: n.Prenom, Email: n.Email, Cabinet: n.Cabinet,
		Telephone: n.Telephone, CreatedAt: now, UpdatedAt: now, Version: 1}
	it := miaAccountItem{miaItem: toMIAItem(m),
		invitation: invitation{Statut: string(crm.ApporteurInvitationEnvoyee), InvitationN: 1}}
	var acts actions
	if idem != nil {
		ia, err := s.idempotenceAction(staff, idem, m)
		acts.add(ia.item, err)
		acts.onFail(ia.fail)
	}
	acts.add(s.putAction(it, notExists()))
	acts.add(s.putAction(miaEmailGuardItem{PK: MIAEmailPK(n.Email), SK: MIAEmailSK(), Type: typeMIAEmailGuard, MIAID: string(m.ID)}, notExists()))
	acts.onFail(func(map[string]types.AttributeValue) error {
		return &crm.Error{Code: crm.ECONFLICT, Message: "Un compte MIA utilise déjà cette adresse email.",
			Fields: []crm.FieldError{{Champ: "email", Message: "Adresse email déjà utilisée."}}}
	})
	if err := s.run(ctx, "create mia account", &acts); err != nil {
		return crm.MIA{}, err
	}
	return m, nil
}
