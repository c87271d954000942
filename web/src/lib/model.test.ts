import { describe, expect, it } from "vitest";
import { apporteurName, historiqueText, nouvelleAffaire, personName } from "./model";

const sp = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

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
  });
  it("names the apporteurs of a moved client, by id when unknown", () => {
    const h: Parameters<typeof historiqueText>[0] = {
      evenement: "mise_a_jour",
      statut: "en_cours",
      changements: [
        { champ: "apporteurId", avant: "P1", apres: "P2" },
        { champ: "tauxCommissionApporteur", avant: "20" },
      ],
    };
    expect(sp(historiqueText(h, new Map([["P1", "Paul Martin"], ["P2", "Marie Durand"]])))).toBe(
      "Apporteur : Paul Martin → Marie Durand ; Taux de commission apporteur : 20 % → —",
    );
    expect(sp(historiqueText({ ...h, changements: [{ champ: "apporteurId", avant: "P1" }] }))).toBe("Apporteur : P1 → —");
  });
});

describe("names", () => {
  it("builds display names", () => {
    expect(personName({ prenom: "Émilie", nom: "Durand" })).toBe("Émilie Durand");
    expect(personName({ nom: "Durand" })).toBe("Durand");
    expect(apporteurName({ prenom: "Julien", nom: "Lefèvre", email: "j@exemple.test" })).toBe("Julien Lefèvre");
    expect(apporteurName({ nom: "", email: "j@exemple.test" })).toBe("j@exemple.test");
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
    // Only the rates the contract allows (15, 20, 25) are sent.
    expect(nouvelleAffaire({ ...v, tauxApporteur: "18", clientHasApporteur: true }).body).toEqual({ clientId: "C1", produitId: "auto" });
  });
  it("asks for the contact, then the produit", () => {
    expect(nouvelleAffaire({ clientId: "", produitId: "", primeAnnuelle: "" }).errors).toMatchObject({
      clientId: "Choisissez d'abord le contact.",
      produitId: "Choisissez le produit.",
    });
  });
});
