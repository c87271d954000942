import { describe, expect, it } from "vitest";
import { ApiError, matchField, normaliseProblem, problemFromResponse, splitProblem } from "./problem";

describe("problemFromResponse", () => {
  it("reads an application/problem+json body", async () => {
    const res = new Response(
      JSON.stringify({
        title: "Données invalides",
        status: 400,
        detail: "Corrigez les champs indiqués.",
        errors: [{ champ: "email", message: "Adresse email invalide." }],
      }),
      { status: 400, headers: { "Content-Type": "application/problem+json" } },
    );
    const p = await problemFromResponse(res);
    expect(p.title).toBe("Données invalides");
    expect(p.errors).toEqual([{ champ: "email", message: "Adresse email invalide." }]);
  });
  it("makes a French problem from a body that is not JSON", async () => {
    const p = await problemFromResponse(new Response("Bad Gateway", { status: 502 }));
    expect(p.status).toBe(502);
    expect(p.title).toBe("Erreur du serveur");
  });
  it("explains a 412", async () => {
    const p = await problemFromResponse(new Response("", { status: 412 }));
    expect(p.title).toBe("Modifié entre-temps");
    expect(p.detail).toMatch(/Rechargez/);
  });
});

describe("normaliseProblem", () => {
  it("drops malformed field errors and keeps the status", () => {
    const p = normaliseProblem({ title: "X", errors: [null, { champ: "nom" }, { champ: "nom", message: "Requis." }] }, 400);
    expect(p.status).toBe(400);
    expect(p.errors).toEqual([{ champ: "nom", message: "Requis." }]);
  });
});

describe("matchField", () => {
  const fields = ["nom", "email", "telephone", "siren"];
  it("matches exact, nested, indexed and differently cased names", () => {
    expect(matchField("nom", fields)).toBe("nom");
    expect(matchField("contact.email", fields)).toBe("email");
    expect(matchField("/telephone", fields)).toBe("telephone");
    expect(matchField("SIREN", fields)).toBe("siren");
    expect(matchField("inconnu", fields)).toBeUndefined();
    expect(matchField("", fields)).toBeUndefined();
  });
});

describe("splitProblem", () => {
  it("puts each message next to its field", () => {
    const s = splitProblem(
      {
        title: "Données invalides",
        status: 400,
        errors: [
          { champ: "siren", message: "Le SIREN n'est pas valide." },
          { champ: "siren", message: "Il doit compter 9 chiffres." },
        ],
      },
      ["siren", "raisonSociale"],
    );
    expect(s.fields.siren).toBe("Le SIREN n'est pas valide. Il doit compter 9 chiffres.");
    expect(s.general).toEqual(["Données invalides"]);
  });
  it("keeps errors on fields the form does not show as general messages", () => {
    const s = splitProblem(
      { title: "Données invalides", status: 400, errors: [{ champ: "version", message: "Obsolète." }] },
      ["nom"],
    );
    expect(s.general).toEqual(["Données invalides", "Obsolète."]);
  });
  it("shows title and detail of a problem without field errors", () => {
    const s = splitProblem({ title: "Conflit", status: 409, detail: "Ce contact existe déjà : Jean Dupont." }, ["nom"]);
    expect(s.general).toEqual(["Conflit — Ce contact existe déjà : Jean Dupont."]);
  });
});

describe("splitProblem on a duplicate", () => {
  it("keeps the detail that names the existing contact next to the field message", () => {
    const s = splitProblem(
      {
        title: "Contact déjà existant",
        status: 409,
        detail: "Ce contact existe déjà : Émilie Durand.",
        errors: [{ champ: "email", message: "Un contact avec cet email existe déjà." }],
      },
      ["nom", "email"],
    );
    expect(s.fields.email).toBe("Un contact avec cet email existe déjà.");
    expect(s.general).toEqual(["Contact déjà existant — Ce contact existe déjà : Émilie Durand."]);
  });
});

describe("splitProblem on an activation link problem", () => {
  it("shows the detail, not the short field message, when the form has no such field", () => {
    const s = splitProblem(
      {
        title: "Données invalides",
        status: 400,
        detail: "Ce lien d'activation a expiré (validité 7 jours). Demandez un nouvel envoi.",
        errors: [{ champ: "token", message: "Lien d'activation expiré." }],
      },
      ["motDePasse"],
    );
    expect(s.fields).toEqual({});
    expect(s.general).toEqual([
      "Données invalides — Ce lien d'activation a expiré (validité 7 jours). Demandez un nouvel envoi.",
      "Lien d'activation expiré.",
    ]);
  });
});

describe("ApiError", () => {
  it("carries status and problem", () => {
    const e = new ApiError({ title: "Introuvable", status: 404, detail: "Contact introuvable." });
    expect(e.status).toBe(404);
    expect(e.message).toBe("Contact introuvable.");
  });
});
