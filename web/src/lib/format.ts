// Formatting in French: amounts are integer euro cents, dates are shown jj/mm/aaaa.
import type { Affaire, Apporteur, Contact } from "../generated/openapi";

const euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });

/** Normalises the narrow no-break spaces Intl puts in French numbers to plain no-break spaces. */
function nbsp(s: string): string {
  return s.replace(/[\u202f\u00a0]/g, "\u00a0");
}

/** 123456 → "1 234,56 €" (with no-break spaces). Missing amounts give "—". */
export function formatCentimes(centimes: number | null | undefined): string {
  if (centimes === null || centimes === undefined || !Number.isFinite(centimes)) return "—";
  // Integer arithmetic: keep the sign apart, never divide a float that could round badly.
  const c = Math.trunc(centimes);
  return nbsp(euros.format(c / 100));
}

/** 20 → "20 %". */
export function formatPercent(taux: number | null | undefined): string {
  if (taux === null || taux === undefined || !Number.isFinite(taux)) return "—";
  return nbsp(new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 2 }).format(taux)) + "\u00a0%";
}

/** ISO date or date-time → "jj/mm/aaaa" (in Europe/Paris for instants). */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (day) return `${day[3]}/${day[2]}/${day[1]}`;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  return new Intl.DateTimeFormat("fr-FR", {
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    timeZone: "Europe/Paris",
  }).format(d);
}

/** ISO date-time → "jj/mm/aaaa à hh:mm" (Europe/Paris). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  const time = new Intl.DateTimeFormat("fr-FR", {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: "Europe/Paris",
  }).format(d);
  return `${formatDate(iso)} à ${time}`;
}

/**
 * Parses what a person types as euros ("1 234,56", "1234.5", "1 234 €") into integer cents.
 * Returns null when it is not an amount. Never goes through a float multiplication.
 */
export function parseEurosToCentimes(input: string): number | null {
  const s = input.replace(/[\s\u00a0\u202f€]/g, "");
  if (s === "") return null;
  const m = /^(\d+)(?:[.,](\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const units = Number(m[1]);
  const frac = m[2] ? Number(m[2].padEnd(2, "0")) : 0;
  const total = units * 100 + frac;
  return Number.isSafeInteger(total) ? total : null;
}

/** Integer cents → the editable form "1234,56" (no grouping, comma decimal). */
export function centimesToInput(centimes: number | null | undefined): string {
  if (centimes === null || centimes === undefined) return "";
  const neg = centimes < 0 ? "-" : "";
  const a = Math.abs(Math.trunc(centimes));
  return `${neg}${Math.floor(a / 100)},${String(a % 100).padStart(2, "0")}`;
}

/** The French label of each statut the contract allows (a new one fails the type check). */
export const STATUT_AFFAIRE: Record<Affaire["statut"], string> = {
  en_cours: "En cours",
  signee: "Signée",
  perdue: "Perdue",
  resiliee: "Résiliée",
};

export const STATUT_APPORTEUR: Record<Apporteur["statut"], string> = {
  invitation_envoyee: "Invitation envoyée",
  actif: "Actif",
  desactive: "Désactivé",
};

export const STATUT_CONTACT: Record<Contact["statut"], string> = {
  prospect: "Prospect",
  client: "Client",
};

export function label<K extends string>(map: Record<K, string>, key: K | null | undefined): string {
  if (!key) return "—";
  return map[key] ?? key;
}

/** Allowed next statuts of an affaire (DESIGN §4): en_cours → signee | perdue, signee → resiliee. */
export function nextStatutsAffaire(statut: Affaire["statut"]): Affaire["statut"][] {
  switch (statut) {
    case "en_cours":
      return ["en_cours", "signee", "perdue"];
    case "signee":
      return ["signee", "resiliee"];
    default:
      return [statut];
  }
}

/** Password rules of the activation page: ≥ 10 characters, a lowercase, an uppercase, a digit. */
export function passwordRules(pw: string): { id: string; text: string; ok: boolean }[] {
  return [
    { id: "longueur", text: "Au moins 10 caractères", ok: pw.length >= 10 },
    { id: "minuscule", text: "Une lettre minuscule", ok: /\p{Ll}/u.test(pw) },
    { id: "majuscule", text: "Une lettre majuscule", ok: /\p{Lu}/u.test(pw) },
    { id: "chiffre", text: "Un chiffre", ok: /\d/.test(pw) },
  ];
}

/** "732829320" → "732 829 320"; anything else is shown as it is, a missing one as "—". */
export function formatSiren(s: string | null | undefined): string {
  if (!s) return "—";
  return /^\d{9}$/.test(s) ? `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6)}` : s;
}

/** E.164 as stored → what a French person reads: "+33612345678" → "06 12 34 56 78"; others kept. */
export function formatTelephone(tel: string | null | undefined): string {
  if (!tel) return "—";
  const fr = /^\+33(\d{9})$/.exec(tel);
  if (fr) return ("0" + fr[1]).replace(/(\d{2})(?=\d)/g, "$1\u00a0");
  return tel;
}
