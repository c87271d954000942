package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Apporteurs and the accounts (apporteur or MIA) invited by email.
//
// An account item (apporteur or MIA profile) carries the invitation state:
// invitationN counts the invitations asked for (creation = 1, each
// POST …/invitation adds one); the invitation stream consumer handles number
// n once, by setting invitationTraitee = n and activationHash (the SHA-256 of
// the emailed token) in the same transaction that writes the token item. A
// token whose hash is not the account's current activationHash is dead.

const (
	typeApporteur  = "apporteur"
	typeActivation = "activation"
	typeEmailGuard = "apporteur_email"
	typeQuota      = "invitation_quota"
)

// Attribute names shared by the account items (apporteur, MIA profile).
const (
	attrStatut            = "statut"
	attrInvitationN       = "invitationN"
	attrInvitationTraitee = "invitationTraitee"
	attrActivationHash    = "activationHash"
	attrInvitationEchecs  = "invitationEchecs"
	attrVersion           = "version"
	attrUpdatedAt         = "updatedAt"
	attrActiveLe          = "activeLe"
	attrCommissions       = "commissions"
	attrCognitoSub        = "cognitoSub"
	attrDerniereRelanceLe = "derniereRelanceLe"
	attrActivationHashes  = "activationHashes"
)

// invitation is the state every invited account item carries.
type invitation struct {
	Statut            string `dynamodbav:"statut"`
	InvitationN       int    `dynamodbav:"invitationN"`
	InvitationTraitee int    `dynamodbav:"invitationTraitee,omitempty"`
	ActivationHash    string `dynamodbav:"activationHash,omitempty"`
	ActiveLe          string `dynamodbav:"activeLe,omitempty"`
	// InvitationEchecs counts the failed attempts at the current invitation
	// (Cognito or SES down); at MaxInvitationFailures the consumer stops and
	// the MIA sees invitationEchouee until it asks for a new invitation.
	InvitationEchecs int `dynamodbav:"invitationEchecs,omitempty"`
	// CognitoSub is the sub of the Cognito account created for the item
	// (RecordAccountSub): every admin call on the account uses it.
	CognitoSub string `dynamodbav:"cognitoSub,omitempty"`
	// DerniereRelanceLe is when the MIA last asked for a new invitation
	// (POST …/invitation): the next one waits Store.Limits.Cooldown.
	DerniereRelanceLe string `dynamodbav:"derniereRelanceLe,omitempty"`
	// ActivationHashes are the hashes of every token sent to the account:
	// the RGPD erasure deletes those token items (they hold the email).
	ActivationHashes []string `dynamodbav:"activationHashes,stringset,omitempty"`
}

// MaxInvitationFailures is crm.MaxInvitationFailures, for the store's
// conditions.
const MaxInvitationFailures = crm.MaxInvitationFailures

// commissionEntry is one affaire's contribution to its apporteur's totals;
// without a statut, a tombstone: the affaire left the apporteur at Version
// (it counts for nothing, crm.CommissionTotaux.Add ignores it).
type commissionEntry struct {
	Statut   string `dynamodbav:"s"`
	Centimes int64  `dynamodbav:"c"`
	Version  int    `dynamodbav:"v"`
}

type apporteurItem struct {
	keys
	meta
	invitation
	Nom          string `dynamodbav:"nom"`
	Prenom       string `dynamodbav:"prenom,omitempty"`
	Telephone    string `dynamodbav:"telephone,omitempty"`
	Email        string `dynamodbav:"email"`
	Localisation string `dynamodbav:"localisation,omitempty"`
	Remarques    string `dynamodbav:"remarques,omitempty"`
	// Commissions: per affaire id, kept by the commissions stream consumer.
	Commissions map[string]commissionEntry `dynamodbav:"commissions,omitempty"`
	membership
}

// membership is what makes an apporteur item one of a person's memberships
// (GSI1 PERSONNE#<sub>): the MIA's name as the person sees it, and, while a
// person who already had an account has not accepted this MIA's invitation,
// its sub as invitee.
type membership struct {
	MIANom      string             `dynamodbav:"miaNom,omitempty"`
	InviteSub   string             `dynamodbav:"inviteSub,omitempty"`
	InviteLe    string             `dynamodbav:"inviteLe,omitempty"`
	StatutLegal *statutLegalItem   `dynamodbav:"statutLegal,omitempty"`
	Convention  *conventionSummary `dynamodbav:"convention,omitempty"`
}

type statutLegalItem struct {
	Type            string `dynamodbav:"type"`
	NumeroORIAS     string `dynamodbav:"numeroOrias,omitempty"`
	Categorie       string `dynamodbav:"categorie,omitempty"`
	VerifieLe       string `dynamodbav:"verifieLe,omitempty"`
	RCProAssureur   string `dynamodbav:"rcProAssureur,omitempty"`
	RCProExpiration string `dynamodbav:"rcProExpiration,omitempty"`
}

func toStatutLegalItem(s crm.StatutLegal) *statutLegalItem {
	return &statutLegalItem{Type: string(s.Type), NumeroORIAS: s.NumeroORIAS, Categorie: s.Categorie,
		VerifieLe: s.VerifieLe, RCProAssureur: s.RCProAssureur, RCProExpiration: s.RCProExpiration}
}

func (it *statutLegalItem) statutLegal() *crm.StatutLegal {
	if it == nil {
		return nil
	}
	return &crm.StatutLegal{Type: crm.StatutLegalType(it.Type), NumeroORIAS: it.NumeroORIAS, Categorie: it.Categorie,
		VerifieLe: it.VerifieLe, RCProAssureur: it.RCProAssureur, RCProExpiration: it.RCProExpiration}
}

// conventionSummary is the apporteur item's record of its current convention.
type conventionSummary struct {
	Version    int    `dynamodbav:"v"`
	SHA256     string `dynamodbav:"sha256"`
	GenereeLe  string `dynamodbav:"genereeLe"`
	AccepteeLe string `dynamodbav:"accepteeLe,omitempty"`
}

func (c *conventionSummary) resume() *crm.ConventionResume {
	if c == nil {
		return nil
	}
	r := &crm.ConventionResume{Version: c.Version, SHA256: c.SHA256, GenereeLe: parseTime(c.GenereeLe)}
	if c.AccepteeLe != "" {
		t := parseTime(c.AccepteeLe)
		r.AccepteeLe = &t
	}
	return r
}

func toApporteurItem(m crm.MIAID, a crm.Apporteur) apporteurItem {
	it := apporteurItem{
		keys: keys{PK: MIAPK(m), SK: ApporteurSK(a.ID),
			GSI2PK: ApporteurStatutList(m, string(a.Statut)), GSI2SK: string(a.ID), Type: typeApporteur},
		meta:       toMeta(string(a.ID), a.CreatedAt, a.UpdatedAt, a.Version),
		invitation: invitation{Statut: string(a.Statut)},
		Nom:        a.Nom, Prenom: a.Prenom, Telephone: a.Telephone, Email: a.Email,
		Localisation: a.Localisation, Remarques: a.Remarques,
	}
	if a.ActiveLe != nil {
		it.ActiveLe = fmtTime(*a.ActiveLe)
	}
	return it
}

func (it apporteurItem) apporteur() crm.Apporteur {
	a := crm.Apporteur{
		ID: crm.ApporteurID(it.ID), Nom: it.Nom, Prenom: it.Prenom, Telephone: it.Telephone, Email: it.Email,
		Localisation: it.Localisation, Remarques: it.Remarques, Statut: crm.ApporteurStatut(it.Statut),
		CognitoSub: it.CognitoSub, CreatedAt: parseTime(it.CreatedAt), UpdatedAt: parseTime(it.UpdatedAt), Version: it.Version,
	}
	if it.ActiveLe != "" {
		t := parseTime(it.ActiveLe)
		a.ActiveLe = &t
	}
	a.InvitationEchouee = a.Statut == crm.ApporteurInvitationEnvoyee && it.InvitationEchecs >= MaxInvitationFailures
	a.StatutLegal = it.StatutLegal.statutLegal()
	a.Convention = it.Convention.resume()
	for _, e := range it.Commissions {
		a.Commissions.Add(crm.AffaireStatut(e.Statut), e.Centimes)
	}
	return a
}

type emailGuardItem struct {
	PK          string `dynamodbav:"PK"`
	SK          string `dynamodbav:"SK"`
	Type        string `dynamodbav:"type"`
	MIAID       string `dynamodbav:"miaId"`
	ApporteurID string `dynamodbav:"apporteurId"`
}

// CreateApporteur stores a new apporteur (statut invitation_envoyee,
// invitation number 1: the stream consumer sends the email) with its email
// guard, in one transaction. The guard is per MIA: an email already used by
// one of this MIA's apporteurs is ECONFLICT; another MIA's apporteur with the
// same email changes nothing to the answer (the invitation consumer handles
// a person who already has an account).
func (s *Store) CreateApporteur(ctx context.Context, m crm.MIAID, n crm.NewApporteur, idem *crm.Idempotency) (crm.Apporteur, *crm.Replay, error) {
	return replayOutcome(s.createApporteur(ctx, m, n, idem))
}

func (s *Store) createApporteur(ctx context.Context, m crm.MIAID, n crm.NewApporteur, idem *crm.Idempotency) (crm.Apporteur, error) {
	if errs := n.Validate(s.Phone); errs != nil {
		return crm.Apporteur{}, crm.Invalid(errs...)
	}
	now := s.Now().UTC()
	a := crm.Apporteur{
		ID: crm.ApporteurID(s.NewID()), Nom: n.Nom, Prenom: n.Prenom, Telephone: n.Telephone, Email: n.Email,
		Localisation: n.Localisation, Remarques: n.Remarques, Statut: crm.ApporteurInvitationEnvoyee,
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	it := toApporteurItem(m, a)
	it.InvitationN = 1
	var acts actions
	// The idempotency record comes first: a replay also fails the email
	// guard the first request wrote, and must be answered as a replay.
	if idem != nil {
		ia, err := s.idempotenceAction(m, idem, a)
		acts.add(ia.item, err)
		acts.onFail(ia.fail)
	}
	acts.add(s.putAction(it, notExists()))
	acts.add(s.putAction(emailGuardItem{PK: MIAPK(m), SK: UniqueApporteurEmailSK(a.Email), Type: typeEmailGuard,
		MIAID: string(m), ApporteurID: string(a.ID)}, notExists()))
	acts.onFail(func(map[string]types.AttributeValue) error {
		return &crm.Error{Code: crm.ECONFLICT, Message: "Un de vos apporteurs utilise déjà cette adresse email.",
			Fields: []crm.FieldError{{Champ: "email", Message: "Adresse email déjà utilisée par un de vos apporteurs."}}}
	})
	quota, err := s.invitationQuotaAction(m, now)
	acts.add(quota.item, err)
	acts.onFail(quota.fail)
	if err := s.run(ctx, "create apporteur", &acts); err != nil {
		return crm.Apporteur{}, invitationsContended(err)
	}
	return a, nil
}

// GetApporteur reads one apporteur of MIA m (strongly consistent).
func (s *Store) GetApporteur(ctx context.Context, m crm.MIAID, p crm.ApporteurID) (crm.Apporteur, error) {
	it, err := s.apporteurItem(ctx, m, p)
	if err != nil {
		return crm.Apporteur{}, err
	}
	return it.apporteur(), nil
}

func (s *Store) apporteurItem(ctx context.Context, m crm.MIAID, p crm.ApporteurID) (apporteurItem, error) {
	var it apporteurItem
	if !crm.IsULID(string(p)) {
		return it, crm.Errorf(crm.ENOTFOUND, "Apporteur introuvable.")
	}
	err := s.getItem(ctx, MIAPK(m), ApporteurSK(p), &it, "Apporteur")
	return it, err
}

// ActiveApporteur reads the membership of an apporteur-pool caller and
// refuses it (EFORBIDDEN) unless it is the caller's (the sub recorded on the
// apporteur item) and its statut is actif: deactivation must refuse tokens
// issued before it, which Cognito does not revoke, and a membership chosen
// by the client is never trusted without this check. An item without a
// recorded sub (accounts created before subs were recorded) passes for the
// token's own ids only.
func (s *Store) ActiveApporteur(ctx context.Context, who crm.Principal) (crm.Apporteur, error) {
	a, err := s.GetApporteur(ctx, who.MIA, who.Apporteur)
	if crm.ErrorCode(err) == crm.ENOTFOUND {
		return crm.Apporteur{}, notMember()
	}
	if err != nil {
		return crm.Apporteur{}, err
	}
	if a.CognitoSub != who.Sub && (a.CognitoSub != "" || who.Choisi) {
		return crm.Apporteur{}, notMember()
	}
	if a.Statut != crm.ApporteurActif {
		return crm.Apporteur{}, crm.Errorf(crm.EFORBIDDEN, "Votre compte apporteur est désactivé : contactez votre mandataire.")
	}
	return a, nil
}

// notMember is the answer to a membership that is not the caller's or does
// not exist: the same either way.
func notMember() error {
	return crm.Errorf(crm.EFORBIDDEN, "Vous ne travaillez pas avec ce mandataire depuis ce compte.")
}

// ListApporteurs lists MIA m's apporteurs: all (Query PK, begins_with
// APPORTEUR#) or those of one statut (Query GSI2).
func (s *Store) ListApporteurs(ctx context.Context, m crm.MIAID, statut crm.ApporteurStatut, o crm.ListOptions) (crm.Page[crm.Apporteur], error) {
	errs := o.Validate()
	if statut != "" && !statut.Valid() {
		errs = append(errs, crm.FieldError{Champ: "statut", Message: "Le statut doit être « invitation_envoyee », « actif » ou « desactive »."})
	}
	if errs != nil {
		return crm.Page[crm.Apporteur]{}, crm.Invalid(errs...)
	}
	var (
		kc   expression.KeyConditionBuilder
		in   = &dynamodb.QueryInput{ScanIndexForward: aws.Bool(false)}
		list = "apporteurs"
	)
	if statut != "" {
		kc = expression.Key(attrGSI2PK).Equal(expression.Value(ApporteurStatutList(m, string(statut))))
		in.IndexName = aws.String(indexGSI2)
		list += ":" + string(statut)
	} else {
		kc = expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(prefixApporteur))
	}
	if err := withExpr(in, kc, nil); err != nil {
		return crm.Page[crm.Apporteur]{}, internal("build query", err)
	}
	return queryPage(ctx, s, m, list, in, o, apporteurItem.apporteur)
}

// UpdateApporteur applies patch to apporteur p if its version is still
// *ifMatch (when given). It returns the apporteur before and after: the
// caller disables or enables the Cognito user when the statut changed. It is
// ONE conditional UpdateItem (see updateItem) returning the old item: after
// is the old item with exactly what the update set. A reactivation (statut
// actif becomes invitation_envoyee for an account never activated) needs the
// unpatched activeLe: the apporteur is read first, and the update is
// conditioned on the version read.
func (s *Store) UpdateApporteur(ctx context.Context, m crm.MIAID, p crm.ApporteurID, patch crm.ApporteurPatch, ifMatch *int) (before, after crm.Apporteur, err error) {
	if errs := patch.Validate(s.Phone); errs != nil {
		return before, after, crm.Invalid(errs...)
	}
	if !crm.IsULID(string(p)) {
		return before, after, crm.Errorf(crm.ENOTFOUND, "Apporteur introuvable.")
	}
	stale := crm.Errorf(crm.EPRECONDITION, "L'apporteur a été modifié entre-temps : rechargez-le avant de le modifier.")
	statut := patch.Statut
	if statut != nil && *statut == crm.ApporteurActif {
		it, err := s.apporteurItem(ctx, m, p)
		if err != nil {
			return before, after, err
		}
		read := it.apporteur()
		if ifMatch != nil && *ifMatch != read.Version {
			return before, after, stale
		}
		st := patch.Apply(read).Statut
		statut, ifMatch = &st, &read.Version
	}
	var upd expression.UpdateBuilder
	if patch.Nom != nil {
		upd = upd.Set(expression.Name("nom"), expression.Value(*patch.Nom))
	}
	for name, v := range map[string]*string{"prenom": patch.Prenom, "telephone": patch.Telephone,
		"localisation": patch.Localisation, "remarques": patch.Remarques} {
		if v != nil {
			upd = setOrRemove(upd, name, *v)
		}
	}
	if patch.StatutLegal != nil {
		upd = upd.Set(expression.Name("statutLegal"), expression.Value(toStatutLegalItem(*patch.StatutLegal)))
	}
	if statut != nil {
		upd = upd.Set(expression.Name(attrStatut), expression.Value(string(*statut))).
			Set(expression.Name(attrGSI2PK), expression.Value(ApporteurStatutList(m, string(*statut))))
	}
	now := s.Now().UTC()
	old, err := s.updateItem(ctx, itemUpdate{what: "Apporteur", key: s.key(MIAPK(m), ApporteurSK(p)), upd: upd,
		ifMatch: ifMatch, stale: stale, at: now, returnOld: true})
	if err != nil {
		return before, after, err
	}
	var it apporteurItem
	if err := attributevalue.UnmarshalMap(old, &it); err != nil {
		return before, after, internal("decode apporteur", err)
	}
	before = it.apporteur()
	after = patch.Apply(before)
	after.UpdatedAt, after.Version = now, before.Version+1
	return before, after, nil
}

// ReissueInvitation asks for a new activation email for apporteur p: the
// current link dies at once (activationHash removed, its token item deleted)
// and the invitation number grows, which the stream consumer turns into a new
// token and email. Only an apporteur that has not activated its account can
// be invited again (ECONFLICT otherwise), at most once per
// s.Limits.Cooldown and within the MIA's daily quota (ETOOMANY).
//
// The apporteur is read first (the old token to delete, the cooldown to
// explain), then one transaction conditioned on the version read updates it,
// counts the email in the quota and deletes the old token.
func (s *Store) ReissueInvitation(ctx context.Context, m crm.MIAID, p crm.ApporteurID) (crm.Apporteur, error) {
	it, err := s.apporteurItem(ctx, m, p)
	if err != nil {
		return crm.Apporteur{}, err
	}
	now := s.Now().UTC()
	if err := s.reissuable(it, now); err != nil {
		return crm.Apporteur{}, err
	}
	upd := expression.Add(expression.Name(attrInvitationN), expression.Value(1)).
		Add(expression.Name(attrVersion), expression.Value(1)).
		Set(expression.Name(attrUpdatedAt), expression.Value(fmtTime(now))).
		Set(expression.Name(attrDerniereRelanceLe), expression.Value(fmtTime(now))).
		Remove(expression.Name(attrActivationHash)).
		Remove(expression.Name(attrInvitationEchecs))
	cond := expression.Name(attrVersion).Equal(expression.Value(it.Version))
	e, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return crm.Apporteur{}, internal("build update", err)
	}
	items := []txItem{{item: types.TransactWriteItem{Update: &types.Update{
		TableName: &s.table, Key: s.key(MIAPK(m), ApporteurSK(p)),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}, fail: func(old map[string]types.AttributeValue) error {
		var cur apporteurItem
		if old == nil || attributevalue.UnmarshalMap(old, &cur) != nil {
			return crm.Errorf(crm.ENOTFOUND, "Apporteur introuvable.")
		}
		if err := s.reissuable(cur, now); err != nil {
			return err
		}
		return crm.Errorf(crm.ECONFLICT, "L'apporteur a été modifié entre-temps : réessayez.")
	}}}
	quota, err := s.invitationQuotaAction(m, now)
	if err != nil {
		return crm.Apporteur{}, internal("build quota", err)
	}
	items = append(items, quota)
	if it.ActivationHash != "" {
		// The old token is already dead (its hash is no longer the
		// account's); deleting it makes the link unknown.
		items = append(items, txItem{item: types.TransactWriteItem{Delete: &types.Delete{
			TableName: &s.table, Key: s.key(ActivationPK(it.ActivationHash), ActivationSK())}}})
	}
	if err := s.transact(ctx, "reissue invitation", items); err != nil {
		return crm.Apporteur{}, invitationsContended(err)
	}
	a := it.apporteur()
	a.Version++
	a.UpdatedAt = now
	a.InvitationEchouee = false // the new invitation starts afresh
	return a, nil
}

// reissuable tells whether apporteur it may get a new invitation at now.
func (s *Store) reissuable(it apporteurItem, now time.Time) error {
	if it.Statut != string(crm.ApporteurInvitationEnvoyee) {
		return crm.Errorf(crm.ECONFLICT, "Ce compte est déjà activé ou désactivé : une nouvelle invitation n'est possible qu'avant l'activation.")
	}
	if it.DerniereRelanceLe != "" {
		if wait := parseTime(it.DerniereRelanceLe).Add(s.Limits.Cooldown).Sub(now); wait > 0 {
			return crm.TooMany(fmt.Sprintf("Une nouvelle invitation a été envoyée à cet apporteur il y a moins de %d minutes : réessayez plus tard.",
				int(s.Limits.Cooldown/time.Minute)), wait)
		}
	}
	return nil
}

// invitationsContended turns a transaction still contended after its
// retries, which only simultaneous invitations of one MIA meet (they share
// the day's counter), into a 429 to retry in a moment instead of a 500.
func invitationsContended(err error) error {
	if errors.Is(err, errContended) {
		return crm.TooMany("D'autres invitations de votre cabinet sont en cours d'envoi : réessayez dans un instant.", time.Second)
	}
	return err
}

// invitationQuotaAction counts one invitation email in MIA m's count of
// now's UTC day, in the transaction that asks for the email; at
// s.Limits.PerDay the condition fails: ETOOMANY until the next UTC
// midnight. The counter item expires (TTL) the day after.
func (s *Store) invitationQuotaAction(m crm.MIAID, now time.Time) (txItem, error) {
	now = now.UTC()
	next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	upd := expression.Add(expression.Name("n"), expression.Value(1)).
		Set(expression.Name("type"), expression.Value(typeQuota)).
		Set(expression.Name("expiresAt"), expression.Value(next.Add(24*time.Hour).Unix()))
	cond := expression.Or(expression.Name("n").AttributeNotExists(), expression.Name("n").LessThan(expression.Value(s.Limits.PerDay)))
	e, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return txItem{}, err
	}
	return txItem{item: types.TransactWriteItem{Update: &types.Update{
		TableName: &s.table, Key: s.key(MIAPK(m), InvitationQuotaSK(now.Format(time.DateOnly))),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
	}}, fail: func(map[string]types.AttributeValue) error {
		return crm.TooMany(fmt.Sprintf("Vous avez atteint la limite de %d invitations par jour : les suivantes seront possibles demain.", s.Limits.PerDay),
			next.Sub(now))
	}}, nil
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}
