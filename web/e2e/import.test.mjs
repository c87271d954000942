// Browser walk of the CSV import (issue 15): the MIA uploads a small CSV of contacts in
// Windows-1252, checks the guessed mapping on the preview and edits one column, lets the
// duplicates be updated, follows the progress bar to the end, opens the report, then undoes
// the import. The import worker is a schedule: the walk fires it as EventBridge would.
import assert from "node:assert/strict";
import { walk, BASE, MIA_EMAIL, MIA_PASSWORD, newPage, screenshot, login, randomMobile } from "./walk.mjs";

walk("import", "CSV import: upload, mapping, progress bar, report, undo", importWalk);

/** Runs the import worker once (the local gateway's on-demand schedule). */
async function fireWorker() {
  const res = await fetch(`${BASE}/_local/schedules/run-imports`, { method: "POST" });
  assert.equal(res.status, 200, `run-imports: ${res.status} ${await res.text()}`);
}

/** Latin-1 text as Windows-1252 bytes (what Excel for Windows saves). */
function cp1252(s) {
  return Buffer.from([...s].map((c) => c.charCodeAt(0)));
}

async function importWalk() {
  const run = Date.now().toString(36);
  const csv =
    "Nom;Prénom;Tél;E-mail;Ville\r\n" +
    `Lefèvre-${run};Élodie;${randomMobile()};elodie.${run}@exemple.test;Orléans\r\n` +
    `Bérard-${run};François;${randomMobile()};francois.${run}@exemple.test;Besançon\r\n` +
    `;Sans nom;${randomMobile()};sans.${run}@exemple.test;Nîmes\r\n`;

  const mia = await newPage();
  await login(mia, "mia", MIA_EMAIL, MIA_PASSWORD);
  await mia.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Imports" }).click();
  await mia.getByRole("heading", { name: "Imports", exact: true }).waitFor();
  await screenshot(mia, "imports");

  await mia.getByLabel("Que contient le fichier ?").selectOption("contacts");
  await mia.getByLabel("Fichier CSV (20 Mo au plus)").setInputFiles({ name: `contacts-${run}.csv`, mimeType: "text/csv", buffer: cp1252(csv) });
  await mia.getByRole("button", { name: "Envoyer le fichier" }).click();
  await mia.getByRole("heading", { name: "Correspondance des colonnes" }).waitFor({ timeout: 30000 });
  await mia.getByText("encodage Windows-1252 (Excel)").waitFor();
  await mia.getByRole("cell", { name: "Élodie" }).waitFor();
  // "Tél" is guessed as the fixed line; these are mobiles: the MIA changes the mapping by hand.
  assert.equal(await mia.getByLabel("Champ de la colonne Tél").inputValue(), "telephone");
  assert.equal(await mia.getByLabel("Champ de la colonne E-mail").inputValue(), "email");
  await mia.getByLabel("Champ de la colonne Tél").selectOption("mobile");
  await mia.getByLabel(/Mettre à jour les doublons/).check();
  await screenshot(mia, "correspondance");
  await mia.getByRole("button", { name: "Lancer l'import" }).click();

  await mia.locator("progress#import-progress").waitFor();
  await screenshot(mia, "import-en-cours");
  await fireWorker();
  await mia.getByText("Statut : Terminé").waitFor({ timeout: 30000 });
  assert.equal(await mia.locator("progress#import-progress").getAttribute("value"), "3");
  await mia.getByText("Créés : 2").waitFor();
  await mia.getByText("Rejetés : 1").waitFor();
  await mia.getByRole("button", { name: "Voir le rapport" }).click();
  const report = mia.getByRole("table", { name: "Rapport de l'import" });
  await report.waitFor();
  await report.getByRole("cell", { name: `Élodie Lefèvre-${run}` }).waitFor();
  await report.getByRole("cell", { name: "rejeté" }).waitFor();
  await screenshot(mia, "rapport");

  // The contacts are in the base, accents intact.
  await mia.goto(`${BASE}/mia/contacts?q=${encodeURIComponent(`berard-${run}`)}`);
  await mia.getByRole("link", { name: new RegExp(`Bérard-${run}`) }).waitFor();

  // Undo: what the import created is gone.
  await mia.goBack();
  await mia.getByRole("button", { name: /Annuler l'import/ }).click();
  await fireWorker();
  await mia.getByText("Statut : Annulé").waitFor({ timeout: 30000 });
  await screenshot(mia, "annule");
}
