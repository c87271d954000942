import { describe, expect, it } from "vitest";
import { Api, idempotencyKeys, ifMatchOf, withQuery, type KeyValueStore } from "./api";
import { ApiError } from "./problem";
import { cognitoEndpoint, login } from "./cognito";

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

function token(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64({ alg: "RS256" })}.${b64(claims)}.sig`;
}

const config = {
  region: "eu-west-3",
  cognitoEndpoint: "http://cognito.test",
  mia: { userPoolId: "pool-mia", clientId: "client-mia" },
  apporteur: { userPoolId: "pool-app", clientId: "client-app" },
};

type Call = { url: string; init: RequestInit };

function fakeFetch(handler: (url: string, init: RequestInit, n: number) => Response) {
  const calls: Call[] = [];
  const fn = async (url: string, init: RequestInit = {}) => {
    calls.push({ url, init });
    return handler(url, init, calls.length);
  };
  return { fn, calls };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

describe("withQuery", () => {
  it("leaves out empty parameters", () => {
    expect(withQuery("/contacts", { q: "du pont", statut: "", limit: 20, cursor: undefined })).toBe(
      "/contacts?q=du+pont&limit=20",
    );
    expect(withQuery("/affaires", {})).toBe("/affaires");
  });
});

describe("ifMatchOf", () => {
  it("prefers the ETag, falls back to the quoted version, else nothing", () => {
    expect(ifMatchOf({ data: { version: 3 }, etag: '"4"', status: 200 })).toBe('"4"');
    expect(ifMatchOf({ data: { version: 3 }, status: 200 })).toBe('"3"');
    expect(ifMatchOf({ data: { version: 0 }, status: 200 })).toBe('"0"');
    expect(ifMatchOf({ data: {}, status: 200 })).toBeUndefined();
  });
});

describe("cognito", () => {
  it("uses the local endpoint when given, the regional one otherwise", () => {
    expect(cognitoEndpoint(config)).toBe("http://cognito.test/");
    expect(cognitoEndpoint({ region: "eu-west-3" })).toBe("https://cognito-idp.eu-west-3.amazonaws.com/");
  });
  it("sends InitiateAuth USER_PASSWORD_AUTH with the pool's client", async () => {
    const f = fakeFetch(() => json({ AuthenticationResult: { IdToken: "id", AccessToken: "ac", RefreshToken: "rf" } }));
    const t = await login(f.fn, config, "apporteur", " a@b.fr ", "pw");
    expect(t).toEqual({ idToken: "id", accessToken: "ac", refreshToken: "rf" });
    const { url, init } = f.calls[0];
    expect(url).toBe("http://cognito.test/");
    const h = init.headers as Record<string, string>;
    expect(h["Content-Type"]).toBe("application/x-amz-json-1.1");
    expect(h["X-Amz-Target"]).toBe("AWSCognitoIdentityProviderService.InitiateAuth");
    expect(JSON.parse(String(init.body))).toEqual({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: "client-app",
      AuthParameters: { USERNAME: "a@b.fr", PASSWORD: "pw" },
    });
  });
  it("turns Cognito errors into French messages", async () => {
    const f = fakeFetch(() => json({ __type: "NotAuthorizedException", message: "Incorrect username or password." }, 400));
    await expect(login(f.fn, config, "mia", "a@b.fr", "x")).rejects.toMatchObject({
      code: "NotAuthorizedException",
      message: "Email ou mot de passe incorrect.",
    });
  });
});

describe("Api", () => {
  it("sends the ID token, reads the ETag and the JSON body", async () => {
    const store = memoryStore();
    const f = fakeFetch(() => json({ id: "c1" }, 200, { ETag: '"3"' }));
    const api = new Api(f.fn, store);
    api.setSession("mia", { idToken: token({ email: "m@a.fr" }), accessToken: "a", refreshToken: "r" });
    const r = await api.get<{ id: string }>("/contacts/c1");
    expect(r.data.id).toBe("c1");
    expect(r.etag).toBe('"3"');
    expect((f.calls[0].init.headers as Record<string, string>).Authorization).toMatch(/^Bearer /);
    expect(api.session?.email).toBe("m@a.fr");
  });

  it("logs in with the pool's client from /config and keeps the session", async () => {
    const f = fakeFetch((url) =>
      url === "/config" ? json(config) : json({ AuthenticationResult: { IdToken: token({ email: "a@b.fr" }), AccessToken: "ac", RefreshToken: "rf" } }),
    );
    const api = new Api(f.fn, memoryStore());
    const s = await api.login("apporteur", "a@b.fr", "pw");
    expect(s).toMatchObject({ pool: "apporteur", email: "a@b.fr", refreshToken: "rf" });
    expect(api.session).toEqual(s);
    expect(JSON.parse(String(f.calls[1].init.body)).ClientId).toBe("client-app");
  });

  it("reads a listing's items, an empty list when the page has none", async () => {
    const f = fakeFetch((url) => json(url === "/contacts" ? { items: [{ id: "c1" }], nextCursor: "x" } : {}));
    const api = new Api(f.fn, memoryStore());
    expect(await api.items("/contacts")).toEqual([{ id: "c1" }]);
    expect(await api.items("/entreprises")).toEqual([]);
  });

  it("sends If-Match on PATCH and an Idempotency-Key on POST", async () => {
    const f = fakeFetch(() => json({}, 200));
    const api = new Api(f.fn, memoryStore());
    await api.patch("/affaires/a1", { statut: "signee" }, '"4"');
    await api.post("/contacts", { nom: "X" }, "key-1");
    expect((f.calls[0].init.headers as Record<string, string>)["If-Match"]).toBe('"4"');
    expect((f.calls[1].init.headers as Record<string, string>)["Idempotency-Key"]).toBe("key-1");
    expect(f.calls[1].init.body).toBe('{"nom":"X"}');
  });

  it("refreshes once on 401 and retries with the new token", async () => {
    const store = memoryStore();
    const f = fakeFetch((url, init) => {
      if (url === "/config") return json(config);
      if (url === "http://cognito.test/") {
        const body = JSON.parse(String(init.body));
        expect(body.AuthFlow).toBe("REFRESH_TOKEN_AUTH");
        expect(body.AuthParameters.REFRESH_TOKEN).toBe("r1");
        return json({ AuthenticationResult: { IdToken: "new-id", AccessToken: "new-ac" } });
      }
      const auth = (init.headers as Record<string, string>).Authorization;
      return auth === "Bearer new-id" ? json({ items: [] }) : json({ title: "Non authentifié" }, 401);
    });
    const api = new Api(f.fn, store);
    api.setSession("mia", { idToken: "old-id", accessToken: "a", refreshToken: "r1" });
    const r = await api.get<{ items: unknown[] }>("/contacts");
    expect(r.data.items).toEqual([]);
    expect(api.session?.idToken).toBe("new-id");
    expect(api.session?.refreshToken).toBe("r1");
  });

  it("ends the session when the refresh fails", async () => {
    const store = memoryStore();
    let ended = false;
    const f = fakeFetch((url) => {
      if (url === "/config") return json(config);
      if (url === "http://cognito.test/") return json({ __type: "NotAuthorizedException" }, 400);
      return json({ title: "Non authentifié" }, 401);
    });
    const api = new Api(f.fn, store);
    api.onSessionEnd = () => (ended = true);
    api.setSession("apporteur", { idToken: "old", accessToken: "a", refreshToken: "r" });
    await expect(api.get("/espace-apporteur/profil")).rejects.toMatchObject({ status: 401 });
    expect(ended).toBe(true);
    expect(api.session).toBeUndefined();
    // exactly one API retry is never made without a new token: 1 API call + config + cognito
    expect(f.calls.filter((c) => c.url === "/espace-apporteur/profil")).toHaveLength(1);
  });

  it("throws ApiError with the problem of a 4xx", async () => {
    const f = fakeFetch(() =>
      json({ title: "Conflit", status: 409, detail: "Ce contact existe déjà." }, 409, {
        "Content-Type": "application/problem+json",
      }),
    );
    const api = new Api(f.fn, memoryStore());
    const err = await api.post("/contacts", { nom: "X" }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(409);
    expect(err.problem.detail).toBe("Ce contact existe déjà.");
  });

  it("reports a network failure as a French problem", async () => {
    const api = new Api(async () => {
      throw new TypeError("fetch failed");
    }, memoryStore());
    const err = await api.get("/contacts").catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(0);
    expect(err.problem.title).toBe("Réseau indisponible");
  });
});

describe("cognito-local quirks", () => {
  it("reads a wrong password from cognito-local (InvalidPasswordException) as a French message", async () => {
    const f = fakeFetch(() => json({ __type: "InvalidPasswordException", message: "Invalid password" }, 400));
    await expect(login(f.fn, config, "mia", "a@b.fr", "x")).rejects.toMatchObject({ message: "Email ou mot de passe incorrect." });
  });
  it("keeps the refresh token when REFRESH_TOKEN_AUTH returns none", async () => {
    const { refresh } = await import("./cognito");
    const f = fakeFetch(() => json({ AuthenticationResult: { IdToken: "id2", AccessToken: "ac2" } }));
    expect((await refresh(f.fn, config, "mia", "rt")).refreshToken).toBe("rt");
  });
  it("reports a challenge instead of tokens", async () => {
    const f = fakeFetch(() => json({ ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s" }));
    await expect(login(f.fn, config, "mia", "a@b.fr", "x")).rejects.toMatchObject({ code: "NEW_PASSWORD_REQUIRED" });
  });
});

describe("idempotencyKeys", () => {
  it("reuses the key for the same body and makes a new one for another", () => {
    let n = 0;
    const keyFor = idempotencyKeys(() => `k${++n}`);
    expect(keyFor({ nom: "A" })).toBe("k1");
    expect(keyFor({ nom: "A" })).toBe("k1");
    expect(keyFor({ nom: "B" })).toBe("k2");
    expect(keyFor({ nom: "A" })).toBe("k1");
  });
});
