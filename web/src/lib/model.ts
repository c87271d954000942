// What the client works out from the API's answers. The shapes themselves are generated from
// the served OpenAPI document (src/generated/openapi.ts, `npm run gen`): none is written here.
import type { Apporteur, Historique, NouvelleAffaire, Produit } from "../generated/openapi";
import { STATUT_AFFAIRE, formatCentimes, formatPercent, parseEurosToCentimes } from "./format";

export function personName(c: { prenom?: string; nom?: string } | undefined): string {
  if (!c) return "";
  return [c.prenom, c.nom].filter(Boolean).join(" ");
}

/** An apporteur's display name: its name, or its email when it has none. */
export function apporteurName(a: Pick<Apporteur, "prenom" | "nom" | "email"> | undefined): string {
  return personName(a) || (a?.email ?? "");
}

const CHAMPS: Record<string, string> = {
  statut: "Statut",
  primeAnnuelleCentimes: "Prime annuelle",
  tauxCommissionMIA: "Taux de commission MIA",
  tauxCommissionApporteur: "Taux de commission apporteur",
  remarques: "Remarques",
  produitId: "Produit",
  clientId: "Client",
  apporteurId: "Apporteur",
};

function valeur(champ: string, v: string | undefined, apporteurs?: Map<string, string>): string {
  if (v === undefined || v === "") return "—";
  if (champ === "statut") return (STATUT_AFFAIRE as Record<string, string>)[v] ?? v;
  if (champ === "apporteurId") return apporteurs?.get(v) ?? v;
  if (champ.endsWith("Centimes") && /^-?\d+$/.test(v)) return formatCentimes(Number(v));
  if (champ.startsWith("taux") && /^\d+$/.test(v)) return formatPercent(Number(v));
  return v;
}

/** One historique entry, as GET /affaires/{id} and the espace apporteur send it. */
type Entry = Pick<Historique, "evenement" | "statutAvant" | "statut"> & { changements?: { champ?: string; avant?: string; apres?: string }[] };

/**
 * One line of an affaire's history, in French. The historique stores apporteur ids (names change):
 * apporteurs maps them to names where the caller knows them (the MIA's apporteurs).
 */
export function historiqueText(h: Entry, apporteurs?: Map<string, string>): string {
  if (h.evenement === "creation") return `Affaire créée (${STATUT_AFFAIRE[h.statut ?? "en_cours"]})`;
  const parts = (h.changements ?? []).map((c) => {
    const champ = c.champ ?? "";
    return `${CHAMPS[champ] ?? champ} : ${valeur(champ, c.avant, apporteurs)} → ${valeur(champ, c.apres, apporteurs)}`;
  });
  if (parts.length) return parts.join(" ; ");
  if (h.statutAvant && h.statut && h.statutAvant !== h.statut) return `Statut : ${STATUT_AFFAIRE[h.statutAvant]} → ${STATUT_AFFAIRE[h.statut]}`;
  if (h.evenement === "mise_a_jour") return "Affaire mise à jour";
  return h.evenement ?? "";
}

/** The catalogue's categories in French: one for each value the contract allows. */
export const CATEGORIES: Record<Produit["categorie"], string> = {
  sante: "Santé",
  prevoyance: "Prévoyance",
  emprunteur: "Assurance emprunteur",
  habitation: "Habitation",
  auto: "Auto",
  rc_pro: "Responsabilité civile professionnelle",
  multirisque_pro: "Multirisque professionnelle",
  epargne_retraite: "Épargne et retraite",
  obseques: "Obsèques",
  accidents_vie: "Garantie des accidents de la vie",
};

/** The apporteur's rates a MIA may choose, one for each value the contract allows. */
export const TAUX_APPORTEUR: Record<NonNullable<NouvelleAffaire["tauxCommissionApporteur"]>, string> = {
  15: "15 %",
  20: "20 %",
  25: "25 %",
};

/** The rates of TAUX_APPORTEUR, smallest first. */
export const TAUX_APPORTEUR_VALEURS = Object.keys(TAUX_APPORTEUR).map(Number) as (keyof typeof TAUX_APPORTEUR)[];

/**
 * Reads the "Nouvelle affaire" form: the contact and the produit are required; the prime
 * annuelle is optional and typed in euros ("1 200,50"), sent as integer cents; the apporteur's
 * rate (15, 20 or 25) is optional and only sent when the client has an apporteur. Returns the
 * body, or the French message of each field at fault.
 */
export function nouvelleAffaire(v: { clientId: string; produitId: string; primeAnnuelle: string; tauxApporteur?: string; clientHasApporteur?: boolean }):
  | { body: NouvelleAffaire; errors?: undefined }
  | { body?: undefined; errors: Record<string, string | undefined> } {
  const prime = v.primeAnnuelle.trim() ? parseEurosToCentimes(v.primeAnnuelle) : undefined;
  const errors = {
    clientId: v.clientId ? undefined : "Choisissez d'abord le contact.",
    produitId: v.produitId ? undefined : "Choisissez le produit.",
    primeAnnuelleCentimes: prime === null ? "Saisissez un montant en euros, par exemple 1 234,56." : undefined,
  };
  if (Object.values(errors).some(Boolean)) return { errors };
  const body: NouvelleAffaire = { clientId: v.clientId, produitId: v.produitId };
  if (prime != null) body.primeAnnuelleCentimes = prime;
  const taux = Number(v.tauxApporteur);
  if (v.clientHasApporteur && taux in TAUX_APPORTEUR) body.tauxCommissionApporteur = taux as keyof typeof TAUX_APPORTEUR;
  return { body };
}
