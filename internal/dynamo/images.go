package dynamo

import (
	"fmt"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DecodeImage decodes a stream image (converted by internal/ddbevent) into
// what the stream consumers read of it: the image's format is the store's.
// An absent image, or an item no consumer follows, decodes to the zero
// crm.Image (kind crm.KindOther). Each kind is unmarshalled once.
func DecodeImage(img map[string]types.AttributeValue) (crm.Image, error) {
	switch itemType(img) {
	case typeAffaire:
		var it affaireItem
		if err := attributevalue.UnmarshalMap(img, &it); err != nil {
			return crm.Image{}, fmt.Errorf("decode affaire: %w", err)
		}
		a := it.affaire()
		return crm.Image{Kind: crm.KindAffaire, MIA: miaOf(it.PK), Affaire: &a}, nil
	case typeContact:
		var it apporteurContactItem
		if err := attributevalue.UnmarshalMap(img, &it); err != nil {
			return crm.Image{}, fmt.Errorf("decode contact: %w", err)
		}
		c := it.contact()
		return crm.Image{Kind: crm.KindContact, MIA: miaOf(it.PK), Contact: &c, ByApporteur: it.Origine == origineApporteur,
			Client: &crm.ClientRef{ID: string(c.ID), Nom: c.DisplayName(), ApporteurID: c.ApporteurID, Version: c.Version}}, nil
	case typeEntreprise:
		var it entrepriseItem
		if err := attributevalue.UnmarshalMap(img, &it); err != nil {
			return crm.Image{}, fmt.Errorf("decode entreprise: %w", err)
		}
		e := it.entreprise()
		return crm.Image{Kind: crm.KindEntreprise, MIA: miaOf(it.PK), Entreprise: &e,
			Client: &crm.ClientRef{ID: it.ID, Nom: it.RaisonSociale, ApporteurID: crm.ApporteurID(it.ApporteurID), Version: it.Version}}, nil
	case typeReleve:
		var it releveItem
		if err := attributevalue.UnmarshalMap(img, &it); err != nil {
			return crm.Image{}, fmt.Errorf("decode releve: %w", err)
		}
		r := it.summary()
		return crm.Image{Kind: crm.KindReleve, MIA: miaOf(it.PK), Releve: &r}, nil
	case typeTache:
		im, err := decodeTache(img)
		if err != nil {
			return crm.Image{}, fmt.Errorf("decode tache: %w", err)
		}
		return im, nil
	case typeNote:
		im, err := decodeNote(img)
		if err != nil {
			return crm.Image{}, fmt.Errorf("decode note: %w", err)
		}
		return im, nil
	case typeConvention:
		var it conventionItem
		if err := attributevalue.UnmarshalMap(img, &it); err != nil {
			return crm.Image{}, fmt.Errorf("decode convention: %w", err)
		}
		return crm.Image{Kind: crm.KindConvention, MIA: miaOf(it.PK), Convention: &crm.ConventionRef{
			Apporteur: crm.ApporteurID(it.ApporteurID), Version: it.Version, Acceptee: it.AccepteeLe != ""}}, nil
	case typeApporteur, typeMIA:
		acc, ok, err := accountFromImage(img)
		if err != nil {
			return crm.Image{}, fmt.Errorf("decode account: %w", err)
		}
		im := crm.Image{Kind: crm.KindApporteur, MIA: acc.MIA}
		if itemType(img) == typeMIA {
			im.Kind = crm.KindMIA
		}
		if ok {
			im.Account = &acc
		}
		if im.Kind == crm.KindApporteur {
			var it apporteurItem
			if err := attributevalue.UnmarshalMap(img, &it); err != nil {
				return crm.Image{}, fmt.Errorf("decode apporteur: %w", err)
			}
			it.Commissions = nil
			a := it.apporteur()
			im.Apporteur = &a
		}
		return im, nil
	}
	return crm.Image{}, nil
}
