package dynamo

import (
	"strings"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Persistence records: what an item looks like in the table. Domain types
// never carry keys; conversions live here and only here.

type keys struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	GSI1PK string `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK string `dynamodbav:"GSI1SK,omitempty"`
	GSI2PK string `dynamodbav:"GSI2PK,omitempty"`
	GSI2SK string `dynamodbav:"GSI2SK,omitempty"`
	GSI3PK string `dynamodbav:"GSI3PK,omitempty"`
	GSI3SK string `dynamodbav:"GSI3SK,omitempty"`
	Type   string `dynamodbav:"type"`
}

type meta struct {
	ID        string `dynamodbav:"id"`
	CreatedAt string `dynamodbav:"createdAt"`
	UpdatedAt string `dynamodbav:"updatedAt"`
	Version   int    `dynamodbav:"version"`
}

type contactItem struct {
	keys
	meta
	Nom           string `dynamodbav:"nom"`
	Prenom        string `dynamodbav:"prenom,omitempty"`
	Telephone     string `dynamodbav:"telephone,omitempty"`
	Email         string `dynamodbav:"email,omitempty"`
	Adresse       string `dynamodbav:"adresse,omitempty"`
	DateNaissance string `dynamodbav:"dateNaissance,omitempty"`
	Profession    string `dynamodbav:"profession,omitempty"`
	Remarques     string `dynamodbav:"remarques,omitempty"`
	NoteApporteur string `dynamodbav:"noteApporteur,omitempty"`
	Statut        string `dynamodbav:"statut"`
	ApporteurID   string `dynamodbav:"apporteurId,omitempty"`
	Efface        bool   `dynamodbav:"efface,omitempty"`
	// EffaceLe is when it was erased: what was written about it before
	// and reaches the stream after is deleted (see PutActivite).
	EffaceLe string `dynamodbav:"effaceLe,omitempty"`
	// Recherche is the folded text the `q` filter matches.
	Recherche string `dynamodbav:"recherche"`
}

func toContactItem(m crm.MIAID, c crm.Contact) contactItem {
	it := contactItem{
		keys: keys{
			PK: MIAPK(m), SK: ContactSK(c.ID),
			GSI1PK: ClientCollection(m, string(c.ID)), GSI1SK: gsi1SKClient,
			GSI2PK: ContactStatutList(m, c.Statut), GSI2SK: string(c.ID),
			Type: typeContact,
		},
		meta: toMeta(string(c.ID), c.CreatedAt, c.UpdatedAt, c.Version),
		Nom:  c.Nom, Prenom: c.Prenom, Telephone: c.Telephone, Email: c.Email, Adresse: c.Adresse,
		DateNaissance: c.DateNaissance, Profession: c.Profession, Remarques: c.Remarques,
		NoteApporteur: c.NoteApporteur, Statut: string(c.Statut), ApporteurID: string(c.ApporteurID),
		Efface:    c.Efface,
		Recherche: recherche(c.Nom, c.Prenom, c.Email, c.Telephone, nationalPhone(c.Telephone)),
	}
	if c.ApporteurID != "" {
		it.GSI3PK, it.GSI3SK = ApporteurCollection(m, c.ApporteurID), ContactSK(c.ID)
	}
	return it
}

func (it contactItem) contact() crm.Contact {
	return crm.Contact{
		ID: crm.ContactID(it.ID), Nom: it.Nom, Prenom: it.Prenom, Telephone: it.Telephone, Email: it.Email,
		Adresse: it.Adresse, DateNaissance: it.DateNaissance, Profession: it.Profession, Remarques: it.Remarques,
		NoteApporteur: it.NoteApporteur, Statut: crm.ContactStatut(it.Statut), ApporteurID: crm.ApporteurID(it.ApporteurID),
		Efface:    it.Efface,
		CreatedAt: parseTime(it.CreatedAt), UpdatedAt: parseTime(it.UpdatedAt), Version: it.Version,
	}
}

type entrepriseItem struct {
	keys
	meta
	RaisonSociale string `dynamodbav:"raisonSociale"`
	Siren         string `dynamodbav:"siren"`
	Adresse       string `dynamodbav:"adresse"`
	DirigeantID   string `dynamodbav:"dirigeantId"`
	Telephone     string `dynamodbav:"telephone,omitempty"`
	Email         string `dynamodbav:"email,omitempty"`
	Remarques     string `dynamodbav:"remarques,omitempty"`
	ApporteurID   string `dynamodbav:"apporteurId,omitempty"`
	Recherche     string `dynamodbav:"recherche"`
}

func toEntrepriseItem(m crm.MIAID, e crm.Entreprise) entrepriseItem {
	it := entrepriseItem{
		keys: keys{
			PK: MIAPK(m), SK: EntrepriseSK(e.ID),
			GSI1PK: ClientCollection(m, string(e.ID)), GSI1SK: gsi1SKClient,
			Type: typeEntreprise,
		},
		meta:          toMeta(string(e.ID), e.CreatedAt, e.UpdatedAt, e.Version),
		RaisonSociale: e.RaisonSociale, Siren: e.Siren, Adresse: e.Adresse, DirigeantID: string(e.DirigeantID),
		Telephone: e.Telephone, Email: e.Email, Remarques: e.Remarques, ApporteurID: string(e.ApporteurID),
		Recherche: recherche(e.RaisonSociale, e.Siren, e.Email, e.Telephone),
	}
	if e.ApporteurID != "" {
		it.GSI3PK, it.GSI3SK = ApporteurCollection(m, e.ApporteurID), EntrepriseSK(e.ID)
	}
	return it
}

func (it entrepriseItem) entreprise() crm.Entreprise {
	return crm.Entreprise{
		ID: crm.EntrepriseID(it.ID), RaisonSociale: it.RaisonSociale, Siren: it.Siren, Adresse: it.Adresse,
		DirigeantID: crm.ContactID(it.DirigeantID), Telephone: it.Telephone, Email: it.Email,
		Remarques: it.Remarques, ApporteurID: crm.ApporteurID(it.ApporteurID),
		CreatedAt: parseTime(it.CreatedAt), UpdatedAt: parseTime(it.UpdatedAt), Version: it.Version,
	}
}

type affaireItem struct {
	keys
	meta
	ClientID                string `dynamodbav:"clientId"`
	ClientType              string `dynamodbav:"clientType"`
	ClientNom               string `dynamodbav:"clientNom"`
	ProduitID               string `dynamodbav:"produitId"`
	ProduitNom              string `dynamodbav:"produitNom"`
	Statut                  string `dynamodbav:"statut"`
	PrimeAnnuelleCentimes   int64  `dynamodbav:"primeAnnuelleCentimes"`
	TauxCommissionMIA       int    `dynamodbav:"tauxCommissionMIA"`
	ApporteurID             string `dynamodbav:"apporteurId,omitempty"`
	TauxCommissionApporteur *int   `dynamodbav:"tauxCommissionApporteur,omitempty"`
	Remarques               string `dynamodbav:"remarques,omitempty"`
	// ApporteurClientVersion and ClientNomVersion are the versions of the
	// client its apporteur and its clientNom were last copied from (stream
	// consumers write them; an older record of the client changes nothing).
	ApporteurClientVersion int `dynamodbav:"apporteurClientVersion,omitempty"`
	ClientNomVersion       int `dynamodbav:"clientNomVersion,omitempty"`
}

func toAffaireItem(m crm.MIAID, a crm.Affaire) affaireItem {
	it := affaireItem{
		keys: keys{
			PK: MIAPK(m), SK: AffaireSK(a.ID),
			GSI1PK: ClientCollection(m, a.ClientID), GSI1SK: AffaireSK(a.ID),
			GSI2PK: AffaireStatutList(m, a.Statut), GSI2SK: string(a.ID),
			Type: typeAffaire,
		},
		meta:     toMeta(string(a.ID), a.CreatedAt, a.UpdatedAt, a.Version),
		ClientID: a.ClientID, ClientType: string(a.ClientType), ClientNom: a.ClientNom,
		ProduitID: string(a.ProduitID), ProduitNom: a.ProduitNom, Statut: string(a.Statut),
		PrimeAnnuelleCentimes: a.PrimeAnnuelleCentimes, TauxCommissionMIA: a.TauxCommissionMIA,
		ApporteurID: string(a.ApporteurID), TauxCommissionApporteur: a.TauxCommissionApporteur,
		Remarques: a.Remarques,
	}
	if a.ApporteurID != "" {
		it.GSI3PK, it.GSI3SK = ApporteurCollection(m, a.ApporteurID), AffaireSK(a.ID)
	}
	return it
}

func (it affaireItem) affaire() crm.Affaire {
	return crm.Affaire{
		ID: crm.AffaireID(it.ID), ClientID: it.ClientID, ClientType: crm.ClientType(it.ClientType),
		ClientNom: it.ClientNom, ProduitID: crm.ProduitID(it.ProduitID), ProduitNom: it.ProduitNom,
		Statut: crm.AffaireStatut(it.Statut), PrimeAnnuelleCentimes: it.PrimeAnnuelleCentimes,
		TauxCommissionMIA: it.TauxCommissionMIA, ApporteurID: crm.ApporteurID(it.ApporteurID),
		TauxCommissionApporteur: it.TauxCommissionApporteur, Remarques: it.Remarques,
		CreatedAt: parseTime(it.CreatedAt), UpdatedAt: parseTime(it.UpdatedAt), Version: it.Version,
	}
}

type historiqueItem struct {
	keys
	AffaireID   string           `dynamodbav:"affaireId"`
	At          string           `dynamodbav:"at"`
	Seq         int              `dynamodbav:"seq"`
	Evenement   string           `dynamodbav:"evenement"`
	StatutAvant string           `dynamodbav:"statutAvant,omitempty"`
	Statut      string           `dynamodbav:"statut"`
	Changements []crm.Changement `dynamodbav:"changements,omitempty"`
	Version     int              `dynamodbav:"version"`
	ApporteurID string           `dynamodbav:"apporteurId,omitempty"`
}

func toHistoriqueItem(m crm.MIAID, h crm.Historique, apporteur crm.ApporteurID) historiqueItem {
	it := historiqueItem{
		keys:      keys{PK: MIAPK(m), SK: HistoriqueSK(h.AffaireID, h.At, h.Seq), Type: typeHistorique},
		AffaireID: string(h.AffaireID), At: fmtTime(h.At), Seq: h.Seq, Evenement: h.Evenement,
		StatutAvant: string(h.StatutAvant), Statut: string(h.Statut), Changements: h.Changements,
		Version: h.Version, ApporteurID: string(apporteur),
	}
	if apporteur != "" {
		it.GSI3PK, it.GSI3SK = ApporteurCollection(m, apporteur), HistoriqueApporteurSK(h.AffaireID, h.At, h.Seq)
	}
	return it
}

func (it historiqueItem) historique() crm.Historique {
	return crm.Historique{
		AffaireID: crm.AffaireID(it.AffaireID), At: parseTime(it.At), Seq: it.Seq, Evenement: it.Evenement,
		StatutAvant: crm.AffaireStatut(it.StatutAvant), Statut: crm.AffaireStatut(it.Statut),
		Changements: it.Changements, Version: it.Version,
	}
}

type produitItem struct {
	keys
	meta
	Nom               string `dynamodbav:"nom"`
	Categorie         string `dynamodbav:"categorie"`
	Assureur          string `dynamodbav:"assureur"`
	Description       string `dynamodbav:"description,omitempty"`
	TauxCommissionMIA int    `dynamodbav:"tauxCommissionMIA"`
	Actif             bool   `dynamodbav:"actif"`
}

func toProduitItem(p crm.Produit) produitItem {
	return produitItem{
		keys: keys{PK: CataloguePK(), SK: ProduitSK(p.ID), Type: typeProduit},
		meta: toMeta(string(p.ID), p.CreatedAt, p.UpdatedAt, p.Version),
		Nom:  p.Nom, Categorie: string(p.Categorie), Assureur: p.Assureur, Description: p.Description,
		TauxCommissionMIA: p.TauxCommissionMIA, Actif: p.Actif,
	}
}

func (it produitItem) produit() crm.Produit {
	return crm.Produit{
		ID: crm.ProduitID(it.ID), Nom: it.Nom, Categorie: crm.Categorie(it.Categorie), Assureur: it.Assureur,
		Description: it.Description, TauxCommissionMIA: it.TauxCommissionMIA, Actif: it.Actif,
		CreatedAt: parseTime(it.CreatedAt), UpdatedAt: parseTime(it.UpdatedAt), Version: it.Version,
	}
}

type miaItem struct {
	keys
	meta
	Nom       string `dynamodbav:"nom"`
	Prenom    string `dynamodbav:"prenom"`
	Email     string `dynamodbav:"email"`
	Cabinet   string `dynamodbav:"cabinet"`
	Telephone string `dynamodbav:"telephone,omitempty"`
	// Identity and reprise settings (PATCH /profil).
	RaisonSociale string `dynamodbav:"raisonSociale,omitempty"`
	ORIAS         string `dynamodbav:"orias,omitempty"`
	SIREN         string `dynamodbav:"siren,omitempty"`
	Adresse       string `dynamodbav:"adresse,omitempty"`
	DelaiReprise  int    `dynamodbav:"delaiRepriseMois,omitempty"`
	ModeReprise   string `dynamodbav:"modeReprise,omitempty"`
}

func toMIAItem(m crm.MIA) miaItem {
	return miaItem{
		keys: keys{PK: MIAPK(m.ID), SK: ProfilSK(), Type: typeMIA},
		meta: toMeta(string(m.ID), m.CreatedAt, m.UpdatedAt, m.Version),
		Nom:  m.Nom, Prenom: m.Prenom, Email: m.Email, Cabinet: m.Cabinet, Telephone: m.Telephone,
	}
}

func (it miaItem) mia() crm.MIA {
	return crm.MIA{
		ID: crm.MIAID(it.ID), Nom: it.Nom, Prenom: it.Prenom, Email: it.Email, Cabinet: it.Cabinet,
		Telephone: it.Telephone, CreatedAt: parseTime(it.CreatedAt), UpdatedAt: parseTime(it.UpdatedAt),
		Version: it.Version, RaisonSociale: it.RaisonSociale, ORIAS: it.ORIAS, SIREN: it.SIREN, Adresse: it.Adresse,
		Reprise: crm.RepriseSettings{DelaiMois: it.DelaiReprise, Mode: crm.ModeReprise(it.ModeReprise)}.WithDefaults(),
	}
}

// guardItem reserves a unique value (email, telephone, SIREN) for its owner;
// a failed attribute_not_exists returns it, so a 409 names the owner without a read.
type guardItem struct {
	PK      string `dynamodbav:"PK"`
	SK      string `dynamodbav:"SK"`
	Type    string `dynamodbav:"type"`
	OwnerID string `dynamodbav:"ownerId"`
}

// idempotenceItem is the answer recorded by a create made with an
// Idempotency-Key, opaque to the store (crm.Idempotency.Answer).
type idempotenceItem struct {
	PK        string `dynamodbav:"PK"`
	SK        string `dynamodbav:"SK"`
	Type      string `dynamodbav:"type"`
	Hash      string `dynamodbav:"hash"`
	Answer    []byte `dynamodbav:"answer"`
	ExpiresAt int64  `dynamodbav:"expiresAt"` // epoch seconds: the table's TTL attribute
	// Mentions are the people whose data the answer holds (" id1 id2 "), so
	// an erasure finds and deletes the replies that name the person.
	Mentions string `dynamodbav:"mentions,omitempty"`
	// Efface: the answer named a person since erased and was removed; the
	// key stays used, so a retry is refused rather than run twice.
	Efface bool `dynamodbav:"efface,omitempty"`
}

func toMeta(id string, created, updated time.Time, version int) meta {
	return meta{ID: id, CreatedAt: fmtTime(created), UpdatedAt: fmtTime(updated), Version: version}
}

func recherche(parts ...string) string {
	return crm.Fold(strings.Join(parts, " "))
}

// nationalPhone gives the French national form (0612345678) of a +33 number, so
// `q=0612` finds it.
func nationalPhone(e164 string) string {
	if strings.HasPrefix(e164, "+33") {
		return "0" + e164[3:]
	}
	return ""
}

// ContactItem is the item of contact c of MIA m as CreateContact writes it
// (without its uniqueness guards and idempotency record): for tools that
// load a table directly (the benchmark's export base), so that the lists
// and exports read it as they read the store's own.
func ContactItem(m crm.MIAID, c crm.Contact) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(toContactItem(m, c))
}
