#!/usr/bin/env node
// A small in-memory stand-in for the MyCRM stack, for developing and screenshotting the web
// client without the Go backend: serves web/dist (SPA fallback), the API of DESIGN.md §3,
// a fake Cognito InitiateAuth at /cognito/ and an SES-local-like store at /ses/store.
// It is NOT the contract: the real one is the Go API; the browser test runs against both.
//
//   PORT=5180 MOCK_SEED=1 node scripts/mock-api.mjs
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, "..", "dist");
const port = Number(process.env.PORT ?? 5180);
const seed = process.env.MOCK_SEED === "1";

const ulid = () => Date.now().toString(36).toUpperCase().padStart(10, "0") + crypto.randomBytes(8).toString("hex").toUpperCase().slice(0, 16);
const now = () => new Date().toISOString();

const users = new Map([["mia|demo.mia@assentis.test", { password: "Demo-MIA-2026!", sub: "mia-demo", miaId: "MIADEMO" }]]);
const apporteurs = new Map();
const contacts = new Map();
const entreprises = new Map();
const affaires = new Map();
const historique = new Map(); // affaireId → entries
const emails = [];
const activations = new Map(); // token → apporteurId
const produits = [
  { id: "sante-individuelle", nom: "Complémentaire santé individuelle", categorie: "sante", assureur: "Assentis Santé", tauxCommissionMIA: 15 },
  { id: "prevoyance-tns", nom: "Prévoyance TNS", categorie: "prevoyance", assureur: "Assentis Prévoyance", tauxCommissionMIA: 20 },
  { id: "emprunteur", nom: "Assurance emprunteur", categorie: "emprunteur", assureur: "Assentis Vie", tauxCommissionMIA: 30 },
  { id: "habitation", nom: "Multirisque habitation", categorie: "habitation", assureur: "Assentis IARD", tauxCommissionMIA: 12 },
  { id: "auto", nom: "Assurance auto", categorie: "auto", assureur: "Assentis IARD", tauxCommissionMIA: 10 },
  { id: "rc-pro", nom: "RC professionnelle", categorie: "rc_pro", assureur: "Assentis Pro", tauxCommissionMIA: 15 },
];

function token(claims) {
  const b = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b({ alg: "none", kid: "mock" })}.${b({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })}.mock`;
}
function claimsOf(req) {
  const h = req.headers.authorization ?? "";
  if (!h.startsWith("Bearer ")) return null;
  try {
    const c = JSON.parse(Buffer.from(h.slice(7).split(".")[1], "base64url").toString());
    return c.exp > Date.now() / 1000 ? c : null;
  } catch {
    return null;
  }
}

function send(res, status, body, headers = {}) {
  const data = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers });
  res.end(data);
}
function problem(res, status, title, detail, errors) {
  send(res, status, { type: "about:blank", title, status, detail, errors }, { "Content-Type": "application/problem+json; charset=utf-8" });
}
const etag = (e) => ({ ETag: `"${e.version}"` });

function commission(a) {
  const mia = Math.floor(((a.primeAnnuelleCentimes ?? 0) * a.tauxCommissionMIA + 50) / 100);
  const out = { ...a, commissionMIACentimes: mia };
  if (a.tauxCommissionApporteur) out.commissionApporteurCentimes = Math.floor((mia * a.tauxCommissionApporteur + 50) / 100);
  return out;
}
/** An apporteur's commission totals over its affaires (already through commission()), as the API's CommissionTotaux. */
function totaux(list) {
  const sum = (s) => list.filter((a) => a.statut === s).reduce((t, a) => t + (a.commissionApporteurCentimes ?? 0), 0);
  return { enCoursCentimes: sum("en_cours"), signeeCentimes: sum("signee"), totalCentimes: sum("en_cours") + sum("signee") };
}
function page(list, url) {
  const limit = Math.min(Number(url.searchParams.get("limit") ?? 50), 200);
  const start = Number(url.searchParams.get("cursor") ?? 0);
  const items = list.slice(start, start + limit);
  return { items, nextCursor: start + limit < list.length ? String(start + limit) : undefined };
}
const newest = (m) => [...m.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
const norm = (s) => String(s ?? "").normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
function luhn(s) {
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    let d = Number(s[s.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}
function clientNom(id) {
  const c = contacts.get(id);
  if (c) return [c.prenom, c.nom].filter(Boolean).join(" ");
  return entreprises.get(id)?.raisonSociale ?? "";
}
function addHisto(a, evenement, statutAvant, changements) {
  const l = historique.get(a.id) ?? [];
  l.push({ affaireId: a.id, at: now(), evenement, statutAvant, statut: a.statut, changements, version: a.version });
  historique.set(a.id, l);
}

function sendInvitation(ap, origin) {
  for (const [t, id] of activations) if (id === ap.id) activations.delete(t);
  const t = crypto.randomBytes(24).toString("base64url");
  activations.set(t, ap.id);
  const link = `${origin}/activation?token=${t}`;
  emails.push({
    messageId: ulid(),
    from: "Assentis <no-reply@assentis.test>",
    destination: { to: [ap.email], cc: [], bcc: [] },
    subject: "Activez votre espace apporteur MyCRM",
    body: {
      html: `<p>Bonjour ${ap.prenom ?? ""} ${ap.nom},</p><p>Votre MIA vous a ouvert un espace apporteur. <a href="${link}">Activer mon compte</a></p>`,
      text: `Bonjour,\nActivez votre compte : ${link}\n`,
    },
    at: Math.floor(Date.now() / 1000),
  });
}

function validateContact(b) {
  const errors = [];
  if (!String(b.nom ?? "").trim()) errors.push({ champ: "nom", message: "Le nom est obligatoire." });
  if (!b.telephone && !b.email) errors.push({ champ: "telephone", message: "Indiquez un téléphone ou un email." });
  if (b.email && !/^\S+@\S+\.\S+$/.test(b.email)) errors.push({ champ: "email", message: "L'adresse email n'est pas valide." });
  return errors;
}
function dupContact(b) {
  return [...contacts.values()].find(
    (c) => (b.email && norm(c.email) === norm(b.email)) || (b.telephone && c.telephone && c.telephone.replace(/\D/g, "") === b.telephone.replace(/\D/g, "")),
  );
}

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const s = Buffer.concat(chunks).toString();
  if (!s) return {};
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".map": "application/json" };
function serveStatic(res, p) {
  let f = path.join(dist, path.normalize(p).replace(/^(\.\.[/\\])+/, ""));
  if (!f.startsWith(dist) || !fs.existsSync(f) || fs.statSync(f).isDirectory()) f = path.join(dist, "index.html");
  if (!fs.existsSync(f)) return send(res, 500, { title: "web/dist manquant : npm run build" });
  res.writeHead(200, { "Content-Type": MIME[path.extname(f)] ?? "application/octet-stream" });
  fs.createReadStream(f).pipe(res);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  const origin = `http://${req.headers.host}`;
  const p = url.pathname;
  const m = req.method;
  const seg = p.split("/").filter(Boolean);

  // Fake Cognito
  if (p === "/cognito/" && m === "POST") {
    const b = await body(req);
    const pool = b.ClientId === "client-apporteur" ? "apporteur" : "mia";
    if (b.AuthFlow === "REFRESH_TOKEN_AUTH") {
      const [pl, email] = String(b.AuthParameters?.REFRESH_TOKEN ?? "").split("|");
      const u = users.get(`${pl}|${email}`);
      if (!u) return send(res, 400, { __type: "NotAuthorizedException", message: "Invalid Refresh Token" });
      return send(res, 200, { AuthenticationResult: { IdToken: token({ email, pool: pl, "custom:mia_id": u.miaId, "custom:apporteur_id": u.apporteurId }), AccessToken: "a" } });
    }
    const email = String(b.AuthParameters?.USERNAME ?? "").toLowerCase();
    const u = users.get(`${pool}|${email}`);
    if (!u || u.password !== b.AuthParameters?.PASSWORD) return send(res, 400, { __type: "NotAuthorizedException", message: "Incorrect username or password." });
    return send(res, 200, {
      AuthenticationResult: {
        IdToken: token({ email, pool, "custom:mia_id": u.miaId, "custom:apporteur_id": u.apporteurId }),
        AccessToken: "access",
        RefreshToken: `${pool}|${email}`,
        ExpiresIn: 3600,
      },
    });
  }
  if (p === "/ses/store" && m === "GET") return send(res, 200, { emails, templates: {} });
  if (p === "/config" && m === "GET")
    return send(res, 200, {
      region: "eu-west-3",
      cognitoEndpoint: `${origin}/cognito/`,
      mia: { userPoolId: "local_mia", clientId: "client-mia" },
      apporteur: { userPoolId: "local_apporteur", clientId: "client-apporteur" },
    });
  if (p === "/activation" && m === "POST") {
    const b = await body(req);
    const id = activations.get(b?.token);
    if (!id) return problem(res, 400, "Lien d'activation invalide", "Ce lien a expiré ou a déjà servi.", [{ champ: "token", message: "Ce lien a expiré ou a déjà servi." }]);
    const pw = String(b.motDePasse ?? "");
    if (pw.length < 10 || !/[a-z]/.test(pw) || !/[A-Z]/.test(pw) || !/\d/.test(pw))
      return problem(res, 400, "Mot de passe trop faible", undefined, [{ champ: "motDePasse", message: "Au moins 10 caractères, une minuscule, une majuscule et un chiffre." }]);
    activations.delete(b.token);
    const ap = apporteurs.get(id);
    users.set(`apporteur|${ap.email}`, { password: pw, miaId: "MIADEMO", apporteurId: ap.id });
    Object.assign(ap, { statut: "actif", activeLe: now(), updatedAt: now(), version: ap.version + 1 });
    return send(res, 200, { statut: "actif" });
  }

  const isApi = ["apporteurs", "contacts", "entreprises", "produits", "affaires", "espace-apporteur"].includes(seg[0]);
  const wantsHtml = (req.headers.accept ?? "").includes("text/html");
  if (!isApi || (m === "GET" && wantsHtml)) return serveStatic(res, p);

  const c = claimsOf(req);
  if (!c) return problem(res, 401, "Non authentifié", "Connectez-vous.");
  const b = m === "POST" || m === "PATCH" ? await body(req) : undefined;
  if (b === null) return problem(res, 400, "Corps invalide", "Le corps n'est pas du JSON.");

  if (seg[0] === "espace-apporteur") {
    if (c.pool !== "apporteur") return problem(res, 401, "Non authentifié", "Jeton invalide pour cette route.");
    const me = c["custom:apporteur_id"];
    const mine = newest(contacts).filter((x) => x.apporteurId === me);
    const myAff = newest(affaires).filter((a) => a.apporteurId === me).map((a) => {
      const { primeAnnuelleCentimes, tauxCommissionMIA, commissionMIACentimes, remarques, ...rest } = commission(a);
      return { ...rest, clientNom: clientNom(a.clientId), historique: historique.get(a.id) ?? [] };
    });
    // The apporteur sees its own note, never the MIA's remarques.
    if (seg[1] === "contacts" && m === "GET") return send(res, 200, page(mine.map(({ remarques, ...rest }) => rest), url));
    if (seg[1] === "contacts" && m === "POST") {
      const errors = validateContact(b);
      if (errors.length) return problem(res, 400, "Données invalides", "Corrigez les champs indiqués.", errors);
      if (dupContact(b)) return problem(res, 409, "Contact déjà connu", "Ce contact est déjà connu de votre mandataire : il n'a pas été ajouté.");
      const ct = { id: ulid(), nom: b.nom, prenom: b.prenom, telephone: b.telephone, email: b.email, adresse: b.adresse, profession: b.profession, noteApporteur: b.noteApporteur, statut: "prospect", apporteurId: me, createdAt: now(), updatedAt: now(), version: 1 };
      contacts.set(ct.id, ct);
      return send(res, 201, ct, etag(ct));
    }
    if (seg[1] === "affaires") return send(res, 200, { items: myAff });
    if (seg[1] === "commissions") {
      const items = myAff.map((a) => ({ affaireId: a.id, produitNom: a.produitNom, clientNom: a.clientNom, statut: a.statut, tauxCommissionApporteur: a.tauxCommissionApporteur, commissionPrevisionnelleCentimes: a.commissionApporteurCentimes ?? 0 }));
      return send(res, 200, { items, totaux: totaux(myAff) });
    }
    if (seg[1] === "profil") {
      const ap = apporteurs.get(me);
      return send(res, 200, { ...ap, mia: { nom: "Martin", prenom: "Claire", cabinet: "Cabinet Demo" } });
    }
    return problem(res, 404, "Introuvable", "Cette route n'existe pas.");
  }
  if (c.pool !== "mia") return problem(res, 401, "Non authentifié", "Jeton invalide pour cette route.");

  const id = seg[1] ? decodeURIComponent(seg[1]) : undefined;
  const COLLECTIONS = { apporteurs: [apporteurs, "Apporteur"], contacts: [contacts, "Contact"], entreprises: [entreprises, "Entreprise"], affaires: [affaires, "Affaire"] };
  if (id && COLLECTIONS[seg[0]] && !COLLECTIONS[seg[0]][0].has(id)) return problem(res, 404, "Introuvable", `${COLLECTIONS[seg[0]][1]} introuvable.`);
  const ifMatch = req.headers["if-match"];
  switch (`${m} ${seg[0]}${id ? "/:id" : ""}${seg[2] ? "/" + seg[2] : ""}`) {
    case "GET produits":
      return send(res, 200, { items: produits });
    case "GET apporteurs": {
      const s = url.searchParams.get("statut");
      return send(res, 200, page(newest(apporteurs).filter((a) => !s || a.statut === s), url));
    }
    case "POST apporteurs": {
      const errors = [];
      if (!String(b.nom ?? "").trim()) errors.push({ champ: "nom", message: "Le nom est obligatoire." });
      if (!/^\S+@\S+\.\S+$/.test(b.email ?? "")) errors.push({ champ: "email", message: "L'adresse email n'est pas valide." });
      if (errors.length) return problem(res, 400, "Données invalides", "Corrigez les champs indiqués.", errors);
      if ([...apporteurs.values()].some((a) => a.email === b.email.toLowerCase()))
        return problem(res, 409, "Apporteur déjà enregistré", "Un apporteur utilise déjà cet email.", [{ champ: "email", message: "Un apporteur utilise déjà cet email." }]);
      const ap = { id: ulid(), nom: b.nom, prenom: b.prenom, telephone: b.telephone, email: b.email.toLowerCase(), localisation: b.localisation, remarques: b.remarques, statut: "invitation_envoyee", commissions: { enCoursCentimes: 0, signeeCentimes: 0, totalCentimes: 0 }, createdAt: now(), updatedAt: now(), version: 1 };
      apporteurs.set(ap.id, ap);
      sendInvitation(ap, origin);
      return send(res, 201, ap, etag(ap));
    }
    case "GET apporteurs/:id": {
      const ap = apporteurs.get(id);
      ap.commissions = totaux([...affaires.values()].filter((a) => a.apporteurId === id).map(commission));
      return send(res, 200, ap, etag(ap));
    }
    case "PATCH apporteurs/:id": {
      const ap = apporteurs.get(id);
      if (ifMatch && ifMatch !== `"${ap.version}"`) return problem(res, 412, "Modifié entre-temps", "Rechargez la fiche.");
      Object.assign(ap, b, { updatedAt: now(), version: ap.version + 1 });
      if (ap.statut === "actif" && !ap.activeLe) ap.statut = "invitation_envoyee";
      return send(res, 200, ap, etag(ap));
    }
    case "POST apporteurs/:id/invitation": {
      const ap = apporteurs.get(id);
      sendInvitation(ap, origin);
      return send(res, 202, ap, etag(ap));
    }
    case "GET contacts": {
      const q = norm(url.searchParams.get("q"));
      const s = url.searchParams.get("statut");
      const ap = url.searchParams.get("apporteurId");
      const list = newest(contacts).filter(
        (x) => (!q || norm(`${x.nom} ${x.prenom} ${x.email} ${x.telephone}`).includes(q)) && (!s || x.statut === s) && (!ap || x.apporteurId === ap),
      );
      return send(res, 200, page(list, url));
    }
    case "POST contacts": {
      const errors = validateContact(b);
      if (errors.length) return problem(res, 400, "Données invalides", "Corrigez les champs indiqués.", errors);
      const d = dupContact(b);
      if (d) return problem(res, 409, "Contact déjà existant", `Ce contact existe déjà : ${[d.prenom, d.nom].filter(Boolean).join(" ")}.`, [{ champ: b.email && norm(d.email) === norm(b.email) ? "email" : "telephone", message: "Déjà utilisé par un autre contact." }]);
      const ct = { id: ulid(), ...b, statut: "prospect", createdAt: now(), updatedAt: now(), version: 1 };
      contacts.set(ct.id, ct);
      return send(res, 201, ct, etag(ct));
    }
    case "GET contacts/:id": {
      const ct = contacts.get(id);
      return send(res, 200, { ...ct, affaires: newest(affaires).filter((a) => a.clientId === id).map(commission) }, etag(ct));
    }
    case "PATCH contacts/:id":
    case "PATCH entreprises/:id": {
      const e = (seg[0] === "contacts" ? contacts : entreprises).get(id);
      if (ifMatch && ifMatch !== `"${e.version}"`) return problem(res, 412, "Modifié entre-temps", "Rechargez la fiche.");
      Object.assign(e, b, { updatedAt: now(), version: e.version + 1 });
      return send(res, 200, e, etag(e));
    }
    case "GET entreprises": {
      const q = norm(url.searchParams.get("q"));
      return send(res, 200, page(newest(entreprises).filter((e) => !q || norm(`${e.raisonSociale} ${e.siren}`).includes(q)), url));
    }
    case "POST entreprises": {
      const errors = [];
      if (!String(b.raisonSociale ?? "").trim()) errors.push({ champ: "raisonSociale", message: "La raison sociale est obligatoire." });
      if (!/^\d{9}$/.test(b.siren ?? "") || !luhn(b.siren)) errors.push({ champ: "siren", message: "Le SIREN doit compter 9 chiffres et avoir une clé valide." });
      const dir = contacts.get(b.dirigeantId);
      if (!dir) errors.push({ champ: "dirigeantId", message: "Le dirigeant doit être l'un de vos contacts." });
      if (errors.length) return problem(res, 400, "Données invalides", "Corrigez les champs indiqués.", errors);
      const en = { id: ulid(), raisonSociale: b.raisonSociale, siren: b.siren, adresse: b.adresse ?? "", dirigeantId: b.dirigeantId, apporteurId: b.apporteurId ?? dir.apporteurId, createdAt: now(), updatedAt: now(), version: 1 };
      entreprises.set(en.id, en);
      return send(res, 201, en, etag(en));
    }
    case "GET entreprises/:id": {
      const en = entreprises.get(id);
      return send(res, 200, { ...en, affaires: newest(affaires).filter((a) => a.clientId === id).map(commission) }, etag(en));
    }
    case "GET affaires": {
      const ap = url.searchParams.get("apporteurId");
      const s = url.searchParams.get("statut") || (ap ? "" : "en_cours");
      const of = newest(affaires).filter((a) => (!s || a.statut === s) && (!ap || a.apporteurId === ap));
      return send(res, 200, page(of.map(commission), url));
    }
    case "POST affaires": {
      const client = contacts.get(b.clientId) ?? entreprises.get(b.clientId);
      const pr = produits.find((x) => x.id === b.produitId);
      const errors = [];
      if (!client) errors.push({ champ: "clientId", message: "Choisissez un contact ou une entreprise." });
      if (!pr) errors.push({ champ: "produitId", message: "Ce produit n'existe pas." });
      if (errors.length) return problem(res, 400, "Données invalides", "Corrigez les champs indiqués.", errors);
      const a = { id: ulid(), clientId: b.clientId, clientType: contacts.has(b.clientId) ? "contact" : "entreprise", clientNom: clientNom(b.clientId), produitId: pr.id, produitNom: pr.nom, statut: "en_cours", primeAnnuelleCentimes: b.primeAnnuelleCentimes ?? 0, tauxCommissionMIA: pr.tauxCommissionMIA, apporteurId: client.apporteurId, createdAt: now(), updatedAt: now(), version: 1 };
      affaires.set(a.id, a);
      addHisto(a, "creation");
      return send(res, 201, commission(a), etag(a));
    }
    case "GET affaires/:id": {
      const a = affaires.get(id);
      return send(res, 200, { ...commission(a), historique: historique.get(id) ?? [] }, etag(a));
    }
    case "PATCH affaires/:id": {
      const a = affaires.get(id);
      if (ifMatch && ifMatch !== `"${a.version}"`) return problem(res, 412, "Modifié entre-temps", "Cette affaire a été modifiée par ailleurs : rechargez-la.");
      const errors = [];
      const next = { en_cours: ["signee", "perdue"], signee: ["resiliee"] };
      if (b.statut && b.statut !== a.statut && !(next[a.statut] ?? []).includes(b.statut)) errors.push({ champ: "statut", message: "Ce changement de statut n'est pas permis." });
      if (b.tauxCommissionApporteur !== undefined && ![15, 20, 25].includes(b.tauxCommissionApporteur)) errors.push({ champ: "tauxCommissionApporteur", message: "Le taux de commission apporteur doit être 15, 20 ou 25." });
      if (b.tauxCommissionApporteur !== undefined && !a.apporteurId) errors.push({ champ: "tauxCommissionApporteur", message: "Cette affaire n'a pas d'apporteur." });
      if (errors.length) return problem(res, 400, "Données invalides", "Corrigez les champs indiqués.", errors);
      const changements = Object.keys(b).filter((k) => b[k] !== a[k]).map((k) => ({ champ: k, avant: a[k] === undefined ? "" : String(a[k]), apres: String(b[k]) }));
      const avant = a.statut;
      Object.assign(a, b, { updatedAt: now(), version: a.version + 1 });
      if (a.statut === "signee" && contacts.has(a.clientId)) contacts.get(a.clientId).statut = "client";
      addHisto(a, "mise_a_jour", avant, changements);
      return send(res, 200, commission(a), etag(a));
    }
  }
  return problem(res, 404, "Introuvable", "Cette route n'existe pas.");
});

if (seed) {
  const mk = (map, o) => (map.set(o.id, o), o);
  const t = (d) => new Date(Date.now() - d * 86400000).toISOString();
  const ap = mk(apporteurs, { id: "AP1", nom: "Lefèvre", prenom: "Julien", telephone: "+33612345678", email: "julien.lefevre@exemple.fr", localisation: "Lyon (69)", remarques: "Agent immobilier", statut: "actif", activeLe: t(20), createdAt: t(25), updatedAt: t(20), version: 2 });
  mk(apporteurs, { id: "AP2", nom: "Benali", prenom: "Sarah", telephone: "+33699887766", email: "sarah.benali@exemple.fr", localisation: "Villeurbanne", statut: "invitation_envoyee", createdAt: t(2), updatedAt: t(2), version: 1 });
  users.set("apporteur|julien.lefevre@exemple.fr", { password: "Apporteur-2026", miaId: "MIADEMO", apporteurId: "AP1" });
  const c1 = mk(contacts, { id: "C1", nom: "Durand", prenom: "Émilie", telephone: "+33611223344", email: "emilie.durand@exemple.fr", statut: "client", apporteurId: ap.id, createdAt: t(18), updatedAt: t(18), version: 1 });
  const c2 = mk(contacts, { id: "C2", nom: "Moreau", prenom: "Thomas", email: "t.moreau@exemple.fr", statut: "prospect", createdAt: t(10), updatedAt: t(10), version: 1 });
  mk(contacts, { id: "C3", nom: "Petit", prenom: "Nadia", telephone: "+33744556677", statut: "prospect", apporteurId: ap.id, createdAt: t(3), updatedAt: t(3), version: 1 });
  mk(entreprises, { id: "E1", raisonSociale: "Boulangerie Moreau SARL", siren: "732829320", adresse: "12 rue de la République, 69002 Lyon", dirigeantId: c2.id, createdAt: t(9), updatedAt: t(9), version: 1 });
  const a1 = mk(affaires, { id: "A1", clientId: c1.id, clientType: "contact", clientNom: "Émilie Durand", produitId: "emprunteur", produitNom: "Assurance emprunteur", statut: "signee", primeAnnuelleCentimes: 123456, tauxCommissionMIA: 30, apporteurId: ap.id, tauxCommissionApporteur: 20, createdAt: t(15), updatedAt: t(5), version: 3 });
  historique.set(a1.id, [
    { at: t(15), evenement: "creation", statut: "en_cours", version: 1 },
    { at: t(8), evenement: "mise_a_jour", statutAvant: "en_cours", statut: "en_cours", changements: [{ champ: "primeAnnuelleCentimes", avant: "0", apres: "123456" }, { champ: "tauxCommissionApporteur", avant: "", apres: "20" }], version: 2 },
    { at: t(5), evenement: "mise_a_jour", statutAvant: "en_cours", statut: "signee", changements: [{ champ: "statut", avant: "en_cours", apres: "signee" }], version: 3 },
  ]);
  const a2 = mk(affaires, { id: "A2", clientId: c1.id, clientType: "contact", clientNom: "Émilie Durand", produitId: "habitation", produitNom: "Multirisque habitation", statut: "en_cours", primeAnnuelleCentimes: 48000, tauxCommissionMIA: 12, apporteurId: ap.id, tauxCommissionApporteur: 25, createdAt: t(4), updatedAt: t(4), version: 1 });
  historique.set(a2.id, [{ at: t(4), evenement: "creation", statut: "en_cours", version: 1 }]);
  mk(affaires, { id: "A3", clientId: "E1", clientType: "entreprise", clientNom: "Boulangerie Moreau SARL", produitId: "rc-pro", produitNom: "RC professionnelle", statut: "en_cours", primeAnnuelleCentimes: 250000, tauxCommissionMIA: 15, createdAt: t(6), updatedAt: t(6), version: 1 });
}

server.listen(port, "127.0.0.1", () => console.log(`mock MyCRM on http://127.0.0.1:${port}/ (SES store at /ses, seed=${seed})`));
