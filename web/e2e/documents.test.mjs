// Browser walk of the documents (issue 13): the MIA uploads a real PDF to an affaire (the DDA
// checklist shows the DER verified), downloads and deletes/restores it, and switches the DDA
// setting; an apporteur uploads its RC Pro from "Mon profil" and sees it verified.
import assert from "node:assert/strict";
import {
  walk, BASE, MIA_EMAIL, MIA_PASSWORD, newPage, screenshot, login, randomMobile, newApporteur, activateApporteur, newContact, newAffaire,
} from "./walk.mjs";

walk("documents", "Documents: affaire and apporteur profil uploads, checklist, delete/undo", documentsWalk);

// The sample PDF of e2e/uploads_test.go.
const PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
);

async function documentsWalk() {
  const run = Date.now().toString(36);
  const mia = await newPage();
  await login(mia, "mia", MIA_EMAIL, MIA_PASSWORD);
  await mia.waitForURL(/\/mia/);

  // Setup: a contact and its affaire.
  const contact = {
    nom: `Doc-${run}`, prenom: "Paul", email: `paul.${run}@exemple.test`, telephone: randomMobile(),
    adresse: "2 rue des Carmes, 31000 Toulouse", remarques: "Dossier emprunteur.",
  };
  await newContact(mia, contact);
  await newAffaire(mia, contact, { prime: "600,00" });

  // 1. The affaire: the checklist says the DER is missing, then verified after the upload.
  const card = mia.locator("section.documents-card");
  await card.getByRole("heading", { name: "Documents" }).waitFor();
  await card.locator('[data-piece="der"]').getByText("manquant").waitFor();
  await card.getByLabel("Type de document").selectOption("der");
  await card.getByLabel(/^Fichier/).setInputFiles({ name: `DER ${run}.pdf`, mimeType: "application/pdf", buffer: PDF });
  await card.getByText(`Fichier choisi : DER ${run}.pdf`).waitFor();
  await screenshot(mia, "affaire-document-choisi");
  await card.getByRole("button", { name: "Déposer le document" }).click();
  const row = card.locator("tr", { hasText: `DER ${run}.pdf` });
  await row.getByText("vérifié", { exact: true }).waitFor({ timeout: 30000 });
  await card.locator('[data-piece="der"]').getByText("présent et vérifié").waitFor();
  await row.getByText(`${PDF.length} o`).waitFor();
  await screenshot(mia, "affaire-documents");

  // Download: the signed URL answers the file as an attachment.
  const dl = mia.waitForEvent("download");
  await row.getByRole("button", { name: `Télécharger DER ${run}.pdf` }).click();
  const file = await dl;
  assert.match(file.suggestedFilename(), /\.pdf$/);

  // Delete, then undo.
  await row.getByRole("button", { name: `Supprimer DER ${run}.pdf` }).click();
  await row.getByRole("button", { name: `Annuler la suppression de DER ${run}.pdf` }).waitFor();
  await row.getByText(/supprimé/).waitFor();
  await screenshot(mia, "affaire-document-supprime");
  await row.getByRole("button", { name: `Annuler la suppression de DER ${run}.pdf` }).click();
  await row.getByText("vérifié", { exact: true }).waitFor();

  // 2. The DDA setting, switched on then off again (other walks sign affaires).
  await mia.goto(`${BASE}/mia/parametres`);
  const dda = mia.getByLabel("Exiger le DER, le recueil des besoins et le devoir de conseil avant « signée »");
  // A controlled checkbox: it turns once the PATCH answers.
  await dda.click();
  await mia.getByText("Paramètres enregistrés.").waitFor();
  await mia.reload();
  assert.equal(await dda.isChecked(), true);
  await screenshot(mia, "parametres-dda");
  await dda.click();
  await mia.getByText("Paramètres enregistrés.").waitFor();
  assert.equal(await dda.isChecked(), false);

  // 3. An apporteur, invited and activated, uploads its RC Pro from its profil.
  const password = `Apporteur-${run}-7Q`;
  const since = Math.floor(Date.now() / 1000) - 5;
  const apporteur = {
    nom: `Doc-${run}`, prenom: "Anne", email: `doc.${run}@exemple.test`, telephone: randomMobile(),
    localisation: "Toulouse (31)", remarques: "Courtière en crédit.",
  };
  await newApporteur(mia, apporteur);
  const apporteurURL = mia.url();
  const app = await activateApporteur(apporteur.email, password, since);
  await app.goto(`${BASE}/espace/profil`);
  const mine = app.locator("section.documents-card");
  await mine.getByRole("heading", { name: "Mes documents" }).waitFor();
  await mine.getByLabel("Type de document").selectOption("rc_pro");
  await mine.getByLabel(/^Fichier/).setInputFiles({ name: `RC Pro ${run}.pdf`, mimeType: "application/pdf", buffer: PDF });
  await mine.getByRole("button", { name: "Déposer le document" }).click();
  await mine.locator("tr", { hasText: `RC Pro ${run}.pdf` }).getByText("vérifié", { exact: true }).waitFor({ timeout: 30000 });
  await screenshot(app, "profil-documents");

  // The MIA sees it on the apporteur's page.
  await mia.goto(apporteurURL);
  await mia.locator("section.documents-card tr", { hasText: `RC Pro ${run}.pdf` }).getByText("vérifié", { exact: true }).waitFor({ timeout: 30000 });
  await screenshot(mia, "apporteur-documents");
}
