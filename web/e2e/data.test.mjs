// Browser walk of issue 15 (data in and out), through the UI:
//   article 14 switched on → an apporteur (invited, activated) enters a contact, who gets the
//   information email → CSV import in Windows-1252 (mapping edited, duplicates updated, a
//   formula cell rejected) → progress bar → report → header search "elo" finds Élodie (opened
//   by keyboard and by mouse) → exports of contacts (filtered), entreprises, affaires and
//   commissions, their bytes read → undo of the import → RGPD: JSON and PDF export of a
//   contact, its erasure, its name gone from every screen and export while the affaire's
//   amounts stay → retention: two prospects entered three years ago are proposed, one kept
//   with a reason, the other purged; the RGPD journal holds both without personal data.
// The import worker and the retention run are schedules: the walk fires them as EventBridge
// would; the clock moves back by the local gateway's POST /_local/clock (dev tooling only).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  walk, BASE, MIA_EMAIL, MIA_PASSWORD, newPage, screenshot, login, emailTo, expectFact, eventually, randomMobile, squash, digits,
  newApporteur, activateApporteur, newContact, newAffaire,
} from "./walk.mjs";

walk("data", "data in and out: import, search, exports, RGPD export and erasure, retention, article 14", async () => {
  try {
    await dataWalk();
  } finally {
    await clock("DELETE"); // always back to the machine's clock, also on failure
    await setArticle14(false).catch(() => {});
  }
});

const BOM = "\ufeff";

/** Moves (POST, RFC 3339 time) or resets (DELETE) the local stack's clock. */
async function clock(method, at) {
  const r = await fetch(`${BASE}/_local/clock${at ? `?now=${encodeURIComponent(at)}` : ""}`, { method });
  assert.equal(r.status, 200, `${method} /_local/clock: ${await r.text()}`);
}

/** Runs a scheduled function once, as EventBridge would (at: RFC 3339, default now). */
async function fire(folder, at) {
  const r = await fetch(`${BASE}/_local/schedules/${folder}${at ? `?at=${encodeURIComponent(at)}` : ""}`, { method: "POST" });
  assert.equal(r.status, 200, `${folder}: ${r.status} ${await r.text()}`);
}

/** Latin-1 text as Windows-1252 bytes (what Excel for Windows saves). */
function cp1252(s) {
  return Buffer.from([...s].map((c) => c.charCodeAt(0)));
}

let miaPage;
/** The article-14 checkbox of Paramètres set to `on` (what a MIA clicks). */
async function setArticle14(on) {
  if (!miaPage) return;
  await miaPage.goto(`${BASE}/mia/parametres`);
  const box = miaPage.getByLabel("Envoyer l'information aux contacts saisis par un apporteur");
  await box.waitFor();
  if ((await box.isChecked()) === on) return;
  // A controlled checkbox: it turns once the PATCH answers.
  await box.click();
  await miaPage.getByText("Paramètres enregistrés.").waitFor();
  await miaPage.reload();
  assert.equal(await box.isChecked(), on);
}

/** Clicks `button` and returns the downloaded file's bytes and name. */
async function download(page, button) {
  const [dl] = await Promise.all([page.waitForEvent("download"), button.click()]);
  const file = join(mkdtempSync(join(tmpdir(), "export-")), dl.suggestedFilename());
  await dl.saveAs(file);
  return { name: dl.suggestedFilename(), file, bytes: readFileSync(file) };
}

/** The rows of a CSV text (RFC 4180 quoting, `sep` between cells, CRLF between rows). */
function parseCSV(text, sep) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) row.push(cell), (cell = "");
    else if (c === "\r" && text[i + 1] === "\n") row.push(cell), rows.push(row), (row = []), (cell = ""), i++;
    else cell += c;
  }
  if (cell !== "" || row.length) row.push(cell), rows.push(row);
  return rows;
}

/** An export as a French Excel opens it: UTF-8 with BOM, `;`, CRLF; returns its rows of cells. */
function frenchCSV(bytes, header) {
  const text = bytes.toString("utf8");
  assert.ok(text.startsWith(BOM), "the export starts with the UTF-8 BOM");
  assert.ok(text.endsWith("\r\n"), "CRLF line ends");
  const rows = parseCSV(text.slice(1), ";");
  assert.ok(rows[0].length > 1, `header ${rows[0]} is separated by ;`);
  if (header) assert.equal(rows[0][0], header, `first header cell of ${rows[0]}`);
  return rows;
}

/** Types `text` in the header search and waits for its results. */
async function search(page, text) {
  const box = page.getByRole("combobox", { name: "Rechercher un contact, une entreprise, une affaire" });
  await box.fill("");
  await box.pressSequentially(text, { delay: 40 });
  await page.getByRole("status").filter({ hasText: /résultat/ }).waitFor();
  return box;
}

async function dataWalk() {
  const run = Date.now().toString(36);
  const since = Math.floor(Date.now() / 1000) - 5;
  const apporteur = {
    nom: `Chevalier-${run}`, prenom: "Inès", email: `ines.${run}@exemple.test`, telephone: randomMobile(),
    localisation: "Tours (37)", remarques: "Notaire, envoie des successions.",
  };
  const nomApporteur = `${apporteur.prenom} ${apporteur.nom}`;
  // The person who will ask for her data, then for its erasure: entered by the apporteur.
  const personne = {
    nom: `Rousseau-${run}`, prenom: "Margaux", email: `margaux.${run}@exemple.test`, telephone: randomMobile(),
    adresse: "4 rue Colbert, 37000 Tours", profession: "Architecte", note: "Souhaite une prévoyance.",
  };
  const nomPersonne = `${personne.prenom} ${personne.nom}`;

  // 1. Paramètres: the article-14 information on.
  const mia = await newPage();
  miaPage = mia;
  await login(mia, "mia", MIA_EMAIL, MIA_PASSWORD);
  await mia.waitForURL(/\/mia/);
  await mia.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Paramètres" }).click();
  await mia.getByRole("heading", { name: "Paramètres" }).waitFor();
  await setArticle14(true);
  await screenshot(mia, "parametres-article-14");

  // 2. An apporteur, invited and activated, enters a contact: she is told who holds her data.
  await newApporteur(mia, apporteur);
  const app = await activateApporteur(apporteur.email, `Apporteur-${run}-5R`, since);
  await app.getByRole("link", { name: "Nouveau contact" }).first().click();
  await app.getByLabel("Nom", { exact: true }).fill(personne.nom);
  await app.getByLabel("Prénom").fill(personne.prenom);
  await app.getByLabel("Email").fill(personne.email);
  await app.getByLabel("Téléphone").fill(personne.telephone);
  await app.getByLabel("Adresse").fill(personne.adresse);
  await app.getByLabel("Profession").fill(personne.profession);
  await app.getByLabel("Note pour votre MIA").fill(personne.note);
  await app.getByRole("button", { name: "Ajouter" }).click();
  await app.getByText("Contact ajouté").waitFor();
  await app.locator("tr", { hasText: nomPersonne }).waitFor();
  const info = await emailTo(personne.email, since, /information sur vos données personnelles/);
  const infoText = squash(info.text);
  for (const want of [`Bonjour ${personne.prenom}`, nomApporteur, "responsable de leur traitement", "3 ans", "CNIL"]) {
    assert.ok(infoText.includes(want), `article-14 email lacks "${want}": ${infoText}`);
  }
  await setArticle14(false);

  // The MIA signs an affaire with her: 2 400,00 €, 25 % for the apporteur.
  await mia.goto(`${BASE}/mia/contacts?q=${encodeURIComponent(personne.nom)}`);
  await eventually(mia, mia.getByRole("link", { name: nomPersonne }), "the apporteur's contact in the MIA's list");
  const affaire = await newAffaire(mia, personne, { prime: "2 400,00", taux: "25" });
  await expectFact(mia, "Prime annuelle", "2 400,00 €");
  const commissionMIA = squash(await mia.locator("dt", { hasText: /^Commission MIA$/ }).locator("xpath=following-sibling::dd[1]").textContent());
  const commissionApporteur = squash(await mia.locator("dt", { hasText: /^Commission apporteur$/ }).locator("xpath=following-sibling::dd[1]").textContent());
  assert.notEqual(commissionApporteur, "0,00 €");

  // 3. CSV import: Windows-1252, a duplicate of nobody, a row without a name, a formula cell.
  const csv =
    "Nom;Prénom;Tél;E-mail;Ville\r\n" +
    `Lefèvre-${run};Élodie;${randomMobile()};elodie.${run}@exemple.test;Orléans\r\n` +
    `Bérard-${run};François;${randomMobile()};francois.${run}@exemple.test;Besançon\r\n` +
    `;Sans nom;${randomMobile()};sans.${run}@exemple.test;Nîmes\r\n` +
    `=1+2;Formule;${randomMobile()};formule.${run}@exemple.test;Paris\r\n`;
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
  await fire("run-imports");
  await mia.getByText("Statut : Terminé").waitFor({ timeout: 30000 });
  assert.equal(await mia.locator("progress#import-progress").getAttribute("value"), "4");
  await mia.getByText("Créés : 2").waitFor();
  await mia.getByText("Rejetés : 2").waitFor();
  const importURL = mia.url();
  await mia.getByRole("button", { name: "Voir le rapport" }).click();
  const report = mia.getByRole("table", { name: "Rapport de l'import" });
  await report.waitFor();
  await report.getByRole("cell", { name: `Élodie Lefèvre-${run}` }).waitFor();
  await report.locator("tr", { hasText: "formule de tableur" }).getByRole("cell", { name: "rejeté" }).waitFor();
  await screenshot(mia, "rapport");
  const rapport = await download(mia, mia.getByRole("link", { name: "Télécharger le rapport (CSV)" }));
  assert.ok(rapport.bytes.toString("utf8").includes(`Lefèvre-${run}`), `report CSV: ${rapport.bytes}`);

  // 4. Search across everything, from the header, as you type: "elo" finds Élodie.
  let box = await search(mia, "elo");
  const results = mia.locator("#recherche-resultats");
  await results.getByRole("region", { name: "Contacts" }).waitFor();
  const elodie = results.getByRole("link", { name: new RegExp(`Élodie Lefèvre-${run}`) });
  await elodie.waitFor();
  await screenshot(mia, "recherche-elo");
  // The mouse…
  await elodie.click();
  await mia.getByRole("heading", { name: `Élodie Lefèvre-${run}` }).waitFor();
  await mia.waitForURL(/\/mia\/contacts\//);
  const elodieURL = mia.url();
  // … and the keyboard: arrow keys move through the results, Enter opens one.
  await mia.goto(`${BASE}/mia/entreprises`);
  box = await search(mia, "elo");
  await results.getByRole("link", { name: new RegExp(`Élodie Lefèvre-${run}`) }).waitFor();
  await box.press("ArrowDown");
  for (let i = 0; i < 50; i++) {
    const focused = await mia.evaluate(() => document.activeElement?.textContent ?? "");
    if (focused.includes(`Lefèvre-${run}`)) break;
    await mia.keyboard.press("ArrowDown");
  }
  assert.match(await mia.evaluate(() => document.activeElement?.textContent ?? ""), new RegExp(`Lefèvre-${run}`));
  await screenshot(mia, "recherche-clavier");
  await mia.keyboard.press("Enter");
  await mia.getByRole("heading", { name: `Élodie Lefèvre-${run}` }).waitFor();
  assert.equal(mia.url(), elodieURL);
  // Escape closes the results and gives the focus back to the box.
  box = await search(mia, "elo");
  await box.press("ArrowDown");
  await mia.keyboard.press("Escape");
  await results.waitFor({ state: "detached" });
  assert.equal(await box.evaluate((el) => el === document.activeElement), true, "Escape gives the focus back to the search box");

  // Élodie, edited, every field: her remarques start like a formula.
  const elodieModifiee = {
    nom: `Lefèvre-${run}`, prenom: "Élodie", telephone: randomMobile(), email: `elodie.l.${run}@exemple.test`,
    adresse: "3 place du Martroi, 45000 Orléans", remarques: `=HYPERLINK("http://exemple.test";"clic") rappeler`,
  };
  await mia.getByRole("button", { name: "Modifier" }).first().click();
  const edit = mia.getByRole("form", { name: "Modifier le contact" });
  await edit.getByLabel("Nom", { exact: true }).fill(elodieModifiee.nom);
  await edit.getByLabel("Prénom").fill(elodieModifiee.prenom);
  await edit.getByLabel("Téléphone").fill(elodieModifiee.telephone);
  await edit.getByLabel("Email").fill(elodieModifiee.email);
  await edit.getByLabel("Adresse").fill(elodieModifiee.adresse);
  await edit.getByLabel("Apporteur d'affaires").selectOption({ label: nomApporteur });
  await edit.getByLabel("Remarques").fill(elodieModifiee.remarques);
  await edit.getByRole("button", { name: "Mettre à jour" }).click();
  await mia.getByText("Contact mis à jour.").waitFor();
  await expectFact(mia, "Email", elodieModifiee.email);
  await expectFact(mia, "Téléphone", elodieModifiee.telephone, digits);
  await expectFact(mia, "Adresse", elodieModifiee.adresse);
  await expectFact(mia, "Apporteur", nomApporteur);
  await expectFact(mia, "Remarques", elodieModifiee.remarques);
  await screenshot(mia, "contact-importe-modifie");

  // 5. Exports. Contacts, with the list's filters (this run's prospects).
  await mia.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Contacts", exact: true }).click();
  await mia.getByLabel("Rechercher un contact", { exact: true }).fill(run);
  await mia.getByRole("button", { name: "Rechercher" }).click();
  await mia.getByLabel("Statut").selectOption("prospect");
  await mia.waitForURL(/statut=prospect/);
  await mia.getByRole("link", { name: `Élodie Lefèvre-${run}` }).waitFor();
  await screenshot(mia, "contacts-filtres");
  const contactsCSV = await download(mia, mia.getByRole("button", { name: "Exporter (CSV)" }));
  assert.equal(contactsCSV.name, "contacts.csv");
  await mia.getByRole("status").filter({ hasText: "Export prêt : contacts.csv" }).waitFor();
  const rows = frenchCSV(contactsCSV.bytes, "Nom");
  const header = rows[0];
  const col = (name) => header.indexOf(name);
  const body = rows.slice(1);
  assert.deepEqual(body.map((r) => r[col("Nom")]).sort(), [`Bérard-${run}`, `Lefèvre-${run}`, personne.nom].sort(), "contacts of this run, prospects");
  const elodieRow = body.find((r) => r[col("Nom")] === `Lefèvre-${run}`);
  assert.equal(elodieRow[col("Prénom")], "Élodie");
  assert.equal(elodieRow[col("Email")], elodieModifiee.email);
  assert.equal(elodieRow[col("Apporteur")], nomApporteur);
  assert.equal(elodieRow[col("Remarques")], `'${elodieModifiee.remarques}`, "a formula cell is neutralised");
  assert.match(elodieRow[col("Créé le")], /^\d{2}\/\d{2}\/\d{4}$/);
  const today = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris" }).format(new Date());
  assert.equal(elodieRow[col("Créé le")], today);
  assert.equal(body.find((r) => r[col("Nom")] === `Bérard-${run}`)[col("Adresse")], "Besançon");

  // Entreprises, affaires (en cours) and the apporteurs' commissions, from their screens.
  await mia.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Entreprises", exact: true }).click();
  await mia.getByRole("heading", { name: "Entreprises" }).waitFor();
  const entreprisesCSV = await download(mia, mia.getByRole("button", { name: "Exporter (CSV)" }));
  assert.equal(entreprisesCSV.name, "entreprises.csv");
  frenchCSV(entreprisesCSV.bytes, "Raison sociale");
  await screenshot(mia, "entreprises-export");

  await mia.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Affaires", exact: true }).click();
  await mia.getByRole("tab", { name: "En cours" }).waitFor();
  const affairesCSV = await download(mia, mia.getByRole("button", { name: "Exporter (CSV)" }));
  assert.equal(affairesCSV.name, "affaires-en_cours.csv");
  const affaires = frenchCSV(affairesCSV.bytes);
  const mine = affaires.filter((r) => r.join(";").includes(personne.nom));
  assert.equal(mine.length, 1, `the affaire of ${personne.nom} in ${affairesCSV.bytes}`);
  assert.ok(mine[0].includes("2400,00"), `prime with a decimal comma: ${mine[0]}`);
  await screenshot(mia, "affaires-export");

  await mia.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Apporteurs d'affaires" }).click();
  await mia.getByRole("heading", { name: "Apporteurs d'affaires" }).waitFor();
  const commissionsCSV = await download(mia, mia.getByRole("button", { name: "Exporter les commissions (CSV)" }));
  assert.equal(commissionsCSV.name, "commissions-apporteurs.csv");
  const commissions = frenchCSV(commissionsCSV.bytes);
  const centimes = commissionApporteur.replace(/[^\d,]/g, "");
  assert.ok(commissions.some((r) => r.join(";").includes(apporteur.nom) && r.includes(centimes)), `commission ${centimes} of ${apporteur.nom} in ${commissionsCSV.bytes}`);
  await screenshot(mia, "apporteurs-export-commissions");

  // 6. Undo the import: what it created is gone.
  await mia.goto(importURL);
  await mia.getByRole("button", { name: /Annuler l'import/ }).click();
  await mia.getByText(/^Annulation : /).waitFor(); // recorded before the worker runs
  await fire("run-imports");
  await mia.getByText("Statut : Annulé").waitFor({ timeout: 30000 });
  await screenshot(mia, "import-annule");
  await mia.goto(`${BASE}/mia/contacts?q=${encodeURIComponent(`berard-${run}`)}`);
  await mia.getByText("Aucun contact ne correspond à ces critères").waitFor();

  // 7. RGPD: Margaux asks for her data, then for its erasure.
  await mia.goto(`${BASE}/mia/contacts?q=${encodeURIComponent(personne.nom)}`);
  await mia.getByRole("link", { name: nomPersonne }).click();
  await mia.getByRole("heading", { name: nomPersonne }).waitFor();
  const contactURL = mia.url();
  // A note on her fiche: the timeline holds it.
  await mia.getByLabel("Note", { exact: true }).fill(`Appel de ${personne.prenom} : devis prévoyance à envoyer.`);
  await mia.getByLabel("Visibilité").selectOption("oui");
  await mia.getByRole("button", { name: "Enregistrer la note" }).click();
  await mia.getByText("Note enregistrée.").waitFor();
  await mia.getByRole("link", { name: "Données personnelles" }).click();
  await mia.getByRole("heading", { name: "Données personnelles" }).waitFor();
  await expectFact(mia, "Nom", nomPersonne);
  await expectFact(mia, "Email", personne.email);
  await expectFact(mia, "Affaires", "1");
  await screenshot(mia, "donnees-personnelles");
  const json = await download(mia, mia.getByRole("button", { name: "Exporter (JSON)" }));
  const held = JSON.parse(json.bytes.toString("utf8"));
  assert.equal(held.contact.nom, personne.nom);
  assert.equal(held.contact.email, personne.email);
  assert.equal(held.affaires.length, 1);
  await mia.getByText("Export JSON téléchargé.").waitFor();
  const pdf = await download(mia, mia.getByRole("button", { name: "Exporter (PDF)" }));
  assert.ok(pdf.bytes.subarray(0, 5).toString() === "%PDF-", "a PDF");
  const pdfText = squash(execFileSync("/usr/bin/pdftotext", ["-layout", pdf.file, "-"], { encoding: "utf8" }));
  for (const want of [personne.nom, personne.email, personne.profession]) assert.ok(pdfText.includes(want), `PDF lacks ${want}: ${pdfText}`);

  // The erasure asks for a confirmation, then anonymises her.
  await mia.getByLabel("Motif (sans donnée personnelle)").fill("Demande écrite reçue le 27/11");
  await mia.getByRole("button", { name: "Effacer définitivement" }).click();
  await mia.getByText("Cochez la case pour confirmer l'effacement.").waitFor();
  await screenshot(mia, "effacement-a-confirmer");
  await mia.getByLabel("Je confirme l'effacement définitif de ces données personnelles.").check();
  await mia.getByRole("button", { name: "Effacer définitivement" }).click();
  await mia.getByText(/Données effacées/).waitFor();
  await mia.getByText("Cette personne a été effacée").waitFor();
  await screenshot(mia, "effacement-fait");

  // Her name is nowhere: her fiche, the list, the search, the affaire (amounts kept), the exports.
  const gone = async (where) => {
    const text = await mia.locator("main").innerText();
    for (const s of [personne.nom, personne.prenom, personne.email]) assert.ok(!text.includes(s), `${where} still shows ${s}`);
    assert.ok(!digits(text).includes(digits(personne.telephone).slice(1)), `${where} still shows her telephone`);
  };
  await mia.goto(contactURL);
  await mia.getByRole("heading", { name: "Contact effacé" }).waitFor();
  await mia.getByRole("heading", { name: "Fil d'activité" }).waitFor();
  await gone("the erased contact's fiche");
  await screenshot(mia, "contact-efface");
  await mia.goto(`${BASE}/mia/contacts?q=${encodeURIComponent(personne.nom)}`);
  await mia.getByText("Aucun contact ne correspond à ces critères").waitFor();
  await search(mia, personne.nom.toLowerCase());
  await mia.getByText(`Aucun résultat pour « ${personne.nom.toLowerCase()} ».`).waitFor();
  await screenshot(mia, "recherche-effacee");
  await mia.goto(`${BASE}${new URL(affaire.url).pathname}`);
  await expectFact(mia, "Prime annuelle", "2 400,00 €");
  await expectFact(mia, "Commission MIA", commissionMIA);
  await expectFact(mia, "Commission apporteur", commissionApporteur);
  await mia.locator(".timeline li").first().waitFor();
  await gone("the affaire and its timeline");
  await screenshot(mia, "affaire-client-efface");
  await mia.goto(`${BASE}/mia/affaires`);
  const after = (await download(mia, mia.getByRole("button", { name: "Exporter (CSV)" }))).bytes.toString("utf8");
  assert.ok(!after.includes(personne.nom) && !after.includes(personne.email), "the affaires export still names her");
  assert.ok(after.includes("2400,00"), "the affaires export lost the erased contact's amounts");

  // The RGPD journal: the request, without the erased data.
  await mia.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "RGPD" }).click();
  const journal = mia.getByRole("table", { name: "Journal RGPD" });
  const personneId = new URL(contactURL).pathname.split("/").pop();
  await journal.locator("tr", { hasText: `Contact ${personneId.slice(-6)}` }).filter({ hasText: "Effacement" }).filter({ hasText: "Demande écrite reçue le 27/11" }).waitFor();
  assert.ok(!(await journal.innerText()).includes(personne.nom), "the journal names the erased contact");
  await screenshot(mia, "journal-rgpd-effacement");

  // 8. Retention: two prospects entered three years and a month ago, never contacted since.
  const ancien = {
    nom: `Ancien-${run}`, prenom: "Gaston", email: `gaston.${run}@exemple.test`, telephone: randomMobile(),
    adresse: "1 rue Nationale, 37000 Tours", remarques: "Rencontré au salon de l'habitat.",
  };
  const garde = {
    nom: `Garde-${run}`, prenom: "Odile", email: `odile.${run}@exemple.test`, telephone: randomMobile(),
    adresse: "9 rue de la Scellerie, 37000 Tours", remarques: "Projet de création d'entreprise.",
  };
  const then = new Date();
  then.setUTCFullYear(then.getUTCFullYear() - 3, then.getUTCMonth() - 1);
  await clock("POST", then.toISOString().replace(/\.\d+Z$/, "Z"));
  await newContact(mia, ancien);
  await newContact(mia, garde);
  await clock("DELETE");
  await fire("retention");
  await mia.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "RGPD" }).click();
  const proposals = mia.getByRole("list", { name: "Prospects à purger" });
  await eventually(mia, proposals.getByRole("link", { name: `${garde.prenom} ${garde.nom}` }), "the proposal to purge");
  await proposals.getByRole("link", { name: `${ancien.prenom} ${ancien.nom}` }).waitFor();
  const idOf = async (p) => (await proposals.getByRole("link", { name: `${p.prenom} ${p.nom}` }).getAttribute("href")).split("/").pop().slice(-6);
  const [ancienId, gardeId] = [await idOf(ancien), await idOf(garde)];
  await screenshot(mia, "conservation-propositions");
  await mia.getByRole("button", { name: `Conserver ${garde.prenom} ${garde.nom}…` }).click();
  await mia.getByLabel("Pourquoi conserver ces données ?").fill("Devis en cours de négociation");
  await screenshot(mia, "conservation-motif");
  await mia.getByRole("button", { name: "Conserver", exact: true }).click();
  await mia.getByText("Prospect conservé : le délai de 3 ans repart.").waitFor();
  await mia.getByRole("button", { name: `Purger ${ancien.prenom} ${ancien.nom}` }).click();
  await mia.getByText("Prospect purgé (anonymisé).").waitFor();
  await mia.getByText("Aucun prospect à purger pour l'instant.").waitFor();
  await mia.reload();
  await journal.locator("tr", { hasText: `Contact ${ancienId}` }).filter({ hasText: "Purge (durée de conservation)" }).waitFor();
  await journal.locator("tr", { hasText: `Contact ${gardeId}` }).filter({ hasText: "Conservation prolongée" }).filter({ hasText: "Devis en cours de négociation" }).waitFor();
  const journalText = await journal.innerText();
  assert.ok(!journalText.includes(ancien.nom) && !journalText.includes(garde.nom), "the journal names a prospect");
  await screenshot(mia, "journal-rgpd-conservation");
  // The kept prospect's clock restarted today; the purged one is erased.
  await mia.goto(`${BASE}/mia/contacts?q=${encodeURIComponent(garde.nom)}`);
  await mia.getByRole("link", { name: `${garde.prenom} ${garde.nom}` }).click();
  await mia.getByRole("link", { name: "Données personnelles" }).click();
  await expectFact(mia, "Dernier contact", today);
  await mia.goto(`${BASE}/mia/contacts?q=${encodeURIComponent(ancien.nom)}`);
  await mia.getByText("Aucun contact ne correspond à ces critères").waitFor();
}
