// Logs in directly against the Cognito user pools with the Cognito JSON API
// (InitiateAuth, USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH), with plain fetch.

import type { ActivationResultat, Config } from "../generated/openapi";

export type Pool = ActivationResultat["pool"];

/** GET /config: where to log in. */
export type AppConfig = Config;

export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken?: string;
}

/** A login that failed, with a French message for the person. */
export class AuthError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "AuthError";
    this.code = code;
  }
}

export function cognitoEndpoint(cfg: Pick<AppConfig, "region" | "cognitoEndpoint">): string {
  if (cfg.cognitoEndpoint) return cfg.cognitoEndpoint.endsWith("/") ? cfg.cognitoEndpoint : cfg.cognitoEndpoint + "/";
  return `https://cognito-idp.${cfg.region}.amazonaws.com/`;
}

const MESSAGES: Record<string, string> = {
  NotAuthorizedException: "Email ou mot de passe incorrect.",
  UserNotFoundException: "Email ou mot de passe incorrect.",
  // cognito-local answers a wrong password with this one.
  InvalidPasswordException: "Email ou mot de passe incorrect.",
  UserNotConfirmedException: "Ce compte n'est pas encore activé : utilisez le lien reçu par email.",
  PasswordResetRequiredException: "Un nouveau mot de passe est requis : utilisez le lien reçu par email.",
  TooManyRequestsException: "Trop de tentatives. Patientez un instant puis réessayez.",
  LimitExceededException: "Trop de tentatives. Patientez un instant puis réessayez.",
  InvalidParameterException: "Email ou mot de passe manquant.",
  NEW_PASSWORD_REQUIRED: "Ce compte doit d'abord être activé depuis le lien reçu par email.",
};

function errorCode(type: unknown): string {
  // "__type" may come as "NotAuthorizedException" or "com.amazonaws...#NotAuthorizedException".
  const s = String(type ?? "");
  return s.includes("#") ? s.slice(s.lastIndexOf("#") + 1) : s;
}

type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

async function initiateAuth(
  fetchFn: FetchFn,
  cfg: AppConfig,
  pool: Pool,
  authFlow: "USER_PASSWORD_AUTH" | "REFRESH_TOKEN_AUTH",
  authParameters: Record<string, string>,
): Promise<Tokens> {
  let res: Response;
  try {
    res = await fetchFn(cognitoEndpoint(cfg), {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
      },
      body: JSON.stringify({ AuthFlow: authFlow, ClientId: cfg[pool].clientId, AuthParameters: authParameters }),
    });
  } catch {
    throw new AuthError("NetworkError", "Le service de connexion ne répond pas. Réessayez dans un instant.");
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, any>;
  if (!res.ok) {
    const code = errorCode(body.__type ?? body.code);
    throw new AuthError(code || "Error", MESSAGES[code] ?? "La connexion a échoué. Réessayez dans un instant.");
  }
  if (body.ChallengeName) {
    const code = String(body.ChallengeName);
    throw new AuthError(code, MESSAGES[code] ?? "Une étape supplémentaire est demandée pour ce compte.");
  }
  const r = body.AuthenticationResult;
  if (!r?.IdToken || !r?.AccessToken) {
    throw new AuthError("NoTokens", "La connexion a échoué. Réessayez dans un instant.");
  }
  return { idToken: r.IdToken, accessToken: r.AccessToken, refreshToken: r.RefreshToken ?? authParameters.REFRESH_TOKEN };
}

export function login(fetchFn: FetchFn, cfg: AppConfig, pool: Pool, email: string, password: string): Promise<Tokens> {
  return initiateAuth(fetchFn, cfg, pool, "USER_PASSWORD_AUTH", { USERNAME: email.trim(), PASSWORD: password });
}

export function refresh(fetchFn: FetchFn, cfg: AppConfig, pool: Pool, refreshToken: string): Promise<Tokens> {
  return initiateAuth(fetchFn, cfg, pool, "REFRESH_TOKEN_AUTH", { REFRESH_TOKEN: refreshToken });
}
