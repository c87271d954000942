package dynamo

import (
	"context"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// CreateContact validates c, gives it an id and stores it with its email and
// telephone guards (and the idempotency record, when idem is not nil) in one
// transaction. A duplicate email or telephone is ECONFLICT with Ref = the
// existing contact's id; an unknown apporteurId is EUNPROCESSABLE.
func (s *Store) CreateContact(ctx context.Context, m crm.MIAID, c crm.Contact, idem *crm.Idempotency) (crm.Contact, *crm.Replay, error) {
	return replayOutcome(s.createContact(ctx, m, c, idem))
}

func (s *Store) createContact(ctx context.Context, m crm.MIAID, c crm.Contact, idem *crm.Idempotency) (crm.Contact, error) {
	// The note is the apporteur's words: a MIA never writes it.
	c.ID, c.Version, c.NoteApporteur = "", 0, ""
	if errs := c.Validate(s.Phone); errs != nil {
		return crm.Contact{}, crm.Invalid(errs...)
	}
	now := s.Now()
	c.ID = crm.ContactID(s.NewID())
	c.CreatedAt, c.UpdatedAt, c.Version = now, now, 1

	var a actions
	if idem != nil {
		it, err := s.idempotenceAction(m, idem, c)
		a.add(it.item, err)
		a.onFail(it.fail)
	}
	a.add(s.putAction(toContactItem(m, c), notExists()))
	s.addContactGuards(&a, m, crm.Contact{}, c)
	s.addApporteurCheck(&a, m, "", c.ApporteurID)
	if err := s.run(ctx, "create contact", &a); err != nil {
		return crm.Contact{}, err
	}
	return c, nil
}

// addContactGuards reserves next's email and telephone and releases prev's
// when they change.
func (s *Store) addContactGuards(a *actions, m crm.MIAID, prev, next crm.Contact) {
	s.swapGuard(a, m, prev.Email, next.Email, string(next.ID), UniqueEmailSK, "email",
		"Un contact avec cet email existe déjà.")
	s.swapGuard(a, m, prev.Telephone, next.Telephone, string(next.ID), UniqueTelephoneSK, "telephone",
		"Un contact avec ce numéro de téléphone existe déjà.")
}

func (s *Store) swapGuard(a *actions, m crm.MIAID, prev, next, owner string, sk func(string) string, champ, msg string) {
	if prev == next {
		return
	}
	if prev != "" {
		a.add(s.deleteAction(MIAPK(m), sk(prev)), nil)
	}
	if next != "" {
		g := guardItem{PK: MIAPK(m), SK: sk(next), Type: typeGuard, OwnerID: owner}
		a.add(s.putAction(g, notExists()))
		a.onFail(duplicate(champ, msg))
	}
}

// duplicate explains a guard that already exists: a conflict naming its owner.
func duplicate(champ, msg string) func(map[string]types.AttributeValue) error {
	return func(old map[string]types.AttributeValue) error {
		var g guardItem
		_ = attributevalue.UnmarshalMap(old, &g)
		return &crm.Error{Code: crm.ECONFLICT, Message: msg, Ref: g.OwnerID,
			Fields: []crm.FieldError{{Champ: champ, Message: msg}}}
	}
}

// addApporteurCheck asserts, when the attribution changes to an apporteur,
// that this apporteur exists in the MIA.
func (s *Store) addApporteurCheck(a *actions, m crm.MIAID, prev, next crm.ApporteurID) {
	if next == "" || next == prev {
		return
	}
	a.add(s.checkAction(MIAPK(m), ApporteurSK(next), exists()))
	a.onFail(unprocessable("apporteurId", "Cet apporteur n'existe pas."))
}

func unprocessable(champ, msg string) func(map[string]types.AttributeValue) error {
	return func(map[string]types.AttributeValue) error {
		return &crm.Error{Code: crm.EUNPROCESSABLE, Message: msg, Fields: []crm.FieldError{{Champ: champ, Message: msg}}}
	}
}

// validateContactFilter checks f and folds its search text.
func validateContactFilter(f *crm.ContactFilter) error {
	errs := f.ListOptions.Validate()
	if f.Statut != "" && !f.Statut.Valid() {
		errs = append(errs, crm.FieldError{Champ: "statut", Message: "Le statut doit être « prospect » ou « client »."})
	}
	if f.ApporteurID != "" && !crm.IsULID(string(f.ApporteurID)) {
		errs = append(errs, crm.FieldError{Champ: "apporteurId", Message: "Identifiant invalide."})
	}
	f.Q = crm.Fold(f.Q)
	if len(f.Q) > 100 {
		errs = append(errs, crm.FieldError{Champ: "q", Message: "La recherche dépasse 100 caractères."})
	}
	if errs != nil {
		return crm.Invalid(errs...)
	}
	return nil
}

// ListContacts lists a MIA's contacts, newest first, in one Query: by
// apporteur (GSI3), by statut (GSI2) or all (main table); q is a filter, so a
// page may hold fewer than Limit items while NextCursor is set.
func (s *Store) ListContacts(ctx context.Context, m crm.MIAID, f crm.ContactFilter) (crm.Page[crm.Contact], error) {
	if err := validateContactFilter(&f); err != nil {
		return crm.Page[crm.Contact]{}, err
	}
	var key expression.KeyConditionBuilder
	var filter []expression.ConditionBuilder
	in := &dynamodb.QueryInput{ScanIndexForward: aws.Bool(false)}
	switch {
	case f.ApporteurID != "":
		in.IndexName = aws.String(indexGSI3)
		key = expression.Key(attrGSI3PK).Equal(expression.Value(ApporteurCollection(m, f.ApporteurID))).
			And(expression.Key(attrGSI3SK).BeginsWith(prefixContact))
		if f.Statut != "" {
			filter = append(filter, expression.Name("statut").Equal(expression.Value(f.Statut)))
		}
	case f.Statut != "":
		in.IndexName = aws.String(indexGSI2)
		key = expression.Key(attrGSI2PK).Equal(expression.Value(ContactStatutList(m, f.Statut)))
	default:
		key = expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).
			And(expression.Key(attrSK).BeginsWith(prefixContact))
	}
	if f.Q != "" {
		filter = append(filter, expression.Contains(expression.Name("recherche"), f.Q))
	}
	if err := withExpr(in, key, filter); err != nil {
		return crm.Page[crm.Contact]{}, internal("list contacts", err)
	}
	list := "contacts|" + string(f.Statut) + "|" + string(f.ApporteurID) + "|" + f.Q
	return queryPage(ctx, s, m, list, in, f.ListOptions, contactItem.contact)
}

// withExpr sets the key condition and the AND of the filters on a Query.
func withExpr(in *dynamodb.QueryInput, key expression.KeyConditionBuilder, filters []expression.ConditionBuilder) error {
	b := expression.NewBuilder().WithKeyCondition(key)
	switch len(filters) {
	case 0:
	case 1:
		b = b.WithFilter(filters[0])
	default:
		b = b.WithFilter(expression.And(filters[0], filters[1], filters[2:]...))
	}
	e, err := b.Build()
	if err != nil {
		return err
	}
	in.KeyConditionExpression, in.FilterExpression = e.KeyCondition(), e.Filter()
	in.ExpressionAttributeNames, in.ExpressionAttributeValues = e.Names(), e.Values()
	return nil
}

// GetContact returns a contact with its affaires (newest first) in one Query
// on its client collection (GSI1, eventually consistent; see clientCollection).
func (s *Store) GetContact(ctx context.Context, m crm.MIAID, id crm.ContactID) (crm.ContactView, error) {
	var it contactItem
	affaires, err := s.clientCollection(ctx, m, string(id), typeContact, ContactSK(id), "Contact", &it)
	if err != nil {
		return crm.ContactView{}, err
	}
	return crm.ContactView{Contact: it.contact(), Affaires: affaires}, nil
}

// clientCollection reads a client (contact or entreprise) and its affaires
// with one Query on GSI1: the client item, of type clientType, is decoded into
// client; the affaires come back newest first. what names the client in the
// French 404.
//
// GSI1 is eventually consistent: in AWS a client created a moment ago may not
// be in it yet, and the MIA who just saved it must not get a 404. So when the
// collection has no client item, a consistent GetItem on the table (key
// MIAPK/sk) decides: a second round trip only for just-created clients and
// real 404s.
func (s *Store) clientCollection(ctx context.Context, m crm.MIAID, clientID, clientType, sk, what string, client any) ([]crm.Affaire, error) {
	if !crm.IsULID(clientID) {
		return nil, crm.Errorf(crm.ENOTFOUND, "%s introuvable.", what)
	}
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI1)}
	if err := withExpr(in, expression.Key(attrGSI1PK).Equal(expression.Value(ClientCollection(m, clientID))), nil); err != nil {
		return nil, internal("client collection", err)
	}
	found := false
	var affaires []crm.Affaire
	p := s.queryPages(in)
	for p.HasMorePages() {
		res, err := p.NextPage(ctx)
		if err != nil {
			return nil, internal("client collection", err)
		}
		for _, av := range res.Items {
			switch itemType(av) {
			case clientType:
				if err := attributevalue.UnmarshalMap(av, client); err != nil {
					return nil, internal("decode client", err)
				}
				found = true
			case typeAffaire:
				var it affaireItem
				if err := attributevalue.UnmarshalMap(av, &it); err != nil {
					return nil, internal("decode affaire", err)
				}
				affaires = append(affaires, it.affaire())
			}
		}
	}
	if !found {
		if err := s.getItem(ctx, MIAPK(m), sk, client, what); err != nil {
			return nil, err
		}
	}
	return newestFirst(affaires), nil
}

func newestFirst(as []crm.Affaire) []crm.Affaire {
	out := make([]crm.Affaire, 0, len(as))
	for i := len(as) - 1; i >= 0; i-- {
		out = append(out, as[i])
	}
	return out
}

// ContactOf reads one contact alone (GetItem, strongly consistent), for
// stream handlers that must act on its current state, not a record's image.
func (s *Store) ContactOf(ctx context.Context, m crm.MIAID, id crm.ContactID) (crm.Contact, error) {
	return s.contact(ctx, m, id)
}

// contact reads one contact strongly.
func (s *Store) contact(ctx context.Context, m crm.MIAID, id crm.ContactID) (crm.Contact, error) {
	if !crm.IsULID(string(id)) {
		return crm.Contact{}, crm.Errorf(crm.ENOTFOUND, "Contact introuvable.")
	}
	var it contactItem
	if err := s.getItem(ctx, MIAPK(m), ContactSK(id), &it, "Contact"); err != nil {
		return crm.Contact{}, err
	}
	return it.contact(), nil
}

// UpdateContact applies a patch. A patch of adresse, dateNaissance,
// profession, remarques or statut is ONE conditional UpdateItem (see
// updateItem). One that touches a guarded field (email, telephone,
// apporteurId) or what recherche is folded from (nom, prénom: recherche needs
// the unpatched email and telephone too) reads the contact, validates the
// result and writes it in one transaction conditioned on the version read
// (and on ifMatch when given: EPRECONDITION if stale), swapping the email and
// telephone guards when they change.
func (s *Store) UpdateContact(ctx context.Context, m crm.MIAID, id crm.ContactID, p crm.ContactPatch, ifMatch *int) (crm.Contact, error) {
	if p.Nom == nil && p.Prenom == nil && p.Email == nil && p.Telephone == nil && p.ApporteurID == nil {
		return s.patchContact(ctx, m, id, p, ifMatch)
	}
	cur, err := s.contact(ctx, m, id)
	if err != nil {
		return crm.Contact{}, err
	}
	if ifMatch != nil && *ifMatch != cur.Version {
		return crm.Contact{}, stale()
	}
	if cur.Efface {
		return crm.Contact{}, errErased()
	}
	next := p.Apply(cur)
	if errs := next.Validate(s.Phone); errs != nil {
		return crm.Contact{}, crm.Invalid(errs...)
	}
	next.Version, next.UpdatedAt = cur.Version+1, s.Now()

	var a actions
	a.add(s.putAction(toContactItem(m, next), versionIs(cur.Version)))
	a.onFail(concurrent(ifMatch, "Contact"))
	s.addContactGuards(&a, m, cur, next)
	s.addApporteurCheck(&a, m, cur.ApporteurID, next.ApporteurID)
	if err := s.run(ctx, "update contact", &a); err != nil {
		return crm.Contact{}, err
	}
	return next, nil
}

// patchContact writes a patch of unguarded fields without reading the contact.
func (s *Store) patchContact(ctx context.Context, m crm.MIAID, id crm.ContactID, p crm.ContactPatch, ifMatch *int) (crm.Contact, error) {
	if !crm.IsULID(string(id)) {
		return crm.Contact{}, crm.Errorf(crm.ENOTFOUND, "Contact introuvable.")
	}
	probe := p.Apply(crm.Contact{})
	patched := map[string]bool{"adresse": p.Adresse != nil, "dateNaissance": p.DateNaissance != nil,
		"profession": p.Profession != nil, "remarques": p.Remarques != nil, "statut": p.Statut != nil}
	if err := patchErrors(probe.Validate(s.Phone), patched); err != nil {
		return crm.Contact{}, err
	}
	var upd expression.UpdateBuilder
	for name, v := range map[string]string{"adresse": probe.Adresse, "dateNaissance": probe.DateNaissance,
		"profession": probe.Profession, "remarques": probe.Remarques} {
		if patched[name] {
			upd = setOrRemove(upd, name, v)
		}
	}
	if p.Statut != nil {
		upd = upd.Set(expression.Name("statut"), expression.Value(probe.Statut)).
			Set(expression.Name(attrGSI2PK), expression.Value(ContactStatutList(m, probe.Statut)))
	}
	attrs, err := s.updateItem(ctx, itemUpdate{what: "Contact", key: s.key(MIAPK(m), ContactSK(id)), upd: upd, ifMatch: ifMatch,
		rules: []expression.ConditionBuilder{notErased()}, explain: func(map[string]types.AttributeValue) error { return errErased() }})
	if err != nil {
		return crm.Contact{}, err
	}
	var it contactItem
	if err := attributevalue.UnmarshalMap(attrs, &it); err != nil {
		return crm.Contact{}, internal("decode contact", err)
	}
	return it.contact(), nil
}

// errErased refuses to rectify an erased contact: what the erasure took
// away must not come back (nor through a tâche or a note: see Cible).
func errErased() error {
	return crm.Errorf(crm.ECONFLICT, "Ce contact a été effacé (RGPD) : sa fiche ne peut plus être modifiée.")
}

func versionIs(v int) expression.ConditionBuilder {
	return expression.Name("version").Equal(expression.Value(v))
}

func stale() error {
	return crm.Errorf(crm.EPRECONDITION, "La ressource a été modifiée depuis votre lecture (If-Match) : rechargez-la.")
}

// concurrent explains a failed version condition on a read-then-write update.
func concurrent(ifMatch *int, what string) func(map[string]types.AttributeValue) error {
	return func(old map[string]types.AttributeValue) error {
		switch {
		case old == nil:
			return crm.Errorf(crm.ENOTFOUND, "%s introuvable.", what)
		case ifMatch != nil:
			return stale()
		default:
			return crm.Errorf(crm.ECONFLICT, "Modification simultanée : réessayez.")
		}
	}
}
