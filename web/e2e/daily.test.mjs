// Browser walk of the daily work (issue 14): the MIA creates a tâche, sees it in
// "Aujourd'hui", marks it done and finds it in "Faites"; on a contact it adds a tâche and a
// note and reads the timeline; it reads the dashboard; the morning digest's links open the
// tâches. Screens at both widths (walk.mjs): task lists, a contact's timeline, the dashboard.
import assert from "node:assert/strict";
import { walk, BASE, MIA_EMAIL, MIA_PASSWORD, newPage, screenshot, login, emailLinks, eventually, randomMobile, squash } from "./walk.mjs";

walk("daily", "daily work, through the UI: a tâche for today, done; a contact's tâche, note and timeline; the dashboard; the digest's links", daily);

function parisDay(d = new Date()) {
  return d.toLocaleDateString("sv-SE", { timeZone: "Europe/Paris" });
}

async function daily() {
  const run = Date.now().toString(36);
  const today = parisDay();
  const since = Math.floor(Date.now() / 1000) - 5;
  const mia = await newPage();
  await login(mia, "mia", MIA_EMAIL, MIA_PASSWORD);
  await mia.waitForURL(/\/mia/);

  // 1. "Tâches": a new tâche due today at a time, every field filled.
  await mia.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Tâches" }).click();
  await mia.getByRole("heading", { name: "Tâches", exact: true }).waitFor();
  const titre = `Rappeler la banque ${run}`;
  await mia.getByLabel("Titre").fill(titre);
  await mia.getByLabel("Échéance", { exact: true }).fill(today);
  await mia.getByLabel("Heure (HH:MM)").fill("09:30");
  await mia.getByLabel("Confier à un apporteur").selectOption({ index: 0 });
  await mia.getByRole("button", { name: "Créer la tâche" }).click();
  await mia.getByText(`Tâche « ${titre} » créée.`).waitFor();
  // It is in "Aujourd'hui", with what was typed.
  await mia.getByRole("tab", { name: "Aujourd'hui", selected: true }).waitFor();
  const row = mia.locator("tr", { hasText: titre });
  await row.waitFor();
  assert.equal(squash(await row.locator('[data-label="Échéance"]').textContent()), `${today.split("-").reverse().join("/")} à 09:30`);
  await screenshot(mia, "taches-aujourdhui");

  // 2. Marked done, it leaves "Aujourd'hui" for "Faites".
  await row.getByRole("button", { name: `Marquer faite : ${titre}` }).click();
  await mia.getByText(`« ${titre} » est faite.`).waitFor();
  await mia.locator("tr", { hasText: titre }).waitFor({ state: "detached" });
  await mia.getByRole("tab", { name: "Faites" }).click();
  await mia.locator("tr", { hasText: titre }).waitFor();
  await screenshot(mia, "taches-faites");
  await mia.getByRole("tab", { name: "En retard" }).click();
  await mia.locator("table, .empty").first().waitFor();
  await screenshot(mia, "taches-en-retard");

  // 3. A contact: a tâche and a note on it, then its timeline.
  await mia.goto(`${BASE}/mia/contacts/nouveau`);
  const nom = `Garnier-${run}`;
  await mia.getByLabel("Nom", { exact: true }).fill(nom);
  await mia.getByLabel("Prénom").fill("Claire");
  await mia.getByLabel("Téléphone").fill(randomMobile());
  await mia.getByLabel("Email").fill(`claire.${run}@exemple.test`);
  await mia.getByLabel("Adresse").fill("2 rue Paradis, 13001 Marseille");
  await mia.getByLabel("Apporteur d'affaires").selectOption({ index: 0 });
  await mia.getByLabel("Remarques").fill("Contact du salon de l'immobilier.");
  await mia.getByRole("button", { name: "Ajouter" }).click();
  await mia.getByRole("heading", { name: `Claire ${nom}` }).waitFor();
  const titreFiche = `Envoyer le devis habitation ${run}`;
  await mia.getByLabel("Titre").fill(titreFiche);
  await mia.getByLabel("Échéance", { exact: true }).fill(today);
  await mia.getByLabel("Heure (HH:MM)").fill("14:00");
  await mia.getByLabel("Confier à un apporteur").selectOption({ index: 0 });
  await mia.getByRole("button", { name: "Créer la tâche" }).click();
  await mia.locator("tr", { hasText: titreFiche }).waitFor();
  const note = `Premier échange ${run}.\nSouhaite une offre avant le 15.`;
  await mia.getByLabel("Note", { exact: true }).fill(note);
  await mia.getByLabel("Visibilité").selectOption("");
  await mia.getByRole("button", { name: "Enregistrer la note" }).click();
  await mia.getByText("Note enregistrée.").waitFor();
  // The timeline is written by the stream: reload until the note and the tâche are in it.
  await eventually(mia, mia.locator('[data-fil] li[data-type="note"]', { hasText: `Premier échange ${run}.` }), "the note in the timeline");
  await eventually(mia, mia.locator('[data-fil] li[data-type="tache_creee"]', { hasText: titreFiche }), "the tâche in the timeline");
  assert.equal(await mia.locator('[data-fil] li[data-type="note"] .note').first().innerText(), note);
  await screenshot(mia, "fiche-contact-fil");

  // 4. The dashboard: the tâche of the contact is due today.
  await mia.goto(`${BASE}/mia/tableau-de-bord`);
  await mia.getByRole("heading", { name: "Tableau de bord" }).waitFor();
  await mia.getByRole("heading", { name: "Affaires par statut" }).waitFor();
  await mia.getByRole("img", { name: /Signatures|Affaires signées par mois/ }).first().waitFor();
  const dues = Number(squash(await mia.locator('[data-fact="taches-aujourdhui"] .kpi-value').textContent()));
  assert.ok(dues >= 1, `tâches du jour on the dashboard: ${dues}`);
  await screenshot(mia, "tableau-de-bord");

  // 5. The morning digest (fired now on the local gateway, on a working day): its links
  // open the MIA's tâches.
  const at = new Date();
  if (![0, 6].includes(at.getUTCDay())) {
    const res = await fetch(`${BASE}/_local/schedules/morning-digest?at=${encodeURIComponent(at.toISOString())}`, { method: "POST" });
    assert.equal(res.status, 200, `fire morning-digest: ${res.status} ${await res.text()}`);
    let mail;
    try {
      mail = await emailLinks(MIA_EMAIL, since, /vos tâches du/);
    } catch (e) {
      // A public holiday: no digest that day.
      console.log("no digest:", e.message);
    }
    if (mail) {
      const tacheLinks = mail.links.filter((l) => /^\/mia\/taches\/[0-9A-Z]{26}$/.test(l));
      assert.ok(tacheLinks.length >= 1, `digest links ${mail.links}`);
      const opened = [];
      for (const link of tacheLinks) {
        await mia.goto(`${BASE}${link}`);
        await mia.locator('[data-fact="statut"]').waitFor();
        assert.equal(await mia.getByRole("heading", { name: "Page introuvable" }).count(), 0);
        opened.push(squash(await mia.locator("h1").first().textContent()));
        if (opened.at(-1) === titreFiche) await screenshot(mia, "tache-depuis-digest");
      }
      assert.ok(opened.includes(titreFiche), `the digest's tâches ${opened} lack « ${titreFiche} »`);
    }
  }
}
