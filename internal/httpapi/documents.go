package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/files"
)

// Documents: the MIA's of its apporteurs and affaires, an apporteur's own
// (RC Pro, Kbis, RIB). A POST records the document (en_attente, ONE
// transaction with the check that its owner exists) and answers the
// presigned POST that uploads its file straight to S3; the upload check
// (internal/uploads) then marks it verifie or refuse. Downloads are
// presigned GETs of the checked version; a delete hides the file behind a
// delete marker, restorable 30 days.

type documentCreator interface {
	CreateDocument(ctx context.Context, m crm.MIAID, o crm.DocumentOwner, n crm.NewDocument, by string, idem *crm.Idempotency) (crm.Document, *crm.Replay, error)
}

type documentLister interface {
	ListDocuments(ctx context.Context, m crm.MIAID, o crm.DocumentOwner) ([]crm.Document, error)
}

type documentGetter interface {
	GetDocument(ctx context.Context, m crm.MIAID, id crm.DocumentID) (crm.Document, error)
}

type documentDeleter interface {
	documentGetter
	DeleteDocument(ctx context.Context, m crm.MIAID, id crm.DocumentID, marker string) (crm.Document, error)
	RestoreDocument(ctx context.Context, m crm.MIAID, id crm.DocumentID) (crm.Document, error)
}

type uploadPresigner interface {
	PresignUpload(ctx context.Context, k files.Kind, t files.Type, key string) (crm.Upload, error)
}

type downloadPresigner interface {
	PresignDownload(ctx context.Context, key, version, filename, contentType string) (string, time.Time, error)
}

type fileHider interface {
	Hide(ctx context.Context, key string) (string, error)
	Unhide(ctx context.Context, key, marker string) error
}

// documentLimits are the upload kind's, as the domain checks them.
func documentLimits() crm.DocumentLimits {
	l := crm.DocumentLimits{MaxBytes: files.Document.MaxBytes}
	for _, t := range files.Document.Types {
		l.ContentTypes = append(l.ContentTypes, t.ContentType)
	}
	return l
}

// owner is whose documents a route serves, from its path or its caller.
type owner func(r *http.Request, p crm.Principal) crm.DocumentOwner

func affaireOwner(r *http.Request, _ crm.Principal) crm.DocumentOwner {
	return crm.DocumentOwner{AffaireID: crm.AffaireID(r.PathValue("affaireId"))}
}

func apporteurOwner(r *http.Request, _ crm.Principal) crm.DocumentOwner {
	return crm.DocumentOwner{ApporteurID: crm.ApporteurID(r.PathValue("apporteurId"))}
}

func ownOwner(_ *http.Request, p crm.Principal) crm.DocumentOwner {
	return crm.DocumentOwner{ApporteurID: p.Apporteur}
}

func typesOf(o crm.DocumentOwner) []crm.DocumentType {
	if o.AffaireID != "" {
		return crm.AffaireDocumentTypes
	}
	return crm.ApporteurDocumentTypes
}

// createDocument records the document and answers its presigned upload.
// With an Idempotency-Key, a retry gets the first document back (and no
// second pending one) with a new presigned upload of the same key: the
// store records the document, not the upload, whose policy expires in
// minutes while the key holds for a day (and a signed policy is not kept
// in the table).
func createDocument(s documentCreator, f uploadPresigner, who owner, by string, active activeGuard) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		in, body, err := decode[crm.NewDocument](w, r)
		if err != nil {
			return err
		}
		o := who(r, p)
		if errs := in.Validate(typesOf(o), documentLimits()); errs != nil {
			return crm.Invalid(errs...)
		}
		idem, err := idempotency(r, p, body)
		if err != nil {
			return err
		}
		if idem != nil {
			idem.Answer = func(v any) ([]byte, error) { return json.Marshal(v) }
		}
		var out crm.UploadedDocument
		var replayed bool
		err = active(r.Context(), p, func(ctx context.Context) error {
			d, replay, err := s.CreateDocument(ctx, p.MIA, o, in, by, idem)
			if err != nil {
				return err
			}
			if replay != nil {
				if err := json.Unmarshal(replay.Answer, &d); err != nil {
					return fmt.Errorf("decode replayed document: %w", err)
				}
				replayed = true
			}
			t, _ := files.Document.Type(d.ContentType)
			up, err := f.PresignUpload(ctx, files.Document, t, files.IncomingKey(files.Document, string(p.MIA), string(d.ID)))
			if err != nil {
				return err
			}
			out = crm.UploadedDocument{Document: d, Upload: up}
			return nil
		})
		if err != nil {
			return err
		}
		if replayed {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		w.Header().Set("ETag", etag(out.Document.Version))
		encode(w, http.StatusCreated, out)
		return nil
	}
}

func listDocuments(s documentLister, who owner, active activeGuard) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		var docs []crm.Document
		err := active(r.Context(), p, func(ctx context.Context) error {
			var err error
			docs, err = s.ListDocuments(ctx, p.MIA, who(r, p))
			return err
		})
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, crm.Page[crm.Document]{Items: docs})
		return nil
	}
}

// visible reads a document its caller may see: any of its MIA's for a
// MIA, its own for an apporteur (else 404, as if absent).
func visible(ctx context.Context, s documentGetter, p crm.Principal, id crm.DocumentID) (crm.Document, error) {
	d, err := s.GetDocument(ctx, p.MIA, id)
	if err == nil && p.Apporteur != "" && d.ApporteurID != p.Apporteur {
		err = crm.Errorf(crm.ENOTFOUND, "Document introuvable.")
	}
	return d, err
}

// visibleWhile reads the path's document as visible does, through active:
// for an apporteur, concurrently with its actif check, whose refusal wins.
func visibleWhile(r *http.Request, s documentGetter, p crm.Principal, active activeGuard) (crm.Document, error) {
	var d crm.Document
	err := active(r.Context(), p, func(ctx context.Context) error {
		var err error
		d, err = visible(ctx, s, p, crm.DocumentID(r.PathValue("documentId")))
		return err
	})
	return d, err
}

func downloadDocument(s documentGetter, f downloadPresigner, active activeGuard) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		d, err := visibleWhile(r, s, p, active)
		if err != nil {
			return err
		}
		if d.Etat != crm.DocVerifie {
			return crm.Errorf(crm.ECONFLICT, "Ce document n'est pas téléchargeable : %s.", etatLibelle(d))
		}
		u, exp, err := f.PresignDownload(r.Context(), files.DocumentKey(p.MIA, d.ID), d.FileVersion, d.Nom, d.ContentType)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, crm.Download{URL: u, ExpiresAt: exp})
		return nil
	}
}

func etatLibelle(d crm.Document) string {
	switch d.Etat {
	case crm.DocEnAttente:
		return "il est en cours de vérification"
	case crm.DocRefuse:
		return "il a été refusé (" + d.Motif + ")"
	case crm.DocSupprime:
		return "il a été supprimé"
	}
	return string(d.Etat)
}

func deleteDocument(s documentDeleter, f fileHider, active activeGuard) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		d, err := visibleWhile(r, s, p, active)
		if err != nil {
			return err
		}
		if d.Etat != crm.DocVerifie {
			return crm.Errorf(crm.ECONFLICT, "Seul un document vérifié peut être supprimé.")
		}
		key := files.DocumentKey(p.MIA, d.ID)
		marker, err := f.Hide(r.Context(), key)
		if err != nil {
			return err
		}
		d, err = s.DeleteDocument(r.Context(), p.MIA, d.ID, marker)
		if err != nil {
			// Deleted meanwhile, or a conflict: the file shows again.
			return errors.Join(err, f.Unhide(r.Context(), key, marker))
		}
		writeEntity(w, http.StatusOK, d.Version, d)
		return nil
	}
}

func restoreDocument(s documentDeleter, f fileHider, active activeGuard) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		d, err := visibleWhile(r, s, p, active)
		if err != nil {
			return err
		}
		if d.Etat != crm.DocSupprime {
			return crm.Errorf(crm.ECONFLICT, "Ce document n'est pas supprimé, ou ne peut plus être restauré.")
		}
		marker := d.DeleteMarker
		if d, err = s.RestoreDocument(r.Context(), p.MIA, d.ID); err != nil {
			return err
		}
		if err := f.Unhide(r.Context(), files.DocumentKey(p.MIA, d.ID), marker); err != nil {
			return err
		}
		writeEntity(w, http.StatusOK, d.Version, d)
		return nil
	}
}

// activeGuard runs a route's read of p's data: direct for a MIA, or
// whileActiveFor an apporteur.
type activeGuard func(ctx context.Context, p crm.Principal, read func(context.Context) error) error

// direct runs read as is: a MIA's routes check nothing more.
func direct(ctx context.Context, _ crm.Principal, read func(context.Context) error) error {
	return read(ctx)
}

// whileActiveFor is whileActive for the apporteur routes' document reads.
func whileActiveFor(s activeChecker) activeGuard {
	return func(ctx context.Context, p crm.Principal, read func(context.Context) error) error {
		_, err := whileActive(ctx, s, p, read)
		return err
	}
}

// MIA routes.

// CreateAffaireDocument serves POST /affaires/{affaireId}/documents.
func CreateAffaireDocument(d Deps) (Func, error) {
	return needs(d, createDocument(d.Store, d.Files, affaireOwner, "mia", direct), store, filesBucket)
}

// ListAffaireDocuments serves GET /affaires/{affaireId}/documents.
func ListAffaireDocuments(d Deps) (Func, error) {
	return needs(d, listDocuments(d.Store, affaireOwner, direct), store)
}

// CreateApporteurDocument serves POST /apporteurs/{apporteurId}/documents.
func CreateApporteurDocument(d Deps) (Func, error) {
	return needs(d, createDocument(d.Store, d.Files, apporteurOwner, "mia", direct), store, filesBucket)
}

// ListApporteurDocuments serves GET /apporteurs/{apporteurId}/documents.
func ListApporteurDocuments(d Deps) (Func, error) {
	return needs(d, listDocuments(d.Store, apporteurOwner, direct), store)
}

// DownloadDocument serves GET /documents/{documentId}/telechargement.
func DownloadDocument(d Deps) (Func, error) {
	return needs(d, downloadDocument(d.Store, d.Files, direct), store, filesBucket)
}

// DeleteDocument serves DELETE /documents/{documentId}.
func DeleteDocument(d Deps) (Func, error) {
	return needs(d, deleteDocument(d.Store, d.Files, direct), store, filesBucket)
}

// RestoreDocument serves POST /documents/{documentId}/restauration.
func RestoreDocument(d Deps) (Func, error) {
	return needs(d, restoreDocument(d.Store, d.Files, direct), store, filesBucket)
}

// Apporteur routes: its own documents.

// CreateEspaceDocument serves POST /espace-apporteur/documents.
func CreateEspaceDocument(d Deps) (Func, error) {
	return needs(d, createDocument(d.Store, d.Files, ownOwner, "apporteur", whileActiveFor(d.Store)), store, filesBucket)
}

// ListEspaceDocuments serves GET /espace-apporteur/documents.
func ListEspaceDocuments(d Deps) (Func, error) {
	return needs(d, listDocuments(d.Store, ownOwner, whileActiveFor(d.Store)), store)
}

// DownloadEspaceDocument serves GET /espace-apporteur/documents/{documentId}/telechargement.
func DownloadEspaceDocument(d Deps) (Func, error) {
	return needs(d, downloadDocument(d.Store, d.Files, whileActiveFor(d.Store)), store, filesBucket)
}

// DeleteEspaceDocument serves DELETE /espace-apporteur/documents/{documentId}.
func DeleteEspaceDocument(d Deps) (Func, error) {
	return needs(d, deleteDocument(d.Store, d.Files, whileActiveFor(d.Store)), store, filesBucket)
}

// RestoreEspaceDocument serves POST /espace-apporteur/documents/{documentId}/restauration.
func RestoreEspaceDocument(d Deps) (Func, error) {
	return needs(d, restoreDocument(d.Store, d.Files, whileActiveFor(d.Store)), store, filesBucket)
}

// missingPieces is the 422 of a signature without the DDA pieces.
func missingPieces(missing []crm.DocumentType) error {
	names := make([]string, len(missing))
	for i, t := range missing {
		names[i] = t.Libelle()
	}
	return &crm.Error{Code: crm.EUNPROCESSABLE,
		Message: "Pièces DDA manquantes : " + strings.Join(names, ", ") + ". Déposez-les (vérifiées) avant de passer l'affaire en « signée ».",
		Fields:  []crm.FieldError{{Champ: "statut", Message: "Il manque : " + strings.Join(names, ", ") + "."}}}
}
