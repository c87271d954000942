package dynamo

import (
	"context"
	"sort"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Memberships and conventions d'apport (issue 12).
//
// A membership is the apporteur item of one MIA, placed in its person's
// collection on GSI1 (PERSONNE#<sub> / MIA#<m>) when the invitation
// consumer knows the person's account: for a new account its cognitoSub,
// for an account that already existed (another MIA's apporteur) its
// inviteSub, until the person accepts. A MIA never reads GSI1 of a person,
// so what it sees of its apporteur is the same whether the person had an
// account or not.

const (
	attrInviteSub     = "inviteSub"
	attrConvention    = "convention"
	typeConvention    = "convention"
	typeConventionPDF = "convention_pdf"
)

// conventionPDFItem holds the exact bytes of one version.
type conventionPDFItem struct {
	PK      string `dynamodbav:"PK"`
	SK      string `dynamodbav:"SK"`
	Type    string `dynamodbav:"type"`
	Version int    `dynamodbav:"version"`
	SHA256  string `dynamodbav:"sha256"`
	PDF     []byte `dynamodbav:"pdf"`
}

// RecordMembership places the apporteur item of acc (invitation hash still
// current) in the collection of the person sub, with the MIA's name as the
// person sees it. pending: the person already had an account and must
// accept (inviteSub); otherwise the account was made for this invitation.
func (s *Store) RecordMembership(ctx context.Context, acc crm.Account, hash, sub, miaNom string, pending bool) error {
	pk, sk := accountKey(acc)
	upd := expression.Set(expression.Name(attrGSI1PK), expression.Value(PersonneMembres(sub))).
		Set(expression.Name(attrGSI1SK), expression.Value(MembreGSI1SK(acc.MIA))).
		Set(expression.Name("miaNom"), expression.Value(miaNom)).
		Set(expression.Name("inviteLe"), expression.Value(fmtTime(s.Now())))
	if pending {
		upd = upd.Set(expression.Name(attrInviteSub), expression.Value(sub))
	}
	cond := expression.Name(attrActivationHash).Equal(expression.Value(hash))
	e, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return internal("build record membership", err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: s.key(pk, sk),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
	})
	if isConditionFailed(err) {
		return nil // a newer invitation took over: it records the membership again
	}
	if err != nil {
		return internal("record membership", err)
	}
	return nil
}

// membre is how the person sub sees apporteur item it; ok is false when the
// item is not (or no longer) one of its memberships.
func (it apporteurItem) membre(sub string) (crm.Membre, bool) {
	m := crm.MIAID(it.PK[len(prefixMIA):])
	out := crm.Membre{ID: crm.MembreID(m, crm.ApporteurID(it.ID)), MIA: m, Apporteur: crm.ApporteurID(it.ID),
		MIANom: it.MIANom, InviteLe: parseTime(it.InviteLe), Convention: it.Convention.resume()}
	switch {
	case it.CognitoSub == sub && it.Statut == string(crm.ApporteurActif):
		out.Statut = crm.MembreActif
	case it.CognitoSub == sub && it.Statut == string(crm.ApporteurDesactive):
		out.Statut = crm.MembreDesactive
	case it.InviteSub == sub && it.CognitoSub == "" && it.Statut == string(crm.ApporteurInvitationEnvoyee):
		out.Statut = crm.MembreAAccepter
	default:
		return crm.Membre{}, false
	}
	if it.ActiveLe != "" {
		t := parseTime(it.ActiveLe)
		out.ActiveLe = &t
	}
	return out, true
}

// maxMemberships bounds the memberships read for one person.
const maxMemberships = 200

// Memberships lists the memberships of the person sub, actif first, then by
// MIA name: one Query of its GSI1 collection.
func (s *Store) Memberships(ctx context.Context, sub string) ([]crm.Membre, error) {
	kc := expression.Key(attrGSI1PK).Equal(expression.Value(PersonneMembres(sub)))
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI1), Limit: aws.Int32(maxMemberships)}
	if err := withExpr(in, kc, nil); err != nil {
		return nil, internal("build query", err)
	}
	res, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, internal("query memberships", err)
	}
	out := []crm.Membre{}
	for _, av := range res.Items {
		var it apporteurItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, internal("decode membership", err)
		}
		if m, ok := it.membre(sub); ok {
			out = append(out, m)
		}
	}
	rank := map[crm.MembreStatut]int{crm.MembreActif: 0, crm.MembreAAccepter: 1, crm.MembreDesactive: 2}
	sort.SliceStable(out, func(i, j int) bool {
		if rank[out[i].Statut] != rank[out[j].Statut] {
			return rank[out[i].Statut] < rank[out[j].Statut]
		}
		return out[i].MIANom < out[j].MIANom
	})
	return out, nil
}

// AcceptMembership makes the invitation of apporteur p of MIA m, sent to
// the existing account sub, an actif membership: one conditional UpdateItem
// (still this person's pending invitation). Anything else, including another
// person's invitation, is the same ENOTFOUND.
func (s *Store) AcceptMembership(ctx context.Context, sub string, m crm.MIAID, p crm.ApporteurID) (crm.Membre, error) {
	notFound := crm.Errorf(crm.ENOTFOUND, "Invitation introuvable ou déjà acceptée.")
	if !crm.IsULID(string(p)) || sub == "" {
		return crm.Membre{}, notFound
	}
	now := s.Now().UTC()
	upd := expression.Set(expression.Name(attrStatut), expression.Value(string(crm.ApporteurActif))).
		Set(expression.Name(attrGSI2PK), expression.Value(ApporteurStatutList(m, string(crm.ApporteurActif)))).
		Set(expression.Name(attrActiveLe), expression.Value(fmtTime(now))).
		Set(expression.Name(attrCognitoSub), expression.Value(sub)).
		Remove(expression.Name(attrInviteSub)).
		Remove(expression.Name(attrActivationHash))
	rules := []expression.ConditionBuilder{
		expression.Name(attrInviteSub).Equal(expression.Value(sub)),
		expression.Name(attrStatut).Equal(expression.Value(string(crm.ApporteurInvitationEnvoyee))),
		expression.Name(attrCognitoSub).AttributeNotExists(),
	}
	av, err := s.updateItem(ctx, itemUpdate{what: "Invitation", key: s.key(MIAPK(m), ApporteurSK(p)), upd: upd,
		rules: rules, at: now, explain: func(map[string]types.AttributeValue) error { return notFound }})
	if crm.ErrorCode(err) == crm.ENOTFOUND {
		return crm.Membre{}, notFound
	}
	if err != nil {
		return crm.Membre{}, err
	}
	var it apporteurItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return crm.Membre{}, internal("decode apporteur", err)
	}
	mb, _ := it.membre(sub)
	return mb, nil
}

// conventionItem is one version of a convention d'apport: the exact PDF,
// its hash, and once accepted the proof.
type conventionItem struct {
	PK          string `dynamodbav:"PK"`
	SK          string `dynamodbav:"SK"`
	Type        string `dynamodbav:"type"`
	MIAID       string `dynamodbav:"miaId"`
	ApporteurID string `dynamodbav:"apporteurId"`
	Version     int    `dynamodbav:"version"`
	SHA256      string `dynamodbav:"sha256"`
	Taille      int    `dynamodbav:"taille"`
	GenereeLe   string `dynamodbav:"genereeLe"`
	StatutLegal string `dynamodbav:"statutLegal"`
	// The acceptance proof.
	AccepteeLe string `dynamodbav:"accepteeLe,omitempty"`
	ParSub     string `dynamodbav:"parSub,omitempty"`
	ParEmail   string `dynamodbav:"parEmail,omitempty"`
	ParNom     string `dynamodbav:"parNom,omitempty"`
	AdresseIP  string `dynamodbav:"adresseIp,omitempty"`
	UserAgent  string `dynamodbav:"userAgent,omitempty"`
	SHA256Lu   string `dynamodbav:"sha256Accepte,omitempty"`
}

func (it conventionItem) convention(current int) crm.Convention {
	c := crm.Convention{Version: it.Version, SHA256: it.SHA256, Taille: it.Taille, GenereeLe: parseTime(it.GenereeLe),
		StatutLegal: crm.StatutLegalType(it.StatutLegal), Courante: it.Version == current}
	if it.AccepteeLe != "" {
		c.Acceptation = &crm.Acceptation{Le: parseTime(it.AccepteeLe), Email: it.ParEmail, Nom: it.ParNom, Sub: it.ParSub,
			AdresseIP: it.AdresseIP, UserAgent: it.UserAgent, SHA256: it.SHA256Lu}
	}
	return c
}

// SaveConvention stores version c.Version of apporteur p's convention (pdf,
// whose hash c holds) and makes it the current one, in one transaction
// conditioned on the apporteur's current version being c.Version-1 (two
// MIA tabs generating at once: one wins, the other gets ECONFLICT).
func (s *Store) SaveConvention(ctx context.Context, m crm.MIAID, p crm.ApporteurID, c crm.Convention, pdf []byte) error {
	it := conventionItem{PK: MIAPK(m), SK: ConventionSK(p, c.Version), Type: typeConvention, MIAID: string(m),
		ApporteurID: string(p), Version: c.Version, SHA256: c.SHA256, Taille: len(pdf), GenereeLe: fmtTime(c.GenereeLe),
		StatutLegal: string(c.StatutLegal)}
	var a actions
	a.add(s.putAction(it, notExists()))
	a.onFail(func(map[string]types.AttributeValue) error { return conventionChanged() })
	a.add(s.putAction(conventionPDFItem{PK: MIAPK(m), SK: ConventionPDFSK(p, c.Version), Type: typeConventionPDF,
		Version: c.Version, SHA256: c.SHA256, PDF: pdf}, notExists()))
	a.onFail(func(map[string]types.AttributeValue) error { return conventionChanged() })
	upd := expression.Set(expression.Name(attrConvention), expression.Value(conventionSummary{Version: c.Version,
		SHA256: c.SHA256, GenereeLe: fmtTime(c.GenereeLe)})).
		Set(expression.Name(attrUpdatedAt), expression.Value(fmtTime(c.GenereeLe))).
		Add(expression.Name(attrVersion), expression.Value(1))
	cond := exists()
	if c.Version == 1 {
		cond = cond.And(expression.Name(attrConvention).AttributeNotExists())
	} else {
		cond = cond.And(expression.Name(attrConvention + ".v").Equal(expression.Value(c.Version - 1)))
	}
	e, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	a.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: s.key(MIAPK(m), ApporteurSK(p)),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}}, err)
	a.onFail(func(old map[string]types.AttributeValue) error {
		if old == nil {
			return crm.Errorf(crm.ENOTFOUND, "Apporteur introuvable.")
		}
		return conventionChanged()
	})
	return s.run(ctx, "save convention", &a)
}

func conventionChanged() error {
	return crm.Errorf(crm.ECONFLICT, "La convention vient d'être générée à nouveau : rechargez la page.")
}

// Conventions lists the versions of apporteur p's convention, newest first:
// one Query of the version items (the PDFs are items of their own). current
// is the apporteur's current version (0: the newest stored).
func (s *Store) Conventions(ctx context.Context, m crm.MIAID, p crm.ApporteurID, current int) ([]crm.Convention, error) {
	out := []crm.Convention{}
	if !crm.IsULID(string(p)) {
		return out, nil
	}
	kc := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).
		And(expression.Key(attrSK).BeginsWith(ConventionPrefix(p)))
	e, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, internal("build query", err)
	}
	res, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: &s.table, KeyConditionExpression: e.KeyCondition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ScanIndexForward: aws.Bool(false), ConsistentRead: aws.Bool(true), Limit: aws.Int32(100)})
	if err != nil {
		return nil, internal("query conventions", err)
	}
	for _, av := range res.Items {
		var it conventionItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, internal("decode convention", err)
		}
		out = append(out, it.convention(current))
	}
	if current == 0 && len(out) > 0 {
		out[0].Courante = true
	}
	return out, nil
}

// ConventionPDF reads the exact PDF of version v of apporteur p's
// convention (1 GetItem); the Convention returned holds its version and hash.
func (s *Store) ConventionPDF(ctx context.Context, m crm.MIAID, p crm.ApporteurID, v int) (crm.Convention, []byte, error) {
	if !crm.IsULID(string(p)) || v < 1 {
		return crm.Convention{}, nil, crm.Errorf(crm.ENOTFOUND, "Convention introuvable.")
	}
	var it conventionPDFItem
	if err := s.getItem(ctx, MIAPK(m), ConventionPDFSK(p, v), &it, "Convention"); err != nil {
		return crm.Convention{}, nil, err
	}
	return crm.Convention{Version: it.Version, SHA256: it.SHA256, Taille: len(it.PDF)}, it.PDF, nil
}

// AcceptConvention records the acceptance of version v of the caller's
// convention (who: its membership) with its proof, if v is still the
// current version, its hash is proof.SHA256, it was not accepted yet and the
// membership is the caller's and actif: one transaction (the convention
// item and the apporteur item's summary).
func (s *Store) AcceptConvention(ctx context.Context, who crm.Principal, v int, proof crm.Acceptation) (crm.Convention, error) {
	if v < 1 {
		return crm.Convention{}, crm.Errorf(crm.ENOTFOUND, "Convention introuvable.")
	}
	at := fmtTime(proof.Le)
	var a actions
	// The membership first: a caller who is not the member learns nothing
	// of the convention.
	mine := expression.Name(attrCognitoSub).Equal(expression.Value(who.Sub))
	if !who.Choisi {
		mine = expression.Or(mine, expression.Name(attrCognitoSub).AttributeNotExists())
	}
	upd2 := expression.Set(expression.Name(attrConvention+".accepteeLe"), expression.Value(at))
	cond2 := exists().And(expression.Name(attrStatut).Equal(expression.Value(string(crm.ApporteurActif)))).And(mine).
		And(expression.Name(attrConvention + ".v").Equal(expression.Value(v)))
	e2, err := expression.NewBuilder().WithUpdate(upd2).WithCondition(cond2).Build()
	a.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: s.key(MIAPK(who.MIA), ApporteurSK(who.Apporteur)),
		UpdateExpression: e2.Update(), ConditionExpression: e2.Condition(),
		ExpressionAttributeNames: e2.Names(), ExpressionAttributeValues: e2.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}}, err)
	a.onFail(func(old map[string]types.AttributeValue) error {
		var it apporteurItem
		if old == nil || attributevalue.UnmarshalMap(old, &it) != nil || it.Statut != string(crm.ApporteurActif) ||
			(it.CognitoSub != who.Sub && (it.CognitoSub != "" || who.Choisi)) {
			return notMember()
		}
		if it.Convention == nil || it.Convention.Version < v {
			return crm.Errorf(crm.ENOTFOUND, "Convention introuvable.")
		}
		return crm.Errorf(crm.ECONFLICT, "Une nouvelle version de la convention a été générée : lisez-la avant de l'accepter.")
	})
	upd := expression.Set(expression.Name("accepteeLe"), expression.Value(at)).
		Set(expression.Name("parSub"), expression.Value(who.Sub)).
		Set(expression.Name("parEmail"), expression.Value(proof.Email)).
		Set(expression.Name("parNom"), expression.Value(proof.Nom)).
		Set(expression.Name("adresseIp"), expression.Value(proof.AdresseIP)).
		Set(expression.Name("userAgent"), expression.Value(proof.UserAgent)).
		Set(expression.Name("sha256Accepte"), expression.Value(proof.SHA256))
	cond := exists().And(expression.Name("accepteeLe").AttributeNotExists()).
		And(expression.Name("sha256").Equal(expression.Value(proof.SHA256)))
	e, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	a.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: s.key(MIAPK(who.MIA), ConventionSK(who.Apporteur, v)),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}}, err)
	a.onFail(func(old map[string]types.AttributeValue) error {
		var it conventionItem
		if old == nil || attributevalue.UnmarshalMap(old, &it) != nil {
			return crm.Errorf(crm.ENOTFOUND, "Convention introuvable.")
		}
		if it.AccepteeLe != "" {
			return crm.Errorf(crm.ECONFLICT, "Vous avez déjà accepté cette version de la convention.")
		}
		return &crm.Error{Code: crm.EUNPROCESSABLE, Message: "Le document accepté n'est pas celui de la convention : rechargez-la et relisez-la.",
			Fields: []crm.FieldError{{Champ: "sha256", Message: "Empreinte différente de celle de la convention."}}}
	})
	if err := s.run(ctx, "accept convention", &a); err != nil {
		return crm.Convention{}, err
	}
	var it conventionItem
	if err := s.getItem(ctx, MIAPK(who.MIA), ConventionSK(who.Apporteur, v), &it, "Convention"); err != nil {
		return crm.Convention{}, err
	}
	return it.convention(v), nil
}
