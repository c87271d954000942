import type { ComponentChildren } from "preact";
import { api } from "../app";
import { ifMatchOf, type Result } from "../lib/api";
import { useForm } from "../hooks/useForm";
import { FormFooter, InputField, SelectField } from "./forms";

export interface EditField {
  name: string;
  label: string;
  type?: "text" | "email" | "tel" | "textarea" | "select";
  options?: { value: string; label: string }[];
  required?: boolean;
  hint?: string;
}

/**
 * "Modifier": a form over some fields of an entity that PATCHes only what changed, with the
 * entity's ETag in If-Match (a 412 says it changed elsewhere), and hands back the new entity.
 */
export function EditForm<T extends { version?: number }, Saved = T>({
  path,
  result,
  fields,
  onSaved,
  onCancel,
  title,
}: {
  path: string;
  /** The entity as read, with its ETag. */
  result: Result<T>;
  fields: EditField[];
  /** Gets the PATCH answer (Saved: the entity without what its GET adds, e.g. its affaires). */
  onSaved: (r: Result<Saved>) => void;
  onCancel: () => void;
  title: string;
}) {
  const initial = Object.fromEntries(fields.map((f) => [f.name, String((result.data as Record<string, unknown>)[f.name] ?? "")]));
  const f = useForm<Record<string, string>>(initial);
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const missing = Object.fromEntries(
      fields.filter((x) => x.required && !f.values[x.name].trim()).map((x) => [x.name, "Ce champ est obligatoire."]),
    );
    if (!f.check(missing)) return;
    f.submit(async () => {
      const body: Record<string, string> = {};
      for (const x of fields) if (f.values[x.name].trim() !== initial[x.name]) body[x.name] = f.values[x.name].trim();
      if (Object.keys(body).length === 0) {
        onCancel();
        return;
      }
      onSaved(await api.patch<Saved>(path, body, ifMatchOf(result)));
    });
  };
  return (
    <form class="form edit-form" onSubmit={onSubmit} ref={f.formRef} noValidate aria-label={title}>
      <div class="grid-2">
        {fields.map(({ type, options, ...x }) =>
          type === "select" ? (
            <SelectField form={f} {...x}>
              {(options ?? []).map((o) => (
                <option value={o.value}>{o.label}</option>
              ))}
            </SelectField>
          ) : (
            <InputField form={f} {...x} type={type} autoComplete="off" />
          ),
        )}
      </div>
      <FormFooter form={f} cancel={onCancel} submit="Mettre à jour" />
    </form>
  );
}

/** A card of facts with "Modifier", which shows the edit form in their place while editing. */
export function EditableCard({
  id,
  title,
  editing,
  onEdit,
  form,
  children,
}: {
  id: string;
  title: string;
  editing: boolean;
  /** Absent: the card is read-only (no « Modifier »). */
  onEdit?: () => void;
  form: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <section class="card" aria-labelledby={id}>
      <div class="card-head">
        <h2 id={id}>{title}</h2>
        {!editing && onEdit && (
          <button type="button" class="btn btn-secondary" onClick={onEdit}>
            Modifier
          </button>
        )}
      </div>
      {editing ? form : children}
    </section>
  );
}
