package dynamo

import (
	"context"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// maxApporteurNames bounds the apporteurs an export names (a MIA has tens).
const maxApporteurNames = 5000

// ApporteurNames maps a MIA's apporteurs to their displayed names, for the
// exports' "Apporteur" column: one Query projecting three attributes
// (paged internally up to a bound), issued beside the export's own Query.
func (s *Store) ApporteurNames(ctx context.Context, m crm.MIAID) (map[crm.ApporteurID]string, error) {
	key := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(prefixApporteur))
	proj := expression.NamesList(expression.Name("id"), expression.Name("nom"), expression.Name("prenom"))
	e, err := expression.NewBuilder().WithKeyCondition(key).WithProjection(proj).Build()
	if err != nil {
		return nil, internal("apporteur names", err)
	}
	in := &dynamodb.QueryInput{TableName: &s.table, KeyConditionExpression: e.KeyCondition(),
		ProjectionExpression: e.Projection(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}
	out := map[crm.ApporteurID]string{}
	pages := s.queryPages(in)
	for pages.HasMorePages() && len(out) < maxApporteurNames {
		res, err := pages.NextPage(ctx)
		if err != nil {
			return nil, internal("apporteur names", err)
		}
		for _, av := range res.Items {
			var a struct {
				ID     string `dynamodbav:"id"`
				Nom    string `dynamodbav:"nom"`
				Prenom string `dynamodbav:"prenom"`
			}
			if err := attributevalue.UnmarshalMap(av, &a); err != nil {
				return nil, internal("decode apporteur", err)
			}
			name := a.Nom
			if a.Prenom != "" {
				name = a.Prenom + " " + a.Nom
			}
			out[crm.ApporteurID(a.ID)] = name
		}
	}
	return out, nil
}

// CommissionsPage is a page of the affaires that have an apporteur, every
// statut: the apporteur's collection (GSI3) when one is given, otherwise
// the MIA's affaires filtered on having one (a page may then be short
// while NextCursor is set). One Query.
func (s *Store) CommissionsPage(ctx context.Context, m crm.MIAID, p crm.ApporteurID, o crm.ListOptions) (crm.Page[crm.Affaire], error) {
	if p != "" {
		return s.ListAffaires(ctx, m, crm.AffaireFilter{ApporteurID: p, ListOptions: o})
	}
	if errs := o.Validate(); errs != nil {
		return crm.Page[crm.Affaire]{}, crm.Invalid(errs...)
	}
	key := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(prefixAffaire))
	filter := []expression.ConditionBuilder{
		expression.Name("type").Equal(expression.Value(typeAffaire)),
		expression.AttributeExists(expression.Name("apporteurId")),
	}
	in := &dynamodb.QueryInput{ScanIndexForward: aws.Bool(false)}
	if err := withExpr(in, key, filter); err != nil {
		return crm.Page[crm.Affaire]{}, internal("commissions", err)
	}
	return queryPage(ctx, s, m, "commissions", in, o, affaireItem.affaire)
}
