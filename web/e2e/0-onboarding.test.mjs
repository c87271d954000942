// Browser test of the onboarding text ("La logique à suivre"), through the UI only, in
// Debian's Chromium driven by playwright-core (no browser download):
//   MIA logs in → creates an apporteur → activation email read from SES local →
//   apporteur activates and logs in → adds a contact with a note for its MIA → MIA opens it
//   from the notification email, adds a contact of its own and edits it, creates an
//   entreprise and an affaire with its prime, signs it at 20 % → apporteur opens the
//   affaire email and sees the affaire and its commission.
// Its file name sorts first: node --test runs the walks in name order, and this one needs the
// seeded demo MIA as new (the other walks fill its espace de progression).
// The walk's rules (every field filled, every emailed link followed, axe on every screen at
// both widths) are in walk.mjs.
import assert from "node:assert/strict";
import {
  walk, BASE, MIA_EMAIL, MIA_PASSWORD, newPage, screenshot, login, emailLinks, followEmailLinks,
  fact, expectFact, eventually, randomMobile, randomSiren, squash, digits,
  newApporteur, activateApporteur, newContact, newAffaire,
} from "./walk.mjs";

walk("onboarding", "the onboarding text, through the UI: MIA → apporteur → contact → entreprise → affaire at 20 % → apporteur sees its commission", onboarding);

async function onboarding() {
  const run = Date.now().toString(36);
  const apporteur = {
    nom: `Lefèvre-${run}`,
    prenom: "Julien",
    email: `apporteur.${run}@exemple.test`,
    telephone: randomMobile(),
    localisation: "Lyon (69)",
    remarques: "Agent immobilier, envoie des primo-accédants.",
  };
  const apporteurPassword = `Apporteur-${run}-9Z`;
  const contact = {
    nom: `Durand-${run}`,
    prenom: "Émilie",
    email: `emilie.${run}@exemple.test`,
    telephone: randomMobile(),
    adresse: "8 quai Saint-Antoine, 69002 Lyon",
    profession: "Infirmière",
    note: "Rappeler après 18 h.\nPréfère les SMS.",
  };
  // A contact the MIA types itself, then edits (every field changed).
  const propre = {
    nom: `Moreau-${run}`,
    prenom: "Hugo",
    email: `hugo.${run}@exemple.test`,
    telephone: randomMobile(),
    adresse: "3 rue Mercière, 69002 Lyon",
    remarques: "Remarque privée du MIA : hésite entre deux assureurs.",
  };
  const propreModifie = {
    nom: `Moreau-Petit-${run}`,
    prenom: "Hugo-Louis",
    email: `hugo.louis.${run}@exemple.test`,
    telephone: randomMobile(),
    adresse: "5 place des Terreaux, 69001 Lyon",
    remarques: "Remarque privée du MIA, revue : rappeler en janvier.",
  };
  const entreprise = { raisonSociale: `Boulangerie ${run} SARL`, siren: randomSiren(), adresse: "12 rue de la République, 69002 Lyon" };
  const since = Math.floor(Date.now() / 1000) - 5;

  // 1. The MIA logs in and lands on "Bienvenue dans ton espace de progression".
  const mia = await newPage();
  await mia.goto(`${BASE}/connexion`);
  await screenshot(mia, "connexion");
  await login(mia, "mia", MIA_EMAIL, MIA_PASSWORD);
  await mia.getByRole("heading", { name: "Bienvenue dans ton espace de progression" }).waitFor();
  await mia.getByRole("heading", { name: "La logique à suivre" }).waitFor();
  await mia.locator(".progress-count").filter({ hasText: "étapes faites" }).waitFor();
  await screenshot(mia, "mia-accueil");

  // 2. "Apporteurs d'affaires" → "Nouvel apporteur" → "Ajouter", every field filled.
  // What was saved comes back on its page.
  await newApporteur(mia, apporteur, { shots: { list: "mia-apporteurs", form: "mia-nouvel-apporteur", saved: "mia-fiche-apporteur" } });
  await mia.getByText("email d'activation lui a été envoyé").waitFor();
  await mia.getByText("Invitation envoyée").first().waitFor();

  // 3-4. The activation email, read from SES local: its only link opens the activation page;
  // the apporteur activates its account, then logs in.
  const app = await activateApporteur(apporteur.email, apporteurPassword, since, { shots: { form: "activation", connexion: "connexion-compte-active" } });
  await app.getByText("Vous n'avez pas encore apporté de contact").waitFor();
  await screenshot(app, "apporteur-mes-contacts-vide");

  // 5. The apporteur adds a contact, every field filled, with a note for its MIA.
  await app.getByRole("link", { name: "Nouveau contact" }).first().click();
  await app.getByLabel("Nom", { exact: true }).fill(contact.nom);
  await app.getByLabel("Prénom").fill(contact.prenom);
  await app.getByLabel("Email").fill(contact.email);
  await app.getByLabel("Téléphone").fill(contact.telephone);
  await app.getByLabel("Adresse").fill(contact.adresse);
  await app.getByLabel("Profession").fill(contact.profession);
  await app.getByLabel("Note pour votre MIA").fill(contact.note);
  await screenshot(app, "apporteur-nouveau-contact");
  await app.getByRole("button", { name: "Ajouter" }).click();
  await app.getByText("Contact ajouté").waitFor();
  const mine = app.locator("tr", { hasText: `${contact.prenom} ${contact.nom}` });
  await mine.waitFor();
  assert.equal(squash(await mine.locator('[data-label="Email"]').textContent()), contact.email);
  assert.equal(digits(await mine.locator('[data-label="Téléphone"]').textContent()), digits(contact.telephone));
  assert.equal(await mine.locator(".note").innerText(), contact.note);
  await screenshot(app, "apporteur-mes-contacts");

  // 6. The MIA is told by email; its link opens the contact's page, with the apporteur's note.
  const notif = await emailLinks(MIA_EMAIL, since, new RegExp(`${apporteur.prenom} ${apporteur.nom} vous a transmis un nouveau contact`));
  await followEmailLinks(mia, notif, `${contact.prenom} ${contact.nom}`, "mia-contact-depuis-email");
  assert.equal(await mia.locator('[data-fact="noteApporteur"]').innerText(), contact.note);
  await expectFact(mia, "Email", contact.email);
  await expectFact(mia, "Téléphone", contact.telephone, digits);
  await expectFact(mia, "Adresse", contact.adresse);
  await expectFact(mia, "Profession", contact.profession);
  await expectFact(mia, "Apporteur", `${apporteur.prenom} ${apporteur.nom}`);
  // It is in "Contacts" too, attributed to the apporteur.
  await mia.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Contacts", exact: true }).click();
  await mia.getByLabel("Rechercher un contact", { exact: true }).fill(contact.nom);
  await mia.getByRole("button", { name: "Rechercher" }).click();
  await eventually(mia, mia.getByRole("link", { name: `${contact.prenom} ${contact.nom}` }), "the apporteur's contact in the MIA's list");
  await screenshot(mia, "mia-contacts");
  // and on the apporteur's page, now activated.
  await mia.goto(`${BASE}/mia/apporteurs`);
  await mia.getByRole("link", { name: `${apporteur.prenom} ${apporteur.nom}` }).click();
  await eventually(mia, mia.getByText("Compte activé"), "the apporteur's statut actif");
  await mia.getByRole("link", { name: `${contact.prenom} ${contact.nom}` }).waitFor();
  await screenshot(mia, "mia-fiche-apporteur-actif");

  // 6b. The MIA's own "Nouveau contact", every field filled, attributed to the apporteur…
  await newContact(mia, propre, { apporteur: `${apporteur.prenom} ${apporteur.nom}`, shots: { form: "mia-nouveau-contact" } });
  // … then "Modifier", every field changed.
  await mia.getByRole("button", { name: "Modifier" }).first().click();
  const edit = mia.getByRole("form", { name: "Modifier le contact" });
  await edit.getByLabel("Nom", { exact: true }).fill(propreModifie.nom);
  await edit.getByLabel("Prénom").fill(propreModifie.prenom);
  await edit.getByLabel("Téléphone").fill(propreModifie.telephone);
  await edit.getByLabel("Email").fill(propreModifie.email);
  await edit.getByLabel("Adresse").fill(propreModifie.adresse);
  await edit.getByLabel("Apporteur d'affaires").selectOption({ label: `${apporteur.prenom} ${apporteur.nom}` });
  await edit.getByLabel("Remarques").fill(propreModifie.remarques);
  await screenshot(mia, "mia-modifier-contact");
  await edit.getByRole("button", { name: "Mettre à jour" }).click();
  await mia.getByText("Contact mis à jour.").waitFor();
  await mia.getByRole("heading", { name: `${propreModifie.prenom} ${propreModifie.nom}` }).waitFor();
  await expectFact(mia, "Email", propreModifie.email);
  await expectFact(mia, "Téléphone", propreModifie.telephone, digits);
  await expectFact(mia, "Adresse", propreModifie.adresse);
  await expectFact(mia, "Apporteur", `${apporteur.prenom} ${apporteur.nom}`);
  await expectFact(mia, "Remarques", propreModifie.remarques);
  await screenshot(mia, "mia-contact-modifie");

  // 7. "Entreprises" → "Nouvelle entreprise", the dirigeant picked among the contacts.
  await mia.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Entreprises", exact: true }).click();
  await mia.getByRole("heading", { name: "Entreprises" }).waitFor();
  await mia.locator(".table, .empty").first().waitFor();
  await screenshot(mia, "mia-entreprises");
  await mia.getByRole("link", { name: "Nouvelle entreprise" }).first().click();
  await mia.getByLabel("Raison sociale").fill(entreprise.raisonSociale);
  await mia.getByLabel("Adresse").fill(entreprise.adresse);
  // A SIREN whose key is wrong: the API's problem shows next to the SIREN field.
  await mia.getByLabel("SIREN").fill(entreprise.siren.slice(0, 8) + String((Number(entreprise.siren[8]) + 1) % 10));
  await mia.getByLabel("Filtrer vos contacts").fill(contact.nom);
  const dirigeant = mia.getByLabel("Dirigeant (parmi vos contacts)");
  await dirigeant.locator("option", { hasText: contact.nom }).waitFor({ state: "attached" });
  const value = await dirigeant.locator("option", { hasText: contact.nom }).getAttribute("value");
  await dirigeant.selectOption(value);
  await mia.getByRole("button", { name: "Ajouter" }).click();
  await mia.locator('.error-text[data-champ="siren"]').waitFor();
  assert.equal(await mia.getByLabel("SIREN").getAttribute("aria-invalid"), "true");
  await screenshot(mia, "mia-nouvelle-entreprise-erreur");
  await mia.getByLabel("SIREN").fill(entreprise.siren);
  await screenshot(mia, "mia-nouvelle-entreprise");
  await mia.getByRole("button", { name: "Ajouter" }).click();
  await mia.getByText("Entreprise ajoutée").waitFor();
  await mia.getByRole("heading", { name: entreprise.raisonSociale }).waitFor();
  await expectFact(mia, "SIREN", entreprise.siren, digits);
  await expectFact(mia, "Adresse", entreprise.adresse);
  await expectFact(mia, "Dirigeant", `${contact.prenom} ${contact.nom}`);
  // It takes the apporteur of its dirigeant.
  await expectFact(mia, "Apporteur", `${apporteur.prenom} ${apporteur.nom}`);
  await screenshot(mia, "mia-fiche-entreprise");

  // 8. "Affaires" → "Nouvelle affaire": contact, then produit (and its prime), then "Valider".
  // The contact has an apporteur: its rate can be chosen now.
  const { produitNom } = await newAffaire(mia, contact, { prime: "1 500,00", taux: "15", shots: { form: "mia-nouvelle-affaire" } });
  // The prime and rate typed on the form are the affaire's from the start: no 0,00 €.
  await expectFact(mia, "Prime annuelle", "1 500,00 €");
  await expectFact(mia, "Taux apporteur", "15 %");
  assert.notEqual(await fact(mia, "Commission MIA"), "0,00 €");
  assert.notEqual(await fact(mia, "Commission apporteur"), "0,00 €");
  await screenshot(mia, "mia-affaire-creee");

  // It appears under "Affaires" → "En cours"; the orange pictogram opens "Mettre à jour".
  await mia.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Affaires", exact: true }).click();
  const row = mia.locator("tr", { hasText: `${contact.prenom} ${contact.nom}` }).filter({ hasText: produitNom });
  await row.first().waitFor();
  assert.equal(squash(await row.first().locator('[data-label="Prime annuelle"]').textContent()), "1 500,00 €");
  await screenshot(mia, "mia-affaires-en-cours");
  await row.first().getByRole("link", { name: /Modifier l'affaire/ }).click();
  await mia.getByRole("button", { name: "Mettre à jour" }).waitFor();
  const taux = mia.getByLabel("Taux de commission Apporteur");
  assert.deepEqual(
    (await taux.locator("option").allTextContents()).filter((t) => t.includes("%")).map((t) => t.replace(/\s/g, " ")),
    ["15 %", "20 %", "25 %"],
  );
  // Every field of "Modifier l'affaire": signed, 1 200,00 € at 12 % for the MIA, 20 % for the apporteur.
  await mia.getByLabel("Statut").selectOption("signee");
  await mia.getByLabel("Prime annuelle (€)").fill("1 200,00");
  await mia.getByLabel("Taux de commission MIA (%)").fill("12");
  await taux.selectOption("20");
  await mia.getByLabel("Remarques").fill("Marge à négocier — remarque privée du MIA.");
  await mia.getByRole("button", { name: "Mettre à jour" }).click();
  await mia.getByRole("status").filter({ hasText: "Affaire mise à jour" }).waitFor();
  // 1 200,00 € × 12 % = 144,00 € for the MIA; × 20 % = 28,80 € for the apporteur.
  await expectFact(mia, "Prime annuelle", "1 200,00 €");
  await expectFact(mia, "Taux MIA", "12 %");
  await expectFact(mia, "Commission MIA", "144,00 €");
  await expectFact(mia, "Taux apporteur", "20 %");
  const commission = "28,80 €";
  await expectFact(mia, "Commission apporteur", commission);
  assert.equal(await mia.getByLabel("Remarques").inputValue(), "Marge à négocier — remarque privée du MIA.");
  await mia.locator(".page-actions .badge", { hasText: "Signée" }).waitFor();
  // The historique (written by a stream consumer) shows the change as a timeline.
  await mia.locator(".timeline li", { hasText: "Taux de commission apporteur" }).waitFor();
  await screenshot(mia, "mia-affaire-mise-a-jour");
  // The apporteur's page lists it under "Ses affaires" (GET /affaires?apporteurId=).
  await mia.goto(`${BASE}/mia/apporteurs`);
  await mia.getByRole("link", { name: `${apporteur.prenom} ${apporteur.nom}` }).click();
  const sesAffaires = mia.getByRole("region", { name: "Ses affaires" });
  await sesAffaires.locator("tr", { hasText: `${contact.prenom} ${contact.nom}` }).filter({ hasText: "20 %" }).waitFor();
  await screenshot(mia, "mia-apporteur-ses-affaires");

  // 9. The apporteur is told by email that the affaire is signed; its link opens "Mes affaires",
  // with the affaire, its 20 % and its commission.
  const signee = await emailLinks(apporteur.email, since, /est signée/);
  await followEmailLinks(app, signee, "Mes affaires", "apporteur-affaires-depuis-email");
  await eventually(app, app.locator(".affaire-card", { hasText: produitNom }).filter({ hasText: "20 %" }), "the affaire at 20 % in Mes affaires");
  const card = app.locator(".affaire-card", { hasText: produitNom }).filter({ hasText: "20 %" }).first();
  await expectFact(card, "Commission prévisionnelle", commission);
  await screenshot(app, "apporteur-mes-affaires");
  await app.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Mes commissions", exact: true }).click();
  await eventually(app, app.locator('[data-total="signee"]').filter({ hasNotText: /^0,00/ }), "the commission signée total");
  await app.getByRole("img", { name: "Commission prévisionnelle par statut" }).waitFor();
  await screenshot(app, "apporteur-mes-commissions");
  // Its contacts: the one the MIA attributed to it too, never the MIA's remarques.
  await app.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Mes contacts", exact: true }).click();
  await app.locator("tr", { hasText: `${propreModifie.prenom} ${propreModifie.nom}` }).waitFor();
  assert.equal(await app.getByText(/remarque privée/i).count(), 0, "the apporteur sees the MIA's remarques");
  await screenshot(app, "apporteur-mes-contacts-attribues");
  await app.getByRole("link", { name: "Mon profil" }).click();
  await app.getByRole("heading", { name: "Mon profil" }).waitFor();
  await screenshot(app, "apporteur-profil");

  // 10. The progression complete, the home page is the dashboard; the checklist, still
  // reachable from it, has ticked itself; and the screens at phone width.
  await mia.goto(`${BASE}/mia`);
  await mia.getByRole("heading", { name: "Tableau de bord" }).waitFor();
  await mia.getByRole("link", { name: "Revoir l'espace de progression" }).click();
  await mia.locator('[data-step="contact"].done').waitFor();
  await mia.locator('[data-step="affaire"].done').waitFor();
  await screenshot(mia, "mia-accueil-coche");
  const phone = await newPage({ width: 390, height: 844 });
  await login(phone, "mia", MIA_EMAIL, MIA_PASSWORD);
  await phone.getByRole("heading", { name: "Tableau de bord" }).waitFor();
  await phone.getByRole("button", { name: "Menu" }).click();
  await screenshot(phone, "telephone-menu");
  await phone.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Affaires", exact: true }).click();
  await phone.getByRole("tab", { name: "Signées" }).click();
  await phone.locator("tr", { hasText: contact.nom }).first().waitFor();
  await screenshot(phone, "telephone-affaires");
}
