import type { ComponentChildren, JSX } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { onLinkClick } from "../lib/router";
import { ApiError, splitProblem } from "../lib/problem";
import { idempotencyKeys, type Page } from "../lib/api";
import { api } from "../app";

export function Link(props: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return <a {...props} onClick={onLinkClick as any} />;
}

/** A link styled as a button. */
export function ButtonLink({ href, children }: { href: string; children: ComponentChildren }) {
  return (
    <Link href={href} class="btn btn-primary">
      {children}
    </Link>
  );
}

let uid = 0;
function useId(prefix = "f"): string {
  const r = useRef<string>();
  if (!r.current) r.current = `${prefix}-${++uid}`;
  return r.current;
}

interface FieldProps {
  label: string;
  name: string;
  error?: string;
  hint?: ComponentChildren;
  required?: boolean;
  children: (a: { id: string; name: string; "aria-invalid"?: "true"; "aria-describedby"?: string; required?: boolean }) => ComponentChildren;
}

/** A labelled field with its hint and its error, linked for screen readers. */
function Field({ label, name, error, hint, required, children }: FieldProps) {
  const id = useId(name);
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-err` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field${error ? " field-error" : ""}`}>
      <label for={id} class={required ? "required" : undefined}>
        {label}
      </label>
      {children({ id, name, "aria-invalid": error ? "true" : undefined, "aria-describedby": describedBy, required })}
      {hint && (
        <div class="hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <div class="error-text" id={`${id}-err`} data-champ={name}>
          {error}
        </div>
      )}
    </div>
  );
}

/** What a bound field needs of useForm. */
export type FormOf<T extends Record<string, string>> = Pick<ReturnType<typeof useForm<T>>, "values" | "errors" | "set" | "bind">;

interface BoundFieldProps<T extends Record<string, string>> {
  form: FormOf<T>;
  name: keyof T & string;
  label: string;
  hint?: ComponentChildren;
  required?: boolean;
}

/** A text input (a textarea for type "textarea") bound to a useForm value, inside its Field. */
export function InputField<T extends Record<string, string>>({
  form,
  name,
  type = "text",
  autoComplete,
  inputMode,
  rows = 3,
  ...field
}: BoundFieldProps<T> & {
  type?: "text" | "email" | "tel" | "password" | "textarea";
  autoComplete?: string;
  inputMode?: "numeric" | "decimal";
  rows?: number;
}) {
  return (
    <Field {...field} name={name} error={form.errors[name]}>
      {(a) =>
        type === "textarea" ? (
          <textarea {...a} rows={rows} {...form.bind(name)} />
        ) : (
          <input {...a} type={type} autoComplete={autoComplete} inputMode={inputMode} {...form.bind(name)} />
        )
      }
    </Field>
  );
}

/** A select bound to a useForm value, inside its Field; children are its options. */
export function SelectField<T extends Record<string, string>>({ form, name, children, ...field }: BoundFieldProps<T> & { children: ComponentChildren }) {
  return (
    <Field {...field} name={name} error={form.errors[name]}>
      {(a) => (
        <select {...a} value={form.values[name]} onChange={(e) => form.set(name, e.currentTarget.value)}>
          {children}
        </select>
      )}
    </Field>
  );
}

/** The end of a form: its general messages, then "Annuler" (a link, or a button running cancel) and the submit button. */
export function FormFooter({ form, cancel, submit }: { form: { general: string[]; busy: boolean }; cancel: string | (() => void); submit: string }) {
  return (
    <>
      <FormErrors messages={form.general} />
      <div class="form-actions">
        {typeof cancel === "string" ? (
          <Link href={cancel} class="btn btn-ghost">
            Annuler
          </Link>
        ) : (
          <button type="button" class="btn btn-ghost" onClick={cancel}>
            Annuler
          </button>
        )}
        <button type="submit" class="btn btn-primary" disabled={form.busy}>
          {form.busy ? "Envoi…" : submit}
        </button>
      </div>
    </>
  );
}

/** The general messages of a form, announced when they appear. */
export function FormErrors({ messages }: { messages: string[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (messages.length) ref.current?.focus();
  }, [messages.join("|")]);
  return (
    <div class="alert-zone" aria-live="assertive">
      {messages.length > 0 && (
        <div class="alert alert-error" role="alert" tabIndex={-1} ref={ref}>
          {messages.length === 1 ? messages[0] : <ul>{messages.map((m) => <li>{m}</li>)}</ul>}
        </div>
      )}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <div class="alert alert-success" role="status" aria-live="polite">
      {children}
    </div>
  );
}

/**
 * Form state: values, per-field errors and general messages from a problem+json,
 * focus on the first field in error after a failed submit.
 */
export function useForm<T extends Record<string, string>>(initial: T) {
  const [values, setValues] = useState<T>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const keys = useRef(idempotencyKeys());
  /** The Idempotency-Key for POSTing this body from this form. */
  const idempotencyKey = (body: unknown) => keys.current(body);

  const set = useCallback((name: keyof T, value: string) => {
    setValues((v) => ({ ...v, [name]: value }));
    setErrors((e) => {
      if (!e[name as string]) return e;
      const n = { ...e };
      delete n[name as string];
      return n;
    });
  }, []);

  const bind = (name: keyof T & string) => ({
    value: values[name],
    onInput: (e: Event) => set(name, (e.currentTarget as HTMLInputElement).value),
  });

  const focusFirstError = () =>
    requestAnimationFrame(() => {
      const el = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
      el?.focus();
    });

  /** Runs a submit; an ApiError's messages go next to their fields. */
  const submit = async (fn: () => Promise<void>, fields: readonly string[] = Object.keys(values)) => {
    setBusy(true);
    setGeneral([]);
    setErrors({});
    setStatus(0);
    try {
      await fn();
    } catch (e) {
      if (e instanceof ApiError) {
        setStatus(e.status);
        const s = splitProblem(e.problem, fields);
        setErrors(s.fields);
        setGeneral(s.general);
        if (Object.keys(s.fields).length) focusFirstError();
      } else {
        setGeneral([(e as Error)?.message || "Une erreur inattendue est survenue."]);
      }
    } finally {
      setBusy(false);
    }
  };

  /** Client-side check: sets the errors and focuses the first one; true when all is valid. */
  const check = (errs: Record<string, string | undefined>) => {
    const clean = Object.fromEntries(Object.entries(errs).filter(([, v]) => v)) as Record<string, string>;
    setErrors(clean);
    if (Object.keys(clean).length) {
      setGeneral(["Vérifiez les champs indiqués."]);
      focusFirstError();
      return false;
    }
    return true;
  };

  /** The trimmed values, leaving out the empty ones: the body of a POST. */
  const filled = () =>
    Object.fromEntries(
      Object.entries(values)
        .map(([k, v]) => [k, v.trim()])
        .filter(([, v]) => v),
    ) as Partial<T>;

  /** status: the HTTP status of the last failed submit (0 when none), e.g. 412 to offer a reload. */
  return { values, setValues, set, bind, errors, general, setGeneral, busy, submit, check, filled, formRef, idempotencyKey, status };
}

export interface AsyncState<T> {
  data?: T;
  error?: ApiError | Error;
  loading: boolean;
  reload: () => void;
  setData: (d: T) => void;
}

export function useAsync<T>(fn: (signal: AbortSignal) => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    fn(ctl.signal).then(
      (data) => !ctl.signal.aborted && setState({ data, loading: false }),
      (error) => !ctl.signal.aborted && error?.name !== "AbortError" && setState({ error, loading: false }),
    );
    return () => ctl.abort();
  }, [...deps, tick]);
  return {
    ...state,
    reload: () => setTick((t) => t + 1),
    setData: (data: T) => setState({ data, loading: false }),
  };
}

export interface PagedState<T> {
  items: T[];
  loading: boolean;
  error?: Error;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

/** A paginated list: first page on deps change, "Charger plus" follows nextCursor. */
export function usePaged<T>(path: (cursor?: string) => string, deps: unknown[]): PagedState<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | undefined>();
  const gen = useRef(0);

  const load = async (c: string | undefined, g: number) => {
    setLoading(true);
    setError(undefined);
    try {
      const r = await api.get<Page<T>>(path(c));
      if (g !== gen.current) return;
      setItems((prev) => (c ? [...prev, ...(r.data.items ?? [])] : r.data.items ?? []));
      setCursor(r.data.nextCursor || undefined);
    } catch (e) {
      if (g === gen.current) setError(e as Error);
    } finally {
      if (g === gen.current) setLoading(false);
    }
  };

  useEffect(() => {
    const g = ++gen.current;
    setItems([]);
    setCursor(undefined);
    load(undefined, g);
  }, deps);

  return { items, loading, error, hasMore: !!cursor, loadMore: () => load(cursor, gen.current), reload: () => load(undefined, ++gen.current) };
}

/**
 * What a paginated list shows: its error (with "Réessayer"), a spinner until the first page,
 * the empty message, the items (drawn by children), then "Charger plus".
 */
export function PagedList<T>({ list, empty, children }: { list: PagedState<T>; empty: ComponentChildren; children: (items: T[]) => ComponentChildren }) {
  return (
    <>
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.items.length === 0 && list.loading && <Loading />}
      {list.items.length === 0 && !list.loading && !list.error && <Empty>{empty}</Empty>}
      {list.items.length > 0 && children(list.items)}
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={list.loadMore} />
    </>
  );
}

function LoadMore({ hasMore, loading, onClick }: { hasMore: boolean; loading: boolean; onClick: () => void }) {
  if (!hasMore) return null;
  return (
    <div class="load-more">
      <button type="button" class="btn btn-secondary" onClick={onClick} disabled={loading}>
        {loading ? "Chargement…" : "Charger plus"}
      </button>
    </div>
  );
}

export function Loading({ label = "Chargement…" }: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

export function ErrorBox({ error, onRetry }: { error?: Error; onRetry?: () => void }) {
  if (!error) return null;
  const msg =
    error instanceof ApiError
      ? [error.problem.title, error.problem.detail].filter(Boolean).join(" — ")
      : error.message || "Une erreur inattendue est survenue.";
  return (
    <div class="alert alert-error" role="alert">
      {msg}{" "}
      {onRetry && (
        <button type="button" class="btn-link" onClick={onRetry}>
          Réessayer
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

export function PageHeader({ title, actions, children }: { title: string; actions?: ComponentChildren; children?: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  // Focus the page title after each navigation, so screen readers hear where they are.
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
    document.title = `${title} — MyCRM`;
  }, [title]);
  return (
    <div class="page-header">
      <div>
        <h1 tabIndex={-1} ref={ref}>
          {title}
        </h1>
        {children}
      </div>
      {actions && <div class="page-actions">{actions}</div>}
    </div>
  );
}

export function Badge({ value, text }: { value?: string; text: string }) {
  return <span class={`badge badge-${value ?? "neutre"}`}>{text}</span>;
}

/** The orange edit pictogram. */
export function EditIcon() {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M3 17.25V21h3.75L17.81 9.94l-3.75-3.75L3 17.25zm17.71-10.21a1 1 0 0 0 0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75 1.83-1.83z"
      />
    </svg>
  );
}

export function SearchBar({
  value,
  onSearch,
  label = "Rechercher",
  placeholder,
  children,
}: {
  value: string;
  onSearch: (q: string) => void;
  label?: string;
  placeholder?: string;
  children?: ComponentChildren;
}) {
  const [q, setQ] = useState(value);
  useEffect(() => setQ(value), [value]);
  const id = useId("recherche");
  return (
    <form
      class="toolbar"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(q.trim());
      }}
    >
      <div class="search">
        <label for={id} class="sr-only">
          {label}
        </label>
        <input id={id} type="search" value={q} placeholder={placeholder ?? label} onInput={(e) => setQ(e.currentTarget.value)} />
        <button type="submit" class="btn btn-secondary">
          Rechercher
        </button>
      </div>
      {children}
    </form>
  );
}
