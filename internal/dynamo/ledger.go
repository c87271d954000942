package dynamo

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The commission ledger. Its lines are written in the same transaction as
// what causes them, with the apporteur's balances item:
//   - an encaissement or a versement (API): the request's own transaction;
//   - a signature, a change of prime or taux, a résiliation (affaire
//     updates): the ledger stream handler, from the affaire's new image,
//     one transaction per record, guarded by the affaire's signature item
//     (its version and the affaire version it took into account), so a
//     redelivered or replayed record writes nothing.
// Every line Put is conditioned on attribute_not_exists, every statut
// change on the statut before, the balances on their version: concurrent
// writers never lose an update, they retry.

const (
	typeLigne        = "ligne"
	typeSolde        = "solde"
	typeSignature    = "signature"
	typeEncaissement = "encaissement"
	typeVersement    = "versement"
	typeReleve       = "releve"
	typeCompteur     = "compteur"
)

type ligneItem struct {
	keys
	ID                      string   `dynamodbav:"id"`
	ApporteurID             string   `dynamodbav:"apporteurId"`
	AffaireID               string   `dynamodbav:"affaireId,omitempty"`
	ClientNom               string   `dynamodbav:"clientNom,omitempty"`
	ProduitNom              string   `dynamodbav:"produitNom,omitempty"`
	Nature                  string   `dynamodbav:"nature"`
	Statut                  string   `dynamodbav:"statut"`
	Montant                 int64    `dynamodbav:"montantCentimes"`
	Date                    string   `dynamodbav:"date"`
	EnregistreeLe           string   `dynamodbav:"enregistreeLe"`
	TauxCommissionApporteur int      `dynamodbav:"tauxCommissionApporteur,omitempty"`
	AnneeContrat            int      `dynamodbav:"anneeContrat,omitempty"`
	EncaissementID          string   `dynamodbav:"encaissementId,omitempty"`
	VersementID             string   `dynamodbav:"versementId,omitempty"`
	SourceID                string   `dynamodbav:"sourceId,omitempty"`
	Prime                   int64    `dynamodbav:"primeAnnuelleCentimes,omitempty"`
	TauxCommissionMIA       int      `dynamodbav:"tauxCommissionMIA,omitempty"`
	Encaisse                int64    `dynamodbav:"encaisseCentimes,omitempty"`
	NonEligible             string   `dynamodbav:"nonEligible,omitempty"`
	AlertesConfirmees       []string `dynamodbav:"alertesConfirmees,omitempty"`
	Version                 int      `dynamodbav:"version"`
}

func toLigneItem(m crm.MIAID, l crm.Ligne) ligneItem {
	it := ligneItem{keys: keys{PK: MIAPK(m), SK: LigneSK(l.ApporteurID, l.EnregistreeLe, l.ID), Type: typeLigne},
		ID: l.ID, ApporteurID: string(l.ApporteurID), AffaireID: string(l.AffaireID), ClientNom: l.ClientNom,
		ProduitNom: l.ProduitNom, Nature: string(l.Nature), Statut: string(l.Statut), Montant: l.MontantCentimes,
		Date: l.Date, EnregistreeLe: fmtTime(l.EnregistreeLe), TauxCommissionApporteur: l.TauxCommissionApporteur,
		AnneeContrat: l.AnneeContrat, EncaissementID: l.EncaissementID, VersementID: l.VersementID, SourceID: l.SourceID,
		Prime: l.PrimeAnnuelleCentimes, TauxCommissionMIA: l.TauxCommissionMIA, Encaisse: l.EncaisseCentimes,
		NonEligible: l.NonEligible, AlertesConfirmees: l.AlertesConfirmees, Version: l.Version}
	if l.AffaireID != "" {
		it.GSI1PK, it.GSI1SK = AffaireLignes(m, l.AffaireID), fmtTime(l.EnregistreeLe)+"#"+l.ID
	}
	return it
}

func (it ligneItem) ligne() crm.Ligne {
	return crm.Ligne{ID: it.ID, ApporteurID: crm.ApporteurID(it.ApporteurID), AffaireID: crm.AffaireID(it.AffaireID),
		ClientNom: it.ClientNom, ProduitNom: it.ProduitNom, Nature: crm.Nature(it.Nature), Statut: crm.LigneStatut(it.Statut),
		MontantCentimes: it.Montant, Date: it.Date, EnregistreeLe: parseTime(it.EnregistreeLe),
		TauxCommissionApporteur: it.TauxCommissionApporteur, AnneeContrat: it.AnneeContrat, EncaissementID: it.EncaissementID,
		VersementID: it.VersementID, SourceID: it.SourceID, PrimeAnnuelleCentimes: it.Prime, TauxCommissionMIA: it.TauxCommissionMIA,
		EncaisseCentimes: it.Encaisse, NonEligible: it.NonEligible, AlertesConfirmees: it.AlertesConfirmees, Version: it.Version}
}

type soldeItem struct {
	keys
	ApporteurID string `dynamodbav:"apporteurId"`
	Acquis      int64  `dynamodbav:"acquisCentimes"`
	AVerser     int64  `dynamodbav:"aVerserCentimes"`
	Verse       int64  `dynamodbav:"verseCentimes"`
	Reprises    int64  `dynamodbav:"reprisesCentimes"`
	Solde       int64  `dynamodbav:"soldeCentimes"`
	MisAJourLe  string `dynamodbav:"misAJourLe"`
	Version     int    `dynamodbav:"version"`
}

func (it soldeItem) solde() crm.Solde {
	return crm.Solde{ApporteurID: crm.ApporteurID(it.ApporteurID), AcquisCentimes: it.Acquis, AVerserCentimes: it.AVerser,
		VerseCentimes: it.Verse, ReprisesCentimes: it.Reprises, SoldeCentimes: it.Solde, MisAJourLe: parseTime(it.MisAJourLe),
		Version: it.Version}
}

type signatureItem struct {
	keys
	AffaireID      string `dynamodbav:"affaireId"`
	ApporteurID    string `dynamodbav:"apporteurId"`
	ClientNom      string `dynamodbav:"clientNom,omitempty"`
	ProduitNom     string `dynamodbav:"produitNom,omitempty"`
	Date           string `dynamodbav:"date"`
	Prime          int64  `dynamodbav:"primeAnnuelleCentimes"`
	TauxMIA        int    `dynamodbav:"tauxCommissionMIA"`
	TauxApporteur  int    `dynamodbav:"tauxCommissionApporteur"`
	Acquis         int64  `dynamodbav:"acquisCentimes"`
	ResilieeLe     string `dynamodbav:"resilieeLe,omitempty"`
	AffaireVersion int    `dynamodbav:"affaireVersion"`
	Version        int    `dynamodbav:"version"`
}

func toSignatureItem(m crm.MIAID, g crm.Signature) signatureItem {
	return signatureItem{keys: keys{PK: MIAPK(m), SK: SignatureSK(g.AffaireID), Type: typeSignature},
		AffaireID: string(g.AffaireID), ApporteurID: string(g.ApporteurID), ClientNom: g.ClientNom, ProduitNom: g.ProduitNom,
		Date: g.Date, Prime: g.PrimeAnnuelleCentimes, TauxMIA: g.TauxCommissionMIA, TauxApporteur: g.TauxCommissionApporteur,
		Acquis: g.AcquisCentimes, ResilieeLe: g.ResilieeLe, AffaireVersion: g.AffaireVersion, Version: g.Version}
}

func (it signatureItem) signature() crm.Signature {
	return crm.Signature{AffaireID: crm.AffaireID(it.AffaireID), ApporteurID: crm.ApporteurID(it.ApporteurID),
		ClientNom: it.ClientNom, ProduitNom: it.ProduitNom, Date: it.Date, PrimeAnnuelleCentimes: it.Prime,
		TauxCommissionMIA: it.TauxMIA, TauxCommissionApporteur: it.TauxApporteur, AcquisCentimes: it.Acquis,
		ResilieeLe: it.ResilieeLe, AffaireVersion: it.AffaireVersion, Version: it.Version}
}

type encaissementItem struct {
	keys
	meta
	AffaireID string `dynamodbav:"affaireId"`
	Date      string `dynamodbav:"date"`
	Montant   int64  `dynamodbav:"montantCentimes"`
	Annee     int    `dynamodbav:"anneeContrat"`
	Remarques string `dynamodbav:"remarques,omitempty"`
	LigneID   string `dynamodbav:"ligneId,omitempty"`
}

func (it encaissementItem) encaissement() crm.Encaissement {
	return crm.Encaissement{ID: it.ID, AffaireID: crm.AffaireID(it.AffaireID), Date: it.Date, MontantCentimes: it.Montant,
		AnneeContrat: it.Annee, Remarques: it.Remarques, LigneID: it.LigneID, CreatedAt: parseTime(it.CreatedAt),
		UpdatedAt: parseTime(it.UpdatedAt), Version: it.Version}
}

type versementItem struct {
	keys
	meta
	ApporteurID string   `dynamodbav:"apporteurId"`
	Date        string   `dynamodbav:"date"`
	Montant     int64    `dynamodbav:"montantCentimes"`
	Mode        string   `dynamodbav:"mode"`
	Reference   string   `dynamodbav:"reference,omitempty"`
	Lignes      []string `dynamodbav:"lignes"`
	// AlertesConfirmees: the legal-status warnings the MIA confirmed.
	AlertesConfirmees []string `dynamodbav:"alertesConfirmees,omitempty"`
}

func (it versementItem) versement() crm.Versement {
	return crm.Versement{ID: it.ID, ApporteurID: crm.ApporteurID(it.ApporteurID), Date: it.Date, MontantCentimes: it.Montant,
		Mode: it.Mode, Reference: it.Reference, Lignes: it.Lignes, AlertesConfirmees: it.AlertesConfirmees, CreatedAt: parseTime(it.CreatedAt),
		UpdatedAt: parseTime(it.UpdatedAt), Version: it.Version}
}

// releveItem holds an issued relevé; its content (lines and figures) is
// gzipped JSON, so a relevé of a thousand lines fits in one item.
type releveItem struct {
	keys
	ID          string `dynamodbav:"id"`
	ApporteurID string `dynamodbav:"apporteurId"`
	Mois        string `dynamodbav:"mois"`
	Numero      int    `dynamodbav:"numero"`
	Initial     int64  `dynamodbav:"soldeInitialCentimes"`
	Final       int64  `dynamodbav:"soldeFinalCentimes"`
	NbLignes    int    `dynamodbav:"nbLignes"`
	EmisLe      string `dynamodbav:"emisLe"`
	Contenu     []byte `dynamodbav:"contenu"`
	Version     int    `dynamodbav:"version"`
}

func toReleveItem(m crm.MIAID, r crm.Releve) (releveItem, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err := json.NewEncoder(zw).Encode(r); err != nil {
		return releveItem{}, err
	}
	if err := zw.Close(); err != nil {
		return releveItem{}, err
	}
	return releveItem{keys: keys{PK: MIAPK(m), SK: ReleveSK(r.ApporteurID, r.Mois), GSI1PK: Releves(m),
		GSI1SK: r.Mois + "#" + string(r.ApporteurID), Type: typeReleve},
		ID: r.ID, ApporteurID: string(r.ApporteurID), Mois: r.Mois, Numero: r.Numero, Initial: r.SoldeInitialCentimes,
		Final: r.SoldeFinalCentimes, NbLignes: len(r.Lignes), EmisLe: fmtTime(r.EmisLe), Contenu: buf.Bytes(), Version: r.Version}, nil
}

// summary is the relevé without its lines (lists).
func (it releveItem) summary() crm.Releve {
	return crm.Releve{ID: it.ID, ApporteurID: crm.ApporteurID(it.ApporteurID), Mois: it.Mois, Numero: it.Numero,
		SoldeInitialCentimes: it.Initial, SoldeFinalCentimes: it.Final, EmisLe: parseTime(it.EmisLe), Version: it.Version,
		NbLignes: it.NbLignes}
}

func (it releveItem) releve() (crm.Releve, error) {
	zr, err := gzip.NewReader(bytes.NewReader(it.Contenu))
	if err != nil {
		return crm.Releve{}, internal("decode releve", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return crm.Releve{}, internal("decode releve", err)
	}
	var r crm.Releve
	if err := json.Unmarshal(b, &r); err != nil {
		return crm.Releve{}, internal("decode releve", err)
	}
	r.NbLignes = len(r.Lignes)
	return r, nil
}

// soldeUpdate adds d to apporteur p's balances: created at the first line,
// conditioned on the version read (version 0: absent) when version ≥ 0.
func (s *Store) soldeUpdate(m crm.MIAID, p crm.ApporteurID, d crm.Solde, version int, at time.Time) (types.TransactWriteItem, error) {
	upd := expression.Set(expression.Name("type"), expression.Value(typeSolde)).
		Set(expression.Name("apporteurId"), expression.Value(string(p))).
		Set(expression.Name(attrGSI1PK), expression.Value(Soldes(m))).
		Set(expression.Name(attrGSI1SK), expression.Value(string(p))).
		Set(expression.Name(attrGSI2PK), expression.Value(LedgersPK())).
		Set(expression.Name(attrGSI2SK), expression.Value(string(m)+"#"+string(p))).
		Set(expression.Name("misAJourLe"), expression.Value(fmtTime(at))).
		Add(expression.Name("acquisCentimes"), expression.Value(d.AcquisCentimes)).
		Add(expression.Name("aVerserCentimes"), expression.Value(d.AVerserCentimes)).
		Add(expression.Name("verseCentimes"), expression.Value(d.VerseCentimes)).
		Add(expression.Name("reprisesCentimes"), expression.Value(d.ReprisesCentimes)).
		Add(expression.Name("soldeCentimes"), expression.Value(d.SoldeCentimes)).
		Add(expression.Name("version"), expression.Value(1))
	b := expression.NewBuilder().WithUpdate(upd)
	if version == 0 {
		b = b.WithCondition(notExists())
	} else if version > 0 {
		b = b.WithCondition(versionIs(version))
	}
	e, err := b.Build()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: s.key(MIAPK(m), SoldeSK(p)),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}, nil
}

// statutUpdate moves a line from statut from to to (and records the
// versement that settled it).
func (s *Store) statutUpdate(m crm.MIAID, l crm.Ligne, from, to crm.LigneStatut, versement string) (types.TransactWriteItem, error) {
	upd := expression.Set(expression.Name("statut"), expression.Value(string(to))).
		Add(expression.Name("version"), expression.Value(1))
	if versement != "" {
		upd = upd.Set(expression.Name("versementId"), expression.Value(versement))
	}
	e, err := expression.NewBuilder().WithUpdate(upd).
		WithCondition(expression.Name("statut").Equal(expression.Value(string(from)))).Build()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Update: &types.Update{TableName: &s.table,
		Key: s.key(MIAPK(m), LigneSK(l.ApporteurID, l.EnregistreeLe, l.ID)), UpdateExpression: e.Update(),
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}, nil
}

// errLedgerMoved: a concurrent write changed the ledger between its read and
// the transaction; the writer reads again.
var errLedgerMoved = errors.New("ledger changed")

func moved(map[string]types.AttributeValue) error { return errLedgerMoved }

// retryLedger runs op up to 4 times while the ledger moves under it.
func retryLedger[T any](op func() (T, error)) (T, error) {
	for attempt := 1; ; attempt++ {
		v, err := op()
		if !errors.Is(err, errLedgerMoved) || attempt == 4 {
			if errors.Is(err, errLedgerMoved) {
				return v, crm.Errorf(crm.ECONFLICT, "Le registre vient d'être modifié : réessayez.")
			}
			return v, err
		}
	}
}

// apporteurLedger reads apporteur p's balances and lines (strongly
// consistent, every page), those matching keep only.
func (s *Store) apporteurLedger(ctx context.Context, m crm.MIAID, p crm.ApporteurID, from, to string, keep func(crm.Ligne) bool) (crm.Solde, []crm.Ligne, error) {
	solde := crm.Solde{ApporteurID: p}
	kc := expression.Key(attrPK).Equal(expression.Value(MIAPK(m)))
	if from == "" && to == "" {
		kc = kc.And(expression.Key(attrSK).BeginsWith(LignesPrefix(p)))
	} else {
		kc = kc.And(expression.Key(attrSK).Between(expression.Value(LignesPrefix(p)+from), expression.Value(LignesPrefix(p)+to)))
	}
	in := &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true)}
	if err := withExpr(in, kc, nil); err != nil {
		return solde, nil, internal("build ledger query", err)
	}
	var lines []crm.Ligne
	pages := s.queryPages(in)
	for pages.HasMorePages() {
		res, err := pages.NextPage(ctx)
		if err != nil {
			return solde, nil, internal("query ledger", err)
		}
		for _, av := range res.Items {
			if err := decodeLedgerItem(av, &solde, &lines, keep); err != nil {
				return solde, nil, err
			}
		}
	}
	return solde, lines, nil
}

func decodeLedgerItem(av map[string]types.AttributeValue, solde *crm.Solde, lines *[]crm.Ligne, keep func(crm.Ligne) bool) error {
	if t, ok := av["type"].(*types.AttributeValueMemberS); ok && t.Value == typeSolde {
		var it soldeItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return internal("decode solde", err)
		}
		*solde = it.solde()
		return nil
	}
	var it ligneItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return internal("decode ligne", err)
	}
	if l := it.ligne(); keep == nil || keep(l) {
		*lines = append(*lines, l)
	}
	return nil
}

// LedgerOnAffaire brings the ledger up to date with affaire version a (the
// stream handler): acquise line at signature, régularisation after a change
// of prime or taux, reprises and annulations after a résiliation inside the
// MIA's reprise window. A version already taken into account changes nothing.
func (s *Store) LedgerOnAffaire(ctx context.Context, m crm.MIAID, a crm.Affaire) error {
	_, err := retryLedger(func() (struct{}, error) { return struct{}{}, s.ledgerOnAffaire(ctx, m, a) })
	return err
}

func (s *Store) ledgerOnAffaire(ctx context.Context, m crm.MIAID, a crm.Affaire) error {
	var sig *crm.Signature
	var sit signatureItem
	err := s.getItem(ctx, MIAPK(m), SignatureSK(a.ID), &sit, "Signature")
	switch {
	case err == nil:
		g := sit.signature()
		sig = &g
	case crm.ErrorCode(err) != crm.ENOTFOUND:
		return err
	}
	var (
		lines []crm.Ligne
		solde = crm.Solde{}
		rs    crm.RepriseSettings
	)
	if sig != nil && sig.ResilieeLe == "" && a.Statut == crm.AffaireResiliee && a.Version > sig.AffaireVersion {
		var err error
		solde, lines, err = s.apporteurLedger(ctx, m, sig.ApporteurID, "", "", func(l crm.Ligne) bool { return l.AffaireID == a.ID })
		if err != nil {
			return err
		}
		mia, err := s.GetMIA(ctx, m)
		if err != nil && crm.ErrorCode(err) != crm.ENOTFOUND {
			return err
		}
		rs = mia.Reprise
	}
	ch := crm.LedgerOfAffaire(a, sig, lines, rs)
	if ch == nil {
		return nil
	}
	var acts actions
	next := ch.Signature
	cond := notExists()
	if sig != nil {
		next.Version = sig.Version + 1
		cond = versionIs(sig.Version)
	} else {
		next.Version = 1
	}
	acts.add(s.putAction(toSignatureItem(m, next), cond))
	acts.onFail(moved)
	var delta crm.Solde
	byID := map[string]crm.Ligne{}
	for _, l := range lines {
		byID[l.ID] = l
	}
	for _, id := range ch.Annul {
		l := byID[id]
		acts.add(s.statutUpdate(m, l, crm.LigneAVerser, crm.LigneAnnulee, ""))
		acts.onFail(moved)
		delta = delta.Add(crm.Solde{AVerserCentimes: -l.MontantCentimes})
	}
	for _, l := range ch.Lines {
		acts.add(s.putAction(toLigneItem(m, l), notExists()))
		acts.onFail(moved)
		delta = delta.Add(l.Delta())
	}
	version := -1 // the signature's version guards the affaire's lines; the balances only add
	if len(ch.Annul) > 0 {
		version = solde.Version // annulations read the lines: nothing may have moved since
	}
	acts.add(s.soldeUpdate(m, next.ApporteurID, delta, version, a.UpdatedAt))
	acts.onFail(moved)
	return s.run(ctx, "ledger on affaire", &acts)
}

// CreateEncaissement records that the insurer paid the MIA its commission on
// affaire a; on an affaire signed with an apporteur it also writes the
// apporteur's à-verser line at the rate frozen at signature, in the same
// transaction.
func (s *Store) CreateEncaissement(ctx context.Context, m crm.MIAID, a crm.AffaireID, n crm.NewEncaissement, idem *crm.Idempotency) (crm.Encaissement, *crm.Replay, error) {
	return replayOutcome(retryLedger(func() (crm.Encaissement, error) { return s.createEncaissement(ctx, m, a, n, idem) }))
}

func (s *Store) createEncaissement(ctx context.Context, m crm.MIAID, a crm.AffaireID, n crm.NewEncaissement, idem *crm.Idempotency) (crm.Encaissement, error) {
	now := s.Now().UTC()
	if errs := n.Validate(now); errs != nil {
		return crm.Encaissement{}, crm.Invalid(errs...)
	}
	if err := s.replayed(ctx, m, idem); err != nil {
		return crm.Encaissement{}, err
	}
	notFound := crm.Errorf(crm.ENOTFOUND, "Affaire introuvable.")
	if !crm.IsULID(string(a)) {
		return crm.Encaissement{}, notFound
	}
	got, err := s.batchGet(ctx, s.key(MIAPK(m), AffaireSK(a)), s.key(MIAPK(m), SignatureSK(a)))
	if err != nil {
		return crm.Encaissement{}, err
	}
	var (
		aff affaireItem
		sig *signatureItem
	)
	for _, av := range got {
		switch av["type"].(*types.AttributeValueMemberS).Value {
		case typeAffaire:
			if err := attributevalue.UnmarshalMap(av, &aff); err != nil {
				return crm.Encaissement{}, internal("decode affaire", err)
			}
		case typeSignature:
			sig = &signatureItem{}
			if err := attributevalue.UnmarshalMap(av, sig); err != nil {
				return crm.Encaissement{}, internal("decode signature", err)
			}
		}
	}
	if aff.ID == "" {
		return crm.Encaissement{}, notFound
	}
	af := aff.affaire()
	if af.Statut != crm.AffaireSignee {
		return crm.Encaissement{}, crm.Errorf(crm.ECONFLICT, "Seule une affaire signée (non résiliée) reçoit des encaissements.")
	}
	if sig == nil && af.ApporteurID != "" && af.TauxCommissionApporteur != nil {
		return crm.Encaissement{}, crm.Errorf(crm.ECONFLICT, "La signature de cette affaire est en cours d'enregistrement : réessayez dans un instant.")
	}
	e := crm.Encaissement{ID: s.NewID(), AffaireID: a, Date: n.Date, MontantCentimes: n.MontantCentimes,
		AnneeContrat: n.AnneeContrat, Remarques: n.Remarques, CreatedAt: now, UpdatedAt: now, Version: 1}
	var line *crm.Ligne
	if sig != nil {
		// The apporteur's legal status decides its right to a share.
		ap, err := s.GetApporteur(ctx, m, crm.ApporteurID(sig.ApporteurID))
		if err != nil && crm.ErrorCode(err) != crm.ENOTFOUND {
			return crm.Encaissement{}, err
		}
		l, ok, err := crm.EncaissementLine(sig.signature(), e, ap.StatutLegal)
		if err != nil {
			return crm.Encaissement{}, err
		}
		if ok {
			line = &l
			e.LigneID = l.ID
		}
	}
	var acts actions
	if idem != nil {
		ia, err := s.idempotenceAction(m, idem, e)
		acts.add(ia.item, err)
		acts.onFail(ia.fail)
	}
	acts.add(s.putAction(encaissementItem{keys: keys{PK: MIAPK(m), SK: EncaissementSK(a, e.ID), Type: typeEncaissement},
		meta: toMeta(e.ID, now, now, 1), AffaireID: string(a), Date: e.Date, Montant: e.MontantCentimes, Annee: e.AnneeContrat,
		Remarques: e.Remarques, LigneID: e.LigneID}, notExists()))
	acts.add(s.checkAction(MIAPK(m), AffaireSK(a), expression.Name(attrStatut).Equal(expression.Value(string(crm.AffaireSignee)))))
	acts.onFail(func(map[string]types.AttributeValue) error {
		return crm.Errorf(crm.ECONFLICT, "Seule une affaire signée (non résiliée) reçoit des encaissements.")
	})
	if sig != nil {
		acts.add(s.checkAction(MIAPK(m), SignatureSK(a), versionIs(sig.Version)))
		acts.onFail(moved)
	}
	if line != nil {
		acts.add(s.putAction(toLigneItem(m, *line), notExists()))
		acts.add(s.soldeUpdate(m, line.ApporteurID, line.Delta(), -1, now))
	}
	if err := s.run(ctx, "create encaissement", &acts); err != nil {
		return crm.Encaissement{}, err
	}
	return e, nil
}

// batchGet reads keys strongly (absent items are left out).
func (s *Store) batchGet(ctx context.Context, keys ...map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	req := map[string]types.KeysAndAttributes{s.table: {Keys: keys, ConsistentRead: aws.Bool(true)}}
	var got []map[string]types.AttributeValue
	for attempt := 0; len(req) > 0; attempt++ {
		if attempt == 5 {
			return nil, internal("batch get", errors.New("unprocessed keys"))
		}
		res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return nil, internal("batch get", err)
		}
		got = append(got, res.Responses[s.table]...)
		req = res.UnprocessedKeys
	}
	return got, nil
}

// whileExists runs read concurrently with a check that the item pk/sk
// exists (one round trip): an unknown affaire or apporteur is a 404, not an
// empty list, as its own page would be.
func whileExists[T any](ctx context.Context, s *Store, pk, sk, what string, read func(context.Context) (T, error)) (T, error) {
	var zero T
	if !crm.IsULID(strings.TrimPrefix(strings.TrimPrefix(sk, prefixAffaire), prefixApporteur)) {
		return zero, crm.Errorf(crm.ENOTFOUND, "%s introuvable.", what)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	found := make(chan error, 1)
	go func() {
		res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: s.key(pk, sk),
			ProjectionExpression: aws.String(attrPK)})
		switch {
		case err != nil:
			found <- internal("get "+what, err)
		case res.Item == nil:
			found <- crm.Errorf(crm.ENOTFOUND, "%s introuvable.", what)
		default:
			found <- nil
		}
	}()
	v, rerr := read(ctx)
	if err := <-found; err != nil {
		return zero, err
	}
	return v, rerr
}

// ListEncaissements lists an affaire's encaissements, newest first (1 Query,
// with the affaire's existence checked concurrently).
func (s *Store) ListEncaissements(ctx context.Context, m crm.MIAID, a crm.AffaireID, o crm.ListOptions) (crm.Page[crm.Encaissement], error) {
	if errs := o.Validate(); errs != nil {
		return crm.Page[crm.Encaissement]{}, crm.Invalid(errs...)
	}
	in := &dynamodb.QueryInput{ScanIndexForward: aws.Bool(false)}
	kc := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(EncaissementSK(a, "")))
	if err := withExpr(in, kc, nil); err != nil {
		return crm.Page[crm.Encaissement]{}, internal("build query", err)
	}
	return whileExists(ctx, s, MIAPK(m), AffaireSK(a), "Affaire", func(ctx context.Context) (crm.Page[crm.Encaissement], error) {
		return queryPage(ctx, s, m, "encaissements#"+string(a), in, o, encaissementItem.encaissement)
	})
}

// CreateVersement records a payment to apporteur p and settles its
// à-verser lines (chosen, or oldest first), in one transaction with the
// versement line and the balances at the version read.
func (s *Store) CreateVersement(ctx context.Context, m crm.MIAID, p crm.ApporteurID, n crm.NewVersement, idem *crm.Idempotency) (crm.Versement, *crm.Replay, error) {
	return replayOutcome(retryLedger(func() (crm.Versement, error) { return s.createVersement(ctx, m, p, n, idem) }))
}

func (s *Store) createVersement(ctx context.Context, m crm.MIAID, p crm.ApporteurID, n crm.NewVersement, idem *crm.Idempotency) (crm.Versement, error) {
	now := s.Now().UTC()
	if errs := n.Validate(now); errs != nil {
		return crm.Versement{}, crm.Invalid(errs...)
	}
	if err := s.replayed(ctx, m, idem); err != nil {
		return crm.Versement{}, err
	}
	ap, err := s.GetApporteur(ctx, m, p)
	if err != nil {
		return crm.Versement{}, err
	}
	solde, lines, err := s.apporteurLedger(ctx, m, p, "", "", func(l crm.Ligne) bool { return l.Statut == crm.LigneAVerser })
	if err != nil {
		return crm.Versement{}, err
	}
	// The place where rules on the apporteur (convention, statut) refuse a versement.
	confirmees, err := crm.CheckVersement(ap, n, now)
	if err != nil {
		return crm.Versement{}, err
	}
	settled, err := crm.Settle(lines, solde, n.MontantCentimes, n.Lignes)
	if err != nil {
		return crm.Versement{}, err
	}
	v := crm.Versement{ID: s.NewID(), ApporteurID: p, Date: n.Date, MontantCentimes: n.MontantCentimes, Mode: n.Mode,
		Reference: n.Reference, Lignes: settled, AlertesConfirmees: confirmees, CreatedAt: now, UpdatedAt: now, Version: 1}
	if v.Lignes == nil {
		v.Lignes = []string{}
	}
	var acts actions
	if idem != nil {
		ia, err := s.idempotenceAction(m, idem, v)
		acts.add(ia.item, err)
		acts.onFail(ia.fail)
	}
	acts.add(s.putAction(versementItem{keys: keys{PK: MIAPK(m), SK: VersementSK(p, v.ID), Type: typeVersement},
		meta: toMeta(v.ID, now, now, 1), ApporteurID: string(p), Date: v.Date, Montant: v.MontantCentimes, Mode: v.Mode,
		Reference: v.Reference, Lignes: v.Lignes, AlertesConfirmees: v.AlertesConfirmees}, notExists()))
	vl := crm.VersementLine(v)
	acts.add(s.putAction(toLigneItem(m, vl), notExists()))
	delta := vl.Delta()
	byID := map[string]crm.Ligne{}
	for _, l := range lines {
		byID[l.ID] = l
	}
	for _, id := range settled {
		l := byID[id]
		acts.add(s.statutUpdate(m, l, crm.LigneAVerser, crm.LigneVersee, v.ID))
		acts.onFail(moved)
		delta = delta.Add(crm.Solde{AVerserCentimes: -l.MontantCentimes})
	}
	acts.add(s.soldeUpdate(m, p, delta, solde.Version, now))
	acts.onFail(moved)
	if err := s.run(ctx, "create versement", &acts); err != nil {
		return crm.Versement{}, err
	}
	return v, nil
}

// ListVersements lists an apporteur's versements, newest first (1 Query).
func (s *Store) ListVersements(ctx context.Context, m crm.MIAID, p crm.ApporteurID, o crm.ListOptions) (crm.Page[crm.Versement], error) {
	if errs := o.Validate(); errs != nil {
		return crm.Page[crm.Versement]{}, crm.Invalid(errs...)
	}
	in := &dynamodb.QueryInput{ScanIndexForward: aws.Bool(false)}
	kc := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(VersementSK(p, "")))
	if err := withExpr(in, kc, nil); err != nil {
		return crm.Page[crm.Versement]{}, internal("build query", err)
	}
	return whileExists(ctx, s, MIAPK(m), ApporteurSK(p), "Apporteur", func(ctx context.Context) (crm.Page[crm.Versement], error) {
		return queryPage(ctx, s, m, "versements#"+string(p), in, o, versementItem.versement)
	})
}

// ApporteurRegistre reads apporteur p's balances and a page of its lines,
// newest first, in ONE Query (the balances item sorts after the lines),
// with the apporteur's existence checked concurrently.
func (s *Store) ApporteurRegistre(ctx context.Context, m crm.MIAID, p crm.ApporteurID, o crm.ListOptions) (crm.Registre, error) {
	return whileExists(ctx, s, MIAPK(m), ApporteurSK(p), "Apporteur", func(ctx context.Context) (crm.Registre, error) {
		return s.OwnRegistre(ctx, m, p, o)
	})
}

// OwnRegistre is ApporteurRegistre for the apporteur itself (whose actif
// check stands for the existence check).
func (s *Store) OwnRegistre(ctx context.Context, m crm.MIAID, p crm.ApporteurID, o crm.ListOptions) (crm.Registre, error) {
	out := crm.Registre{Solde: crm.Solde{ApporteurID: p}, Items: []crm.Ligne{}}
	if errs := o.Validate(); errs != nil {
		return out, crm.Invalid(errs...)
	}
	if !crm.IsULID(string(p)) {
		return out, nil
	}
	list := "lignes#" + string(p)
	start, err := s.decodeCursor(m, list, o.Cursor)
	if err != nil {
		return out, err
	}
	limit := o.Limit
	if start == nil {
		limit++ // the balances item
	}
	in := &dynamodb.QueryInput{TableName: &s.table, ScanIndexForward: aws.Bool(false), ExclusiveStartKey: start,
		Limit: aws.Int32(int32(limit))}
	kc := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(LignesPrefix(p)))
	if err := withExpr(in, kc, nil); err != nil {
		return out, internal("build query", err)
	}
	res, err := s.db.Query(ctx, in)
	if err != nil {
		return out, internal("query ledger", err)
	}
	for _, av := range res.Items {
		if err := decodeLedgerItem(av, &out.Solde, &out.Items, nil); err != nil {
			return out, err
		}
	}
	out.NextCursor = s.encodeCursor(m, list, res.LastEvaluatedKey)
	return out, nil
}

// AffaireLignes reads an affaire's ledger lines, oldest first (1 Query of GSI1).
func (s *Store) AffaireLignes(ctx context.Context, m crm.MIAID, a crm.AffaireID, o crm.ListOptions) (crm.Page[crm.Ligne], error) {
	if errs := o.Validate(); errs != nil {
		return crm.Page[crm.Ligne]{}, crm.Invalid(errs...)
	}
	in := &dynamodb.QueryInput{IndexName: aws.String(indexGSI1)}
	kc := expression.Key(attrGSI1PK).Equal(expression.Value(AffaireLignes(m, a)))
	if err := withExpr(in, kc, nil); err != nil {
		return crm.Page[crm.Ligne]{}, internal("build query", err)
	}
	return whileExists(ctx, s, MIAPK(m), AffaireSK(a), "Affaire", func(ctx context.Context) (crm.Page[crm.Ligne], error) {
		return queryPage(ctx, s, m, "affaire-lignes#"+string(a), in, o, ligneItem.ligne)
	})
}

// Soldes lists the balances of every apporteur of MIA m (1 Query of GSI1).
func (s *Store) Soldes(ctx context.Context, m crm.MIAID, o crm.ListOptions) (crm.Page[crm.Solde], error) {
	if errs := o.Validate(); errs != nil {
		return crm.Page[crm.Solde]{}, crm.Invalid(errs...)
	}
	in := &dynamodb.QueryInput{IndexName: aws.String(indexGSI1)}
	kc := expression.Key(attrGSI1PK).Equal(expression.Value(Soldes(m)))
	if err := withExpr(in, kc, nil); err != nil {
		return crm.Page[crm.Solde]{}, internal("build query", err)
	}
	return queryPage(ctx, s, m, "soldes", in, o, soldeItem.solde)
}

// IssueReleve issues apporteur p's relevé for the closed month mois, numbered
// next in the MIA's sequence (ECONFLICT if this month or a later one is
// already issued). The MIA's identity is copied onto it.
// The answer (and an Idempotency-Key's record) is the relevé without its lines.
func (s *Store) IssueReleve(ctx context.Context, m crm.MIAID, p crm.ApporteurID, mois string, idem *crm.Idempotency) (crm.Releve, *crm.Replay, error) {
	return replayOutcome(retryLedger(func() (crm.Releve, error) { return s.issueReleve(ctx, m, p, mois, idem, false) }))
}

// errEmptyReleve: the monthly issue skips a relevé with no line and no balance.
var errEmptyReleve = errors.New("empty releve")

// IssueMonthlyReleve is the scheduled issue: as IssueReleve, but a relevé
// with no line and a zero balance is not issued (issued false).
func (s *Store) IssueMonthlyReleve(ctx context.Context, m crm.MIAID, p crm.ApporteurID, mois string) (bool, error) {
	_, err := retryLedger(func() (crm.Releve, error) { return s.issueReleve(ctx, m, p, mois, nil, true) })
	if errors.Is(err, errEmptyReleve) {
		return false, nil
	}
	return err == nil, err
}

func (s *Store) issueReleve(ctx context.Context, m crm.MIAID, p crm.ApporteurID, mois string, idem *crm.Idempotency, skipEmpty bool) (crm.Releve, error) {
	now := s.Now().UTC()
	if err := crm.CheckReleveMois(mois, now); err != nil {
		return crm.Releve{}, err
	}
	if err := s.replayed(ctx, m, idem); err != nil {
		return crm.Releve{}, err
	}
	ap, err := s.GetApporteur(ctx, m, p)
	if err != nil {
		return crm.Releve{}, err
	}
	mia, err := s.GetMIA(ctx, m)
	if err != nil {
		return crm.Releve{}, err
	}
	prev, err := s.lastReleve(ctx, m, p)
	if err != nil {
		return crm.Releve{}, err
	}
	if prev != nil && prev.Mois >= mois {
		return crm.Releve{}, crm.Errorf(crm.ECONFLICT, "Le relevé de %s (ou d'un mois suivant) est déjà émis pour cet apporteur.", prev.Mois)
	}
	_, end, _ := crm.MonthBounds(mois)
	_, lines, err := s.apporteurLedger(ctx, m, p, "", fmtTime(end), nil)
	if err != nil {
		return crm.Releve{}, err
	}
	r, _ := crm.BuildReleve(p, mois, prev, lines)
	if skipEmpty && len(r.Lignes) == 0 && r.SoldeFinalCentimes == 0 {
		return crm.Releve{}, errEmptyReleve
	}
	var cpt struct {
		N int `dynamodbav:"n"`
	}
	if err := s.getItem(ctx, MIAPK(m), CompteurRelevesSK(), &cpt, "Compteur"); err != nil && crm.ErrorCode(err) != crm.ENOTFOUND {
		return crm.Releve{}, err
	}
	r.Numero, r.EmisLe, r.Version = cpt.N+1, now, 1
	r.ApporteurNom = strings.TrimSpace(ap.Prenom + " " + ap.Nom)
	r.Emetteur = crm.Emetteur{RaisonSociale: mia.RaisonSociale, Nom: mia.DisplayName(), ORIAS: mia.ORIAS, SIREN: mia.SIREN, Adresse: mia.Adresse}
	if r.Emetteur.RaisonSociale == "" {
		r.Emetteur.RaisonSociale = mia.Cabinet
	}
	it, err := toReleveItem(m, r)
	if err != nil {
		return crm.Releve{}, internal("encode releve", err)
	}
	summary := r
	summary.NbLignes, summary.Lignes = len(r.Lignes), nil
	var acts actions
	if idem != nil {
		ia, err := s.idempotenceAction(m, idem, summary)
		acts.add(ia.item, err)
		acts.onFail(ia.fail)
	}
	acts.add(s.putAction(it, notExists()))
	acts.onFail(func(map[string]types.AttributeValue) error {
		return crm.Errorf(crm.ECONFLICT, "Le relevé de %s est déjà émis pour cet apporteur.", mois)
	})
	cond := expression.AttributeNotExists(expression.Name("n"))
	if cpt.N > 0 {
		cond = expression.Name("n").Equal(expression.Value(cpt.N))
	}
	acts.add(s.putAction(struct {
		PK   string `dynamodbav:"PK"`
		SK   string `dynamodbav:"SK"`
		Type string `dynamodbav:"type"`
		N    int    `dynamodbav:"n"`
	}{MIAPK(m), CompteurRelevesSK(), typeCompteur, r.Numero}, cond))
	acts.onFail(moved)
	if err := s.run(ctx, "issue releve", &acts); err != nil {
		return crm.Releve{}, err
	}
	return summary, nil
}

// lastReleve is apporteur p's latest relevé (nil if none).
func (s *Store) lastReleve(ctx context.Context, m crm.MIAID, p crm.ApporteurID) (*crm.Releve, error) {
	in := &dynamodb.QueryInput{TableName: &s.table, ScanIndexForward: aws.Bool(false), Limit: aws.Int32(1), ConsistentRead: aws.Bool(true)}
	kc := expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(ReleveSK(p, "")))
	if err := withExpr(in, kc, nil); err != nil {
		return nil, internal("build query", err)
	}
	res, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, internal("query releves", err)
	}
	if len(res.Items) == 0 {
		return nil, nil
	}
	var it releveItem
	if err := attributevalue.UnmarshalMap(res.Items[0], &it); err != nil {
		return nil, internal("decode releve", err)
	}
	r, err := it.releve()
	return &r, err
}

// ListReleves lists MIA m's relevés, newest month first: of one apporteur
// (Query RELEVE#p#) or of all (Query GSI1). Without their lines.
func (s *Store) ListReleves(ctx context.Context, m crm.MIAID, p crm.ApporteurID, o crm.ListOptions) (crm.Page[crm.Releve], error) {
	if errs := o.Validate(); errs != nil {
		return crm.Page[crm.Releve]{}, crm.Invalid(errs...)
	}
	in := &dynamodb.QueryInput{ScanIndexForward: aws.Bool(false),
		ProjectionExpression: aws.String("id, apporteurId, mois, numero, soldeInitialCentimes, soldeFinalCentimes, nbLignes, emisLe, version, PK, SK, GSI1PK, GSI1SK")}
	var kc expression.KeyConditionBuilder
	list := "releves"
	if p != "" && !crm.IsULID(string(p)) {
		return crm.Page[crm.Releve]{}, crm.Invalid(crm.FieldError{Champ: "apporteurId", Message: "Identifiant d'apporteur invalide."})
	}
	if p != "" {
		list += "#" + string(p)
		kc = expression.Key(attrPK).Equal(expression.Value(MIAPK(m))).And(expression.Key(attrSK).BeginsWith(ReleveSK(p, "")))
	} else {
		in.IndexName = aws.String(indexGSI1)
		kc = expression.Key(attrGSI1PK).Equal(expression.Value(Releves(m)))
	}
	if err := withExpr(in, kc, nil); err != nil {
		return crm.Page[crm.Releve]{}, internal("build query", err)
	}
	return queryPage(ctx, s, m, list, in, o, releveItem.summary)
}

// GetReleve reads apporteur p's relevé of month mois, with its lines (1 GetItem).
func (s *Store) GetReleve(ctx context.Context, m crm.MIAID, p crm.ApporteurID, mois string) (crm.Releve, error) {
	if _, _, ok := crm.MonthBounds(mois); !ok || !crm.IsULID(string(p)) {
		return crm.Releve{}, crm.Errorf(crm.ENOTFOUND, "Relevé introuvable.")
	}
	var it releveItem
	if err := s.getItem(ctx, MIAPK(m), ReleveSK(p, mois), &it, "Relevé"); err != nil {
		return crm.Releve{}, err
	}
	return it.releve()
}

// LedgerApporteurs pages through every apporteur with a ledger, of every
// MIA (GSI2 LEDGERS): the monthly issue of relevés only.
func (s *Store) LedgerApporteurs(ctx context.Context, fn func(m crm.MIAID, p crm.ApporteurID) error) error {
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI2)}
	kc := expression.Key(attrGSI2PK).Equal(expression.Value(LedgersPK()))
	if err := withExpr(in, kc, nil); err != nil {
		return internal("build query", err)
	}
	pages := s.queryPages(in)
	for pages.HasMorePages() {
		res, err := pages.NextPage(ctx)
		if err != nil {
			return internal("query ledgers", err)
		}
		for _, av := range res.Items {
			var it struct {
				SK string `dynamodbav:"GSI2SK"`
			}
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return internal("decode ledger", err)
			}
			mm, pp, ok := strings.Cut(it.SK, "#")
			if !ok {
				continue
			}
			if err := fn(crm.MIAID(mm), crm.ApporteurID(pp)); err != nil {
				return err
			}
		}
	}
	return nil
}

// UpdateProfil edits MIA m's identity and reprise settings (1 UpdateItem).
func (s *Store) UpdateProfil(ctx context.Context, m crm.MIAID, p crm.ProfilPatch, ifMatch *int) (crm.MIA, error) {
	if errs := p.Validate(); errs != nil {
		return crm.MIA{}, crm.Invalid(errs...)
	}
	upd := expression.UpdateBuilder{}
	if p.RaisonSociale != nil {
		upd = setOrRemove(upd, "raisonSociale", *p.RaisonSociale)
	}
	if p.ORIAS != nil {
		upd = setOrRemove(upd, "orias", *p.ORIAS)
	}
	if p.SIREN != nil {
		upd = setOrRemove(upd, "siren", *p.SIREN)
	}
	if p.Adresse != nil {
		upd = setOrRemove(upd, "adresse", *p.Adresse)
	}
	if p.Reprise != nil {
		upd = upd.Set(expression.Name("delaiRepriseMois"), expression.Value(p.Reprise.DelaiMois)).
			Set(expression.Name("modeReprise"), expression.Value(string(p.Reprise.Mode)))
	}
	av, err := s.updateItem(ctx, itemUpdate{what: "Profil", key: s.key(MIAPK(m), ProfilSK()), upd: upd, ifMatch: ifMatch})
	if err != nil {
		return crm.MIA{}, err
	}
	var it miaItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return crm.MIA{}, internal("decode profil", err)
	}
	return it.mia(), nil
}
