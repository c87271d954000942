package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const (
	msgClient         = "Ce client ne fait pas partie de vos contacts ni de vos entreprises."
	msgProduit        = "Ce produit n'existe pas au catalogue."
	msgProduitInactif = "Ce produit n'est plus distribué."
	msgSansApporteur  = "Ce client n'a pas d'apporteur : pas de taux de commission apporteur."
)

// CreateAffaire opens an affaire (en_cours). The client (contact or
// entreprise, to be found) and the produit are read in one BatchGetItem:
// the affaire copies the client's name and apporteur and the produit's name
// and default rate. With an Idempotency-Key, the same BatchGetItem reads the
// stored answer, which wins over the reference checks: the retry of a
// request that succeeded gets its 201 again even if a reference has changed
// since. The write is one transaction that re-checks (ConditionCheck) that
// the client is still at the version read and the produit still actif: a
// client edited in between (its apporteur may have changed, and
// the client-nom handler may already have moved its other affaires) makes the
// create read it again rather than copy a stale apporteur; after three such
// reads it gives up with ECONFLICT.
func (s *Store) CreateAffaire(ctx context.Context, m crm.MIAID, n crm.NewAffaire, idem *crm.Idempotency) (crm.Affaire, *crm.Replay, error) {
	return replayOutcome(s.createAffaireRetry(ctx, m, n, idem))
}

func (s *Store) createAffaireRetry(ctx context.Context, m crm.MIAID, n crm.NewAffaire, idem *crm.Idempotency) (crm.Affaire, error) {
	if errs := n.Validate(); errs != nil {
		return crm.Affaire{}, crm.Invalid(errs...)
	}
	for attempt := 1; ; attempt++ {
		a, err := s.createAffaire(ctx, m, n, idem)
		if !errors.Is(err, errClientChanged) {
			return a, err
		}
		if attempt == 3 {
			return crm.Affaire{}, crm.Errorf(crm.ECONFLICT, "Ce client vient d'être modifié : réessayez.")
		}
	}
}

// errClientChanged: the client of a new affaire changed between its read and
// the transaction.
var errClientChanged = errors.New("client changed")

func (s *Store) createAffaire(ctx context.Context, m crm.MIAID, n crm.NewAffaire, idem *crm.Idempotency) (crm.Affaire, error) {
	a := crm.Affaire{ClientID: n.ClientID, ProduitID: n.ProduitID, Statut: crm.AffaireEnCours,
		PrimeAnnuelleCentimes: n.PrimeAnnuelleCentimes, TauxCommissionApporteur: n.TauxCommissionApporteur,
		Remarques: n.Remarques}
	refs, err := s.affaireRefs(ctx, m, &a, idem)
	if err != nil {
		return crm.Affaire{}, err
	}
	a.TauxCommissionMIA = refs.produitTaux
	if n.TauxCommissionMIA != nil {
		a.TauxCommissionMIA = *n.TauxCommissionMIA
	}
	now := s.Now()
	a.ID = crm.AffaireID(s.NewID())
	a.CreatedAt, a.UpdatedAt, a.Version = now, now, 1

	var acts actions
	if idem != nil {
		it, err := s.idempotenceAction(m, idem, a)
		acts.add(it.item, err)
		acts.onFail(it.fail)
	}
	item := toAffaireItem(m, a)
	// The client version its apporteur and name were copied from: an older
	// stream record of the client changes neither (AttributeClientAffaires,
	// RenameClientAffaires).
	item.ApporteurClientVersion, item.ClientNomVersion = refs.clientVersion, refs.clientVersion
	acts.add(s.putAction(item, notExists()))
	check, err := s.checkAction(MIAPK(m), refs.clientSK,
		exists().And(expression.Name("version").Equal(expression.Value(refs.clientVersion))))
	if check.ConditionCheck != nil {
		check.ConditionCheck.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	acts.add(check, err)
	acts.onFail(func(old map[string]types.AttributeValue) error {
		if old == nil {
			return unprocessable("clientId", msgClient)(nil)
		}
		return errClientChanged
	})
	acts.add(s.checkAction(CataloguePK(), ProduitSK(a.ProduitID),
		expression.Name("actif").Equal(expression.Value(true))))
	acts.onFail(unprocessable("produitId", msgProduitInactif))
	if err := s.run(ctx, "create affaire", &acts); err != nil {
		return crm.Affaire{}, err
	}
	return a, nil
}

// affaireRefsRead is what a new affaire needs of its client and produit.
type affaireRefsRead struct {
	clientSK      string
	clientVersion int
	produitTaux   int
}

// affaireRefs reads the client and the produit of a new affaire (and the
// answer stored under idem's key, if any) in one BatchGetItem and fills what
// the affaire copies from them. A stored answer is returned as its replay.
func (s *Store) affaireRefs(ctx context.Context, m crm.MIAID, a *crm.Affaire, idem *crm.Idempotency) (affaireRefsRead, error) {
	var refs affaireRefsRead
	keys := []map[string]types.AttributeValue{
		s.key(MIAPK(m), ContactSK(crm.ContactID(a.ClientID))),
		s.key(MIAPK(m), EntrepriseSK(crm.EntrepriseID(a.ClientID))),
		s.key(CataloguePK(), ProduitSK(a.ProduitID)),
	}
	if idem != nil {
		keys = append(keys, s.key(MIAPK(m), IdempotenceSK(idem.Sub, idem.Key)))
	}
	req := map[string]types.KeysAndAttributes{s.table: {Keys: keys, ConsistentRead: aws.Bool(true)}}
	var got []map[string]types.AttributeValue
	for attempt := 0; len(req) > 0; attempt++ {
		if attempt == 5 {
			return refs, internal("read affaire refs", errors.New("unprocessed keys"))
		}
		res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return refs, internal("read affaire refs", err)
		}
		got = append(got, res.Responses[s.table]...)
		req = res.UnprocessedKeys
	}
	var (
		produit  *crm.Produit
		problems []crm.FieldError
	)
	for _, av := range got {
		switch itemType(av) {
		case typeContact:
			var it contactItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return refs, internal("decode contact", err)
			}
			c := it.contact()
			refs.clientSK, refs.clientVersion = it.SK, it.Version
			a.ClientType, a.ClientNom, a.ApporteurID = crm.ClientContact, c.DisplayName(), c.ApporteurID
		case typeEntreprise:
			var it entrepriseItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return refs, internal("decode entreprise", err)
			}
			refs.clientSK, refs.clientVersion = it.SK, it.Version
			a.ClientType, a.ClientNom, a.ApporteurID = crm.ClientEntreprise, it.RaisonSociale, crm.ApporteurID(it.ApporteurID)
		case typeProduit:
			var it produitItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return refs, internal("decode produit", err)
			}
			p := it.produit()
			produit = &p
		case typeIdempotence:
			return refs, replayOf(av, idem)
		}
	}
	if refs.clientSK == "" {
		problems = append(problems, crm.FieldError{Champ: "clientId", Message: msgClient})
	}
	switch {
	case produit == nil:
		problems = append(problems, crm.FieldError{Champ: "produitId", Message: msgProduit})
	case !produit.Actif:
		problems = append(problems, crm.FieldError{Champ: "produitId", Message: msgProduitInactif})
	default:
		a.ProduitNom = produit.Nom
	}
	if refs.clientSK != "" && a.ApporteurID == "" && a.TauxCommissionApporteur != nil {
		problems = append(problems, crm.FieldError{Champ: "tauxCommissionApporteur", Message: msgSansApporteur})
	}
	if problems != nil {
		return refs, &crm.Error{Code: crm.EUNPROCESSABLE, Message: problems[0].Message, Fields: problems}
	}
	refs.produitTaux = produit.TauxCommissionMIA
	return refs, nil
}

// ListAffaires lists a MIA's affaires, newest first, in one Query: of one
// statut on GSI2, or of one apporteur on GSI3 (its collection, begins_with
// AFFAIRE#: its historique entries sort under HISTORIQUE#), where a statut is
// a filter, so a page may hold fewer than Limit items while NextCursor is set.
// Another MIA's apporteur id names an empty collection of this MIA.
func (s *Store) ListAffaires(ctx context.Context, m crm.MIAID, f crm.AffaireFilter) (crm.Page[crm.Affaire], error) {
	errs := f.ListOptions.Validate()
	if f.Statut == "" && f.ApporteurID == "" {
		f.Statut = crm.AffaireEnCours
	}
	if f.Statut != "" && !f.Statut.Valid() {
		errs = append(errs, crm.FieldError{Champ: "statut", Message: "Le statut doit être « en_cours », « signee », « perdue » ou « resiliee »."})
	}
	if f.ApporteurID != "" && !crm.IsULID(string(f.ApporteurID)) {
		errs = append(errs, crm.FieldError{Champ: "apporteurId", Message: "Identifiant invalide."})
	}
	if errs != nil {
		return crm.Page[crm.Affaire]{}, crm.Invalid(errs...)
	}
	in := &dynamodb.QueryInput{ScanIndexForward: aws.Bool(false)}
	key := expression.Key(attrGSI2PK).Equal(expression.Value(AffaireStatutList(m, f.Statut)))
	var filter []expression.ConditionBuilder
	list := "affaires|" + string(f.Statut)
	if f.ApporteurID != "" {
		in.IndexName = aws.String(indexGSI3)
		key = expression.Key(attrGSI3PK).Equal(expression.Value(ApporteurCollection(m, f.ApporteurID))).
			And(expression.Key(attrGSI3SK).BeginsWith(prefixAffaire))
		if f.Statut != "" {
			filter = append(filter, expression.Name("statut").Equal(expression.Value(f.Statut)))
		}
		list = "affaires-apporteur|" + string(f.ApporteurID) + "|" + string(f.Statut)
	} else {
		in.IndexName = aws.String(indexGSI2)
	}
	if err := withExpr(in, key, filter); err != nil {
		return crm.Page[crm.Affaire]{}, internal("list affaires", err)
	}
	return queryPage(ctx, s, m, list, in, f.ListOptions, affaireItem.affaire)
}

// GetAffaire returns an affaire with its historique (oldest entry first) in
// one strongly consistent Query on its item collection.
func (s *Store) GetAffaire(ctx context.Context, m crm.MIAID, id crm.AffaireID) (crm.AffaireView, error) {
	notFound := crm.Errorf(crm.ENOTFOUND, "Affaire introuvable.")
	if !crm.IsULID(string(id)) {
		return crm.AffaireView{}, notFound
	}
	in := &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true)}
	key := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(AffaireSK(id)))
	if err := withExpr(in, key, nil); err != nil {
		return crm.AffaireView{}, internal("get affaire", err)
	}
	v := crm.AffaireView{Historique: []crm.Historique{}}
	found := false
	p := s.queryPages(in)
	for p.HasMorePages() {
		res, err := p.NextPage(ctx)
		if err != nil {
			return crm.AffaireView{}, internal("get affaire", err)
		}
		for _, av := range res.Items {
			switch itemType(av) {
			case typeAffaire:
				var it affaireItem
				if err := attributevalue.UnmarshalMap(av, &it); err != nil {
					return crm.AffaireView{}, internal("decode affaire", err)
				}
				v.Affaire, found = it.affaire(), true
			case typeHistorique:
				var it historiqueItem
				if err := attributevalue.UnmarshalMap(av, &it); err != nil {
					return crm.AffaireView{}, internal("decode historique", err)
				}
				v.Historique = append(v.Historique, it.historique())
			}
		}
	}
	if !found {
		return crm.AffaireView{}, notFound
	}
	return v, nil
}

// UpdateAffaire is "Mettre à jour": ONE conditional UpdateItem. Its condition
// holds everything the update depends on — the affaire exists, its version
// is ifMatch (when given), its statut may move to the new one, it has an
// apporteur when a rate for it is set — and on failure DynamoDB returns the
// old item, which tells ENOTFOUND, EPRECONDITION, ECONFLICT (transition) and
// EUNPROCESSABLE (no apporteur) apart without a second read.
func (s *Store) UpdateAffaire(ctx context.Context, m crm.MIAID, id crm.AffaireID, p crm.AffairePatch, ifMatch *int) (crm.Affaire, error) {
	notFound := crm.Errorf(crm.ENOTFOUND, "Affaire introuvable.")
	if !crm.IsULID(string(id)) {
		return crm.Affaire{}, notFound
	}
	if errs := p.Validate(); errs != nil {
		return crm.Affaire{}, crm.Invalid(errs...)
	}
	var (
		upd   expression.UpdateBuilder
		rules []expression.ConditionBuilder
	)
	if p.Statut != nil {
		upd = upd.Set(expression.Name("statut"), expression.Value(*p.Statut)).
			Set(expression.Name(attrGSI2PK), expression.Value(AffaireStatutList(m, *p.Statut)))
		var before []expression.OperandBuilder
		for _, st := range crm.StatutsBefore(*p.Statut) {
			before = append(before, expression.Value(st))
		}
		if len(before) == 1 {
			rules = append(rules, expression.Name("statut").Equal(before[0]))
		} else {
			rules = append(rules, expression.Name("statut").In(before[0], before[1:]...))
		}
	}
	if p.PrimeAnnuelleCentimes != nil {
		upd = upd.Set(expression.Name("primeAnnuelleCentimes"), expression.Value(*p.PrimeAnnuelleCentimes))
	}
	if p.TauxCommissionMIA != nil {
		upd = upd.Set(expression.Name("tauxCommissionMIA"), expression.Value(*p.TauxCommissionMIA))
	}
	if p.TauxCommissionApporteur != nil {
		upd = upd.Set(expression.Name("tauxCommissionApporteur"), expression.Value(*p.TauxCommissionApporteur))
		rules = append(rules, expression.AttributeExists(expression.Name("apporteurId")))
	}
	if p.Remarques != nil {
		upd = setOrRemove(upd, "remarques", *p.Remarques)
	}
	attrs, err := s.updateItem(ctx, itemUpdate{what: "Affaire", key: s.key(MIAPK(m), AffaireSK(id)),
		upd: upd, rules: rules, ifMatch: ifMatch,
		explain: func(old map[string]types.AttributeValue) error { return explainAffaireFailure(old, p) }})
	if err != nil {
		return crm.Affaire{}, err
	}
	var it affaireItem
	if err := attributevalue.UnmarshalMap(attrs, &it); err != nil {
		return crm.Affaire{}, internal("decode affaire", err)
	}
	return it.affaire(), nil
}

// explainAffaireFailure tells which rule of an existing affaire's update
// failed (updateItem has ruled out ENOTFOUND and EPRECONDITION).
func explainAffaireFailure(old map[string]types.AttributeValue, p crm.AffairePatch) error {
	var it affaireItem
	if err := attributevalue.UnmarshalMap(old, &it); err != nil {
		return internal("decode affaire", err)
	}
	if p.Statut != nil && !crm.AffaireStatut(it.Statut).CanBecome(*p.Statut) {
		msg := fmt.Sprintf("Une affaire « %s » ne peut pas passer au statut « %s ».", it.Statut, *p.Statut)
		return &crm.Error{Code: crm.ECONFLICT, Message: msg, Fields: []crm.FieldError{{Champ: "statut", Message: msg}}}
	}
	if p.TauxCommissionApporteur != nil && it.ApporteurID == "" {
		return unprocessable("tauxCommissionApporteur", "Cette affaire n'a pas d'apporteur : pas de taux de commission apporteur.")(nil)
	}
	return internal("update affaire", errors.New("condition failed for no known reason"))
}

// PutHistorique writes one entry of an affaire's history (stream consumer,
// issue 3). Its key is derived from the entry, so a retried batch overwrites
// the same item. apporteur places it in the apporteur's collection too.
func (s *Store) PutHistorique(ctx context.Context, m crm.MIAID, h crm.Historique, apporteur crm.ApporteurID) error {
	av, err := attributevalue.MarshalMap(toHistoriqueItem(m, h, apporteur))
	if err != nil {
		return internal("encode historique", err)
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av}); err != nil {
		return internal("put historique", err)
	}
	return nil
}

// MarkContactClient makes a prospect a client (when one of its affaires is
// signed; for the stream consumer). Already a client, or gone: no-op.
func (s *Store) MarkContactClient(ctx context.Context, m crm.MIAID, id crm.ContactID) error {
	upd := expression.Set(expression.Name("statut"), expression.Value(crm.ContactClient)).
		Set(expression.Name(attrGSI2PK), expression.Value(ContactStatutList(m, crm.ContactClient))).
		Set(expression.Name("updatedAt"), expression.Value(fmtTime(s.Now()))).
		Set(expression.Name("version"), expression.Name("version").Plus(expression.Value(1)))
	cond := exists().And(expression.Name("statut").Equal(expression.Value(crm.ContactProspect)))
	e, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return internal("mark client", err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: s.key(MIAPK(m), ContactSK(id)),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
	})
	if err != nil && !isConditionFailed(err) {
		return internal("mark client", err)
	}
	return nil
}
