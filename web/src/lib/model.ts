import { STATUT_AFFAIRE, formatCentimes, formatPercent, parseEurosToCentimes } from "./format";

// The shapes the client reads from the API. Field names follow DESIGN.md §3–§4; where the
// contract leaves a name open, the helpers below accept the likely spellings.

export interface Entity {
  id: string;
  createdAt?: string;
  updatedAt?: string;
  version?: number;
}

export interface Apporteur extends Entity {
  nom: string;
  prenom?: string;
  telephone?: string;
  email: string;
  localisation?: string;
  remarques?: string;
  statut: "invitation_envoyee" | "actif" | "desactive" | string;
  /** Set when the invitation email could not be sent after several tries: the MIA resends it. */
  invitationEchouee?: boolean;
  activeLe?: string;
  commissions?: { enCoursCentimes?: number; signeeCentimes?: number; totalCentimes?: number };
}

export interface Contact extends Entity {
  nom: string;
  prenom?: string;
  telephone?: string;
  email?: string;
  adresse?: string;
  profession?: string;
  remarques?: string;
  /** The apporteur's note for the MIA, written when it brought the contact; the MIA only reads it. */
  noteApporteur?: string;
  statut?: "prospect" | "client" | string;
  apporteurId?: string;
  affaires?: Affaire[];
}

export interface Entreprise extends Entity {
  raisonSociale: string;
  siren: string;
  adresse?: string;
  dirigeantId?: string;
  apporteurId?: string;
  affaires?: Affaire[];
}

export interface Produit {
  id: string;
  nom: string;
  categorie?: string;
  assureur?: string;
  description?: string;
  tauxCommissionMIA?: number;
}

export interface Changement {
  champ: string;
  avant?: string;
  apres?: string;
}

/** One entry of an affaire's historique (internal/crm/affaire.go Historique), oldest first. */
export interface HistoriqueEntry {
  at?: string;
  evenement?: string;
  statutAvant?: string;
  changements?: Changement[];
  statut?: string;
  /** A free text that replaces the generated one. */
  message?: string;
}

export interface Affaire extends Entity {
  clientId: string;
  clientNom?: string;
  clientType?: "contact" | "entreprise" | string;
  client?: { nom?: string; prenom?: string; raisonSociale?: string };
  produitId: string;
  produitNom?: string;
  statut: string;
  primeAnnuelleCentimes?: number;
  tauxCommissionMIA?: number;
  commissionMIACentimes?: number;
  tauxCommissionApporteur?: number | null;
  commissionApporteurCentimes?: number | null;
  apporteurId?: string | null;
  remarques?: string;
  historique?: HistoriqueEntry[];
}

export function personName(c: { prenom?: string; nom?: string } | undefined): string {
  if (!c) return "";
  return [c.prenom, c.nom].filter(Boolean).join(" ");
}

/** An apporteur's display name: its name, or its email when it has none. */
export function apporteurName(a: Pick<Apporteur, "prenom" | "nom" | "email"> | undefined): string {
  return personName(a) || (a?.email ?? "");
}

export function affaireProduit(a: Affaire, produits?: Map<string, Produit>): string {
  return a.produitNom ?? produits?.get(a.produitId)?.nom ?? a.produitId;
}

export function affaireClient(a: Affaire): string | undefined {
  if (a.clientNom) return a.clientNom;
  if (a.client) return a.client.raisonSociale ?? personName(a.client);
  return undefined;
}

const CHAMPS: Record<string, string> = {
  statut: "Statut",
  primeAnnuelleCentimes: "Prime annuelle",
  tauxCommissionMIA: "Taux de commission MIA",
  tauxCommissionApporteur: "Taux de commission apporteur",
  remarques: "Remarques",
  produitId: "Produit",
  clientId: "Client",
};

function valeur(champ: string, v: string | undefined): string {
  if (v === undefined || v === "") return "—";
  if (champ === "statut") return STATUT_AFFAIRE[v] ?? v;
  if (champ.endsWith("Centimes") && /^-?\d+$/.test(v)) return formatCentimes(Number(v));
  if (champ.startsWith("taux") && /^\d+$/.test(v)) return formatPercent(Number(v));
  return v;
}

/** One line of an affaire's history, in French. */
export function historiqueText(h: HistoriqueEntry): string {
  if (h.message) return h.message;
  if (h.evenement === "creation") return `Affaire créée (${STATUT_AFFAIRE[h.statut ?? "en_cours"] ?? h.statut})`;
  const parts = (h.changements ?? []).map((c) => `${CHAMPS[c.champ] ?? c.champ} : ${valeur(c.champ, c.avant)} → ${valeur(c.champ, c.apres)}`);
  if (parts.length) return parts.join(" ; ");
  if (h.statutAvant && h.statut && h.statutAvant !== h.statut)
    return `Statut : ${STATUT_AFFAIRE[h.statutAvant] ?? h.statutAvant} → ${STATUT_AFFAIRE[h.statut] ?? h.statut}`;
  if (h.evenement === "mise_a_jour") return "Affaire mise à jour";
  return h.evenement ?? "";
}

export const CATEGORIES: Record<string, string> = {
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

export interface CommissionLine {
  affaireId?: string;
  id?: string;
  produitNom?: string;
  clientNom?: string;
  statut: string;
  tauxCommissionApporteur?: number | null;
  commissionApporteurCentimes?: number | null;
  commissionPrevisionnelleCentimes?: number | null;
  primeAnnuelleCentimes?: number;
}

export interface Commissions {
  lines: CommissionLine[];
  enCoursCentimes: number;
  signeesCentimes: number;
  totalCentimes: number;
}

function num(...v: unknown[]): number | undefined {
  for (const x of v) if (typeof x === "number" && Number.isFinite(x)) return x;
  return undefined;
}

export function lineCommission(l: CommissionLine): number {
  return num(l.commissionApporteurCentimes, l.commissionPrevisionnelleCentimes) ?? 0;
}

/** The body of GET /espace-apporteur/commissions. */
export interface CommissionsResponse {
  items?: CommissionLine[];
  totaux?: { enCoursCentimes?: number; signeeCentimes?: number; totalCentimes?: number };
}

/** Reads GET /espace-apporteur/commissions; sums the lines by statut when a total is absent. */
export function readCommissions(body: CommissionsResponse | undefined): Commissions {
  const lines = Array.isArray(body?.items) ? body.items : [];
  const sum = (statut: string) => lines.filter((l) => l.statut === statut).reduce((s, l) => s + lineCommission(l), 0);
  const enCours = num(body?.totaux?.enCoursCentimes) ?? sum("en_cours");
  const signees = num(body?.totaux?.signeeCentimes) ?? sum("signee");
  return { lines, enCoursCentimes: enCours, signeesCentimes: signees, totalCentimes: enCours + signees };
}

/** The body of POST /affaires from the "Nouvelle affaire" form. */
export interface NouvelleAffaire {
  clientId: string;
  produitId: string;
  primeAnnuelleCentimes?: number;
  tauxCommissionApporteur?: number;
}

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
  if (v.clientHasApporteur && v.tauxApporteur) body.tauxCommissionApporteur = Number(v.tauxApporteur);
  return { body };
}
