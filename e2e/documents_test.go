package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/files"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// declare asks route (POST …/documents) for a presigned upload.
func declare(t *testing.T, path, tok, typ, nom, contentType string, size int) crm.UploadedDocument {
	t.Helper()
	r := call(t, "POST", path, tok, map[string]any{"nom": nom, "type": typ, "contentType": contentType, "taille": size})
	wantStatus(t, r, 201)
	var out crm.UploadedDocument
	r.JSON(t, &out)
	if out.Document.Etat != crm.DocEnAttente || out.Upload.URL == "" {
		t.Fatalf("declared: %s", r.Body)
	}
	return out
}

// uploadDocument declares a PDF, posts it as the browser does and waits
// for its check; it returns the document as listed after.
func uploadDocument(t *testing.T, method, path, tok, typ, nom string, data []byte) crm.Document {
	t.Helper()
	up := declare(t, path, tok, typ, nom, "application/pdf", len(data))
	if st, body := postForm(t, up.Upload, data); st != http.StatusNoContent {
		t.Fatalf("upload: %d %s", st, body)
	}
	waitUploads(t)
	return listed(t, path, tok, up.Document.ID)
}

// listed is document id as the list of path shows it.
func listed(t *testing.T, path, tok string, id crm.DocumentID) crm.Document {
	t.Helper()
	r := call(t, "GET", path, tok, nil)
	wantStatus(t, r, 200)
	var page crm.Page[crm.Document]
	r.JSON(t, &page)
	for _, d := range page.Items {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("document %s not in GET %s: %s", id, path, r.Body)
	return crm.Document{}
}

// fetch GETs a presigned URL.
func fetch(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func TestDocuments(t *testing.T) {
	a := newTenant(t, false)
	b := newTenant(t, false)
	app, tokApp := newActiveApporteur(t, a.token, "docs")
	_, tokApp2 := newActiveApporteur(t, a.token, "docs2")
	c := createContact(t, a.token, map[string]any{"nom": "Client", "email": uniqEmail("docs-client"), "apporteurId": app.ID})
	r := call(t, "POST", "/affaires", a.token, map[string]any{"clientId": c.ID, "produitId": "auto", "primeAnnuelleCentimes": 100000})
	wantStatus(t, r, 201)
	var af struct{ ID string }
	r.JSON(t, &af)
	affDocs := "/affaires/" + af.ID + "/documents"

	der := uploadDocument(t, "POST", affDocs, a.token, "der", "DER signé.pdf", samplePDF)
	t.Run("a PDF is verified, with its size and hash", func(t *testing.T) {
		if der.Etat != crm.DocVerifie || der.Taille != int64(len(samplePDF)) || len(der.SHA256) != 64 || der.DeposePar != "mia" {
			t.Fatalf("document %+v, want verifie with its size and hash", der)
		}
	})

	t.Run("download: a short-lived link, as an attachment, bound to its object", func(t *testing.T) {
		r := call(t, "GET", "/documents/"+string(der.ID)+"/telechargement", a.token, nil)
		wantStatus(t, r, 200)
		var dl crm.Download
		r.JSON(t, &dl)
		if until := time.Until(dl.ExpiresAt); until <= 0 || until > 5*time.Minute {
			t.Errorf("expires in %v, want within minutes", until)
		}
		res, body := fetch(t, dl.URL)
		if res.StatusCode != 200 || !bytes.Equal(body, samplePDF) {
			t.Fatalf("GET the link: %d, %d bytes", res.StatusCode, len(body))
		}
		if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "DER") {
			t.Errorf("Content-Disposition %q, want an attachment named after the document", cd)
		}
		u, _ := url.Parse(dl.URL)
		other := *u
		other.Path = strings.Replace(u.Path, string(der.ID), "01ARZ3NDEKTSV4RRFFQ69G5FAV", 1)
		if res, _ := fetch(t, other.String()); res.StatusCode != 403 {
			t.Errorf("the link's signature on another key: %d, want 403", res.StatusCode)
		}
	})

	t.Run("an expired link is refused", func(t *testing.T) {
		// Signed by the SDK's own signer, valid but minutes ago.
		key := files.DocumentKey(a.id, der.ID)
		req, _ := http.NewRequest("GET", stack.S3URL+"/"+stack.Bucket+"/"+key+"?X-Amz-Expires=60", nil)
		signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"},
			req, "UNSIGNED-PAYLOAD", "s3", "eu-west-3", time.Now().Add(-5*time.Minute), func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
		if err != nil {
			t.Fatal(err)
		}
		res, body := fetch(t, signed)
		if res.StatusCode != 403 || !strings.Contains(string(body), "expired") {
			t.Errorf("expired link: %d %s, want 403 Request has expired", res.StatusCode, body)
		}
	})

	t.Run("HTML renamed .pdf is refused, with why", func(t *testing.T) {
		html := []byte("<!DOCTYPE html><html><head><title>x</title></head><body>pas un PDF</body></html>")
		d := uploadDocument(t, "POST", affDocs, a.token, "autre", "facture.pdf", html)
		if d.Etat != crm.DocRefuse || d.Motif != "refuse: type réel text/html" {
			t.Fatalf("document %+v, want refuse: type réel text/html", d)
		}
		r := call(t, "GET", "/documents/"+string(d.ID)+"/telechargement", a.token, nil)
		wantStatus(t, r, 409)
		if _, err := stack.Services.Files.Open(context.Background(), files.DocumentKey(a.id, d.ID), ""); err == nil {
			t.Error("the refused file is in the bucket")
		}
	})

	t.Run("an 11 MB file is refused by the policy", func(t *testing.T) {
		up := declare(t, affDocs, a.token, "autre", "gros.pdf", "application/pdf", 10<<20)
		st, body := postForm(t, up.Upload, append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 11<<20)...))
		if st != 400 || !strings.Contains(body, "EntityTooLarge") {
			t.Errorf("POST: %d %s, want 400 EntityTooLarge", st, body)
		}
		waitUploads(t)
		if d := listed(t, affDocs, a.token, up.Document.ID); d.Etat != crm.DocEnAttente {
			t.Errorf("état %s, want en_attente (nothing arrived)", d.Etat)
		}
		r := call(t, "POST", affDocs, a.token, map[string]any{"nom": "gros.pdf", "type": "autre", "contentType": "application/pdf", "taille": 11 << 20})
		wantStatus(t, r, 400)
	})

	t.Run("a redelivered S3 event changes nothing", func(t *testing.T) {
		before := snapshot(t, a.id)
		stack.Gateway.ObjectCreated(stack.Bucket, events.S3EventRecord{EventName: "ObjectCreated:Post", EventSource: "aws:s3",
			S3: events.S3Entity{Bucket: events.S3Bucket{Name: stack.Bucket},
				Object: events.S3Object{Key: files.IncomingKey(files.Document, string(a.id), string(der.ID)), Size: int64(len(samplePDF))}}})
		waitUploads(t)
		if after := snapshot(t, a.id); after != before {
			t.Error("the table changed after a redelivered event")
		}
		if f := stack.ObjectFailures(); len(f) > 0 {
			t.Errorf("S3 events given up: %+v", f)
		}
	})

	rcpro := uploadDocument(t, "POST", "/espace-apporteur/documents", tokApp, "rc_pro", "RC Pro 2026.pdf", samplePDF)
	t.Run("who sees what", func(t *testing.T) {
		if rcpro.Etat != crm.DocVerifie || rcpro.ApporteurID != crm.ApporteurID(app.ID) || rcpro.DeposePar != "apporteur" {
			t.Fatalf("the apporteur's RC Pro: %+v", rcpro)
		}
		// The MIA sees it on the apporteur's page.
		listed(t, "/apporteurs/"+app.ID+"/documents", a.token, rcpro.ID)
		cases := []struct {
			name, method, path, tok string
			want                    int
		}{
			{"the MIA downloads the apporteur's", "GET", "/documents/" + string(rcpro.ID) + "/telechargement", a.token, 200},
			{"the apporteur downloads its own", "GET", "/espace-apporteur/documents/" + string(rcpro.ID) + "/telechargement", tokApp, 200},
			{"another MIA, the affaire's", "GET", "/documents/" + string(der.ID) + "/telechargement", b.token, 404},
			{"another MIA, the apporteur's", "GET", "/documents/" + string(rcpro.ID) + "/telechargement", b.token, 404},
			{"another MIA deletes", "DELETE", "/documents/" + string(der.ID), b.token, 404},
			{"another MIA lists the affaire's", "GET", affDocs, b.token, 404},
			{"another MIA uploads to the affaire", "POST", affDocs, b.token, 404},
			{"the apporteur, an affaire's DDA piece", "GET", "/espace-apporteur/documents/" + string(der.ID) + "/telechargement", tokApp, 404},
			{"the apporteur deletes an affaire's", "DELETE", "/espace-apporteur/documents/" + string(der.ID), tokApp, 404},
			{"another apporteur, the RC Pro", "GET", "/espace-apporteur/documents/" + string(rcpro.ID) + "/telechargement", tokApp2, 404},
			{"another apporteur deletes it", "DELETE", "/espace-apporteur/documents/" + string(rcpro.ID), tokApp2, 404},
		}
		for _, c := range cases {
			var body any
			if c.method == "POST" {
				body = map[string]any{"nom": "x.pdf", "type": "der", "contentType": "application/pdf", "taille": 10}
			}
			if r := call(t, c.method, c.path, c.tok, body); r.Status != c.want {
				t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.want)
			}
		}
		r := call(t, "GET", "/espace-apporteur/documents", tokApp2, nil)
		wantStatus(t, r, 200)
		if strings.Contains(string(r.Body), string(rcpro.ID)) {
			t.Error("another apporteur lists the RC Pro")
		}
		r = call(t, "POST", "/espace-apporteur/documents", tokApp, map[string]any{"nom": "der.pdf", "type": "der", "contentType": "application/pdf", "taille": 10})
		wantStatus(t, r, 400) // an apporteur has no DDA pieces
	})

	t.Run("delete, then undo", func(t *testing.T) {
		r := call(t, "DELETE", "/espace-apporteur/documents/"+string(rcpro.ID), tokApp, nil)
		wantStatus(t, r, 200)
		var d crm.Document
		r.JSON(t, &d)
		if d.Etat != crm.DocSupprime || d.RestaurableJusquau == nil || time.Until(*d.RestaurableJusquau) < 29*24*time.Hour {
			t.Fatalf("deleted: %+v, want supprime, restorable 30 days", d)
		}
		wantStatus(t, call(t, "GET", "/documents/"+string(rcpro.ID)+"/telechargement", a.token, nil), 409)
		if _, err := stack.Services.Files.Open(context.Background(), files.DocumentKey(a.id, rcpro.ID), ""); err == nil {
			t.Error("the deleted file is still current in the bucket")
		}
		r = call(t, "POST", "/documents/"+string(rcpro.ID)+"/restauration", a.token, nil)
		wantStatus(t, r, 200)
		d = crm.Document{}
		r.JSON(t, &d)
		if d.Etat != crm.DocVerifie || d.SupprimeLe != nil {
			t.Fatalf("restored: %+v", d)
		}
		r = call(t, "GET", "/documents/"+string(rcpro.ID)+"/telechargement", a.token, nil)
		wantStatus(t, r, 200)
		var dl crm.Download
		r.JSON(t, &dl)
		if res, body := fetch(t, dl.URL); res.StatusCode != 200 || !bytes.Equal(body, samplePDF) {
			t.Errorf("after the undo: %d, %d bytes", res.StatusCode, len(body))
		}
		wantStatus(t, call(t, "POST", "/documents/"+string(rcpro.ID)+"/restauration", a.token, nil), 409)
	})

	t.Run("DDA pieces before « signée »", func(t *testing.T) {
		sign := func() response {
			return call(t, "PATCH", "/affaires/"+af.ID, a.token, map[string]any{"statut": "signee"})
		}
		r := call(t, "PATCH", "/parametres", a.token, map[string]any{"piecesDDAObligatoires": true})
		wantStatus(t, r, 200)
		r = sign()
		wantStatus(t, r, 422)
		for _, want := range []string{"recueil des besoins", "devoir de conseil"} {
			if !strings.Contains(string(r.Body), want) {
				t.Errorf("422 %s: does not name %q", r.Body, want)
			}
		}
		if strings.Contains(string(r.Body), "entrée en relation") {
			t.Errorf("422 %s names the DER, which is there", r.Body)
		}
		uploadDocument(t, "POST", affDocs, a.token, "recueil_besoins", "recueil.pdf", samplePDF)
		uploadDocument(t, "POST", affDocs, a.token, "devoir_conseil", "conseil.pdf", samplePDF)
		wantStatus(t, sign(), 200)
		r = call(t, "GET", "/parametres", a.token, nil)
		wantStatus(t, r, 200)
		var p crm.Parametres
		r.JSON(t, &p)
		if !p.PiecesDDAObligatoires {
			t.Error("the setting did not stay on")
		}
	})

	t.Run("the setting off, an affaire signs without its pieces", func(t *testing.T) {
		r := call(t, "POST", "/affaires", b.token, map[string]any{"clientId": createContact(t, b.token, map[string]any{"nom": "B", "email": uniqEmail("docs-b")}).ID,
			"produitId": "auto", "primeAnnuelleCentimes": 1000})
		wantStatus(t, r, 201)
		var other struct{ ID string }
		r.JSON(t, &other)
		wantStatus(t, call(t, "PATCH", "/affaires/"+other.ID, b.token, map[string]any{"statut": "signee"}), 200)
	})
}

// TestDocumentIdempotentRetry: each create-document route honours
// Idempotency-Key as the other creates do. A retry gets the first document
// (no second pending one) with an upload that still works; the same key
// with another body is refused.
func TestDocumentIdempotentRetry(t *testing.T) {
	a := newTenant(t, false)
	app, tokApp := newActiveApporteur(t, a.token, "docs-rejeu")
	c := createContact(t, a.token, map[string]any{"nom": "Rejeu", "email": uniqEmail("docs-rejeu-client")})
	r := call(t, "POST", "/affaires", a.token, map[string]any{"clientId": c.ID, "produitId": "auto", "primeAnnuelleCentimes": 100000})
	wantStatus(t, r, 201)
	var af struct{ ID string }
	r.JSON(t, &af)
	for i, tc := range []struct{ path, tok, typ string }{
		{"/affaires/" + af.ID + "/documents", a.token, "der"},
		{"/apporteurs/" + app.ID + "/documents", a.token, "rc_pro"},
		{"/espace-apporteur/documents", tokApp, "rc_pro"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			nom := fmt.Sprintf("Rejeu %d.pdf", i) // the last two are the same apporteur's
			body := map[string]any{"nom": nom, "type": tc.typ, "contentType": "application/pdf", "taille": len(samplePDF)}
			key := "doc-rejeu-" + tc.typ + "-" + uniqEmail("k")
			first := call(t, "POST", tc.path, tc.tok, body, "Idempotency-Key", key)
			wantStatus(t, first, 201)
			again := call(t, "POST", tc.path, tc.tok, body, "Idempotency-Key", key)
			wantStatus(t, again, 201)
			var d1, d2 crm.UploadedDocument
			first.JSON(t, &d1)
			again.JSON(t, &d2)
			if d2.Document.ID != d1.Document.ID || again.Header.Get("Idempotent-Replayed") != "true" || first.Header.Get("Idempotent-Replayed") != "" {
				t.Fatalf("retry gave document %s (replayed %q), want %s replayed", d2.Document.ID, again.Header.Get("Idempotent-Replayed"), d1.Document.ID)
			}
			// The retry's upload is the document's: posted, the document is verified.
			if st, b := postForm(t, d2.Upload, samplePDF); st != http.StatusNoContent {
				t.Fatalf("upload from the retry: %d %s", st, b)
			}
			waitUploads(t)
			if got := listed(t, tc.path, tc.tok, d1.Document.ID); got.Etat != crm.DocVerifie {
				t.Errorf("document after the retry's upload: %s, want verifie", got.Etat)
			}
			r := call(t, "GET", tc.path, tc.tok, nil)
			var page crm.Page[crm.Document]
			r.JSON(t, &page)
			n := 0
			for _, d := range page.Items {
				if d.Nom == nom {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d documents « %s », want 1", n, nom)
			}
			body["nom"] = "Autre.pdf"
			wantStatus(t, call(t, "POST", tc.path, tc.tok, body, "Idempotency-Key", key), http.StatusUnprocessableEntity)
		})
	}
}
