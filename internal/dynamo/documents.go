package dynamo

import (
	"context"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// pendingTTL is how long a document whose upload never arrives is kept.
const pendingTTL = 24 * time.Hour

type documentItem struct {
	keys
	meta
	ApporteurID string `dynamodbav:"apporteurId,omitempty"`
	AffaireID   string `dynamodbav:"affaireId,omitempty"`
	DocType     string `dynamodbav:"docType"`
	Nom         string `dynamodbav:"nom"`
	ContentType string `dynamodbav:"contentType"`
	Taille      int64  `dynamodbav:"taille"`
	SHA256      string `dynamodbav:"sha256,omitempty"`
	Etat        string `dynamodbav:"etat"`
	Motif       string `dynamodbav:"motif,omitempty"`
	DeposePar   string `dynamodbav:"deposePar"`
	SupprimeLe  string `dynamodbav:"supprimeLe,omitempty"`
	// FileVersion is the checked file's S3 version, DeleteMarker the delete
	// marker of a soft delete.
	FileVersion  string `dynamodbav:"fileVersion,omitempty"`
	DeleteMarker string `dynamodbav:"deleteMarker,omitempty"`
	// ExpiresAt (epoch seconds, the table's TTL) removes a document whose
	// upload never came, a refused one, and a deleted one past its undo.
	ExpiresAt int64 `dynamodbav:"expiresAt,omitempty"`
}

func toDocumentItem(m crm.MIAID, d crm.Document) documentItem {
	return documentItem{
		keys: keys{PK: MIAPK(m), SK: DocumentSK(d.ID),
			GSI1PK: DocumentCollection(m, d.DocumentOwner), GSI1SK: DocumentCollectionSK(d.CreatedAt, d.ID), Type: typeDocument},
		meta:        toMeta(string(d.ID), d.CreatedAt, d.UpdatedAt, d.Version),
		ApporteurID: string(d.ApporteurID), AffaireID: string(d.AffaireID), DocType: string(d.Type), Nom: d.Nom,
		ContentType: d.ContentType, Taille: d.Taille, SHA256: d.SHA256, Etat: string(d.Etat), Motif: d.Motif,
		DeposePar: d.DeposePar, FileVersion: d.FileVersion, DeleteMarker: d.DeleteMarker,
	}
}

func (it documentItem) document() crm.Document {
	d := crm.Document{ID: crm.DocumentID(it.ID), DocumentOwner: crm.DocumentOwner{ApporteurID: crm.ApporteurID(it.ApporteurID), AffaireID: crm.AffaireID(it.AffaireID)},
		Type: crm.DocumentType(it.DocType), Nom: it.Nom, ContentType: it.ContentType, Taille: it.Taille, SHA256: it.SHA256,
		Etat: crm.DocumentEtat(it.Etat), Motif: it.Motif, DeposePar: it.DeposePar, FileVersion: it.FileVersion, DeleteMarker: it.DeleteMarker,
		CreatedAt: parseTime(it.CreatedAt), UpdatedAt: parseTime(it.UpdatedAt), Version: it.Version}
	if it.SupprimeLe != "" {
		at := parseTime(it.SupprimeLe)
		until := at.Add(crm.RestoreWindow)
		d.SupprimeLe, d.RestaurableJusquau = &at, &until
	}
	return d
}

func docNotFound() error { return crm.Errorf(crm.ENOTFOUND, "Document introuvable.") }

// CreateDocument records a document about to be uploaded (en_attente), in
// ONE transaction with the check that its owner exists in the MIA's data.
//
// With idem, the transaction also records the answer under the caller's
// Idempotency-Key: a retry gets the first document back (a Replay), not a
// second pending one.
func (s *Store) CreateDocument(ctx context.Context, m crm.MIAID, o crm.DocumentOwner, n crm.NewDocument, by string, idem *crm.Idempotency) (crm.Document, *crm.Replay, error) {
	return replayOutcome(s.createDocument(ctx, m, o, n, by, idem))
}

func (s *Store) createDocument(ctx context.Context, m crm.MIAID, o crm.DocumentOwner, n crm.NewDocument, by string, idem *crm.Idempotency) (crm.Document, error) {
	if err := s.replayed(ctx, m, idem); err != nil {
		return crm.Document{}, err
	}
	ownerSK, what := ApporteurSK(o.ApporteurID), "Apporteur introuvable."
	if o.AffaireID != "" {
		ownerSK, what = AffaireSK(o.AffaireID), "Affaire introuvable."
	}
	if (o.AffaireID == "") == (o.ApporteurID == "") || !crm.IsULID(string(o.AffaireID)+string(o.ApporteurID)) {
		return crm.Document{}, crm.Errorf(crm.ENOTFOUND, "%s", what)
	}
	now := s.Now()
	d := crm.Document{ID: crm.DocumentID(s.NewID()), DocumentOwner: o, Type: n.Type, Nom: n.Nom, ContentType: n.ContentType,
		Etat: crm.DocEnAttente, DeposePar: by, CreatedAt: now, UpdatedAt: now, Version: 1}
	it := toDocumentItem(m, d)
	it.ExpiresAt = now.Add(pendingTTL).Unix()
	var acts actions
	if idem != nil {
		ia, err := s.idempotenceAction(m, idem, d)
		acts.add(ia.item, err)
		acts.onFail(ia.fail)
	}
	acts.add(s.checkAction(MIAPK(m), ownerSK, exists()))
	acts.onFail(func(map[string]types.AttributeValue) error { return crm.Errorf(crm.ENOTFOUND, "%s", what) })
	acts.add(s.putAction(it, notExists()))
	if err := s.run(ctx, "create document", &acts); err != nil {
		return crm.Document{}, err
	}
	return d, nil
}

// GetDocument reads one document of MIA m.
func (s *Store) GetDocument(ctx context.Context, m crm.MIAID, id crm.DocumentID) (crm.Document, error) {
	if !crm.IsULID(string(id)) {
		return crm.Document{}, docNotFound()
	}
	var it documentItem
	if err := s.getItem(ctx, MIAPK(m), DocumentSK(id), &it, "Document"); err != nil {
		return crm.Document{}, err
	}
	if it.Type != typeDocument {
		return crm.Document{}, docNotFound()
	}
	return it.document(), nil
}

// ListDocuments lists an owner's documents, oldest first, or ENOTFOUND when
// the owner is not the MIA's: the owner's GetItem and the documents' Query
// (GSI1; an owner holds a few documents, at most crm.MaxLimit are read) are
// issued together, one round trip.
func (s *Store) ListDocuments(ctx context.Context, m crm.MIAID, o crm.DocumentOwner) ([]crm.Document, error) {
	ownerSK, what := ApporteurSK(o.ApporteurID), "Apporteur introuvable."
	if o.AffaireID != "" {
		ownerSK, what = AffaireSK(o.AffaireID), "Affaire introuvable."
	}
	if (o.AffaireID == "") == (o.ApporteurID == "") || !crm.IsULID(string(o.AffaireID)+string(o.ApporteurID)) {
		return nil, crm.Errorf(crm.ENOTFOUND, "%s", what)
	}
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI1), Limit: aws.Int32(crm.MaxLimit)}
	if err := withExpr(in, expression.Key(attrGSI1PK).Equal(expression.Value(DocumentCollection(m, o))), nil); err != nil {
		return nil, internal("list documents", err)
	}
	owner := make(chan error, 1)
	go func() {
		res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: s.key(MIAPK(m), ownerSK),
			ProjectionExpression: aws.String(attrPK)})
		switch {
		case err != nil:
			owner <- internal("get document owner", err)
		case res.Item == nil:
			owner <- crm.Errorf(crm.ENOTFOUND, "%s", what)
		default:
			owner <- nil
		}
	}()
	res, qerr := s.db.Query(ctx, in)
	if err := <-owner; err != nil {
		return nil, err
	}
	if qerr != nil {
		return nil, internal("list documents", qerr)
	}
	out := []crm.Document{}
	for _, av := range res.Items {
		var it documentItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, internal("decode document", err)
		}
		out = append(out, it.document())
	}
	return out, nil
}

// documentUpdate changes a document in état from to another état, in ONE
// conditional UpdateItem. It reports false (and no error) when the document
// is gone or no longer in état from: the caller's work was done before.
func (s *Store) documentUpdate(ctx context.Context, m crm.MIAID, id crm.DocumentID, from crm.DocumentEtat, at time.Time,
	upd expression.UpdateBuilder, extra ...expression.ConditionBuilder) (crm.Document, bool, error) {
	if !crm.IsULID(string(id)) {
		return crm.Document{}, false, nil
	}
	rules := append([]expression.ConditionBuilder{expression.Name("etat").Equal(expression.Value(from))}, extra...)
	var stale bool
	av, err := s.updateItem(ctx, itemUpdate{what: "Document", key: s.key(MIAPK(m), DocumentSK(id)), upd: upd, rules: rules, at: at,
		explain: func(map[string]types.AttributeValue) error { stale = true; return docNotFound() }})
	if err != nil {
		if stale || crm.ErrorCode(err) == crm.ENOTFOUND {
			return crm.Document{}, false, nil
		}
		return crm.Document{}, false, err
	}
	var it documentItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return crm.Document{}, false, internal("decode document", err)
	}
	return it.document(), true, nil
}

// VerifyDocument marks an uploaded document verifie with what the check
// measured and the version of its checked file. Idempotent: a document no
// longer en_attente is left as it is.
func (s *Store) VerifyDocument(ctx context.Context, m crm.MIAID, id crm.DocumentID, taille int64, sha256, fileVersion string, at time.Time) error {
	upd := expression.Set(expression.Name("etat"), expression.Value(crm.DocVerifie)).
		Set(expression.Name("taille"), expression.Value(taille)).
		Set(expression.Name("sha256"), expression.Value(sha256)).
		Remove(expression.Name("expiresAt"))
	upd = setOrRemove(upd, "fileVersion", fileVersion)
	_, _, err := s.documentUpdate(ctx, m, id, crm.DocEnAttente, at, upd)
	return err
}

// RefuseDocument marks an uploaded document refuse with why; it is kept
// for the restore window, then the TTL removes it. Idempotent.
func (s *Store) RefuseDocument(ctx context.Context, m crm.MIAID, id crm.DocumentID, taille int64, sha256, motif string, at time.Time) error {
	upd := expression.Set(expression.Name("etat"), expression.Value(crm.DocRefuse)).
		Set(expression.Name("taille"), expression.Value(taille)).
		Set(expression.Name("motif"), expression.Value(motif)).
		Set(expression.Name("expiresAt"), expression.Value(at.Add(crm.RestoreWindow).Unix()))
	upd = setOrRemove(upd, "sha256", sha256)
	_, _, err := s.documentUpdate(ctx, m, id, crm.DocEnAttente, at, upd)
	return err
}

// DeleteDocument soft-deletes a verified document whose file the delete
// marker now hides; the TTL removes it when it can no longer be restored.
func (s *Store) DeleteDocument(ctx context.Context, m crm.MIAID, id crm.DocumentID, marker string) (crm.Document, error) {
	at := s.Now()
	upd := expression.Set(expression.Name("etat"), expression.Value(crm.DocSupprime)).
		Set(expression.Name("supprimeLe"), expression.Value(fmtTime(at))).
		Set(expression.Name("expiresAt"), expression.Value(at.Add(crm.RestoreWindow).Unix()))
	upd = setOrRemove(upd, "deleteMarker", marker)
	d, ok, err := s.documentUpdate(ctx, m, id, crm.DocVerifie, at, upd)
	if err == nil && !ok {
		err = crm.Errorf(crm.ECONFLICT, "Seul un document vérifié peut être supprimé.")
	}
	return d, err
}

// RestoreDocument undoes a delete within the restore window.
func (s *Store) RestoreDocument(ctx context.Context, m crm.MIAID, id crm.DocumentID) (crm.Document, error) {
	at := s.Now()
	upd := expression.Set(expression.Name("etat"), expression.Value(crm.DocVerifie)).
		Remove(expression.Name("supprimeLe")).Remove(expression.Name("deleteMarker")).Remove(expression.Name("expiresAt"))
	d, ok, err := s.documentUpdate(ctx, m, id, crm.DocSupprime, at, upd,
		expression.Name("supprimeLe").GreaterThan(expression.Value(fmtTime(at.Add(-crm.RestoreWindow)))))
	if err == nil && !ok {
		err = crm.Errorf(crm.ECONFLICT, "Ce document n'est pas supprimé, ou ne peut plus être restauré.")
	}
	return d, err
}

type parametresItem struct {
	keys
	PiecesDDAObligatoires bool   `dynamodbav:"piecesDDAObligatoires"`
	InformationArticle14  bool   `dynamodbav:"informationArticle14"`
	UpdatedAt             string `dynamodbav:"updatedAt"`
	Version               int    `dynamodbav:"version"`
}

func (it parametresItem) parametres() crm.Parametres {
	v := it.Version
	if v == 0 {
		v = 1
	}
	return crm.Parametres{PiecesDDAObligatoires: it.PiecesDDAObligatoires, InformationArticle14: it.InformationArticle14,
		UpdatedAt: parseTime(it.UpdatedAt), Version: v}
}

// GetParametres reads a MIA's settings (the defaults when never set).
func (s *Store) GetParametres(ctx context.Context, m crm.MIAID) (crm.Parametres, error) {
	var it parametresItem
	err := s.getItem(ctx, MIAPK(m), ParametresSK(), &it, "Paramètres")
	if crm.ErrorCode(err) == crm.ENOTFOUND {
		return crm.Parametres{Version: 1}, nil
	}
	if err != nil {
		return crm.Parametres{}, err
	}
	return it.parametres(), nil
}

// UpdateParametres writes a MIA's settings (ONE UpdateItem, created on first use).
func (s *Store) UpdateParametres(ctx context.Context, m crm.MIAID, p crm.ParametresPatch) (crm.Parametres, error) {
	if errs := p.Validate(); errs != nil {
		return crm.Parametres{}, crm.Invalid(errs...)
	}
	upd := expression.Set(expression.Name("type"), expression.Value(typeParametres)).
		Set(expression.Name(attrUpdatedAt), expression.Value(fmtTime(s.Now()))).
		// Version counts from 1 (the defaults): the first write makes it 2.
		Set(expression.Name(attrVersion), expression.Plus(expression.IfNotExists(expression.Name(attrVersion), expression.Value(1)), expression.Value(1)))
	if p.PiecesDDAObligatoires != nil {
		upd = upd.Set(expression.Name("piecesDDAObligatoires"), expression.Value(*p.PiecesDDAObligatoires))
	}
	if p.InformationArticle14 != nil {
		upd = upd.Set(expression.Name("informationArticle14"), expression.Value(*p.InformationArticle14))
	}
	e, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		return crm.Parametres{}, internal("update parametres", err)
	}
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: s.key(MIAPK(m), ParametresSK()),
		UpdateExpression: e.Update(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(), ReturnValues: types.ReturnValueAllNew})
	if err != nil {
		return crm.Parametres{}, internal("update parametres", err)
	}
	var it parametresItem
	if err := attributevalue.UnmarshalMap(res.Attributes, &it); err != nil {
		return crm.Parametres{}, internal("decode parametres", err)
	}
	return it.parametres(), nil
}
