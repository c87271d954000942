package crm

import (
	"strconv"
	"strings"
	"time"
)

// DocumentID is a document's ULID; the id of its upload too.
type DocumentID string

// DocumentType says what a document is. An apporteur's own documents are
// its RC Pro attestation, its Kbis and its RIB; an affaire's are the DDA
// pieces (DER, recueil des besoins, devoir de conseil), its conditions
// particulières, or another piece.
type DocumentType string

// Document types.
const (
	DocRCPro                   DocumentType = "rc_pro"
	DocKbis                    DocumentType = "kbis"
	DocRIB                     DocumentType = "rib"
	DocDER                     DocumentType = "der"
	DocRecueilBesoins          DocumentType = "recueil_besoins"
	DocDevoirConseil           DocumentType = "devoir_conseil"
	DocConditionsParticulieres DocumentType = "conditions_particulieres"
	DocAutre                   DocumentType = "autre"
)

// ApporteurDocumentTypes are the types of an apporteur's documents.
var ApporteurDocumentTypes = []DocumentType{DocRCPro, DocKbis, DocRIB}

// AffaireDocumentTypes are the types of an affaire's documents.
var AffaireDocumentTypes = []DocumentType{DocDER, DocRecueilBesoins, DocDevoirConseil, DocConditionsParticulieres, DocAutre}

// PiecesDDA are the pieces the DDA requires before an affaire is signed,
// when the MIA's setting asks for them.
var PiecesDDA = []DocumentType{DocDER, DocRecueilBesoins, DocDevoirConseil}

// Libelle is the type's French name.
func (t DocumentType) Libelle() string {
	switch t {
	case DocRCPro:
		return "attestation RC Pro"
	case DocKbis:
		return "Kbis"
	case DocRIB:
		return "RIB"
	case DocDER:
		return "document d'entrée en relation (DER)"
	case DocRecueilBesoins:
		return "recueil des besoins"
	case DocDevoirConseil:
		return "devoir de conseil"
	case DocConditionsParticulieres:
		return "conditions particulières"
	case DocAutre:
		return "autre pièce"
	}
	return string(t)
}

// DocumentEtat is where a document is in its life.
type DocumentEtat string

// États: en_attente (uploaded or being uploaded, not checked yet) → verifie
// | refuse; verifie → supprime (undone for 30 days) → verifie.
const (
	DocEnAttente DocumentEtat = "en_attente"
	DocVerifie   DocumentEtat = "verifie"
	DocRefuse    DocumentEtat = "refuse"
	DocSupprime  DocumentEtat = "supprime"
)

// DocumentOwner is what a document belongs to: an apporteur or an affaire.
type DocumentOwner struct {
	ApporteurID ApporteurID `json:"apporteurId,omitempty"`
	AffaireID   AffaireID   `json:"affaireId,omitempty"`
}

// Document is a file of a MIA's, with its metadata; its bytes are in the
// files bucket.
type Document struct {
	ID DocumentID `json:"id"`
	DocumentOwner
	Type        DocumentType `json:"type"`
	Nom         string       `json:"nom"`
	ContentType string       `json:"contentType"`
	// Taille and SHA256 are measured by the upload check (0 and "" before).
	Taille int64        `json:"taille"`
	SHA256 string       `json:"sha256,omitempty"`
	Etat   DocumentEtat `json:"etat"`
	// Motif says why a document was refused ("refuse: type réel text/html").
	Motif string `json:"motif,omitempty"`
	// DeposePar is who uploaded it: "mia" or "apporteur".
	DeposePar string `json:"deposePar"`
	// FileVersion is the S3 version of the checked file, DeleteMarker the
	// delete marker hiding it once deleted: the store's, never sent.
	FileVersion  string `json:"-"`
	DeleteMarker string `json:"-"`
	// SupprimeLe is when it was deleted; it can be restored until RestaurableJusquau.
	SupprimeLe         *time.Time `json:"supprimeLe,omitempty"`
	RestaurableJusquau *time.Time `json:"restaurableJusquau,omitempty"`
	CreatedAt          time.Time  `json:"createdAt"`
	UpdatedAt          time.Time  `json:"updatedAt"`
	Version            int        `json:"version"`
}

// RestoreWindow is how long a deleted document can be restored (the
// bucket's lifecycle removes its data after it).
const RestoreWindow = 30 * 24 * time.Hour

// NewDocument is a request to upload a document: its name, type, declared
// content type and size.
type NewDocument struct {
	Nom         string       `json:"nom"`
	Type        DocumentType `json:"type"`
	ContentType string       `json:"contentType"`
	Taille      int64        `json:"taille"`
}

// DocumentLimits are the limits of an upload kind (files.Kind's): the
// accepted content types and the size limit.
type DocumentLimits struct {
	ContentTypes []string
	MaxBytes     int64
}

// Validate checks the request for an owner accepting types, within limits.
// The name is the user's own label, never part of a key: still, it is one
// line, without path separators, at most 255 characters.
func (n *NewDocument) Validate(types []DocumentType, l DocumentLimits) []FieldError {
	var v fieldChecker
	v.text("nom", &n.Nom, true, 255)
	if !v.has("nom") {
		if strings.ContainsAny(n.Nom, `/\`) || strings.Trim(n.Nom, ".") == "" {
			v.add("nom", "Le nom du fichier ne peut contenir ni « / » ni « \\ », ni n'être fait que de points.")
		}
	}
	ok := false
	for _, t := range types {
		ok = ok || n.Type == t
	}
	if !ok {
		names := make([]string, len(types))
		for i, t := range types {
			names[i] = "« " + string(t) + " »"
		}
		v.add("type", "Le type doit être "+strings.Join(names, ", ")+".")
	}
	ok = false
	for _, ct := range l.ContentTypes {
		ok = ok || n.ContentType == ct
	}
	if !ok {
		v.add("contentType", "Seuls les fichiers PDF, JPEG et PNG sont acceptés.")
	}
	if n.Taille < 1 || n.Taille > l.MaxBytes {
		v.add("taille", "Le fichier doit faire entre 1 octet et "+strconv.FormatInt(l.MaxBytes>>20, 10)+" Mo.")
	}
	return v.errs
}

// MissingPieces are the DDA pieces without a verified document among docs.
func MissingPieces(docs []Document) []DocumentType {
	var out []DocumentType
	for _, t := range PiecesDDA {
		found := false
		for _, d := range docs {
			found = found || (d.Type == t && d.Etat == DocVerifie)
		}
		if !found {
			out = append(out, t)
		}
	}
	return out
}

// Parametres are a MIA's settings.
type Parametres struct {
	// PiecesDDAObligatoires: an affaire becomes « signée » only with a
	// verified DER, recueil des besoins and devoir de conseil.
	PiecesDDAObligatoires bool `json:"piecesDDAObligatoires"`
	// InformationArticle14: a contact entered by an apporteur receives an
	// email saying who holds its data, why, and how to exercise its rights
	// (RGPD article 14: data not collected from the person; issue 15).
	InformationArticle14 bool      `json:"informationArticle14"`
	UpdatedAt            time.Time `json:"updatedAt"`
	Version              int       `json:"version"`
}

// ParametresPatch changes a MIA's settings.
type ParametresPatch struct {
	PiecesDDAObligatoires *bool `json:"piecesDDAObligatoires"`
	InformationArticle14  *bool `json:"informationArticle14"`
}

// Validate refuses an empty patch.
func (p *ParametresPatch) Validate() []FieldError {
	if p.PiecesDDAObligatoires == nil && p.InformationArticle14 == nil {
		return []FieldError{{Champ: "", Message: "Aucune modification demandée."}}
	}
	return nil
}

// UploadedDocument is a document just declared with the presigned form
// that uploads its file.
type UploadedDocument struct {
	Document Document `json:"document"`
	Upload   Upload   `json:"upload"`
}

// Upload is a presigned POST: the form's URL and fields (the file goes last,
// in the field "file"), valid until ExpiresAt.
type Upload struct {
	URL       string            `json:"url"`
	Fields    map[string]string `json:"fields"`
	ExpiresAt time.Time         `json:"expiresAt"`
}

// Download is a presigned GET of a document, valid until ExpiresAt.
type Download struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
}
