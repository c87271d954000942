// RFC 9457 problem details as the MyCRM API sends them:
// {type?, title, status, detail, errors: [{champ, message}]} in French.
import type { Problem as ApiProblem } from "../generated/openapi";

/** A problem as the API sends it, or as the client makes one when the answer has none (then without a type). */
export type Problem = Pick<ApiProblem, "title" | "status" | "detail" | "errors" | "existantId"> & { type?: string; [k: string]: unknown };

export type FieldError = NonNullable<ApiProblem["errors"]>[number];

/** An API call that did not succeed, with the problem the server explained (or one we made up). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
  }
}

const FALLBACK_TITLES: Record<number, string> = {
  400: "Requête invalide",
  401: "Session expirée",
  403: "Accès refusé",
  404: "Introuvable",
  409: "Conflit",
  412: "Modifié entre-temps",
  413: "Requête trop volumineuse",
  415: "Format non pris en charge",
  422: "Données invalides",
  429: "Trop de requêtes",
};

export function fallbackProblem(status: number, detail?: string): Problem {
  const title =
    FALLBACK_TITLES[status] ?? (status >= 500 ? "Erreur du serveur" : status === 0 ? "Réseau indisponible" : "Erreur");
  const defaults: Record<number, string> = {
    0: "Le serveur ne répond pas. Vérifiez votre connexion puis réessayez.",
    401: "Votre session a expiré. Reconnectez-vous.",
    412: "Cette fiche a été modifiée par ailleurs. Rechargez-la avant de la mettre à jour.",
  };
  return { title, status, detail: detail ?? defaults[status] ?? (status >= 500 ? "Réessayez dans un instant." : undefined) };
}

/** Reads a failed Response into a Problem, whatever its body is. */
export async function problemFromResponse(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => "");
  const ct = res.headers.get("content-type") ?? "";
  if (text && (ct.includes("json") || text.trimStart().startsWith("{"))) {
    try {
      return normaliseProblem(JSON.parse(text), res.status);
    } catch {
      /* not JSON after all */
    }
  }
  return fallbackProblem(res.status);
}

/** Makes any parsed body a well-formed Problem (keeps only well-formed field errors). */
export function normaliseProblem(body: unknown, status: number): Problem {
  if (!body || typeof body !== "object") return fallbackProblem(status);
  const b = body as Record<string, unknown>;
  const base = fallbackProblem(status);
  const errors = Array.isArray(b.errors)
    ? (b.errors as unknown[])
        .filter((e): e is Record<string, unknown> => !!e && typeof e === "object")
        .map((e) => ({ champ: String(e.champ ?? e.field ?? ""), message: String(e.message ?? "") }))
        .filter((e) => e.message !== "")
    : undefined;
  return {
    ...b,
    title: typeof b.title === "string" && b.title ? b.title : base.title,
    status: typeof b.status === "number" ? b.status : status,
    detail: typeof b.detail === "string" ? b.detail : base.detail,
    errors,
  };
}

/**
 * Splits a problem for a form: messages for the fields the form shows, and the general
 * messages: title/detail, then the errors on fields the form does not have.
 * A champ like "contact.email" or "email[0]" matches the field "email".
 */
export function splitProblem(
  problem: Problem,
  knownFields: readonly string[],
): { fields: Record<string, string>; general: string[] } {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const e of problem.errors ?? []) {
    const f = matchField(e.champ, knownFields);
    if (f) {
      fields[f] = fields[f] ? `${fields[f]} ${e.message}` : e.message;
    } else {
      // The champ is a technical name: the message alone speaks to the person.
      general.push(e.message);
    }
  }
  const head = problem.detail && problem.detail !== problem.title ? `${problem.title} — ${problem.detail}` : problem.title;
  // The title and detail go first, always: the detail often says more than a field message
  // (a 409 names the existing contact), and the summary is announced (aria-live).
  const rest = general.filter((m) => !head.includes(m));
  return { fields, general: [head, ...rest] };
}

export function matchField(champ: string, knownFields: readonly string[]): string | undefined {
  if (!champ) return undefined;
  if (knownFields.includes(champ)) return champ;
  const cleaned = champ.replace(/\[\d+\]$/, "").replace(/^\//, "").replace(/\//g, ".");
  if (knownFields.includes(cleaned)) return cleaned;
  const last = cleaned.split(".").pop() ?? "";
  if (knownFields.includes(last)) return last;
  const lower = last.toLowerCase();
  return knownFields.find((k) => k.toLowerCase() === lower);
}
