package dynamo

import (
	"context"
	"errors"
	"sort"
	"sync"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The espace apporteur's access patterns: everything comes from the
// apporteur's collection on GSI3 (MIA#m#APPORTEUR#p), so an apporteur reads
// only what is attributed to it, in one Query.

// origineApporteur marks a contact an apporteur created itself (the
// notification consumer tells the MIA about those only).
const origineApporteur = "apporteur"

// apporteurContactItem is a contact item as written by an apporteur.
type apporteurContactItem struct {
	contactItem
	Origine string `dynamodbav:"origine"`
}

// CreateContactByApporteur stores a contact created by apporteur p in its
// MIA's base, attributed to it, in one transaction that also asserts the
// apporteur is still actif. A duplicate of a contact the MIA already has is
// ECONFLICT without naming it.
func (s *Store) CreateContactByApporteur(ctx context.Context, who crm.Principal, c crm.Contact, idem *crm.Idempotency) (crm.Contact, *crm.Replay, error) {
	return replayOutcome(s.createContactByApporteur(ctx, who, c, idem))
}

func (s *Store) createContactByApporteur(ctx context.Context, who crm.Principal, c crm.Contact, idem *crm.Idempotency) (crm.Contact, error) {
	m, p := who.MIA, who.Apporteur
	c.ID, c.Version, c.Remarques, c.Statut = "", 0, "", crm.ContactProspect
	c.ApporteurID = p
	if errs := c.Validate(s.Phone); errs != nil {
		return crm.Contact{}, crm.Invalid(errs...)
	}
	now := s.Now().UTC()
	c.ID = crm.ContactID(s.NewID())
	c.CreatedAt, c.UpdatedAt, c.Version = now, now, 1

	var a actions
	// The membership check comes first: a deactivated apporteur, or a caller
	// naming a membership that is not its own, learns nothing.
	mine := expression.Name(attrCognitoSub).Equal(expression.Value(who.Sub))
	if !who.Choisi {
		mine = expression.Or(mine, expression.Name(attrCognitoSub).AttributeNotExists())
	}
	a.add(s.checkAction(MIAPK(m), ApporteurSK(p),
		expression.Name(attrStatut).Equal(expression.Value(string(crm.ApporteurActif))).And(mine)))
	a.onFail(func(old map[string]types.AttributeValue) error {
		return crm.Errorf(crm.EFORBIDDEN, "Votre compte apporteur est désactivé ou ne travaille pas avec ce mandataire : contactez votre mandataire.")
	})
	if idem != nil {
		it, err := s.idempotenceAction(m, idem, c)
		a.add(it.item, err)
		a.onFail(it.fail)
	}
	a.add(s.putAction(apporteurContactItem{contactItem: toContactItem(m, c), Origine: origineApporteur}, notExists()))
	dup := func(map[string]types.AttributeValue) error {
		return crm.Errorf(crm.ECONFLICT, "Ce contact est déjà connu de votre mandataire : il n'a pas été ajouté.")
	}
	for _, g := range []struct{ v, sk string }{{c.Email, UniqueEmailSK(c.Email)}, {c.Telephone, UniqueTelephoneSK(c.Telephone)}} {
		if g.v == "" {
			continue
		}
		a.add(s.putAction(guardItem{PK: MIAPK(m), SK: g.sk, Type: typeGuard, OwnerID: string(c.ID)}, notExists()))
		a.onFail(dup)
	}
	if err := s.run(ctx, "create contact by apporteur", &a); err != nil {
		return crm.Contact{}, err
	}
	return c, nil
}

// ApporteurContacts lists the contacts attributed to apporteur p, newest
// first (Query GSI3, begins_with CONTACT#).
func (s *Store) ApporteurContacts(ctx context.Context, m crm.MIAID, p crm.ApporteurID, o crm.ListOptions) (crm.Page[crm.Contact], error) {
	if errs := o.Validate(); errs != nil {
		return crm.Page[crm.Contact]{}, crm.Invalid(errs...)
	}
	kc := expression.Key(attrGSI3PK).Equal(expression.Value(ApporteurCollection(m, p))).
		And(expression.Key(attrGSI3SK).BeginsWith(prefixContact))
	in := &dynamodb.QueryInput{IndexName: aws.String(indexGSI3), ScanIndexForward: aws.Bool(false)}
	if err := withExpr(in, kc, nil); err != nil {
		return crm.Page[crm.Contact]{}, internal("build query", err)
	}
	return queryPage(ctx, s, m, "espace-contacts:"+string(p), in, o, contactItem.contact)
}

// maxApporteurAffaires bounds the affaires read for one apporteur's page of
// affaires or commissions.
const maxApporteurAffaires = 2000

// ApporteurAffaires returns the affaires attributed to apporteur p with
// their historique (oldest entry first), newest affaire first: two Queries on
// the apporteur's GSI3 collection issued concurrently (one round trip), one
// begins_with AFFAIRE# (the affaires), one begins_with HISTORIQUE# (their
// entries), each paged internally up to a bound.
func (s *Store) ApporteurAffaires(ctx context.Context, m crm.MIAID, p crm.ApporteurID) ([]crm.AffaireView, error) {
	var (
		views   []crm.AffaireView
		hist    []crm.Historique
		errs    [2]error
		wg      sync.WaitGroup
		collect = ApporteurCollection(m, p)
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		errs[0] = s.queryCollection(ctx, collect, prefixAffaire, maxApporteurAffaires, func(av map[string]types.AttributeValue) error {
			var it affaireItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return internal("decode affaire", err)
			}
			views = append(views, crm.AffaireView{Affaire: it.affaire(), Historique: []crm.Historique{}})
			return nil
		})
	}()
	go func() {
		defer wg.Done()
		errs[1] = s.queryCollection(ctx, collect, prefixHistoriqueApporteur, maxApporteurHistorique, func(av map[string]types.AttributeValue) error {
			var it historiqueItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return internal("decode historique", err)
			}
			hist = append(hist, it.historique())
			return nil
		})
	}()
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	index := map[crm.AffaireID]int{}
	for i, v := range views {
		index[v.ID] = i
	}
	for _, h := range hist {
		if i, ok := index[h.AffaireID]; ok {
			views[i].Historique = append(views[i].Historique, h)
		}
	}
	for i := range views {
		sort.SliceStable(views[i].Historique, func(a, b int) bool {
			ha, hb := views[i].Historique[a], views[i].Historique[b]
			return ha.At.Before(hb.At) || ha.At.Equal(hb.At) && ha.Version < hb.Version
		})
	}
	sort.SliceStable(views, func(a, b int) bool { return views[a].ID > views[b].ID })
	return views, nil
}

// maxApporteurHistorique bounds the historique entries read with them.
const maxApporteurHistorique = 20 * maxApporteurAffaires

// queryCollection reads the items of an apporteur's GSI3 collection whose
// GSI3SK begins with prefix, page after page, until max items.
func (s *Store) queryCollection(ctx context.Context, collection, prefix string, max int, fn func(map[string]types.AttributeValue) error) error {
	kc := expression.Key(attrGSI3PK).Equal(expression.Value(collection)).
		And(expression.Key(attrGSI3SK).BeginsWith(prefix))
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI3)}
	if err := withExpr(in, kc, nil); err != nil {
		return internal("build query", err)
	}
	p := s.queryPages(in)
	for n := 0; p.HasMorePages() && n < max; {
		res, err := p.NextPage(ctx)
		if err != nil {
			return internal("query apporteur collection", err)
		}
		for _, av := range res.Items {
			if err := fn(av); err != nil {
				return err
			}
			n++
		}
	}
	return nil
}
