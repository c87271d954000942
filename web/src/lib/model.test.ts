import { describe, expect, it } from "vitest";
import { affaireClient, affaireProduit, historiqueText, nouvelleAffaire, personName, readCommissions } from "./model";

const sp = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

describe("readCommissions", () => {
  it("reads the API's totaux and lines", () => {
    const c = readCommissions({
      items: [
        { affaireId: "a1", statut: "en_cours", tauxCommissionApporteur: 20, commissionPrevisionnelleCentimes: 480 },
        { affaireId: "a2", statut: "signee", tauxCommissionApporteur: 25, commissionPrevisionnelleCentimes: 7407 },
      ],
      totaux: { enCoursCentimes: 480, signeeCentimes: 7407, totalCentimes: 7887 },
    });
    expect(c).toMatchObject({ enCoursCentimes: 480, signeesCentimes: 7407, totalCentimes: 7887 });
    expect(c.lines).toHaveLength(2);
  });
  it("sums the lines by statut when there are no totals (perdue and resiliee count for nothing)", () => {
    const c = readCommissions({
      items: [
        { statut: "en_cours", commissionApporteurCentimes: 100 },
        { statut: "en_cours", commissionApporteurCentimes: 250 },
        { statut: "signee", commissionApporteurCentimes: 1000 },
        { statut: "perdue", commissionApporteurCentimes: 999 },
      ],
    });
    expect(c).toMatchObject({ enCoursCentimes: 350, signeesCentimes: 1000, totalCentimes: 1350 });
  });
  it("copes with an empty answer", () => {
    expect(readCommissions(undefined)).toMatchObject({ lines: [], totalCentimes: 0 });
  });
});

describe("historiqueText", () => {
  it("says what happened, in French", () => {
    expect(historiqueText({ evenement: "creation", statut: "en_cours" })).toBe("Affaire créée (En cours)");
    expect(
      sp(
        historiqueText({
          evenement: "mise_a_jour",
          statutAvant: "en_cours",
          statut: "signee",
          changements: [
            { champ: "statut", avant: "en_cours", apres: "signee" },
            { champ: "primeAnnuelleCentimes", avant: "0", apres: "123456" },
            { champ: "tauxCommissionApporteur", apres: "20" },
          ],
        }),
      ),
    ).toBe("Statut : En cours → Signée ; Prime annuelle : 0,00 € → 1 234,56 € ; Taux de commission apporteur : — → 20 %");
    expect(historiqueText({ evenement: "mise_a_jour", statutAvant: "signee", statut: "resiliee" })).toBe("Statut : Signée → Résiliée");
    expect(historiqueText({ message: "Texte libre" })).toBe("Texte libre");
  });
});

describe("names", () => {
  it("builds display names", () => {
    expect(personName({ prenom: "Émilie", nom: "Durand" })).toBe("Émilie Durand");
    expect(personName({ nom: "Durand" })).toBe("Durand");
    expect(affaireClient({ clientNom: "SARL X" } as never)).toBe("SARL X");
    expect(affaireClient({ client: { raisonSociale: "SARL Y" } } as never)).toBe("SARL Y");
    const produits = new Map([["auto", { id: "auto", nom: "Assurance auto" }]]);
    expect(affaireProduit({ produitId: "auto" } as never, produits)).toBe("Assurance auto");
    expect(affaireProduit({ produitId: "x", produitNom: "Santé" } as never)).toBe("Santé");
  });
});

describe("nouvelleAffaire", () => {
  const v = { clientId: "C1", produitId: "auto", primeAnnuelle: "" };
  it.each([
    ["1 200,50", 120050],
    ["1200", 120000],
    ["1\u00a0234,5 €", 123450],
    ["0,99", 99],
  ])("sends the prime %j as %i centimes", (primeAnnuelle, centimes) => {
    expect(nouvelleAffaire({ ...v, primeAnnuelle })).toEqual({ body: { clientId: "C1", produitId: "auto", primeAnnuelleCentimes: centimes } });
  });
  it("sends no prime when none is typed (the API's 0)", () => {
    expect(nouvelleAffaire({ ...v, primeAnnuelle: "  " })).toEqual({ body: { clientId: "C1", produitId: "auto" } });
  });
  it.each(["12,345", "-5", "douze", "1.200,00"])("refuses the prime %j next to its field", (primeAnnuelle) => {
    const r = nouvelleAffaire({ ...v, primeAnnuelle });
    expect(r.body).toBeUndefined();
    expect(r.errors?.primeAnnuelleCentimes).toMatch(/montant en euros/);
  });
  it("sends the apporteur's rate only when the client has an apporteur", () => {
    expect(nouvelleAffaire({ ...v, tauxApporteur: "20", clientHasApporteur: true }).body).toEqual({ clientId: "C1", produitId: "auto", tauxCommissionApporteur: 20 });
    expect(nouvelleAffaire({ ...v, tauxApporteur: "20", clientHasApporteur: false }).body).toEqual({ clientId: "C1", produitId: "auto" });
    expect(nouvelleAffaire({ ...v, tauxApporteur: "", clientHasApporteur: true }).body).toEqual({ clientId: "C1", produitId: "auto" });
  });
  it("asks for the contact, then the produit", () => {
    expect(nouvelleAffaire({ clientId: "", produitId: "", primeAnnuelle: "" }).errors).toMatchObject({
      clientId: "Choisissez d'abord le contact.",
      produitId: "Choisissez le produit.",
    });
  });
});
