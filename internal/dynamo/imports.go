package dynamo

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// CSV imports: an import item (the job: file shape, mapping, cursor and
// counters) and one line item per line of the file, written in the same
// transaction as what the line creates or updates. The line item is what
// makes a line idempotent (its Put is conditioned on its absence), what the
// report lists, and what the undo reverts: the id it created, or the whole
// item it replaced.

// importLineTTL keeps the lines (and so the undo) a day past the undo window.
const importLineTTL = crm.ImportUndoWindow + 24*time.Hour

type importItem struct {
	keys
	meta
	Kind           string     `dynamodbav:"kind"`
	Statut         string     `dynamodbav:"statut"`
	NomFichier     string     `dynamodbav:"nomFichier,omitempty"`
	Encodage       string     `dynamodbav:"encodage,omitempty"`
	Separateur     string     `dynamodbav:"separateur,omitempty"`
	Colonnes       []string   `dynamodbav:"colonnes,omitempty"`
	Correspondance []string   `dynamodbav:"correspondance,omitempty"`
	Apercu         [][]string `dynamodbav:"apercu,omitempty"`
	MettreAJour    bool       `dynamodbav:"mettreAJour"`
	Total          int        `dynamodbav:"total"`
	Curseur        int        `dynamodbav:"curseur"`
	Crees          int        `dynamodbav:"crees"`
	MisAJour       int        `dynamodbav:"misAJour"`
	Doublons       int        `dynamodbav:"doublons"`
	Rejetes        int        `dynamodbav:"rejetes"`
	Restaures      int        `dynamodbav:"restaures"`
	Supprimes      int        `dynamodbav:"supprimes"`
	Conserves      int        `dynamodbav:"conserves"`
	// UndoCursor is the last line the undo has reverted.
	UndoCursor int    `dynamodbav:"undoCursor"`
	Erreur     string `dynamodbav:"erreur,omitempty"`
	TermineeLe string `dynamodbav:"termineeLe,omitempty"`
}

func toImportItem(m crm.MIAID, i crm.Import) importItem {
	return importItem{
		keys: keys{PK: MIAPK(m), SK: ImportSK(i.ID), Type: typeImport},
		meta: toMeta(string(i.ID), i.CreatedAt, i.UpdatedAt, i.Version),
		Kind: string(i.Type), Statut: string(i.Statut), NomFichier: i.NomFichier, Encodage: i.Encodage,
		Separateur: i.Separateur, Colonnes: i.Colonnes, Correspondance: i.Correspondance,
		MettreAJour: i.MettreAJour, Total: i.Total, Curseur: i.Curseur, Erreur: i.Erreur,
	}
}

func (it importItem) imp() crm.Import {
	i := crm.Import{
		ID: crm.ImportID(it.ID), Type: crm.ImportKind(it.Kind), Statut: crm.ImportStatut(it.Statut),
		NomFichier: it.NomFichier, Encodage: it.Encodage, Separateur: it.Separateur, Colonnes: it.Colonnes,
		Correspondance: it.Correspondance, Apercu: it.Apercu, MettreAJour: it.MettreAJour, Total: it.Total, Curseur: it.Curseur,
		Compteurs: crm.ImportCounts{Crees: it.Crees, MisAJour: it.MisAJour, Doublons: it.Doublons, Rejetes: it.Rejetes,
			Restaures: it.Restaures, Supprimes: it.Supprimes, Conserves: it.Conserves},
		Erreur: it.Erreur, CreatedAt: parseTime(it.CreatedAt), UpdatedAt: parseTime(it.UpdatedAt), Version: it.Version,
	}
	if it.TermineeLe != "" {
		until := parseTime(it.TermineeLe).Add(crm.ImportUndoWindow)
		i.AnnulableJusquau = &until
	}
	return i
}

// importLineItem is the record of one line. For a created entity, Email,
// Telephone and Siren are the guards it reserved; for an updated one,
// Before is the whole item as it was and Email/Telephone the guards the
// update moved it to. Version is the entity's version the import wrote.
type importLineItem struct {
	PK         string  `dynamodbav:"PK"`
	SK         string  `dynamodbav:"SK"`
	Type       string  `dynamodbav:"type"`
	Line       int     `dynamodbav:"ligne"`
	Outcome    string  `dynamodbav:"resultat"`
	Reason     string  `dynamodbav:"motif,omitempty"`
	Label      string  `dynamodbav:"libelle,omitempty"`
	EntityID   string  `dynamodbav:"entityId,omitempty"`
	EntityType string  `dynamodbav:"entityType,omitempty"`
	Version    int     `dynamodbav:"version,omitempty"`
	Email      string  `dynamodbav:"email,omitempty"`
	Telephone  string  `dynamodbav:"telephone,omitempty"`
	Siren      string  `dynamodbav:"siren,omitempty"`
	Before     rawItem `dynamodbav:"avant,omitempty"`
	// Undo is what the undo did with the line: supprime, restaure, conserve;
	// UndoReason says why a kept fiche was kept (French, for the report).
	Undo       string `dynamodbav:"annulation,omitempty"`
	UndoReason string `dynamodbav:"motifAnnulation,omitempty"`
	ExpiresAt  int64  `dynamodbav:"expiresAt"`
}

func (it importLineItem) line() crm.ImportLine {
	return crm.ImportLine{Line: it.Line, Outcome: crm.ImportOutcome(it.Outcome), Reason: it.Reason,
		Label: it.Label, EntityID: it.EntityID, Undone: it.Undo == undoDeleted || it.Undo == undoRestored,
		Kept: it.Undo == undoKept, UndoReason: it.UndoReason}
}

const (
	undoDeleted  = "supprime"
	undoRestored = "restaure"
	undoKept     = "conserve"
)

// Why the undo keeps a fiche (the report's « Annulé » column).
const (
	keptChanged   = "conservé : la fiche a été modifiée depuis l'import"
	keptAffaires  = "conservé : des affaires y sont rattachées depuis l'import"
	keptDirigeant = "conservé : dirigeant d'une entreprise depuis l'import"
)

// CreateImport stores a new import (statut en_attente_fichier).
func (s *Store) CreateImport(ctx context.Context, m crm.MIAID, kind crm.ImportKind, nomFichier string) (crm.Import, error) {
	if !kind.Valid() {
		return crm.Import{}, crm.Invalid(crm.FieldError{Champ: "type", Message: "Le type doit être « contacts » ou « entreprises »."})
	}
	now := s.Now()
	i := crm.Import{ID: crm.ImportID(s.NewID()), Type: kind, Statut: crm.ImportEnAttenteFichier,
		NomFichier: nomFichier, CreatedAt: now, UpdatedAt: now, Version: 1}
	var a actions
	a.add(s.putAction(toImportItem(m, i), notExists()))
	if err := s.run(ctx, "create import", &a); err != nil {
		return crm.Import{}, err
	}
	return i, nil
}

// GetImport reads an import (one GetItem).
func (s *Store) GetImport(ctx context.Context, m crm.MIAID, id crm.ImportID) (crm.Import, error) {
	if !crm.IsULID(string(id)) {
		return crm.Import{}, crm.Errorf(crm.ENOTFOUND, "Import introuvable.")
	}
	var it importItem
	if err := s.getItem(ctx, MIAPK(m), ImportSK(id), &it, "Import"); err != nil {
		return crm.Import{}, err
	}
	return it.imp(), nil
}

// ListImports lists a MIA's imports, newest first (one Query).
func (s *Store) ListImports(ctx context.Context, m crm.MIAID, o crm.ListOptions) (crm.Page[crm.Import], error) {
	if errs := o.Validate(); errs != nil {
		return crm.Page[crm.Import]{}, crm.Invalid(errs...)
	}
	in := &dynamodb.QueryInput{ScanIndexForward: aws.Bool(false)}
	key := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(prefixImport))
	if err := withExpr(in, key, nil); err != nil {
		return crm.Page[crm.Import]{}, internal("list imports", err)
	}
	return queryPage(ctx, s, m, "imports", in, o, importItem.imp)
}

// updateImport applies upd to an import under cond (and its existence);
// a failed condition is explained by fail, given the old item (nil if none).
func (s *Store) updateImport(ctx context.Context, m crm.MIAID, id crm.ImportID, upd expression.UpdateBuilder,
	cond expression.ConditionBuilder, fail func(old *importItem) error) (crm.Import, error) {
	upd = upd.Set(expression.Name("updatedAt"), expression.Value(fmtTime(s.Now()))).
		Add(expression.Name("version"), expression.Value(1))
	e, err := expression.NewBuilder().WithUpdate(upd).WithCondition(exists().And(cond)).Build()
	if err != nil {
		return crm.Import{}, internal("build import update", err)
	}
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: s.key(MIAPK(m), ImportSK(id)),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		if ccf.Item == nil {
			return crm.Import{}, crm.Errorf(crm.ENOTFOUND, "Import introuvable.")
		}
		var old importItem
		_ = attributevalue.UnmarshalMap(ccf.Item, &old)
		return crm.Import{}, fail(&old)
	}
	if err != nil {
		return crm.Import{}, internal("update import", err)
	}
	var it importItem
	if err := attributevalue.UnmarshalMap(res.Attributes, &it); err != nil {
		return crm.Import{}, internal("decode import", err)
	}
	return it.imp(), nil
}

func statutIs(st ...crm.ImportStatut) expression.ConditionBuilder {
	if len(st) == 1 {
		return expression.Name("statut").Equal(expression.Value(st[0]))
	}
	ops := make([]expression.OperandBuilder, len(st)-1)
	for i, x := range st[1:] {
		ops[i] = expression.Value(x)
	}
	return expression.Name("statut").In(expression.Value(st[0]), ops...)
}

func wrongStatut(msg string) func(*importItem) error {
	return func(*importItem) error { return crm.Errorf(crm.ECONFLICT, "%s", msg) }
}

// SetImportFile records the shape of the uploaded file (statut a_confirmer):
// encoding, separator, columns, line count and the guessed mapping. A file
// that cannot be read ends the import (statut echec) with the reason.
func (s *Store) SetImportFile(ctx context.Context, m crm.MIAID, id crm.ImportID, f crm.Import) (crm.Import, error) {
	upd := expression.Set(expression.Name("statut"), expression.Value(f.Statut))
	for name, v := range map[string]any{"encodage": f.Encodage, "separateur": f.Separateur, "colonnes": f.Colonnes,
		"correspondance": f.Correspondance, "apercu": f.Apercu, "total": f.Total, "erreur": f.Erreur} {
		upd = upd.Set(expression.Name(name), expression.Value(v))
	}
	return s.updateImport(ctx, m, id, upd, statutIs(crm.ImportEnAttenteFichier, crm.ImportAConfirmer),
		wrongStatut("Le fichier de cet import a déjà été traité."))
}

// ConfirmImport fixes the mapping and the duplicate option and starts the
// import (statut en_cours), once.
func (s *Store) ConfirmImport(ctx context.Context, m crm.MIAID, id crm.ImportID, mapping []string, update bool) (crm.Import, error) {
	upd := expression.Set(expression.Name("statut"), expression.Value(crm.ImportEnCours)).
		Set(expression.Name("correspondance"), expression.Value(mapping)).
		Set(expression.Name("mettreAJour"), expression.Value(update)).
		Set(expression.Name(attrGSI2PK), expression.Value(ActiveImportsList())).
		Set(expression.Name(attrGSI2SK), expression.Value(ActiveImportSK(m, id)))
	return s.updateImport(ctx, m, id, upd, statutIs(crm.ImportAConfirmer),
		wrongStatut("Cet import n'attend pas de confirmation."))
}

// AdvanceImport records a processed chunk [from, to): the cursor moves and
// the counters grow only if the cursor is still at from, so a chunk replayed
// after a crash is counted once. done ends the import (statut terminee).
func (s *Store) AdvanceImport(ctx context.Context, m crm.MIAID, id crm.ImportID, from, to int, c crm.ImportCounts, done bool) error {
	upd := expression.Set(expression.Name("curseur"), expression.Value(to)).
		Add(expression.Name("crees"), expression.Value(c.Crees)).
		Add(expression.Name("misAJour"), expression.Value(c.MisAJour)).
		Add(expression.Name("doublons"), expression.Value(c.Doublons)).
		Add(expression.Name("rejetes"), expression.Value(c.Rejetes))
	if done {
		upd = upd.Set(expression.Name("statut"), expression.Value(crm.ImportTerminee)).
			Set(expression.Name("termineeLe"), expression.Value(fmtTime(s.Now()))).
			Remove(expression.Name(attrGSI2PK)).Remove(expression.Name(attrGSI2SK))
	}
	_, err := s.updateImport(ctx, m, id, upd,
		expression.Name("curseur").Equal(expression.Value(from)).And(statutIs(crm.ImportEnCours)),
		func(old *importItem) error {
			if old.Curseur >= to {
				return nil // already recorded by an earlier run
			}
			return crm.Errorf(crm.ECONFLICT, "L'import n'est plus en cours.")
		})
	return err
}

// FailImport ends an import that cannot go on, with a reason for the MIA.
func (s *Store) FailImport(ctx context.Context, m crm.MIAID, id crm.ImportID, reason string) error {
	_, err := s.updateImport(ctx, m, id,
		expression.Set(expression.Name("statut"), expression.Value(crm.ImportEchec)).
			Set(expression.Name("erreur"), expression.Value(reason)).
			Remove(expression.Name(attrGSI2PK)).Remove(expression.Name(attrGSI2SK)),
		statutIs(crm.ImportEnAttenteFichier, crm.ImportAConfirmer, crm.ImportEnCours), wrongStatut("L'import est déjà terminé."))
	return err
}

// ImportLines returns every recorded line of an import, in file order
// (paged Query of the import's lines: the report).
func (s *Store) ImportLines(ctx context.Context, m crm.MIAID, id crm.ImportID) ([]crm.ImportLine, error) {
	var out []crm.ImportLine
	err := s.eachImportLine(ctx, m, id, 0, 0, func(it importLineItem) error {
		out = append(out, it.line())
		return nil
	})
	return out, err
}

// ImportReport reads an import and its lines for the report: the GetItem
// and the lines' Query run concurrently (one round trip); the import's
// error (404) wins. Read concurrently, the lines may be older than the
// import item. Every line is recorded (and marked by the undo) before the
// item counts it, chunk after chunk, so lines older than the item show
// fewer records, or fewer undone ones, than its counters: then they are read
// again, after it — a second round trip only in that race.
func (s *Store) ImportReport(ctx context.Context, m crm.MIAID, id crm.ImportID) (crm.Import, []crm.ImportLine, error) {
	if !crm.IsULID(string(id)) {
		return crm.Import{}, nil, crm.Errorf(crm.ENOTFOUND, "Import introuvable.")
	}
	var (
		wg    sync.WaitGroup
		lines []crm.ImportLine
		lerr  error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		lines, lerr = s.ImportLines(ctx, m, id)
	}()
	imp, err := s.GetImport(ctx, m, id)
	wg.Wait()
	if err != nil {
		return crm.Import{}, nil, err
	}
	if lerr == nil && behind(lines, imp.Compteurs) {
		lines, lerr = s.ImportLines(ctx, m, id)
	}
	if lerr != nil {
		return crm.Import{}, nil, lerr
	}
	return imp, lines, nil
}

// behind tells lines read before the item that counted c changed.
func behind(lines []crm.ImportLine, c crm.ImportCounts) bool {
	undone := 0
	for _, l := range lines {
		if l.Undone {
			undone++
		}
	}
	return len(lines) < c.Crees+c.MisAJour+c.Doublons+c.Rejetes || undone < c.Restaures+c.Supprimes
}

// eachImportLine calls f on the lines after line `after`, in order, a page
// of at most limit (0: all) at a time.
func (s *Store) eachImportLine(ctx context.Context, m crm.MIAID, id crm.ImportID, after, limit int, f func(importLineItem) error) error {
	in := &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true)}
	key := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).
		And(expression.Key(attrSK).Between(expression.Value(ImportLineSK(id, after+1)), expression.Value(ImportLineSK(id, 9999999))))
	if err := withExpr(in, key, nil); err != nil {
		return internal("import lines", err)
	}
	if limit > 0 {
		in.Limit = aws.Int32(int32(limit))
	}
	p := s.queryPages(in)
	for p.HasMorePages() {
		res, err := p.NextPage(ctx)
		if err != nil {
			return internal("import lines", err)
		}
		for _, av := range res.Items {
			var it importLineItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return internal("decode import line", err)
			}
			if err := f(it); err != nil {
				return err
			}
		}
		if limit > 0 {
			break
		}
	}
	return nil
}

// ImportRow writes one line of an import, idempotently: the line's record
// is put, with attribute_not_exists, in the same transaction as what it
// creates or updates, so a replayed line returns what was recorded.
//
// A line decided before the base (rejected, duplicate inside the file) is
// only recorded. Otherwise the entity is created with its guards; a guard
// already held is a duplicate in the base, found without any read: the
// failed condition returns the guard, which names its owner. With update,
// that owner (when the line matches exactly one) takes the line's fields,
// identity aside (nom, prénom, raison sociale: a rename would ripple onto
// the affaires), and the record keeps the whole item as it was, for the undo.
func (s *Store) ImportRow(ctx context.Context, m crm.MIAID, id crm.ImportID, row crm.ImportRow, update bool) (crm.ImportLine, error) {
	rec := importLineItem{PK: MIAPK(m), SK: ImportLineSK(id, row.Line), Type: typeImportLine, Line: row.Line,
		Label: row.Label, ExpiresAt: s.Now().Add(importLineTTL).Unix()}
	if row.Outcome != "" {
		rec.Outcome, rec.Reason = string(row.Outcome), row.Reason
		return s.recordLine(ctx, rec)
	}
	for attempt := 0; ; attempt++ {
		line, err := s.importOnce(ctx, m, rec, row, update)
		if !errors.Is(err, errRetryLine) {
			return line, err
		}
		if attempt == 4 {
			rec.Outcome, rec.Reason = string(crm.LineRejected), "Modification simultanée de la même fiche : réimportez cette ligne."
			return s.recordLine(ctx, rec)
		}
	}
}

// errRetryLine: the line met a concurrent write (another line updating the
// same fiche); it is tried again from the start.
var errRetryLine = errors.New("retry line")

// recordLine puts a line record alone; one already there is the answer.
func (s *Store) recordLine(ctx context.Context, rec importLineItem) (crm.ImportLine, error) {
	av, err := attributevalue.MarshalMap(rec)
	if err != nil {
		return crm.ImportLine{}, internal("encode import line", err)
	}
	e, _ := build(notExists())
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av,
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names()})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return s.recordedLine(ctx, rec)
	}
	if err != nil {
		return crm.ImportLine{}, internal("record import line", err)
	}
	return rec.line(), nil
}

func (s *Store) recordedLine(ctx context.Context, rec importLineItem) (crm.ImportLine, error) {
	var it importLineItem
	if err := s.getItem(ctx, rec.PK, rec.SK, &it, "Ligne d'import"); err != nil {
		return crm.ImportLine{}, err
	}
	return it.line(), nil
}

// lineTx is a transaction of a line: its actions, with the index of the
// line record (always 0) and what a failed guard means.
type lineTx struct {
	items  []types.TransactWriteItem
	guards map[int]string // action index → champ of the guard
	entity int            // index of the entity's Put / Delete
}

func (t *lineTx) add(item types.TransactWriteItem, err error) error {
	if err != nil {
		return err
	}
	t.items = append(t.items, item)
	return nil
}

// txOutcome is what a line transaction's cancellation says.
type txOutcome struct {
	replayed bool              // the line record exists
	entity   bool              // the entity's condition failed
	owners   map[string]string // owner id → champ, of the guards held by others
	conflict bool              // a concurrent transaction: retry
}

func (s *Store) runLine(ctx context.Context, t *lineTx) (txOutcome, error) {
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: t.items})
	if err == nil {
		return txOutcome{}, nil
	}
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return txOutcome{}, internal("import line", err)
	}
	var o txOutcome
	for i, r := range tce.CancellationReasons {
		switch aws.ToString(r.Code) {
		case "ConditionalCheckFailed":
			switch {
			case i == 0:
				o.replayed = true
			case i == t.entity:
				o.entity = true
			default:
				if champ, ok := t.guards[i]; ok {
					var g guardItem
					_ = attributevalue.UnmarshalMap(r.Item, &g)
					if o.owners == nil {
						o.owners = map[string]string{}
					}
					o.owners[g.OwnerID] = champ
				} else {
					o.entity = true // a ConditionCheck (the dirigeant)
				}
			}
		case "TransactionConflict":
			o.conflict = true
		}
	}
	if o.replayed {
		return txOutcome{replayed: true}, nil
	}
	if o.owners == nil && !o.entity && !o.conflict {
		return txOutcome{}, internal("import line", err)
	}
	return o, nil
}

func (s *Store) guardPut(t *lineTx, m crm.MIAID, sk, owner, champ string) error {
	if err := t.add(s.putAction(guardItem{PK: MIAPK(m), SK: sk, Type: typeGuard, OwnerID: owner}, notExists())); err != nil {
		return err
	}
	if t.guards == nil {
		t.guards = map[int]string{}
	}
	t.guards[len(t.items)-1] = champ
	return nil
}

// guardDelete releases a guard if it still belongs to owner.
func (s *Store) guardDelete(t *lineTx, m crm.MIAID, sk, owner string) error {
	e, err := build(expression.Name("ownerId").Equal(expression.Value(owner)))
	if err != nil {
		return err
	}
	t.items = append(t.items, types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: s.key(MIAPK(m), sk),
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}})
	return nil
}

// newLineTx starts the transaction of a line that writes an entity: the
// line's record (absent: a replayed line fails here) and the entity's Put
// under cond; the caller adds the guards.
func (s *Store) newLineTx(rec importLineItem, entity any, cond expression.ConditionBuilder) (lineTx, error) {
	var t lineTx
	err := errors.Join(t.add(s.putAction(rec, notExists())), t.add(s.putAction(entity, cond)))
	t.entity = 1
	return t, err
}

// writeLine runs a line's transaction: the line written (or the one
// recorded by an earlier run), else the owners of the guards held by
// others (a duplicate in the base, for the caller to settle), else
// errRetryLine (a concurrent write, or the entity changed since read).
func (s *Store) writeLine(ctx context.Context, t *lineTx, rec importLineItem) (crm.ImportLine, map[string]string, error) {
	o, err := s.runLine(ctx, t)
	switch {
	case err != nil:
		return crm.ImportLine{}, nil, err
	case o.replayed:
		line, err := s.recordedLine(ctx, rec)
		return line, nil, err
	case o.conflict || o.entity:
		return crm.ImportLine{}, nil, errRetryLine
	case o.owners != nil:
		return crm.ImportLine{}, o.owners, nil
	}
	return rec.line(), nil, nil
}

func (s *Store) importOnce(ctx context.Context, m crm.MIAID, rec importLineItem, row crm.ImportRow, update bool) (crm.ImportLine, error) {
	if row.Entreprise != nil {
		return s.importEntreprise(ctx, m, rec, row, update)
	}
	if row.Contact == nil {
		return crm.ImportLine{}, internal("import line", errors.New("nothing to import"))
	}
	now := s.Now()
	c := *row.Contact
	c.ID, c.Statut = crm.ContactID(s.NewID()), crm.ContactProspect
	c.CreatedAt, c.UpdatedAt, c.Version = now, now, 1
	rec.Outcome, rec.EntityID, rec.EntityType, rec.Version = string(crm.LineCreated), string(c.ID), typeContact, 1
	rec.Email, rec.Telephone = c.Email, c.Telephone

	t, err := s.newLineTx(rec, toContactItem(m, c), notExists())
	if c.Email != "" {
		err = errors.Join(err, s.guardPut(&t, m, UniqueEmailSK(c.Email), string(c.ID), "email"))
	}
	if c.Telephone != "" {
		err = errors.Join(err, s.guardPut(&t, m, UniqueTelephoneSK(c.Telephone), string(c.ID), "telephone"))
	}
	if err != nil {
		return crm.ImportLine{}, internal("import contact", err)
	}
	line, owners, err := s.writeLine(ctx, &t, rec)
	if owners != nil {
		return s.contactDuplicate(ctx, m, rec, row, owners, update)
	}
	return line, err
}

// duplicateRec turns rec into the record of a line skipped as a duplicate.
func duplicateRec(rec importLineItem, owner, reason string) importLineItem {
	rec.Outcome, rec.Reason, rec.EntityID = string(crm.LineDuplicate), reason, owner
	rec.EntityType, rec.Version, rec.Email, rec.Telephone, rec.Siren = "", 0, "", "", ""
	return rec
}

func (s *Store) contactDuplicate(ctx context.Context, m crm.MIAID, rec importLineItem, row crm.ImportRow, owners map[string]string, update bool) (crm.ImportLine, error) {
	var owner, champ string
	for o, c := range owners {
		owner, champ = o, c
	}
	what := map[string]string{"email": "même email", "telephone": "même téléphone"}[champ]
	if len(owners) > 1 {
		return s.recordLine(ctx, duplicateRec(rec, "", "Doublon de deux contacts existants (l'un par l'email, l'autre par le téléphone)."))
	}
	if !update {
		return s.recordLine(ctx, duplicateRec(rec, owner, "Doublon d'un contact existant ("+what+")."))
	}
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: s.key(MIAPK(m), ContactSK(crm.ContactID(owner))), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return crm.ImportLine{}, internal("read duplicate", err)
	}
	if res.Item == nil {
		return crm.ImportLine{}, errRetryLine // the guard's owner went away: try a create again
	}
	var it contactItem
	if err := attributevalue.UnmarshalMap(res.Item, &it); err != nil {
		return crm.ImportLine{}, internal("decode duplicate", err)
	}
	cur := it.contact()
	next, in := cur, row.Contact
	for f, dst := range map[string]*string{"telephone": &next.Telephone, "email": &next.Email, "adresse": &next.Adresse,
		"dateNaissance": &next.DateNaissance, "profession": &next.Profession, "remarques": &next.Remarques} {
		if row.Fields[f] {
			*dst = map[string]string{"telephone": in.Telephone, "email": in.Email, "adresse": in.Adresse,
				"dateNaissance": in.DateNaissance, "profession": in.Profession, "remarques": in.Remarques}[f]
		}
	}
	if next == cur {
		return s.recordLine(ctx, duplicateRec(rec, owner, "Doublon d'un contact existant ("+what+"), déjà à jour."))
	}
	next.Version, next.UpdatedAt = cur.Version+1, s.Now()
	rec.Outcome, rec.EntityID, rec.EntityType, rec.Version = string(crm.LineUpdated), owner, typeContact, next.Version
	rec.Email, rec.Telephone, rec.Before = next.Email, next.Telephone, res.Item
	rec.Label = next.DisplayName()

	t, err := s.newLineTx(rec, toContactItem(m, next), versionIs(cur.Version))
	err = errors.Join(err, s.swapLineGuard(&t, m, cur.Email, next.Email, owner, UniqueEmailSK, "email"),
		s.swapLineGuard(&t, m, cur.Telephone, next.Telephone, owner, UniqueTelephoneSK, "telephone"))
	if err != nil {
		return crm.ImportLine{}, internal("import update", err)
	}
	line, owners, err := s.writeLine(ctx, &t, rec)
	if owners != nil {
		return s.recordLine(ctx, duplicateRec(rec, owner,
			"Doublon d'un contact existant ("+what+") ; non mis à jour : son nouvel email ou téléphone est celui d'un autre contact."))
	}
	return line, err
}

// swapLineGuard moves a guard of owner from prev to next.
func (s *Store) swapLineGuard(t *lineTx, m crm.MIAID, prev, next, owner string, sk func(string) string, champ string) error {
	if prev == next {
		return nil
	}
	var err error
	if prev != "" {
		err = s.guardDelete(t, m, sk(prev), owner)
	}
	if next != "" {
		err = errors.Join(err, s.guardPut(t, m, sk(next), owner, champ))
	}
	return err
}

func (s *Store) importEntreprise(ctx context.Context, m crm.MIAID, rec importLineItem, row crm.ImportRow, update bool) (crm.ImportLine, error) {
	// The dirigeant: the contact holding the email (or telephone) given.
	sk := UniqueEmailSK(row.DirigeantEmail)
	if row.DirigeantEmail == "" {
		sk = UniqueTelephoneSK(row.DirigeantTelephone)
	}
	var g guardItem
	err := s.getItem(ctx, MIAPK(m), sk, &g, "Dirigeant")
	if crm.ErrorCode(err) == crm.ENOTFOUND {
		rec.Outcome, rec.Reason = string(crm.LineRejected), "Dirigeant introuvable : aucun de vos contacts n'a cet email ou ce téléphone."
		return s.recordLine(ctx, rec)
	} else if err != nil {
		return crm.ImportLine{}, err
	}
	var d contactItem
	if err := s.getItem(ctx, MIAPK(m), ContactSK(crm.ContactID(g.OwnerID)), &d, "Dirigeant"); err != nil {
		if crm.ErrorCode(err) == crm.ENOTFOUND {
			return crm.ImportLine{}, errRetryLine
		}
		return crm.ImportLine{}, err
	}
	now := s.Now()
	e := *row.Entreprise
	e.ID, e.DirigeantID, e.ApporteurID = crm.EntrepriseID(s.NewID()), crm.ContactID(d.ID), crm.ApporteurID(d.ApporteurID)
	e.CreatedAt, e.UpdatedAt, e.Version = now, now, 1
	rec.Outcome, rec.EntityID, rec.EntityType, rec.Version, rec.Siren = string(crm.LineCreated), string(e.ID), typeEntreprise, 1, e.Siren

	t, err := s.newLineTx(rec, toEntrepriseItem(m, e), notExists())
	err = errors.Join(err, s.guardPut(&t, m, UniqueSirenSK(e.Siren), string(e.ID), "siren"),
		t.add(s.checkAction(MIAPK(m), ContactSK(e.DirigeantID), exists())))
	if err != nil {
		return crm.ImportLine{}, internal("import entreprise", err)
	}
	line, owners, err := s.writeLine(ctx, &t, rec)
	if owners == nil {
		return line, err
	}
	var owner string
	for id := range owners {
		owner = id
	}
	if !update {
		return s.recordLine(ctx, duplicateRec(rec, owner, "Doublon d'une entreprise existante (même SIREN)."))
	}
	return s.updateEntrepriseLine(ctx, m, rec, row, owner)
}

func (s *Store) updateEntrepriseLine(ctx context.Context, m crm.MIAID, rec importLineItem, row crm.ImportRow, owner string) (crm.ImportLine, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: s.key(MIAPK(m), EntrepriseSK(crm.EntrepriseID(owner))), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return crm.ImportLine{}, internal("read duplicate", err)
	}
	if res.Item == nil {
		return crm.ImportLine{}, errRetryLine
	}
	var it entrepriseItem
	if err := attributevalue.UnmarshalMap(res.Item, &it); err != nil {
		return crm.ImportLine{}, internal("decode duplicate", err)
	}
	cur := it.entreprise()
	next, in := cur, row.Entreprise
	if row.Fields["adresse"] {
		next.Adresse = in.Adresse
	}
	if row.Fields["telephone"] {
		next.Telephone = in.Telephone
	}
	if row.Fields["email"] {
		next.Email = in.Email
	}
	if row.Fields["remarques"] {
		next.Remarques = in.Remarques
	}
	if next == cur {
		return s.recordLine(ctx, duplicateRec(rec, owner, "Doublon d'une entreprise existante (même SIREN), déjà à jour."))
	}
	next.Version, next.UpdatedAt = cur.Version+1, s.Now()
	rec.Outcome, rec.EntityID, rec.EntityType, rec.Version, rec.Before = string(crm.LineUpdated), owner, typeEntreprise, next.Version, res.Item
	rec.Siren, rec.Label = next.Siren, next.RaisonSociale
	t, err := s.newLineTx(rec, toEntrepriseItem(m, next), versionIs(cur.Version))
	if err != nil {
		return crm.ImportLine{}, internal("import update", err)
	}
	line, _, err := s.writeLine(ctx, &t, rec)
	return line, err
}

// StartUndo opens the undo of an import: within crm.ImportUndoWindow of its
// end, once (statut annulation_en_cours, which a resumed undo keeps).
func (s *Store) StartUndo(ctx context.Context, m crm.MIAID, id crm.ImportID) (crm.Import, error) {
	since := fmtTime(s.Now().Add(-crm.ImportUndoWindow))
	cond := statutIs(crm.ImportTerminee).And(expression.Name("termineeLe").GreaterThan(expression.Value(since)))
	upd := expression.Set(expression.Name("statut"), expression.Value(crm.ImportAnnulationEnCours)).
		Set(expression.Name(attrGSI2PK), expression.Value(ActiveImportsList())).
		Set(expression.Name(attrGSI2SK), expression.Value(ActiveImportSK(m, id)))
	return s.updateImport(ctx, m, id, upd,
		cond, func(old *importItem) error {
			switch crm.ImportStatut(old.Statut) {
			case crm.ImportAnnulationEnCours, crm.ImportAnnulee:
				return crm.Errorf(crm.ECONFLICT, "Cet import est déjà annulé.")
			case crm.ImportTerminee:
				return crm.Errorf(crm.EUNPROCESSABLE, "Un import ne peut être annulé que pendant 7 jours.")
			}
			return crm.Errorf(crm.ECONFLICT, "Seul un import terminé peut être annulé.")
		})
}

// UndoImport reverts an import whose undo was started, page by page of its
// lines: what it created is deleted (with its guards), what it updated gets
// its whole former item back (and its guards), each only if the fiche is
// still at the version the import wrote; a fiche changed since is kept, and
// counted so. Each line's undo is recorded on the line in the same
// transaction (idempotent), the cursor and counters after each page (so a
// replayed page is counted once). done is false when the deadline came first.
func (s *Store) UndoImport(ctx context.Context, m crm.MIAID, id crm.ImportID, deadline time.Time) (done bool, err error) {
	var it importItem
	if err := s.getItem(ctx, MIAPK(m), ImportSK(id), &it, "Import"); err != nil {
		return false, err
	}
	if st := crm.ImportStatut(it.Statut); st != crm.ImportAnnulationEnCours {
		return st == crm.ImportAnnulee, nil
	}
	after := it.UndoCursor
	for {
		if !deadline.IsZero() && s.Now().After(deadline) {
			return false, nil
		}
		var page []importLineItem
		if err := s.eachImportLine(ctx, m, id, after, 250, func(l importLineItem) error {
			page = append(page, l)
			return nil
		}); err != nil {
			return false, err
		}
		last := after
		if len(page) > 0 {
			last = page[len(page)-1].Line
		}
		counts, err := s.undoPage(ctx, m, page)
		if err != nil {
			return false, err
		}
		upd := expression.Set(expression.Name("undoCursor"), expression.Value(last)).
			Add(expression.Name("restaures"), expression.Value(counts.Restaures)).
			Add(expression.Name("supprimes"), expression.Value(counts.Supprimes)).
			Add(expression.Name("conserves"), expression.Value(counts.Conserves))
		if len(page) == 0 {
			upd = upd.Set(expression.Name("statut"), expression.Value(crm.ImportAnnulee)).
				Remove(expression.Name(attrGSI2PK)).Remove(expression.Name(attrGSI2SK))
		}
		_, err = s.updateImport(ctx, m, id, upd,
			expression.Name("undoCursor").Equal(expression.Value(after)).And(statutIs(crm.ImportAnnulationEnCours)),
			func(*importItem) error { return crm.Errorf(crm.ECONFLICT, "Annulation simultanée de cet import.") })
		if err != nil {
			return false, err
		}
		if len(page) == 0 {
			return true, nil
		}
		after = last
	}
}

func (s *Store) undoPage(ctx context.Context, m crm.MIAID, page []importLineItem) (crm.ImportCounts, error) {
	leaders, err := s.pageLeaders(ctx, m, page)
	if err != nil {
		return crm.ImportCounts{}, err
	}
	results := make([]string, len(page))
	errs := make([]error, len(page))
	next := make(chan int)
	done := make(chan struct{})
	for range min(16, len(page)) {
		go func() {
			for i := range next {
				results[i], errs[i] = s.undoLine(ctx, m, page[i], leaders)
			}
			done <- struct{}{}
		}()
	}
	for i := range page {
		next <- i
	}
	close(next)
	for range min(16, len(page)) {
		<-done
	}
	var c crm.ImportCounts
	for i, r := range results {
		if errs[i] != nil {
			return c, errs[i]
		}
		switch r {
		case undoDeleted:
			c.Supprimes++
		case undoRestored:
			c.Restaures++
		case undoKept:
			c.Conserves++
		}
	}
	return c, nil
}

// pageLeaders is the set of contacts that lead an entreprise, read only when
// the page holds a created contact still to undo: no access pattern lists
// the entreprises of one dirigeant (an entreprise is not in its dirigeant's
// GSI1 collection), so one Query of the MIA's entreprises (dirigeantId
// projected) per page of 250 lines stands in for a Query per contact.
func (s *Store) pageLeaders(ctx context.Context, m crm.MIAID, page []importLineItem) (map[string]bool, error) {
	need := false
	for _, l := range page {
		need = need || (l.Undo == "" && l.Outcome == string(crm.LineCreated) && l.EntityType == typeContact)
	}
	if !need {
		return nil, nil
	}
	key := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(prefixEntreprise))
	e, err := expression.NewBuilder().WithKeyCondition(key).WithProjection(expression.NamesList(expression.Name("dirigeantId"))).Build()
	if err != nil {
		return nil, internal("undo leaders", err)
	}
	in := &dynamodb.QueryInput{TableName: &s.table, KeyConditionExpression: e.KeyCondition(), ProjectionExpression: e.Projection(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}
	leaders := map[string]bool{}
	p := s.queryPages(in)
	for p.HasMorePages() {
		res, err := p.NextPage(ctx)
		if err != nil {
			return nil, internal("undo leaders", err)
		}
		for _, av := range res.Items {
			if d, ok := av["dirigeantId"].(*types.AttributeValueMemberS); ok {
				leaders[d.Value] = true
			}
		}
	}
	return leaders, nil
}

// hasAffaires says whether client id has an affaire: one Query of its GSI1
// collection (the detail page's), affaires only, counted, at most one.
func (s *Store) hasAffaires(ctx context.Context, m crm.MIAID, id string) (bool, error) {
	kc := expression.Key(attrGSI1PK).Equal(expression.Value(ClientCollection(m, id))).
		And(expression.Key(attrGSI1SK).BeginsWith(prefixAffaire))
	e, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return false, internal("undo affaires", err)
	}
	res, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI1),
		KeyConditionExpression: e.KeyCondition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		Select: types.SelectCount, Limit: aws.Int32(1)})
	if err != nil {
		return false, internal("undo affaires", err)
	}
	return res.Count > 0, nil
}

// keepLine records that the undo keeps the line's fiche, and why.
func (s *Store) keepLine(ctx context.Context, m crm.MIAID, l importLineItem, reason string) (string, error) {
	var k lineTx
	if err := k.add(s.markUndo(m, l, undoKept, reason)); err != nil {
		return "", internal("undo import line", err)
	}
	o, err := s.runLine(ctx, &k)
	if err != nil || !o.replayed {
		return undoKept, err
	}
	var cur importLineItem // an earlier run recorded the line: its word stands
	if err := s.getItem(ctx, l.PK, l.SK, &cur, "Ligne d'import"); err != nil {
		return "", err
	}
	return cur.Undo, nil
}

// undoLine reverts one line and returns what it did ("" for a line that
// wrote nothing). A created fiche on which the MIA has since built (an
// affaire, or an entreprise it leads) is kept: deleting it would leave them
// pointing at nothing. Remaining race: an affaire or entreprise created
// between these checks and the delete (or not yet in GSI1, which is
// eventually consistent) is orphaned. Its create transaction's
// ConditionCheck on the client only conflicts with a delete running at the
// same instant; closing the gap would take a write on the client (a
// counter its delete is conditioned on) in every affaire and entreprise
// create, which bumps no version but adds a stream record per affaire:
// left as a follow-up. Tâches and notes on the fiche are not checked: they
// stay, orphaned, and the stream drops the fiche's timeline and relance.
func (s *Store) undoLine(ctx context.Context, m crm.MIAID, l importLineItem, leaders map[string]bool) (string, error) {
	if l.Undo != "" {
		return l.Undo, nil
	}
	var sk string
	switch l.EntityType {
	case typeContact:
		sk = ContactSK(crm.ContactID(l.EntityID))
	case typeEntreprise:
		sk = EntrepriseSK(crm.EntrepriseID(l.EntityID))
	}
	if sk == "" || (l.Outcome != string(crm.LineCreated) && l.Outcome != string(crm.LineUpdated)) {
		return "", nil
	}
	if l.Outcome == string(crm.LineCreated) {
		if l.EntityType == typeContact && leaders[l.EntityID] {
			return s.keepLine(ctx, m, l, keptDirigeant)
		}
		linked, err := s.hasAffaires(ctx, m, l.EntityID)
		if err != nil {
			return "", err
		}
		if linked {
			return s.keepLine(ctx, m, l, keptAffaires)
		}
	}
	var t lineTx
	undo := undoDeleted
	if l.Outcome == string(crm.LineUpdated) {
		undo = undoRestored
	}
	err := t.add(s.markUndo(m, l, undo, ""))
	t.entity = 1
	cond, cerr := build(versionIs(l.Version))
	err = errors.Join(err, cerr)
	if l.Outcome == string(crm.LineCreated) {
		t.items = append(t.items, types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: s.key(MIAPK(m), sk),
			ConditionExpression: cond.Condition(), ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values()}})
		for _, g := range []struct{ v, sk string }{{l.Email, UniqueEmailSK(l.Email)}, {l.Telephone, UniqueTelephoneSK(l.Telephone)}, {l.Siren, UniqueSirenSK(l.Siren)}} {
			if g.v != "" {
				err = errors.Join(err, s.guardDelete(&t, m, g.sk, l.EntityID))
			}
		}
	} else {
		t.items = append(t.items, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: l.Before,
			ConditionExpression: cond.Condition(), ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values()}})
		if l.EntityType == typeContact {
			var before contactItem
			err = errors.Join(err, attributevalue.UnmarshalMap(l.Before, &before))
			err = errors.Join(err, s.swapLineGuard(&t, m, l.Email, before.Email, l.EntityID, UniqueEmailSK, "email"),
				s.swapLineGuard(&t, m, l.Telephone, before.Telephone, l.EntityID, UniqueTelephoneSK, "telephone"))
		}
	}
	if err != nil {
		return "", internal("undo import line", err)
	}
	for attempt := 0; ; attempt++ {
		o, err := s.runLine(ctx, &t)
		switch {
		case err != nil:
			return "", err
		case o.replayed:
			var cur importLineItem
			if err := s.getItem(ctx, l.PK, l.SK, &cur, "Ligne d'import"); err != nil {
				return "", err
			}
			return cur.Undo, nil
		case o.conflict && attempt < 4:
			continue
		case o.conflict, o.entity, o.owners != nil:
			// Changed since the import (or its former email / telephone
			// taken by another contact since): kept as it is.
			return s.keepLine(ctx, m, l, keptChanged)
		}
		return undo, nil
	}
}

// markUndo records on a line what its undo did, once.
func (s *Store) markUndo(m crm.MIAID, l importLineItem, undo, reason string) (types.TransactWriteItem, error) {
	upd := expression.Set(expression.Name("annulation"), expression.Value(undo))
	if reason != "" {
		upd = upd.Set(expression.Name("motifAnnulation"), expression.Value(reason))
	}
	e, err := expression.NewBuilder().
		WithUpdate(upd).
		WithCondition(expression.AttributeExists(expression.Name(attrPK)).And(expression.AttributeNotExists(expression.Name("annulation")))).
		Build()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: s.key(MIAPK(m), l.SK),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}, nil
}

// rawItem is a whole item kept inside another as a map attribute, exactly
// as it was (the SDK's decoder cannot fill a map of AttributeValue itself).
type rawItem map[string]types.AttributeValue

func (r rawItem) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) {
	if r == nil {
		return &types.AttributeValueMemberNULL{Value: true}, nil
	}
	return &types.AttributeValueMemberM{Value: r}, nil
}

func (r *rawItem) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	if m, ok := av.(*types.AttributeValueMemberM); ok {
		*r = m.Value
	}
	return nil
}

// ActiveImports lists the imports of every MIA that are running or being
// undone (one Query of GSI2, eventually consistent: the worker's to-do list).
func (s *Store) ActiveImports(ctx context.Context) ([]crm.ImportRef, error) {
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI2)}
	if err := withExpr(in, expression.Key(attrGSI2PK).Equal(expression.Value(ActiveImportsList())), nil); err != nil {
		return nil, internal("active imports", err)
	}
	var out []crm.ImportRef
	p := s.queryPages(in)
	for p.HasMorePages() {
		res, err := p.NextPage(ctx)
		if err != nil {
			return nil, internal("active imports", err)
		}
		for _, av := range res.Items {
			var it importItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, internal("decode import", err)
			}
			out = append(out, crm.ImportRef{MIA: miaOf(it.PK), ID: crm.ImportID(it.ID)})
		}
	}
	return out, nil
}

// PhoneNormalizer is the store's (nil in functions that take no number).
func (s *Store) PhoneNormalizer() crm.PhoneNormalizer { return s.Phone }
