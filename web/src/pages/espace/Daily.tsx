// The apporteur's daily work: "Mes tâches" (assigned by its MIA) and the
// notes shared with it, where it writes its own on its contacts.
import { useState } from "preact/hooks";
import { api } from "../../app";
import { ErrorBox, Loading, Notice } from "../../components/feedback";
import { FormFooter, InputField, SelectField } from "../../components/forms";
import { PagedList, Table } from "../../components/lists";
import { PageHeader } from "../../components/scaffold";
import type { EspaceContact, Note, Tache } from "../../generated/openapi";
import { useAsync } from "../../hooks/useAsync";
import { useForm } from "../../hooks/useForm";
import { usePaged } from "../../hooks/usePaged";
import { withQuery } from "../../lib/api";
import { formatDateTime } from "../../lib/format";
import { personName } from "../../lib/model";

function jour(day: string): string {
  const [y, m, d] = day.split("-");
  return `${d}/${m}/${y}`;
}

export function MesTaches() {
  const list = usePaged<Tache>((cursor) => withQuery("/espace-apporteur/taches", { limit: 50, cursor }), []);
  const [notice, setNotice] = useState("");
  const [error, setError] = useState<Error>();
  const done = async (t: Tache) => {
    setError(undefined);
    try {
      await api.patch<Tache>(`/espace-apporteur/taches/${t.id}`, { statut: "faite" }, `"${t.version}"`);
      setNotice(`« ${t.titre} » est faite.`);
      list.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <>
      <PageHeader title="Mes tâches">
        <p class="lead">Ce que votre MIA vous a confié, par échéance.</p>
      </PageHeader>
      {notice && <Notice>{notice}</Notice>}
      <ErrorBox error={error} />
      <PagedList list={list} empty={<>Aucune tâche à faire.</>}>
        {(items) => (
          <Table
            label="Mes tâches"
            items={items}
            row={(t) => ({ "data-tache": t.id })}
            columns={[
              { label: "Tâche", cell: (t) => t.titre },
              { label: "Échéance", cell: (t) => `${jour(t.echeance)}${t.heure ? ` à ${t.heure}` : ""}` },
              { label: "Contact", cell: (t) => t.cible?.nom ?? "—" },
              {
                label: "Actions",
                actions: true,
                cell: (t) => (
                  <button type="button" class="btn btn-secondary" onClick={() => done(t)}>
                    Marquer faite<span class="sr-only"> : {t.titre}</span>
                  </button>
                ),
              },
            ]}
          />
        )}
      </PagedList>
      <MesNotes embedded />
    </>
  );
}

/** The notes shared with the apporteur, and its own: a section of "Mes tâches", or a page. */
export function MesNotes({ embedded = false }: { embedded?: boolean }) {
  const contacts = useAsync((signal) => api.items<EspaceContact>("/espace-apporteur/contacts?limit=200", signal), []);
  const list = usePaged<Note>((cursor) => withQuery("/espace-apporteur/notes", { limit: 50, cursor }), []);
  const [notice, setNotice] = useState("");
  const f = useForm({ contactId: "", texte: "" });
  const onSubmit = (e: Event) => {
    e.preventDefault();
    if (!f.check({ contactId: f.values.contactId ? undefined : "Choisissez un contact.", texte: f.values.texte.trim() ? undefined : "La note est vide." })) return;
    f.submit(async () => {
      const body = f.filled();
      await api.post<Note>("/espace-apporteur/notes", body, f.idempotencyKey(body));
      f.set("texte", "");
      setNotice("Note transmise à votre MIA.");
      list.reload();
    });
  };
  return (
    <>
      {embedded ? (
        <h2>Notes</h2>
      ) : (
        <PageHeader title="Notes">
          <p class="lead">Vos notes sur vos contacts, et celles que votre MIA partage avec vous.</p>
        </PageHeader>
      )}
      {notice && <Notice>{notice}</Notice>}
      <form class="card form" onSubmit={onSubmit} ref={f.formRef} noValidate aria-labelledby="nouvelle-note">
        <h3 id="nouvelle-note">Nouvelle note</h3>
        {contacts.loading && <Loading />}
        <SelectField form={f} name="contactId" label="Contact" required>
          <option value="">Choisir…</option>
          {(contacts.data ?? []).map((c) => (
            <option value={c.id}>{personName(c)}</option>
          ))}
        </SelectField>
        <InputField form={f} name="texte" label="Note" type="textarea" rows={4} required hint="Votre MIA la voit." />
        <FormFooter form={f} cancel={() => f.set("texte", "")} submit="Transmettre la note" />
      </form>
      <PagedList list={list} empty="Aucune note pour l'instant.">
        {(items) => (
          <ol class="timeline" aria-label="Notes">
            {items.map((n) => (
              <li>
                <strong>{n.cible.nom}</strong>
                <span class="note">{n.texte}</span>
                <time dateTime={n.createdAt}>
                  {n.auteur === "apporteur" ? "Vous" : "Votre MIA"}, {formatDateTime(n.createdAt)}
                </time>
              </li>
            ))}
          </ol>
        )}
      </PagedList>
    </>
  );
}
