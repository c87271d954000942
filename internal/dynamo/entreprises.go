package dynamo

import (
	"context"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

const msgDirigeant = "Ce dirigeant ne fait pas partie de vos contacts."

// CreateEntreprise validates e and stores it with its SIREN guard in one
// transaction, which also checks (ConditionCheck) that the dirigeant is a
// contact of the MIA. When the MIA gives no apporteurId, the entreprise takes
// its dirigeant's: that needs the dirigeant's data, so it is read first
// (one GetItem). A duplicate SIREN is ECONFLICT with Ref = the existing entreprise.
func (s *Store) CreateEntreprise(ctx context.Context, m crm.MIAID, e crm.Entreprise, idem *crm.Idempotency) (crm.Entreprise, *crm.Replay, error) {
	return replayOutcome(s.createEntreprise(ctx, m, e, idem))
}

func (s *Store) createEntreprise(ctx context.Context, m crm.MIAID, e crm.Entreprise, idem *crm.Idempotency) (crm.Entreprise, error) {
	e.ID, e.Version = "", 0
	if errs := e.Validate(s.Phone); errs != nil {
		return crm.Entreprise{}, crm.Invalid(errs...)
	}
	if e.ApporteurID == "" {
		// The read below comes before the transaction's idempotence action:
		// a retry must find its stored answer first (see CreateAffaire).
		if err := s.replayed(ctx, m, idem); err != nil {
			return crm.Entreprise{}, err
		}
		d, err := s.contact(ctx, m, e.DirigeantID)
		if crm.ErrorCode(err) == crm.ENOTFOUND {
			return crm.Entreprise{}, unprocessable("dirigeantId", msgDirigeant)(nil)
		} else if err != nil {
			return crm.Entreprise{}, err
		}
		e.ApporteurID = d.ApporteurID
	}
	now := s.Now()
	e.ID = crm.EntrepriseID(s.NewID())
	e.CreatedAt, e.UpdatedAt, e.Version = now, now, 1

	var a actions
	if idem != nil {
		it, err := s.idempotenceAction(m, idem, e)
		a.add(it.item, err)
		a.onFail(it.fail)
	}
	a.add(s.putAction(toEntrepriseItem(m, e), notExists()))
	s.addEntrepriseChecks(&a, m, crm.Entreprise{}, e)
	if err := s.run(ctx, "create entreprise", &a); err != nil {
		return crm.Entreprise{}, err
	}
	return e, nil
}

// addEntrepriseChecks swaps the SIREN guard and checks the dirigeant and the
// apporteur when they change.
func (s *Store) addEntrepriseChecks(a *actions, m crm.MIAID, prev, next crm.Entreprise) {
	s.swapGuard(a, m, prev.Siren, next.Siren, string(next.ID), UniqueSirenSK, "siren",
		"Une entreprise avec ce SIREN existe déjà.")
	if next.DirigeantID != prev.DirigeantID {
		a.add(s.checkAction(MIAPK(m), ContactSK(next.DirigeantID), exists()))
		a.onFail(unprocessable("dirigeantId", msgDirigeant))
	}
	s.addApporteurCheck(a, m, prev.ApporteurID, next.ApporteurID)
}

// ListEntreprises lists a MIA's entreprises, newest first, in one Query (GSI3
// when filtered by apporteur).
func (s *Store) ListEntreprises(ctx context.Context, m crm.MIAID, f crm.EntrepriseFilter) (crm.Page[crm.Entreprise], error) {
	cf := crm.ContactFilter{ApporteurID: f.ApporteurID, Q: f.Q, ListOptions: f.ListOptions}
	if err := validateContactFilter(&cf); err != nil {
		return crm.Page[crm.Entreprise]{}, err
	}
	f.Q, f.ListOptions = cf.Q, cf.ListOptions
	in := &dynamodb.QueryInput{ScanIndexForward: aws.Bool(false)}
	var key expression.KeyConditionBuilder
	if f.ApporteurID != "" {
		in.IndexName = aws.String(indexGSI3)
		key = expression.Key(attrGSI3PK).Equal(expression.Value(ApporteurCollection(m, f.ApporteurID))).
			And(expression.Key(attrGSI3SK).BeginsWith(prefixEntreprise))
	} else {
		key = expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).
			And(expression.Key(attrSK).BeginsWith(prefixEntreprise))
	}
	var filter []expression.ConditionBuilder
	if f.Q != "" {
		filter = append(filter, expression.Contains(expression.Name("recherche"), f.Q))
	}
	if err := withExpr(in, key, filter); err != nil {
		return crm.Page[crm.Entreprise]{}, internal("list entreprises", err)
	}
	list := "entreprises|" + string(f.ApporteurID) + "|" + f.Q
	return queryPage(ctx, s, m, list, in, f.ListOptions, entrepriseItem.entreprise)
}

// GetEntreprise returns an entreprise with its affaires in one Query on its
// client collection (GSI1).
func (s *Store) GetEntreprise(ctx context.Context, m crm.MIAID, id crm.EntrepriseID) (crm.EntrepriseView, error) {
	var it entrepriseItem
	affaires, err := s.clientCollection(ctx, m, string(id), typeEntreprise, EntrepriseSK(id), "Entreprise", &it)
	if err != nil {
		return crm.EntrepriseView{}, err
	}
	return crm.EntrepriseView{Entreprise: it.entreprise(), Affaires: affaires}, nil
}

func (s *Store) entreprise(ctx context.Context, m crm.MIAID, id crm.EntrepriseID) (crm.Entreprise, error) {
	if !crm.IsULID(string(id)) {
		return crm.Entreprise{}, crm.Errorf(crm.ENOTFOUND, "Entreprise introuvable.")
	}
	var it entrepriseItem
	if err := s.getItem(ctx, MIAPK(m), EntrepriseSK(id), &it, "Entreprise"); err != nil {
		return crm.Entreprise{}, err
	}
	return it.entreprise(), nil
}

// UpdateEntreprise applies a patch like UpdateContact. A patch of adresse or
// remarques only is ONE conditional UpdateItem (see updateItem); any other
// field is guarded (SIREN, dirigeant, apporteurId) or folded into recherche
// with the unpatched ones (raison sociale, email, telephone): read, validate,
// one transaction conditioned on the version, swapping the SIREN guard and
// checking a new dirigeant or apporteur.
func (s *Store) UpdateEntreprise(ctx context.Context, m crm.MIAID, id crm.EntrepriseID, p crm.EntreprisePatch, ifMatch *int) (crm.Entreprise, error) {
	if p.RaisonSociale == nil && p.Siren == nil && p.DirigeantID == nil && p.Telephone == nil && p.Email == nil && p.ApporteurID == nil {
		return s.patchEntreprise(ctx, m, id, p, ifMatch)
	}
	cur, err := s.entreprise(ctx, m, id)
	if err != nil {
		return crm.Entreprise{}, err
	}
	if ifMatch != nil && *ifMatch != cur.Version {
		return crm.Entreprise{}, stale()
	}
	next := p.Apply(cur)
	if errs := next.Validate(s.Phone); errs != nil {
		return crm.Entreprise{}, crm.Invalid(errs...)
	}
	next.Version, next.UpdatedAt = cur.Version+1, s.Now()

	var a actions
	a.add(s.putAction(toEntrepriseItem(m, next), versionIs(cur.Version)))
	a.onFail(concurrent(ifMatch, "Entreprise"))
	s.addEntrepriseChecks(&a, m, cur, next)
	if err := s.run(ctx, "update entreprise", &a); err != nil {
		return crm.Entreprise{}, err
	}
	return next, nil
}

// patchEntreprise writes a patch of adresse and remarques without a read.
func (s *Store) patchEntreprise(ctx context.Context, m crm.MIAID, id crm.EntrepriseID, p crm.EntreprisePatch, ifMatch *int) (crm.Entreprise, error) {
	if !crm.IsULID(string(id)) {
		return crm.Entreprise{}, crm.Errorf(crm.ENOTFOUND, "Entreprise introuvable.")
	}
	probe := p.Apply(crm.Entreprise{})
	patched := map[string]bool{"adresse": p.Adresse != nil, "remarques": p.Remarques != nil}
	if err := patchErrors(probe.Validate(s.Phone), patched); err != nil {
		return crm.Entreprise{}, err
	}
	var upd expression.UpdateBuilder
	if p.Adresse != nil {
		upd = upd.Set(expression.Name("adresse"), expression.Value(probe.Adresse)) // required: never empty here
	}
	if p.Remarques != nil {
		upd = setOrRemove(upd, "remarques", probe.Remarques)
	}
	attrs, err := s.updateItem(ctx, itemUpdate{what: "Entreprise", key: s.key(MIAPK(m), EntrepriseSK(id)), upd: upd, ifMatch: ifMatch})
	if err != nil {
		return crm.Entreprise{}, err
	}
	var it entrepriseItem
	if err := attributevalue.UnmarshalMap(attrs, &it); err != nil {
		return crm.Entreprise{}, internal("decode entreprise", err)
	}
	return it.entreprise(), nil
}
