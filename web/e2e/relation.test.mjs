// Browser walk of issue 12, through the UI only: one person working with two MIA.
//   MIA 1 registers an apporteur, who activates its account → MIA 1 sets its legal status
//   (intermédiaire ORIAS, every field) and generates the convention d'apport → the apporteur
//   opens the emailed link, reads the PDF and accepts it → MIA 1 opens the "acceptée" email
//   and sees the proof → MIA 2 invites the same address → the person opens "vous propose de
//   travailler avec lui", accepts, switches to MIA 2 and back.
// The walk's rules (every field filled, every emailed link followed, axe on every screen at
// both widths) are in walk.mjs.
import assert from "node:assert/strict";
import {
  walk, BASE, MIA_EMAIL, MIA_PASSWORD, newPage, screenshot, login, emailLinks, followEmailLinks,
  expectFact, randomMobile, digits, squash, newApporteur, activateApporteur,
} from "./walk.mjs";

const MIA2_EMAIL = process.env.MIA2_EMAIL ?? "demo.mia2@assentis.test";
const MIA2_PASSWORD = process.env.MIA2_PASSWORD ?? "Demo-MIA2-2026!";

walk("relation", "one apporteur, two MIA: legal status, convention accepted online, second invitation, switch", relation);

async function relation() {
  const run = Date.now().toString(36);
  const apporteur = {
    nom: `Garnier-${run}`,
    prenom: "Léa",
    email: `lea.${run}@exemple.test`,
    telephone: randomMobile(),
    localisation: "Villeurbanne (69)",
    remarques: "Courtière, apporte des TNS.",
  };
  const statut = { orias: "07 012 345", assureur: "Hiscox France", verifie: "2026-10-15", expiration: "2027-03-31" };
  const password = `Apporteur-${run}-7Q`;
  const since = Math.floor(Date.now() / 1000) - 5;

  // 1. MIA 1 registers the apporteur (every field), who activates its account.
  const mia = await newPage();
  await login(mia, "mia", MIA_EMAIL, MIA_PASSWORD);
  await mia.waitForURL(/\/mia/);
  // The onboarding walk completed the progression: home is the dashboard, the checklist is here.
  await mia.goto(`${BASE}/mia/progression`);
  await mia.getByRole("heading", { name: "Bienvenue dans ton espace de progression" }).waitFor();
  await mia.locator('[data-step="relation"]').waitFor();
  await screenshot(mia, "mia-progression-relation");
  await newApporteur(mia, apporteur);
  const app = await activateApporteur(apporteur.email, password, since);

  // 2. MIA 1 sets the legal status, every field; the saved values come back with the warnings.
  await mia.reload();
  await mia.getByRole("heading", { name: "Statut légal" }).waitFor();
  await mia.getByLabel("Statut de l'apporteur").selectOption("intermediaire_orias");
  await mia.getByLabel("N° ORIAS").fill(statut.orias);
  await mia.getByLabel("Catégorie").selectOption("courtier");
  await mia.getByLabel("Vérifié sur le registre le").fill(statut.verifie);
  await mia.getByLabel("Assureur RC Pro").fill(statut.assureur);
  await mia.getByLabel("RC Pro valable jusqu'au").fill(statut.expiration);
  await screenshot(mia, "mia-statut-legal-formulaire");
  await mia.getByRole("button", { name: "Enregistrer le statut" }).click();
  await mia.getByText("Statut légal enregistré.").waitFor();
  await expectFact(mia, "N° ORIAS", `${digits(statut.orias)} Vérifier le n° ${digits(statut.orias)} sur le registre ORIAS`);
  await expectFact(mia, "Catégorie", "Courtier en assurance (COA)");
  await expectFact(mia, "RC Pro", `${statut.assureur}, valable jusqu'au 31/03/2027`);
  const registre = mia.getByRole("link", { name: `Vérifier le n° ${digits(statut.orias)} sur le registre ORIAS` });
  assert.equal(await registre.getAttribute("href"), "https://www.orias.fr/");
  await screenshot(mia, "mia-statut-legal");

  // 3. MIA 1 generates the convention; the apporteur opens the emailed link, reads, accepts.
  await mia.getByRole("button", { name: "Générer la convention" }).click();
  await mia.getByText("Convention version 1 générée").waitFor();
  await mia.locator('[data-convention-etat="en_attente"]').waitFor();
  await screenshot(mia, "mia-convention-generee");
  const conv = await emailLinks(apporteur.email, since, /convention d'apport à accepter/);
  await followEmailLinks(app, conv, "Ma convention d'apport", "apporteur-convention-depuis-email");
  await app.locator("object.pdf-view").waitFor();
  const sha = squash(await app.locator("code.sha").first().textContent());
  assert.match(sha, /^[0-9a-f]{64}$/);
  await app.getByLabel(/J'ai lu la convention d'apport/).check();
  await screenshot(app, "apporteur-convention-a-accepter");
  await app.getByRole("button", { name: "J'accepte la convention" }).click();
  await app.getByText("Convention acceptée. Votre mandataire en est informé.").waitFor();
  await expectFact(app, "Empreinte acceptée", sha);
  await screenshot(app, "apporteur-convention-acceptee");

  // 4. MIA 1 is told; the link opens the fiche with the proof (same hash).
  const ok = await emailLinks(MIA_EMAIL, since, new RegExp(`${apporteur.prenom} ${apporteur.nom} a accepté la convention`));
  await followEmailLinks(mia, ok, `${apporteur.prenom} ${apporteur.nom}`, "mia-convention-acceptee-depuis-email");
  await mia.locator('[data-convention-etat="acceptee"]').waitFor();
  await mia.locator('[data-version="1"] code.sha', { hasText: sha }).waitFor();

  // 5. MIA 2 invites the same address: an invitation to accept, no new account.
  const mia2 = await newPage();
  await login(mia2, "mia", MIA2_EMAIL, MIA2_PASSWORD);
  await mia2.getByRole("heading", { name: "Bienvenue dans ton espace de progression" }).waitFor();
  await newApporteur(mia2, apporteur);
  const invit = await emailLinks(apporteur.email, since, /vous propose de travailler avec lui/);
  await followEmailLinks(app, invit, "Mes mandataires", "apporteur-invitation-depuis-email");
  const accept = app.getByRole("button", { name: /^Accepter l'invitation de / });
  await accept.waitFor();
  await screenshot(app, "apporteur-mandataires-invitation");
  const mia2Nom = squash((await accept.textContent()).replace("Accepter l'invitation de ", ""));
  await accept.click();
  await app.getByText(`Vous travaillez désormais aussi avec ${mia2Nom}.`).waitFor();
  await screenshot(app, "apporteur-mandataires-deux");

  // 6. The switch: to MIA 2 (its affaires are its own), then back to MIA 1 from the banner.
  await app.getByRole("button", { name: `Travailler avec ${mia2Nom}` }).click();
  await app.getByRole("heading", { name: "Mes affaires" }).waitFor();
  await app.locator(".mandataire-bar strong", { hasText: mia2Nom }).waitFor();
  await screenshot(app, "apporteur-chez-mia2");
  await app.getByRole("region", { name: "Mandataire" }).getByRole("link", { name: "Ma convention" }).click();
  await app.getByText(`${mia2Nom} ne vous a pas encore proposé de convention.`).waitFor();
  const select = app.getByLabel("Changer de mandataire");
  const mia1Option = squash(await select.locator("option").filter({ hasNotText: mia2Nom }).first().textContent());
  await select.selectOption({ label: mia1Option });
  await app.locator(".mandataire-bar strong", { hasText: mia1Option }).waitFor();
  await app.getByRole("heading", { name: "Version 1" }).waitFor();
  await screenshot(app, "apporteur-retour-mia1");

  // 7. MIA 2 now sees the apporteur actif.
  await mia2.reload();
  await mia2.getByText("Compte activé").waitFor();
  await screenshot(mia2, "mia2-fiche-apporteur");
}
