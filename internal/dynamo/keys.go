package dynamo

import (
	"fmt"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// Every key format of the table lives here. Items of a MIA all have PK
// MIA#<m>, so nothing of one tenant is ever under another tenant's keys.

const (
	attrPK     = "PK"
	attrSK     = "SK"
	attrGSI1PK = "GSI1PK"
	attrGSI1SK = "GSI1SK"
	attrGSI2PK = "GSI2PK"
	attrGSI2SK = "GSI2SK"
	attrGSI3PK = "GSI3PK"
	attrGSI3SK = "GSI3SK"

	indexGSI1 = "GSI1"
	indexGSI2 = "GSI2"
	indexGSI3 = "GSI3"

	prefixMIA         = "MIA#"
	prefixContact     = "CONTACT#"
	prefixEntreprise  = "ENTREPRISE#"
	prefixAffaire     = "AFFAIRE#"
	prefixApporteur   = "APPORTEUR#"
	prefixProduit     = "PRODUIT#"
	prefixHistorique  = "#HISTORIQUE#"
	prefixIdempotence = "IDEMPOTENCE#"
	prefixUnique      = "UNIQUE#"
	prefixImport      = "IMPORT#"
	prefixImportLine  = "IMPORTLIGNE#"
	skProfil          = "PROFIL"
	pkCatalogue       = "CATALOGUE"
	gsi1SKClient      = "#" // sorts before AFFAIRE#: the client comes first in its collection
)

// prefixHistoriqueApporteur starts a historique entry's GSI3SK.
const prefixHistoriqueApporteur = "HISTORIQUE#"

// Item types, stored in the `type` attribute to tell a collection's items apart.
const (
	typeMIA         = "mia"
	typeContact     = "contact"
	typeEntreprise  = "entreprise"
	typeAffaire     = "affaire"
	typeHistorique  = "historique"
	typeProduit     = "produit"
	typeGuard       = "guard"
	typeIdempotence = "idempotence"
	typeStreamMark  = "stream_mark"
	typeDocument    = "document"
	typeParametres  = "parametres"
	typeImport      = "import"
	typeImportLine  = "import_ligne"
)

// timeLayout is fixed width (always 9 fraction digits, UTC) so timestamps sort as strings.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeLayout, s)
	return t
}

// MIAPK is the partition of every item of a MIA.
func MIAPK(m crm.MIAID) string { return prefixMIA + string(m) }

// ProfilSK is the MIA profile item's sort key.
func ProfilSK() string { return skProfil }

// ContactSK is a contact's sort key.
func ContactSK(c crm.ContactID) string { return prefixContact + string(c) }

// EntrepriseSK is an entreprise's sort key.
func EntrepriseSK(e crm.EntrepriseID) string { return prefixEntreprise + string(e) }

// AffaireSK is an affaire's sort key; its historique entries extend it.
func AffaireSK(a crm.AffaireID) string { return prefixAffaire + string(a) }

// HistoriqueSK orders an affaire's history entries by time then sequence.
func HistoriqueSK(a crm.AffaireID, at time.Time, seq int) string {
	return fmt.Sprintf("%s%s%s#%06d", AffaireSK(a), prefixHistorique, fmtTime(at), seq)
}

// ApporteurSK is an apporteur's sort key.
func ApporteurSK(p crm.ApporteurID) string { return prefixApporteur + string(p) }

// ClientCollection (GSI1PK) gathers a client (contact or entreprise) and its affaires.
func ClientCollection(m crm.MIAID, clientID string) string {
	return MIAPK(m) + "#CLIENT#" + clientID
}

// ContactStatutList (GSI2PK) lists a MIA's contacts of one statut.
func ContactStatutList(m crm.MIAID, s crm.ContactStatut) string {
	return MIAPK(m) + "#CONTACT#" + string(s)
}

// AffaireStatutList (GSI2PK) lists a MIA's affaires of one statut.
func AffaireStatutList(m crm.MIAID, s crm.AffaireStatut) string {
	return MIAPK(m) + "#AFFAIRE#" + string(s)
}

// ApporteurStatutList (GSI2PK) lists a MIA's apporteurs of one statut.
func ApporteurStatutList(m crm.MIAID, statut string) string {
	return MIAPK(m) + "#APPORTEUR#" + statut
}

// ApporteurCollection (GSI3PK) gathers what is attributed to an apporteur:
// contacts, entreprises, affaires and their historique.
func ApporteurCollection(m crm.MIAID, p crm.ApporteurID) string {
	return MIAPK(m) + "#APPORTEUR#" + string(p)
}

// HistoriqueApporteurSK (GSI3SK) places a historique entry in its apporteur's
// collection, under its own prefix: begins_with(AFFAIRE#) on GSI3 reads the
// apporteur's affaires alone, begins_with(HISTORIQUE#) their historique.
func HistoriqueApporteurSK(a crm.AffaireID, at time.Time, seq int) string {
	return fmt.Sprintf("%s%s#%s#%06d", prefixHistoriqueApporteur, a, fmtTime(at), seq)
}

// UniqueEmailSK, UniqueTelephoneSK and UniqueSirenSK are the uniqueness guards
// of a MIA (values already normalised).
func UniqueEmailSK(email string) string    { return prefixUnique + "EMAIL#" + email }
func UniqueTelephoneSK(e164 string) string { return prefixUnique + "TELEPHONE#" + e164 }
func UniqueSirenSK(siren string) string    { return prefixUnique + "SIREN#" + siren }

// UniqueApporteurEmailSK is the guard of an apporteur's email inside one MIA
// (under MIAPK): unique per MIA, never across MIA, so that no MIA learns
// whom another works with, nor blocks another from inviting someone.
func UniqueApporteurEmailSK(email string) string { return prefixUnique + "APPORTEUR_EMAIL#" + email }
func IdempotenceSK(sub, key string) string       { return prefixIdempotence + sub + "#" + key }
func ActivationPK(sha256Hex string) string       { return "ACTIVATION#" + sha256Hex }
func ActivationSK() string                       { return "ACTIVATION" }
func CataloguePK() string                        { return pkCatalogue }
func ProduitSK(p crm.ProduitID) string           { return prefixProduit + string(p) }

// InvitationQuotaSK (under MIAPK) counts the invitation emails of a MIA on
// one UTC day ("2026-11-27").
func InvitationQuotaSK(day string) string { return "QUOTA#INVITATIONS#" + day }

// MIAEmailPK and MIAEmailSK key the global guard of a MIA account's email
// (the MIA pool's username), written by POST /admin/mias.
func MIAEmailPK(email string) string { return "MIA_EMAIL#" + email }
func MIAEmailSK() string             { return "MIA_EMAIL" }

// NotificationSK keys the record of a notification email already sent (stream
// consumers: a redelivered record sends none).
func NotificationSK(key string) string { return "NOTIFICATION#" + key }

// StreamMarksPK is the partition of a stream reader's marks (no tenant's:
// they name stream records, not data), StreamMarkSK one handler's mark of
// one record.
func StreamMarksPK(reader string) string          { return "STREAM#" + reader }
func StreamMarkSK(eventID, handler string) string { return "DONE#" + eventID + "#" + handler }

// The commission ledger (issue 11). An apporteur's lines sort by the time
// they were written; its balances item sorts after them ("~" > digits), so
// one descending Query of LIGNE#<p># reads the balances then the newest lines.
const (
	prefixLigne        = "LIGNE#"
	skSoldeSuffix      = "~SOLDE"
	prefixSignature    = "SIGNATURE#"
	prefixEncaissement = "ENCAISSEMENT#"
	prefixVersement    = "VERSEMENT#"
	prefixReleve       = "RELEVE#"
	skCompteurReleves  = "COMPTEUR#RELEVES"
	pkLedgers          = "LEDGERS"
)

// LignesPrefix starts every ledger sort key of apporteur p (lines and balances).
func LignesPrefix(p crm.ApporteurID) string { return prefixLigne + string(p) + "#" }

// LigneSK is a ledger line's sort key: its apporteur, the time it was written, its id.
func LigneSK(p crm.ApporteurID, at time.Time, id string) string {
	return LignesPrefix(p) + fmtTime(at) + "#" + id
}

// SoldeSK is the sort key of apporteur p's balances.
func SoldeSK(p crm.ApporteurID) string { return LignesPrefix(p) + skSoldeSuffix }

// AffaireLignes (GSI1PK) gathers the ledger lines of one affaire; GSI1SK
// is "<time written>#<id>".
func AffaireLignes(m crm.MIAID, a crm.AffaireID) string { return MIAPK(m) + "#LIGNES#" + string(a) }

// Soldes (GSI1PK) lists the balances of every apporteur of a MIA (GSI1SK: the apporteur id).
func Soldes(m crm.MIAID) string { return MIAPK(m) + "#SOLDES" }

// LedgersPK (GSI2PK) lists every apporteur ledger of every MIA (GSI2SK
// "<m>#<p>"), for the monthly issue of relevés, a scheduled job: the only
// cross-tenant read, never on a request path.
func LedgersPK() string { return pkLedgers }

// SignatureSK keys what an affaire's acquise line froze.
func SignatureSK(a crm.AffaireID) string { return prefixSignature + string(a) }

// EncaissementSK keys an encaissement under its affaire.
func EncaissementSK(a crm.AffaireID, id string) string {
	return prefixEncaissement + string(a) + "#" + id
}

// VersementSK keys a versement under its apporteur.
func VersementSK(p crm.ApporteurID, id string) string { return prefixVersement + string(p) + "#" + id }

// ReleveSK keys a relevé: one per apporteur and month ("2026-11").
func ReleveSK(p crm.ApporteurID, mois string) string { return prefixReleve + string(p) + "#" + mois }

// Releves (GSI1PK) lists every relevé of a MIA by month (GSI1SK "<mois>#<p>").
func Releves(m crm.MIAID) string { return MIAPK(m) + "#RELEVES" }

// CompteurRelevesSK is the item numbering a MIA's relevés.
func CompteurRelevesSK() string { return skCompteurReleves }

// Daily work: tâches, notes, the activity timeline, the dashboard and the
// two global date indexes read by the schedules.

const (
	prefixTache    = "TACHE#"
	prefixNote     = "NOTE#"
	prefixActivite = "FIL#"
	skTableau      = "TABLEAU"
	typeTache      = "tache"
	typeNote       = "note"
	typeActivite   = "activite"
)

// TacheSK and NoteSK are a tâche's and a note's sort keys.
func TacheSK(t crm.TacheID) string { return prefixTache + string(t) }
func NoteSK(n crm.NoteID) string   { return prefixNote + string(n) }

// TacheStatutList (GSI2PK) lists a MIA's tâches of one statut; an open
// tâche sorts by TacheOpenSK (day, time, id), a closed one by when it closed.
func TacheStatutList(m crm.MIAID, s crm.TacheStatut) string {
	return MIAPK(m) + "#TACHES#" + string(s)
}
func TacheOpenSK(t crm.Tache) string {
	h := t.Heure
	if h == "" {
		h = "99:99" // a tâche of the whole day after those at a time
	}
	return t.Echeance + "#" + h + "#" + string(t.ID)
}

// CibleCollection (GSI1PK) gathers the tâches of one record, by day.
func CibleCollection(m crm.MIAID, cibleID string) string { return MIAPK(m) + "#CIBLE#" + cibleID }

// ApporteurTacheSK (GSI3SK) places a tâche assigned to an apporteur in its
// collection, open ones first by day; ApporteurNoteSK a note shared with it,
// under its client (so one prefix reads a contact's notes and its affaires').
func ApporteurTacheSK(t crm.Tache) string {
	return prefixTache + string(t.Statut) + "#" + t.Echeance + "#" + string(t.ID)
}
func ApporteurNoteSK(clientID string, n crm.NoteID) string {
	return prefixNote + clientID + "#" + string(n)
}

// ActiviteSK orders a record's timeline: its entries share the prefix
// FIL#<record>#, then time, kind and the id of what the entry is about.
func ActiviteSK(cibleID string, at time.Time, kind, id string) string {
	return prefixActivite + cibleID + "#" + fmtTime(at) + "#" + kind + "#" + id
}
func ActivitePrefix(cibleID string) string { return prefixActivite + cibleID + "#" }

// TableauSK is the MIA's dashboard counters; ContributionSK what the
// dashboard recorded of one record (kind: affaire, contact, tache).
func TableauSK() string                     { return skTableau }
func ContributionSK(kind, id string) string { return skTableau + "#" + kind + "#" + id }

// AgendaPK holds, per day and recipient (a MIA, or an apporteur of a MIA),
// the set of open tâches due that day: the digest reads the days up to
// today, so its cost follows the recipients with tâches due, not the table.
func AgendaPK() string { return "AGENDA" }
func AgendaSK(day string, m crm.MIAID, p crm.ApporteurID) string {
	sk := day + "#" + MIAPK(m)
	if p != "" {
		sk += "#" + prefixApporteur + string(p)
	}
	return sk
}

// ReveilsPK holds the wake-ups of the relances that follow from time, not
// from a write (an affaire en cours unchanged for 30 days, a signed
// affaire's anniversary, an apporteur's ORIAS check 12 months old or RC Pro
// about to expire): the relances job reads those due. The subject is the
// affaire, or the apporteur (then n is 0: one wake-up per day and kind).
func ReveilsPK() string { return "REVEILS" }
func ReveilSK(r crm.Reveil) string {
	subject := string(r.AffaireID)
	if r.ApporteurID != "" {
		subject = string(r.ApporteurID)
	}
	return fmt.Sprintf("%s#%s#%s#%s#%06d", r.Day, r.Kind, r.MIA, subject, r.N)
}

// PersonneMembres (GSI1PK on an apporteur item) gathers the memberships of
// one person (its apporteur-pool sub) across MIA: a membership is the
// apporteur item of a MIA, MembreGSI1SK(m) its sort key there (a person is
// at most one apporteur per MIA: the email guard).
func PersonneMembres(sub string) string { return "PERSONNE#" + sub }
func MembreGSI1SK(m crm.MIAID) string   { return prefixMIA + string(m) }

// ConventionSK keys version v of apporteur p's convention d'apport (under
// MIAPK; not under APPORTEUR#, which lists the apporteurs).
func ConventionSK(p crm.ApporteurID, v int) string {
	return fmt.Sprintf("%s%06d", ConventionPrefix(p), v)
}
func ConventionPrefix(p crm.ApporteurID) string { return "CONVENTION#" + string(p) + "#" }

// SearchSK (under MIAPK) is one word of an entity in the search index:
// Query begins_with(SK, SearchPrefixSK(prefix)) finds the entities with a
// word starting with prefix, in one round trip, in the MIA's own partition.
func SearchSK(token string, kind crm.SearchKind, id string) string {
	return prefixSearch + token + "#" + string(kind) + "#" + id
}

// SearchPrefixSK starts the keys of the words starting with prefix.
func SearchPrefixSK(prefix string) string { return prefixSearch + prefix }

// AuditSK (under MIAPK) is one entry of the MIA's RGPD journal, by time.
func AuditSK(at time.Time, id string) string { return prefixAudit + fmtTime(at) + "#" + id }

// ConservationSK (under MIAPK) is a prospect's retention clock.
func ConservationSK(c crm.ContactID) string { return prefixConservation + string(c) }

// ConservationDue (GSI2PK) gathers, across MIA, the clocks that run out in
// one month ("2029-11"): the monthly run reads the few months up to its own,
// never a table scan. GSI2SK = ConservationDueSK.
func ConservationDue(month string) string { return "CONSERVATION_ECHEANCE#" + month }

// ConservationDueSK orders a clock in its month by expiry.
func ConservationDueSK(expire time.Time, m crm.MIAID, c crm.ContactID) string {
	return fmtTime(expire) + "#" + string(m) + "#" + string(c)
}

// PurgeSK (under MIAPK) is a purge proposed to the MIA for one prospect.
func PurgeSK(c crm.ContactID) string { return prefixPurge + string(c) }

// PurgeDue (GSI2PK) gathers, across MIA, the proposals whose 30 days end in
// one month: the run purges those left unanswered. GSI2SK = ConservationDueSK.
func PurgeDue(month string) string { return "PURGE_ECHEANCE#" + month }

// Month is the GSI bucket of t ("2029-11", UTC).
func Month(t time.Time) string { return t.UTC().Format("2006-01") }

const (
	prefixSearch       = "MOT#"
	prefixAudit        = "AUDIT#"
	prefixConservation = "CONSERVATION#"
	prefixPurge        = "PURGE#"
)

// ConventionPDFSK keys the exact PDF of version v, apart from the version's
// item so that listing the versions (and the stream) does not read the PDFs.
func ConventionPDFSK(p crm.ApporteurID, v int) string {
	return fmt.Sprintf("CONVENTIONPDF#%s#%06d", p, v)
}

// DocumentSK is a document's sort key (under MIAPK): read by its id alone.
func DocumentSK(d crm.DocumentID) string { return "DOCUMENT#" + string(d) }

// DocumentCollection (GSI1PK) lists the documents of one owner: an
// apporteur or an affaire of MIA m.
func DocumentCollection(m crm.MIAID, o crm.DocumentOwner) string {
	if o.AffaireID != "" {
		return MIAPK(m) + "#DOCUMENTS#AFFAIRE#" + string(o.AffaireID)
	}
	return MIAPK(m) + "#DOCUMENTS#APPORTEUR#" + string(o.ApporteurID)
}

// DocumentCollectionSK (GSI1SK) orders an owner's documents by creation.
func DocumentCollectionSK(created time.Time, d crm.DocumentID) string {
	return fmtTime(created) + "#" + string(d)
}

// ParametresSK is a MIA's settings item (under MIAPK).
func ParametresSK() string { return "PARAMETRES" }

// ImportSK keys a CSV import of a MIA (under MIAPK); ImportLineSK the
// recorded outcome of one line of it, fixed width so lines sort in file
// order. The line prefix differs from the import's, so begins_with(IMPORT#)
// lists imports alone.
func ImportSK(id crm.ImportID) string { return prefixImport + string(id) }
func ImportLineSK(id crm.ImportID, line int) string {
	return fmt.Sprintf("%s%s#%07d", prefixImportLine, id, line)
}

// ImportLinesPrefix starts the sort keys of an import's lines.
func ImportLinesPrefix(id crm.ImportID) string { return prefixImportLine + string(id) + "#" }

// ActiveImportsList (GSI2PK) lists the imports of every MIA that are running
// or being undone, for the worker that runs them (GSI2SK: MIA#<m>#<import>).
// It is the worker's to-do list, not a tenant's data: no route reads it.
func ActiveImportsList() string { return "IMPORTS#ACTIFS" }
func ActiveImportSK(m crm.MIAID, id crm.ImportID) string {
	return MIAPK(m) + "#" + string(id)
}
