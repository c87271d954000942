package dynamo

import (
	"context"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ListProduits returns the whole catalogue (a few dozen items) in one Query
// on PK=CATALOGUE, ordered by code.
func (s *Store) ListProduits(ctx context.Context) ([]crm.Produit, error) {
	in := &dynamodb.QueryInput{TableName: &s.table}
	if err := withExpr(in, expression.Key(attrPK).Equal(expression.Value(CataloguePK())), nil); err != nil {
		return nil, internal("list produits", err)
	}
	out := []crm.Produit{}
	p := s.queryPages(in)
	for p.HasMorePages() {
		res, err := p.NextPage(ctx)
		if err != nil {
			return nil, internal("list produits", err)
		}
		for _, av := range res.Items {
			var it produitItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, internal("decode produit", err)
			}
			out = append(out, it.produit())
		}
	}
	return out, nil
}

// GetProduit reads one produit.
func (s *Store) GetProduit(ctx context.Context, id crm.ProduitID) (crm.Produit, error) {
	if !crm.ValidProduitID(string(id)) {
		return crm.Produit{}, crm.Errorf(crm.ENOTFOUND, "Produit introuvable.")
	}
	var it produitItem
	if err := s.getItem(ctx, CataloguePK(), ProduitSK(id), &it, "Produit"); err != nil {
		return crm.Produit{}, err
	}
	return it.produit(), nil
}

// PutProduits seeds the catalogue: each produit is written only if its code is
// not there yet, so running it again (every `make dev`) keeps what Assentis
// staff changed since.
func (s *Store) PutProduits(ctx context.Context, ps []crm.Produit) error {
	for _, p := range ps {
		if errs := p.Validate(); errs != nil {
			return crm.Invalid(errs...)
		}
		now := s.Now()
		p.CreatedAt, p.UpdatedAt, p.Version = now, now, 1
		if err := s.putNew(ctx, toProduitItem(p)); err != nil && crm.ErrorCode(err) != crm.ECONFLICT {
			return err
		}
	}
	return nil
}

// putNew writes an item that must not exist yet (ECONFLICT if it does).
func (s *Store) putNew(ctx context.Context, item any) error {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return internal("encode", err)
	}
	e, err := build(notExists())
	if err != nil {
		return internal("put", err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av,
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
	if isConditionFailed(err) {
		return crm.Errorf(crm.ECONFLICT, "Cet élément existe déjà.")
	}
	if err != nil {
		return internal("put", err)
	}
	return nil
}

// CreateProduit adds a produit to the catalogue (Assentis staff). A code
// already used is ECONFLICT. The idempotency record lives under the staff
// member's own MIA partition.
func (s *Store) CreateProduit(ctx context.Context, p crm.Produit, m crm.MIAID, idem *crm.Idempotency) (crm.Produit, *crm.Replay, error) {
	return replayOutcome(s.createProduit(ctx, p, m, idem))
}

func (s *Store) createProduit(ctx context.Context, p crm.Produit, m crm.MIAID, idem *crm.Idempotency) (crm.Produit, error) {
	p.Version = 0
	if errs := p.Validate(); errs != nil {
		return crm.Produit{}, crm.Invalid(errs...)
	}
	now := s.Now()
	p.CreatedAt, p.UpdatedAt, p.Version = now, now, 1
	var a actions
	if idem != nil {
		it, err := s.idempotenceAction(m, idem, p)
		a.add(it.item, err)
		a.onFail(it.fail)
	}
	a.add(s.putAction(toProduitItem(p), notExists()))
	a.onFail(func(map[string]types.AttributeValue) error {
		msg := "Un produit avec ce code existe déjà."
		return &crm.Error{Code: crm.ECONFLICT, Message: msg, Ref: string(p.ID), Fields: []crm.FieldError{{Champ: "id", Message: msg}}}
	})
	if err := s.run(ctx, "create produit", &a); err != nil {
		return crm.Produit{}, err
	}
	return p, nil
}

// UpdateProduit applies a staff patch in ONE conditional UpdateItem (see
// updateItem): a produit has no guard and no attribute derived from others.
func (s *Store) UpdateProduit(ctx context.Context, id crm.ProduitID, patch crm.ProduitPatch, ifMatch *int) (crm.Produit, error) {
	if !crm.ValidProduitID(string(id)) {
		return crm.Produit{}, crm.Errorf(crm.ENOTFOUND, "Produit introuvable.")
	}
	probe := patch.Apply(crm.Produit{ID: id})
	patched := map[string]bool{"nom": patch.Nom != nil, "categorie": patch.Categorie != nil, "assureur": patch.Assureur != nil,
		"description": patch.Description != nil, "tauxCommissionMIA": patch.TauxCommissionMIA != nil}
	if err := patchErrors(probe.Validate(), patched); err != nil {
		return crm.Produit{}, err
	}
	var upd expression.UpdateBuilder
	for name, v := range map[string]string{"nom": probe.Nom, "categorie": string(probe.Categorie), "assureur": probe.Assureur} {
		if patched[name] {
			upd = upd.Set(expression.Name(name), expression.Value(v)) // required: never empty here
		}
	}
	if patched["description"] {
		upd = setOrRemove(upd, "description", probe.Description)
	}
	if patched["tauxCommissionMIA"] {
		upd = upd.Set(expression.Name("tauxCommissionMIA"), expression.Value(probe.TauxCommissionMIA))
	}
	if patch.Actif != nil {
		upd = upd.Set(expression.Name("actif"), expression.Value(*patch.Actif))
	}
	attrs, err := s.updateItem(ctx, itemUpdate{what: "Produit", key: s.key(CataloguePK(), ProduitSK(id)), upd: upd, ifMatch: ifMatch})
	if err != nil {
		return crm.Produit{}, err
	}
	var it produitItem
	if err := attributevalue.UnmarshalMap(attrs, &it); err != nil {
		return crm.Produit{}, internal("decode produit", err)
	}
	return it.produit(), nil
}

// PutMIA creates or updates a MIA profile (seeding). It sets only the
// profile's own fields, so attributes other code keeps on the same item
// (invitation state) survive, and, in the same transaction, the global guard
// of its email that POST /admin/mias writes too (so staff cannot create a
// second account with a seeded email): ECONFLICT when another MIA holds it.
func (s *Store) PutMIA(ctx context.Context, m crm.MIA) error {
	now := fmtTime(s.Now())
	upd := expression.Set(expression.Name("type"), expression.Value(typeMIA)).
		Set(expression.Name("id"), expression.Value(string(m.ID))).
		Set(expression.Name("nom"), expression.Value(m.Nom)).
		Set(expression.Name("prenom"), expression.Value(m.Prenom)).
		Set(expression.Name("email"), expression.Value(m.Email)).
		Set(expression.Name("cabinet"), expression.Value(m.Cabinet)).
		Set(expression.Name("createdAt"), expression.IfNotExists(expression.Name("createdAt"), expression.Value(now))).
		Set(expression.Name("updatedAt"), expression.Value(now)).
		Add(expression.Name("version"), expression.Value(1))
	if m.Telephone != "" {
		upd = upd.Set(expression.Name("telephone"), expression.Value(m.Telephone))
	}
	e, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		return internal("put mia", err)
	}
	var a actions
	a.add(types.TransactWriteItem{Update: &types.Update{
		TableName: &s.table, Key: s.key(MIAPK(m.ID), ProfilSK()),
		UpdateExpression: e.Update(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
	}}, nil)
	if email, ok := crm.NormalizeEmail(m.Email); ok {
		a.add(s.putAction(miaEmailGuardItem{PK: MIAEmailPK(email), SK: MIAEmailSK(), Type: typeMIAEmailGuard, MIAID: string(m.ID)},
			notExists().Or(expression.Name("miaId").Equal(expression.Value(string(m.ID))))))
		a.onFail(func(map[string]types.AttributeValue) error {
			return crm.Errorf(crm.ECONFLICT, "Un compte MIA utilise déjà cette adresse email.")
		})
	}
	return s.run(ctx, "put mia", &a)
}

// GetMIA reads a MIA profile.
func (s *Store) GetMIA(ctx context.Context, m crm.MIAID) (crm.MIA, error) {
	var it miaItem
	if err := s.getItem(ctx, MIAPK(m), ProfilSK(), &it, "MIA"); err != nil {
		return crm.MIA{}, err
	}
	return it.mia(), nil
}
