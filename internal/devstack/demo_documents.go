package devstack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/pdfdoc"
)

// seedDemoDocuments gives the demo ledger's first affaire its DER and devoir
// de conseil, and the demo apporteur its RC Pro attestation, through the
// path a browser takes: the MIA's POST …/documents, the presigned POST to
// the files bucket, the upload check (verifie). So the Documents cards of
// make dev hold files that download.
func (s *Stack) seedDemoDocuments(ctx context.Context, a crm.Affaire, p crm.ApporteurID, at time.Time) error {
	tok, err := s.Login(ctx, "mia", DemoMIAEmail, DemoMIAPassword)
	if err != nil {
		return fmt.Errorf("demo documents: %w", err)
	}
	docs := []struct {
		path, typ, nom, titre, texte string
	}{
		{"/affaires/" + string(a.ID) + "/documents", string(crm.DocDER), "DER " + a.ClientNom + ".pdf", "Document d'entrée en relation",
			"Cabinet Démo SARL, mandataire d'intermédiaire en assurance immatriculé à l'ORIAS sous le n° 12345678, remis à " + a.ClientNom + "."},
		{"/affaires/" + string(a.ID) + "/documents", string(crm.DocDevoirConseil), "Devoir de conseil " + a.ClientNom + ".pdf", "Devoir de conseil",
			"Besoins exprimés, contrat " + a.ProduitNom + " proposé et raisons de ce conseil, remis à " + a.ClientNom + "."},
		{"/apporteurs/" + string(p) + "/documents", string(crm.DocRCPro), "Attestation RC Pro Hiscox.pdf", "Attestation d'assurance RC Pro",
			"Hiscox atteste que Julie Lefèvre est assurée en responsabilité civile professionnelle d'intermédiaire."},
	}
	for _, d := range docs {
		doc := pdfdoc.New(d.titre, at)
		doc.Title(d.titre)
		doc.Paragraph(d.texte)
		doc.Paragraph("Document de démonstration (make dev).")
		pdf, err := doc.Bytes()
		if err != nil {
			return fmt.Errorf("demo document %s: %w", d.typ, err)
		}
		body, _ := json.Marshal(map[string]any{"nom": d.nom, "type": d.typ, "contentType": "application/pdf", "taille": len(pdf)})
		var up crm.UploadedDocument
		if err := s.demoCall(ctx, tok, d.path, body, &up); err != nil {
			return fmt.Errorf("demo document %s: %w", d.typ, err)
		}
		res, b, err := PostUpload(ctx, up.Upload, "document.pdf", pdf, s.APIURL)
		if err == nil && res.StatusCode/100 != 2 {
			err = fmt.Errorf("upload: %s %s", res.Status, b)
		}
		if err != nil {
			return fmt.Errorf("demo document %s: %w", d.typ, err)
		}
	}
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return s.WaitUploads(c)
}

// demoCall POSTs body to the API as the holder of tok and decodes the 201.
func (s *Stack) demoCall(ctx context.Context, tok, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.APIURL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST %s: %s %s", path, res.Status, b)
	}
	return json.Unmarshal(b, out)
}
