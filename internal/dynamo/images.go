package dynamo

import (
	"fmt"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DecodeImage decodes a stream image (converted by internal/ddbevent) into
// what the stream consumers read of it: the image's format is the store's.
// An absent image, or an item no consumer follows, decodes to an Image of
// kind crm.KindOther (with no value).
func DecodeImage(img map[string]types.AttributeValue) (crm.Image, error) {
	var im crm.Image
	switch ItemType(img) {
	case typeAffaire:
		m, a, _, err := AffaireFromImage(img)
		if err != nil {
			return im, fmt.Errorf("decode affaire: %w", err)
		}
		im.Kind, im.MIA, im.Affaire = crm.KindAffaire, m, &a
	case typeContact:
		m, c, byApporteur, _, err := ContactFromImage(img)
		if err != nil {
			return im, fmt.Errorf("decode contact: %w", err)
		}
		ref, err := clientRef(img)
		if err != nil {
			return im, err
		}
		im.Kind, im.MIA, im.Contact, im.ByApporteur, im.Client = crm.KindContact, m, &c, byApporteur, ref
	case typeEntreprise:
		ref, err := clientRef(img)
		if err != nil {
			return im, err
		}
		im.Kind, im.Client = crm.KindEntreprise, ref
		im.MIA, _, _, _, _, _ = ClientFromImage(img)
	case typeApporteur, typeMIA:
		acc, ok, err := AccountFromImage(img)
		if err != nil {
			return im, fmt.Errorf("decode account: %w", err)
		}
		im.Kind, im.MIA = crm.KindApporteur, acc.MIA
		if ItemType(img) == typeMIA {
			im.Kind = crm.KindMIA
		}
		if ok {
			im.Account = &acc
		}
	}
	return im, nil
}

// clientRef decodes a contact or entreprise image into what its affaires
// copy of it.
func clientRef(img map[string]types.AttributeValue) (*crm.ClientRef, error) {
	_, id, nom, version, _, err := ClientFromImage(img)
	if err != nil {
		return nil, fmt.Errorf("decode client: %w", err)
	}
	_, _, p, _, _, err := ClientApporteurFromImage(img)
	if err != nil {
		return nil, fmt.Errorf("decode client apporteur: %w", err)
	}
	return &crm.ClientRef{ID: id, Nom: nom, ApporteurID: p, Version: version}, nil
}
