package consumers

import (
	"context"
	"errors"
	"fmt"

	"github.com/assentis/mycrm/internal/crm"
)

// searchIndex keeps the search index.
type searchIndex interface {
	IndexSearch(ctx context.Context, m crm.MIAID, old, cur *crm.SearchEntry, from crm.Provenance) error
}

// Search keeps the header box's index current: for each change of a
// contact, an entreprise, an affaire or an apporteur, the entity's words and
// what its results show, derived from the record's two images alone (an
// erased contact or apporteur has no entry). A replay of the stream from its start leaves the
// index of the last images. An entry naming a contact is written only while
// that contact is not erased: a record older than the erasure, delivered
// late or replayed, leaves no entry for the contact, and its affaires'
// entries show crm.ContactEffaceNom. Likewise an apporteur's entry is written
// only while the apporteur is not erased.
func Search(d Deps) Handler {
	return each("search", d, func(ctx context.Context, c change) error {
		old, okOld := searchEntry(c.Old)
		cur, okCur := searchEntry(c.New)
		if !okOld && !okCur {
			return nil
		}
		m := c.New.MIA
		if m == "" {
			m = c.Old.MIA
		}
		from := crm.Provenance{Client: namedContact(c.New)}
		if p := c.New.Apporteur; c.New.Kind == crm.KindApporteur && p != nil {
			from.Apporteur = p.ID
		}
		err := d.Store.IndexSearch(ctx, m, old, cur, from)
		if errors.Is(err, crm.ErrApporteurErased) {
			// A record older than the apporteur's erasure: its entry goes.
			err = d.Store.IndexSearch(ctx, m, old, nil, crm.Provenance{})
		}
		if errors.Is(err, crm.ErrContactErased) {
			cur = nil
			if a := c.New.Affaire; a != nil {
				anon := *a
				anon.ClientNom = crm.ContactEffaceNom
				se := crm.SearchEntryOfAffaire(anon)
				cur = &se
			}
			err = d.Store.IndexSearch(ctx, m, old, cur, crm.Provenance{})
		}
		if err != nil {
			return fmt.Errorf("index search: %w", err)
		}
		return nil
	})
}

// namedContact is the contact whose personal data an image's index entry
// holds: the contact itself, or an affaire's client when a contact.
func namedContact(im crm.Image) string {
	switch {
	case im.Contact != nil:
		return string(im.Contact.ID)
	case im.Affaire != nil && im.Affaire.ClientType == crm.ClientContact:
		return im.Affaire.ClientID
	}
	return ""
}

// searchEntry is an image's index entry: nil and ok true for an image that
// has none (an erased contact), ok false for an image the index ignores.
func searchEntry(im crm.Image) (e *crm.SearchEntry, ok bool) {
	switch {
	case im.Kind == crm.KindContact && im.Contact != nil:
		if se, has := crm.SearchEntryOfContact(*im.Contact); has {
			return &se, true
		}
		return nil, true
	case im.Kind == crm.KindEntreprise && im.Entreprise != nil:
		se := crm.SearchEntryOfEntreprise(*im.Entreprise)
		return &se, true
	case im.Kind == crm.KindAffaire && im.Affaire != nil:
		se := crm.SearchEntryOfAffaire(*im.Affaire)
		return &se, true
	case im.Kind == crm.KindApporteur && im.Apporteur != nil:
		if se, has := crm.SearchEntryOfApporteur(*im.Apporteur); has {
			return &se, true
		}
		return nil, true
	}
	return nil, false
}
