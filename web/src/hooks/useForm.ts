import { useCallback, useRef, useState } from "preact/hooks";
import { idempotencyKeys } from "../lib/api";
import { ApiError, splitProblem } from "../lib/problem";

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

/** What a bound field needs of useForm. */
export type FormOf<T extends Record<string, string>> = Pick<ReturnType<typeof useForm<T>>, "values" | "errors" | "set" | "bind">;
