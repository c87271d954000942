package dynamo

import (
	"context"
	"slices"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const typeSearch = "mot"

// searchItem is one word of an entity in the search index (SearchSK). It
// carries what a result shows and all the entity's words (mots, " w1 w2"),
// so that a query of several words is answered by the Query alone.
type searchItem struct {
	PK      string `dynamodbav:"PK"`
	SK      string `dynamodbav:"SK"`
	Type    string `dynamodbav:"type"`
	Kind    string `dynamodbav:"kind"`
	ID      string `dynamodbav:"entiteId"`
	Libelle string `dynamodbav:"libelle"`
	Detail  string `dynamodbav:"detail,omitempty"`
	Mots    string `dynamodbav:"mots"`
}

func toSearchItem(m crm.MIAID, e crm.SearchEntry, token string) searchItem {
	return searchItem{PK: MIAPK(m), SK: SearchSK(token, e.Kind, e.ID), Type: typeSearch, Kind: string(e.Kind),
		ID: e.ID, Libelle: e.Libelle, Detail: e.Detail, Mots: crm.SearchText(e.Tokens)}
}

// SearchItems are the index items IndexSearch writes for entry e of MIA m,
// one per word: for tools that load a table directly (the benchmark's
// other tenants), so that their index has the real shape.
func SearchItems(m crm.MIAID, e crm.SearchEntry) ([]map[string]types.AttributeValue, error) {
	out := make([]map[string]types.AttributeValue, 0, len(e.Tokens))
	for _, t := range e.Tokens {
		av, err := attributevalue.MarshalMap(toSearchItem(m, e, t))
		if err != nil {
			return nil, err
		}
		out = append(out, av)
	}
	return out, nil
}

// searchReadLimit bounds the items one query reads (before the filter of
// the other words): a one-letter query on a large base reads this many
// index items, ≈ 40 KB, never the whole partition.
const searchReadLimit = 300

// IndexSearch moves an entity's index entry from old to cur (either may be
// nil: created, erased or removed) in one transaction: the words it lost are
// deleted, its words are (re)written when anything shown changed. Writes are
// derived from the images alone, so a redelivered or replayed record leaves
// the same index. When cur is written, a ConditionCheck holds the contact
// from.Client not erased: a record older than an erasure, delivered late or
// replayed, gets crm.ErrContactErased and writes nothing.
func (s *Store) IndexSearch(ctx context.Context, m crm.MIAID, old, cur *crm.SearchEntry, from crm.Provenance) error {
	if old != nil && cur != nil && old.Libelle == cur.Libelle && old.Detail == cur.Detail &&
		slices.Equal(old.Tokens, cur.Tokens) {
		return nil
	}
	var a actions
	keep := map[string]bool{}
	if cur != nil {
		for _, t := range cur.Tokens {
			keep[t] = true
			av, err := attributevalue.MarshalMap(toSearchItem(m, *cur, t))
			a.add(types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: av}}, err)
		}
	}
	if old != nil {
		for _, t := range old.Tokens {
			if !keep[t] {
				a.add(s.deleteAction(MIAPK(m), SearchSK(t, old.Kind, old.ID)), nil)
			}
		}
	}
	if len(a.items) == 0 && a.err == nil {
		return nil
	}
	if cur != nil {
		s.provenanceChecks(&a, m, from)
	}
	return s.run(ctx, "index search", &a)
}

// Search finds a MIA's contacts, entreprises and affaires by the prefixes of
// their words, in one Query of the MIA's index: the items of the query's
// longest word, filtered on the other words. Results grouped by kind.
func (s *Store) Search(ctx context.Context, m crm.MIAID, q string) (crm.SearchResults, error) {
	out := crm.NewSearchResults()
	if err := crm.ValidateSearch(q); err != nil {
		return out, err
	}
	words := crm.SearchQueryWords(q)
	if len(words) == 0 {
		return out, nil
	}
	key := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).
		And(expression.Key(attrSK).BeginsWith(SearchPrefixSK(words[0])))
	var filter []expression.ConditionBuilder
	for _, w := range words[1:] {
		filter = append(filter, expression.Contains(expression.Name("mots"), " "+w))
	}
	in := &dynamodb.QueryInput{TableName: &s.table, Limit: aws.Int32(searchReadLimit)}
	if err := withExpr(in, key, filter); err != nil {
		return out, internal("search", err)
	}
	res, err := s.db.Query(ctx, in)
	if err != nil {
		return out, internal("search", err)
	}
	for _, av := range res.Items {
		var it searchItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return out, internal("decode search", err)
		}
		out.Add(crm.SearchResult{Kind: crm.SearchKind(it.Kind), ID: it.ID, Libelle: it.Libelle, Detail: it.Detail})
	}
	return out, nil
}
