// Form fields bound to useForm, with their labels, hints and errors tied for screen readers.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { FormOf } from "../hooks/useForm";
import { useId } from "../hooks/useId";
import { Link } from "./elements";

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
  type?: "text" | "email" | "tel" | "password" | "date" | "textarea";
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

/** A list's search box; children are its filters. */
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

/** A list's filter: a select whose first choice, "Tous", filters nothing. */
export function FilterSelect({ label, value, onChange, options }: { label: string; value: string; onChange: (v: string) => void; options: [string, string][] }) {
  return (
    <label class="filter">
      {label}
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">Tous</option>
        {options.map(([v, text]) => (
          <option value={v}>{text}</option>
        ))}
      </select>
    </label>
  );
}
