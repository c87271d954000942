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
  invitationEnvoyeeLe?: string;
  invitationEnvoyeeAt?: string;
  activeLe?: string;
  activatedAt?: string;
}

export interface Contact extends Entity {
  nom: string;
  prenom?: string;
  telephone?: string;
  email?: string;
  adresse?: string;
  remarques?: string;
  statut?: "prospect" | "client" | string;
  apporteurId?: string;
  apporteurNom?: string;
  affaires?: Affaire[];
}

export interface Entreprise extends Entity {
  raisonSociale: string;
  siren: string;
  adresse?: string;
  dirigeantId?: string;
  dirigeantNom?: string;
  dirigeant?: Contact;
  apporteurId?: string;
  affaires?: Affaire[];
}

export interface Produit {
  id?: string;
  code?: string;
  nom?: string;
  libelle?: string;
  categorie?: string;
  description?: string;
  tauxCommissionMIA?: number;
}

export interface HistoriqueEntry {
  at?: string;
  date?: string;
  createdAt?: string;
  type?: string;
  statut?: string;
  message?: string;
  description?: string;
  libelle?: string;
}

export interface Affaire extends Entity {
  clientId: string;
  clientNom?: string;
  client?: { nom?: string; prenom?: string; raisonSociale?: string };
  produitId: string;
  produitNom?: string;
  produitLibelle?: string;
  produit?: Produit | string;
  statut: string;
  primeAnnuelleCentimes?: number;
  tauxCommissionMIA?: number;
  commissionMIACentimes?: number;
  tauxCommissionApporteur?: number | null;
  commissionApporteurCentimes?: number | null;
  apporteurId?: string | null;
  historique?: HistoriqueEntry[];
}

export function personName(c: { prenom?: string; nom?: string } | undefined): string {
  if (!c) return "";
  return [c.prenom, c.nom].filter(Boolean).join(" ");
}

export function produitKey(p: Produit): string {
  return p.id ?? p.code ?? "";
}

export function produitLabel(p: Produit | string | undefined): string {
  if (!p) return "";
  if (typeof p === "string") return p;
  return p.nom ?? p.libelle ?? p.code ?? p.id ?? "";
}

export function affaireProduit(a: Affaire, produits?: Map<string, Produit>): string {
  return (
    a.produitNom ??
    a.produitLibelle ??
    (a.produit ? produitLabel(a.produit) : undefined) ??
    (produits?.get(a.produitId) ? produitLabel(produits.get(a.produitId)) : undefined) ??
    a.produitId
  );
}

export function affaireClient(a: Affaire): string | undefined {
  if (a.clientNom) return a.clientNom;
  if (a.client) return a.client.raisonSociale ?? personName(a.client);
  return undefined;
}

export function historiqueDate(h: HistoriqueEntry): string | undefined {
  return h.at ?? h.date ?? h.createdAt;
}

export function historiqueText(h: HistoriqueEntry): string {
  return h.message ?? h.description ?? h.libelle ?? h.type ?? "";
}

export interface CommissionLine {
  affaireId?: string;
  id?: string;
  produitNom?: string;
  produit?: Produit | string;
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

/** Reads GET /espace-apporteur/commissions whatever the names of its totals; sums lines when absent. */
export function readCommissions(body: any): Commissions {
  const lines: CommissionLine[] = Array.isArray(body?.items)
    ? body.items
    : Array.isArray(body?.affaires)
      ? body.affaires
      : Array.isArray(body?.lignes)
        ? body.lignes
        : [];
  const t = body?.totaux ?? body?.totals ?? body?.total ?? body ?? {};
  const sum = (statut: string) =>
    lines.filter((l) => l.statut === statut).reduce((s, l) => s + lineCommission(l), 0);
  const enCours =
    num(t.en_cours, t.enCours, t.enCoursCentimes, t.commissionEnCoursCentimes, t.totalEnCoursCentimes, t.en_cours?.commissionCentimes) ??
    sum("en_cours");
  const signees =
    num(t.signee, t.signees, t.signeeCentimes, t.signeesCentimes, t.commissionSigneeCentimes, t.totalSigneeCentimes, t.totalSigneesCentimes) ??
    sum("signee");
  return { lines, enCoursCentimes: enCours, signeesCentimes: signees, totalCentimes: enCours + signees };
}
