// The MyCRM API client: same origin, Bearer ID token, one refresh and retry on 401,
// ETag / If-Match, Idempotency-Key on POST, problem+json turned into ApiError.

import { ApiError, fallbackProblem, problemFromResponse } from "./problem";
import { type AppConfig, type Pool, type Tokens, login as cognitoLogin, refresh as cognitoRefresh } from "./cognito";
import { jwtPayload } from "./jwt";

export interface Session extends Tokens {
  pool: Pool;
  email: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface Result<T> {
  data: T;
  etag?: string;
  status: number;
}

/** The If-Match for updating what a GET read: its ETag, or else the entity's version quoted as the API quotes it. */
export function ifMatchOf(r: Result<{ version?: number }>): string | undefined {
  return r.etag ?? (r.data.version !== undefined ? `"${r.data.version}"` : undefined);
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

const SESSION_KEY = "mycrm.session";
/** The membership (MIA) the espace apporteur works in, sent as X-Mandataire. */
const MANDATAIRE_KEY = "mycrm.mandataire";

export interface RequestOptions {
  body?: unknown;
  ifMatch?: string;
  idempotencyKey?: string;
  /** No Authorization header (public routes). */
  anonymous?: boolean;
  /** The answer's bytes (a PDF) instead of JSON. */
  binary?: boolean;
  signal?: AbortSignal;
}

/** Builds "path?x=1&y=2", leaving out empty values. */
export function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export function newIdempotencyKey(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c?.randomUUID) return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * One Idempotency-Key per distinct body: resubmitting the same form after a network failure
 * reuses its key (the API answers once, creates once); a changed body gets a new key.
 */
export function idempotencyKeys(make: () => string = newIdempotencyKey): (body: unknown) => string {
  const keys = new Map<string, string>();
  return (body) => {
    const k = JSON.stringify(body);
    let key = keys.get(k);
    if (!key) {
      key = make();
      keys.set(k, key);
    }
    return key;
  };
}

export class Api {
  private config?: AppConfig;
  private refreshing?: Promise<boolean>;
  /** Called when the session ends (refresh failed or logout). */
  onSessionEnd?: () => void;

  constructor(
    private readonly fetchFn: FetchFn,
    private readonly store: KeyValueStore,
    private readonly base = "",
  ) {}

  async getConfig(): Promise<AppConfig> {
    if (this.config) return this.config;
    const r = await this.request<AppConfig>("GET", "/config", { anonymous: true });
    this.config = r.data;
    return r.data;
  }

  get session(): Session | undefined {
    const raw = this.store.getItem(SESSION_KEY);
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as Session;
    } catch {
      return undefined;
    }
  }

  setSession(pool: Pool, tokens: Tokens): Session {
    const claims = jwtPayload(tokens.idToken);
    const s: Session = { ...tokens, pool, email: String(claims.email ?? "") };
    this.store.setItem(SESSION_KEY, JSON.stringify(s));
    return s;
  }

  /** Logs in with the pool's Cognito client and keeps the session; a failure is an AuthError in French. */
  async login(pool: Pool, email: string, password: string): Promise<Session> {
    const cfg = await this.getConfig();
    return this.setSession(pool, await cognitoLogin(this.fetchFn, cfg, pool, email, password));
  }

  /** The membership ("<miaId>.<apporteurId>") the espace works in; undefined: the account's first. */
  get mandataire(): string | undefined {
    return this.store.getItem(MANDATAIRE_KEY) ?? undefined;
  }

  setMandataire(id: string | undefined): void {
    if (id) this.store.setItem(MANDATAIRE_KEY, id);
    else this.store.removeItem(MANDATAIRE_KEY);
  }

  logout(): void {
    this.store.removeItem(SESSION_KEY);
    this.store.removeItem(MANDATAIRE_KEY);
    this.onSessionEnd?.();
  }

  /** Refreshes the tokens once for all concurrent callers; false when it cannot. */
  private refreshTokens(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        const s = this.session;
        if (!s?.refreshToken) return false;
        try {
          const cfg = await this.getConfig();
          const t = await cognitoRefresh(this.fetchFn, cfg, s.pool, s.refreshToken);
          this.setSession(s.pool, { ...t, refreshToken: t.refreshToken ?? s.refreshToken });
          return true;
        } catch {
          return false;
        }
      })().finally(() => {
        this.refreshing = undefined;
      });
    }
    return this.refreshing;
  }

  /** Sends a request with the session's token, refreshing it once on 401; a failure is an ApiError. */
  private async send(method: string, path: string, opts: RequestOptions, accept: string): Promise<Response> {
    const send = async (): Promise<Response> => {
      const headers: Record<string, string> = { Accept: accept };
      if (opts.body !== undefined) headers["Content-Type"] = "application/json";
      if (opts.ifMatch) headers["If-Match"] = opts.ifMatch;
      if (opts.idempotencyKey) headers["Idempotency-Key"] = opts.idempotencyKey;
      const s = this.session;
      if (!opts.anonymous && s) headers.Authorization = `Bearer ${s.idToken}`;
      const m = this.mandataire;
      if (m && s?.pool === "apporteur" && path.startsWith("/espace-apporteur/")) headers["X-Mandataire"] = m;
      try {
        return await this.fetchFn(this.base + path, {
          method,
          headers,
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: opts.signal,
        });
      } catch (e) {
        if ((e as Error)?.name === "AbortError") throw e;
        throw new ApiError(fallbackProblem(0));
      }
    };

    let res = await send();
    if (res.status === 401 && !opts.anonymous) {
      if (await this.refreshTokens()) {
        res = await send();
      }
      if (res.status === 401) {
        const problem = await problemFromResponse(res);
        this.logout();
        throw new ApiError({ ...fallbackProblem(401), ...problem, title: "Session expirée" });
      }
    }
    if (!res.ok) throw new ApiError(await problemFromResponse(res));
    return res;
  }

  /** A file the API answers (CSV, PDF, JSON to save): its bytes and headers. */
  async file(path: string, accept: string, signal?: AbortSignal): Promise<{ blob: Blob; headers: Headers }> {
    const res = await this.send("GET", path, { signal }, `${accept}, application/problem+json`);
    return { blob: await res.blob(), headers: res.headers };
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<Result<T>> {
    const res = await this.send(method, path, opts, "application/json, application/problem+json");
    const etag = res.headers.get("ETag") ?? undefined;
    if (res.status === 204) return { data: undefined as T, etag, status: res.status };
    if (opts.binary) return { data: (await res.arrayBuffer()) as T, etag, status: res.status };
    const text = await res.text();
    const data = (text ? JSON.parse(text) : undefined) as T;
    return { data, etag, status: res.status };
  }

  get<T>(path: string, signal?: AbortSignal) {
    return this.request<T>("GET", path, { signal });
  }
  /** The items of a listing's first page. */
  async items<T>(path: string, signal?: AbortSignal): Promise<T[]> {
    return (await this.get<Page<T>>(path, signal)).data.items ?? [];
  }
  /** The bytes of a file answer (a PDF). */
  bytes(path: string, signal?: AbortSignal) {
    return this.request<ArrayBuffer>("GET", path, { signal, binary: true });
  }
  post<T>(path: string, body: unknown, idempotencyKey = newIdempotencyKey()) {
    return this.request<T>("POST", path, { body, idempotencyKey });
  }
  patch<T>(path: string, body: unknown, ifMatch?: string) {
    return this.request<T>("PATCH", path, { body, ifMatch });
  }
}
