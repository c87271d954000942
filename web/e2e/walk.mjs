// Helpers of the browser walks (web/e2e/*.test.mjs), in Debian's Chromium driven by
// playwright-core (no browser download). A walk goes through the UI only: every form it
// submits has every field filled and the saved values are read back on screen; every
// link of every email it causes is followed and must open a real page; every screen it
// reaches is checked with axe-core at desktop and phone width (no serious or critical
// violation) and photographed at both into web/screenshots/<topic>/ (git-ignored).
//
// Env: MYCRM_URL (the stack, e.g. http://localhost:3000), SES_URL (SES local, e.g.
// http://localhost:8005), MIA_EMAIL / MIA_PASSWORD (default: the seeded demo MIA),
// CHROMIUM_PATH (default /usr/bin/chromium), SCREENSHOT_DIR, HEADFUL=1 to watch.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");

const here = path.dirname(fileURLToPath(import.meta.url));
export const BASE = (process.env.MYCRM_URL ?? "").replace(/\/+$/, "");
export const SES = (process.env.SES_URL ?? "").replace(/\/+$/, "");
export const MIA_EMAIL = process.env.MIA_EMAIL ?? "demo.mia@assentis.test";
export const MIA_PASSWORD = process.env.MIA_PASSWORD ?? "Demo-MIA-2026!";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS_ROOT = process.env.SCREENSHOT_DIR ?? path.resolve(here, "..", "screenshots");
/** This file's screenshot folder: SHOTS_ROOT/<topic>, set by walk(). */
let SHOTS = SHOTS_ROOT;
export const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS ?? 15000);

export const skip = !BASE || !SES ? "set MYCRM_URL and SES_URL to a running stack (see docs/web.md)" : false;

let browser;
let userDataDir;
let shot = 0;

const a11yProblems = [];

/** Every screen is checked and photographed at both widths, whichever the page was opened at. */
export const VIEWPORTS = [
  { name: "bureau", width: 1280, height: 800 },
  { name: "telephone", width: 390, height: 844 },
];
/** The screens checked by axe-core, each at every width of VIEWPORTS. */
const screensChecked = [];

/** axe-core (WCAG 2 A and AA rules) on the page as it is; serious and critical findings are kept. */
export async function checkA11y(page, name) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() =>
    globalThis.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  for (const v of result.violations) {
    if (v.impact !== "serious" && v.impact !== "critical") continue;
    a11yProblems.push(`${name}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  }
}

/**
 * One screen of the walk: axe-core and a screenshot at each width of VIEWPORTS (then the page
 * gets its own size back). A failure's screenshot is taken as the page is, unchecked.
 */
export async function screenshot(page, name) {
  // A run starts from an empty folder, so no screenshot of an earlier run is mistaken for this one's.
  if (shot === 0) fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  shot += 1;
  const file = (suffix) => path.join(SHOTS, `${String(shot).padStart(2, "0")}-${name}${suffix}.png`);
  if (name.startsWith("ECHEC")) {
    await page.screenshot({ path: file(""), fullPage: true });
    return;
  }
  const own = page.viewportSize();
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await checkA11y(page, `${name} (${vp.name})`);
    await page.screenshot({ path: file(`-${vp.name}`), fullPage: true });
  }
  await page.setViewportSize(own);
  screensChecked.push(name);
}

const pages = [];

export async function newPage(viewport = VIEWPORTS[0]) {
  const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height }, locale: "fr-FR", timezoneId: "Europe/Paris", reducedMotion: "reduce" });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  pages.push(page);
  return page;
}

/** A French mobile number that is new for this run. */
export function randomMobile() {
  // 06 1x xx xx xx is an allocated mobile range (libphonenumber checks it).
  const d = "1" + Array.from({ length: 7 }, () => Math.floor(Math.random() * 10)).join("");
  return `06 ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4, 6)} ${d.slice(6)}`;
}

/** A valid SIREN (Luhn key) that is new for this run. */
export function randomSiren() {
  const digits = Array.from({ length: 8 }, () => Math.floor(Math.random() * 10));
  for (let last = 0; last < 10; last++) {
    const s = [...digits, last];
    const sum = s.reverse().reduce((t, d, i) => t + (i % 2 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0);
    if (sum % 10 === 0) return [...digits, last].join("");
  }
  throw new Error("unreachable");
}

/**
 * Waits for the latest email to `to` whose subject matches `subject` in SES local (sent since
 * `since`, epoch seconds) and returns it: { subject, text, html }.
 */
export async function emailTo(to, since, subject) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    const res = await fetch(`${SES}/store?since=${since}`);
    if (res.ok) {
      const { emails = [] } = await res.json();
      for (const e of emails.slice().reverse()) {
        const dest = [...(e.destination?.to ?? [])].map((d) => String(d).toLowerCase());
        if (!dest.some((d) => d.includes(to.toLowerCase())) || !subject.test(e.subject ?? "")) continue;
        return { subject: e.subject, text: e.body?.text ?? "", html: e.body?.html ?? "" };
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no email to ${to} matching ${subject} in ${SES}/store after 30 s`);
}

/**
 * Waits for the latest email to `to` whose subject matches `subject` in SES local and
 * returns its subject and the path + query of every link of its HTML and text (each
 * checked to point at the web client under test).
 */
export async function emailLinks(to, since, subject) {
  const e = await emailTo(to, since, subject);
  const links = new Set();
  for (const m of `${e.html}\n${e.text}`.matchAll(/https?:\/\/[^\s"'<>]+/g)) {
    const u = new URL(m[0].replace(/&amp;/g, "&"));
    assert.equal(u.origin, new URL(BASE).origin, `link ${m[0]} of "${e.subject}" leaves the web client`);
    links.add(u.pathname + u.search);
  }
  assert.ok(links.size > 0, `no link in "${e.subject}"`);
  return { subject: e.subject, links: [...links] };
}

/** Opens each emailed link in `page` and checks it lands on `heading`, never on "Page introuvable". */
export async function followEmailLinks(page, mail, heading, name) {
  for (const link of mail.links) {
    await page.goto(`${BASE}${link}`);
    await page.getByRole("heading", { name: heading }).first().waitFor();
    assert.equal(await page.getByRole("heading", { name: "Page introuvable" }).count(), 0, `${link} of "${mail.subject}" is "Page introuvable"`);
  }
  await screenshot(page, name);
}

/** The text of the <dd> after the <dt> named `name` (first match), spaces normalised. */
export async function fact(scope, name) {
  const dd = scope.locator("dt").filter({ hasText: new RegExp(`^${name}$`) }).first().locator("xpath=following-sibling::dd[1]");
  return squash(await dd.textContent());
}

/**
 * Waits until the fact `name` reads `want` (compared through `norm`): the page renders some
 * of them after a second request (the apporteur's name, the dirigeant's).
 */
export async function expectFact(scope, name, want, norm = (x) => x) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const got = norm(await fact(scope, name));
    if (got === norm(want)) return;
    if (Date.now() > deadline) assert.equal(got, norm(want), `fact "${name}"`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Collapses every run of spaces (narrow and non-breaking ones too) into one space. */
export function squash(s) {
  return String(s ?? "").replace(/[\s\u00a0\u202f]+/g, " ").trim();
}

/** "06 12 34 56 78" whatever the spacing, for comparing telephones. */
export function digits(s) {
  return String(s ?? "").replace(/\D/g, "");
}

/** Reloads until `locator` shows, for what stream consumers write after the response. */
export async function eventually(page, locator, what, ms = 30000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await locator.first().waitFor({ state: "visible", timeout: 3000 });
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what}: not visible after ${ms / 1000} s`);
      await page.reload();
    }
  }
}

export async function login(page, pool, email, password) {
  await page.goto(`${BASE}/connexion`);
  await page.getByLabel(pool === "mia" ? "Je suis MIA" : "Je suis apporteur").check();
  await page.getByLabel("Adresse email").fill(email);
  await page.getByLabel("Mot de passe").fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
}

/**
 * Declares this file's browser walk: one test named `title` running `fn` in a Chromium
 * started for it, its screenshots in SCREENSHOT_DIR/<topic>/ with axe.txt naming the
 * screens checked. A failure photographs every page as it was; the walk fails on any
 * serious or critical axe-core finding.
 */
export function walk(topic, title, fn, { timeout = 300000 } = {}) {
  SHOTS = path.join(SHOTS_ROOT, topic);
  before(async () => {
    if (skip) return;
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: run web/scripts/ensure-chromium.sh`);
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mycrm-chromium-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: process.env.HEADFUL !== "1",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ].filter((a) => process.env.HEADFUL !== "1" || a !== "--headless"),
      // playwright starts Chromium with a new empty profile of its own (a fresh --user-data-dir
      // under the temp dir); it refuses an explicit one with launch(), so set TMPDIR instead.
      env: { ...process.env, TMPDIR: userDataDir },
    });
  });

  after(async () => {
    await browser?.close();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  });

  test(title, { skip, timeout }, async () => {
    try {
      await fn();
    } catch (e) {
      // Keep what each browser showed when it failed.
      for (const [i, p] of pages.entries()) {
        await screenshot(p, `ECHEC-page-${i + 1}`).catch(() => {});
        console.error(`page ${i + 1} was at ${p.url()}`);
      }
      throw e;
    }
    const summary = `axe-core (${topic}): ${screensChecked.length} screens checked at ${VIEWPORTS.map((v) => `${v.width}×${v.height}`).join(" and ")}, ${a11yProblems.length} serious or critical violations`;
    console.log(summary);
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.writeFileSync(path.join(SHOTS, "axe.txt"), `${summary}\n${screensChecked.join("\n")}\n`);
    assert.deepEqual(a11yProblems, [], "axe-core found serious or critical accessibility problems");
  });
}

// Setup steps several walks share (the UI's own path, every field filled, the saved
// values read back). `shots` names the screenshots a walk wants at each step.

/**
 * "Apporteurs d'affaires" → "Nouvel apporteur", every field of `a` (nom, prenom, telephone,
 * email, localisation, remarques) → "Ajouter"; its page shows what was saved.
 * shots: { list, form, saved }.
 */
export async function newApporteur(page, a, { shots = {} } = {}) {
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Apporteurs d'affaires" }).click();
  await page.getByRole("heading", { name: "Apporteurs d'affaires" }).waitFor();
  if (shots.list) {
    await page.locator(".cards, .empty").first().waitFor();
    await screenshot(page, shots.list);
  }
  await page.getByRole("link", { name: "Nouvel apporteur" }).first().click();
  await page.getByLabel("Nom", { exact: true }).fill(a.nom);
  await page.getByLabel("Prénom").fill(a.prenom);
  await page.getByLabel("Téléphone").fill(a.telephone);
  await page.getByLabel("Email").fill(a.email);
  await page.getByLabel("Localisation").fill(a.localisation);
  await page.getByLabel("Remarques").fill(a.remarques);
  if (shots.form) await screenshot(page, shots.form);
  await page.getByRole("button", { name: "Ajouter" }).click();
  await page.getByRole("heading", { name: `${a.prenom} ${a.nom}` }).waitFor();
  await expectFact(page, "Email", a.email);
  await expectFact(page, "Téléphone", a.telephone, digits);
  await expectFact(page, "Localisation", a.localisation);
  await expectFact(page, "Remarques", a.remarques);
  if (shots.saved) await screenshot(page, shots.saved);
}

/**
 * The apporteur `email` opens its activation email (sent since `since`, epoch seconds) in a
 * new page, chooses `password` and logs in: returns that page, on "Mes contacts".
 * shots: { form, connexion }.
 */
export async function activateApporteur(email, password, since, { shots = {} } = {}) {
  const mail = await emailLinks(email, since, /activer votre espace apporteur/);
  assert.equal(mail.links.length, 1, `activation email links ${mail.links}`);
  assert.match(mail.links[0], /^\/activation\?token=/);
  const app = await newPage();
  await app.goto(`${BASE}${mail.links[0]}`);
  await app.getByRole("heading", { name: "Activation du compte" }).waitFor();
  await app.getByLabel("Mot de passe", { exact: true }).fill(password);
  await app.getByLabel("Confirmez le mot de passe").fill(password);
  if (shots.form) await screenshot(app, shots.form);
  await app.getByRole("button", { name: "Activer mon compte" }).click();
  await app.waitForURL(/\/(connexion|espace)/);
  if (new URL(app.url()).pathname === "/connexion") {
    await app.getByText("Votre compte est activé").waitFor();
    if (shots.connexion) await screenshot(app, shots.connexion);
    await login(app, "apporteur", email, password);
  }
  await app.getByRole("heading", { name: "Mes contacts" }).waitFor();
  return app;
}

/**
 * The MIA's "Contacts" → "Nouveau contact", every field of `c` (nom, prenom, telephone, email,
 * adresse, remarques), attributed to the apporteur named `apporteur` ("Prénom Nom") when
 * given → "Ajouter"; its page shows what was saved. shots: { form, saved }.
 */
export async function newContact(page, c, { apporteur, shots = {} } = {}) {
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Contacts", exact: true }).click();
  await page.getByRole("link", { name: "Nouveau contact" }).first().click();
  await page.getByLabel("Nom", { exact: true }).fill(c.nom);
  await page.getByLabel("Prénom").fill(c.prenom);
  await page.getByLabel("Téléphone").fill(c.telephone);
  await page.getByLabel("Email").fill(c.email);
  await page.getByLabel("Adresse").fill(c.adresse);
  if (apporteur) {
    const select = page.getByLabel("Apporteur d'affaires");
    await select.locator("option", { hasText: apporteur }).waitFor({ state: "attached" });
    await select.selectOption({ label: apporteur });
  }
  await page.getByLabel("Remarques").fill(c.remarques);
  if (shots.form) await screenshot(page, shots.form);
  await page.getByRole("button", { name: "Ajouter" }).click();
  await page.getByText("Contact ajouté.").waitFor();
  await page.getByRole("heading", { name: `${c.prenom} ${c.nom}` }).waitFor();
  await expectFact(page, "Email", c.email);
  await expectFact(page, "Téléphone", c.telephone, digits);
  await expectFact(page, "Adresse", c.adresse);
  if (apporteur) await expectFact(page, "Apporteur", apporteur);
  await expectFact(page, "Remarques", c.remarques);
  if (shots.saved) await screenshot(page, shots.saved);
}

/**
 * "Affaires" → "Nouvelle affaire" for the contact `c` (prenom, nom), the first produit, the
 * prime `prime` ("1 500,00") and, when the contact has an apporteur, its rate `taux` →
 * "Valider". Returns the produit's name and the affaire's URL. shots: { form }.
 */
export async function newAffaire(page, c, { prime, taux, shots = {} }) {
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Affaires", exact: true }).click();
  await page.getByRole("tab", { name: "En cours" }).waitFor();
  await page.getByRole("link", { name: "Nouvelle affaire" }).first().click();
  await page.getByLabel("Filtrer vos contacts et entreprises").fill(c.nom);
  const client = page.getByLabel("Contact", { exact: true });
  await client.locator("option", { hasText: c.nom }).first().waitFor({ state: "attached" });
  await client.selectOption(await client.locator("option", { hasText: `${c.prenom} ${c.nom}` }).first().getAttribute("value"));
  const produit = page.getByLabel("Produit", { exact: true });
  await produit.locator("option:not([value=''])").first().waitFor({ state: "attached" });
  const produitOption = produit.locator("option:not([value=''])").first();
  const produitNom = (await produitOption.textContent()).split(" — ")[0].trim();
  await produit.selectOption(await produitOption.getAttribute("value"));
  await page.getByLabel("Prime annuelle (€)").fill(prime);
  if (taux) await page.getByLabel("Taux de commission Apporteur").selectOption(taux);
  if (shots.form) await screenshot(page, shots.form);
  await page.getByRole("button", { name: "Valider" }).click();
  await page.getByRole("status").filter({ hasText: "Affaire créée" }).waitFor();
  return { produitNom, url: page.url() };
}
