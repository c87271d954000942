import { useState } from "preact/hooks";
import { api } from "../../app";
import { EditableCard, EditForm } from "../../components/EditForm";
import { withQuery } from "../../lib/api";
import { formatDate, formatSiren, formatTelephone } from "../../lib/format";
import { type Apporteur, type Contact, type Entreprise, apporteurName, personName } from "../../lib/model";
import { navigate } from "../../lib/router";
import {
  ButtonLink,
  Empty,
  ErrorBox,
  FormFooter,
  InputField,
  Link,
  Loading,
  Notice,
  PagedList,
  PageHeader,
  SearchBar,
  SelectField,
  useAsync,
  useForm,
  usePaged,
} from "../../components/ui";
import { AffairesTable } from "./Affaires";

export function EntreprisesList({ query }: { query: URLSearchParams }) {
  const q = query.get("q") ?? "";
  const apporteurId = query.get("apporteurId") ?? "";
  const list = usePaged<Entreprise>((cursor) => withQuery("/entreprises", { q, apporteurId, limit: 20, cursor }), [q, apporteurId]);
  return (
    <>
      <PageHeader title="Entreprises" actions={<ButtonLink href="/mia/entreprises/nouvelle">Nouvelle entreprise</ButtonLink>}>
        <p class="lead">Les personnes morales, chacune avec son dirigeant choisi parmi vos contacts.</p>
      </PageHeader>
      <SearchBar
        value={q}
        onSearch={(v) => navigate(withQuery("/mia/entreprises", { q: v, apporteurId }))}
        label="Rechercher une entreprise"
        placeholder="Raison sociale, SIREN…"
      />
      <PagedList
        list={list}
        empty={
          <>
            Aucune entreprise {q ? "ne correspond à cette recherche" : "pour l'instant"}.{" "}
            <Link href="/mia/entreprises/nouvelle">Nouvelle entreprise</Link>
          </>
        }
      >
        {(items) => (
          <table class="table" aria-label="Entreprises">
            <thead>
              <tr>
                <th scope="col">Raison sociale</th>
                <th scope="col">SIREN</th>
                <th scope="col">Dirigeant</th>
                <th scope="col">Adresse</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr>
                  <td data-label="Raison sociale">
                    <Link href={`/mia/entreprises/${e.id}`}>{e.raisonSociale}</Link>
                  </td>
                  <td data-label="SIREN">{formatSiren(e.siren)}</td>
                  <td data-label="Dirigeant">
                    {e.dirigeantId ? (
                      <Link href={`/mia/contacts/${e.dirigeantId}`}>Voir le contact</Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td data-label="Adresse">{e.adresse || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </PagedList>
    </>
  );
}

export function EntrepriseNew({ query }: { query: URLSearchParams }) {
  const [filtre, setFiltre] = useState("");
  const contacts = useAsync(
    (signal) => api.items<Contact>(withQuery("/contacts", { q: filtre, limit: 200 }), signal),
    [filtre],
  );
  const f = useForm({ raisonSociale: "", siren: "", adresse: "", dirigeantId: query.get("contactId") ?? "" });
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const v = f.values;
    const siren = v.siren.replace(/\s/g, "");
    if (
      !f.check({
        raisonSociale: v.raisonSociale.trim() ? undefined : "La raison sociale est obligatoire.",
        siren: /^\d{9}$/.test(siren) ? undefined : "Le SIREN compte 9 chiffres.",
        adresse: v.adresse.trim() ? undefined : "L'adresse est obligatoire.",
        dirigeantId: v.dirigeantId ? undefined : "Choisissez le dirigeant parmi vos contacts.",
      })
    )
      return;
    f.submit(async () => {
      const body = {
        raisonSociale: v.raisonSociale.trim(),
        siren,
        adresse: v.adresse.trim() || undefined,
        dirigeantId: v.dirigeantId,
      };
      const r = await api.post<Entreprise>("/entreprises", body, f.idempotencyKey(body));
      navigate(`/mia/entreprises/${r.data.id}?cree=1`);
    });
  };
  return (
    <>
      <PageHeader title="Nouvelle entreprise">
        <p class="lead">Une personne morale : raison sociale, adresse, SIREN et son dirigeant.</p>
      </PageHeader>
      <form class="card form" onSubmit={onSubmit} ref={f.formRef} noValidate>
        <InputField form={f} name="raisonSociale" label="Raison sociale" required autoComplete="organization" />
        <div class="grid-2">
          <InputField form={f} name="siren" label="SIREN" required hint="9 chiffres" inputMode="numeric" autoComplete="off" />
          <InputField form={f} name="adresse" label="Adresse" required autoComplete="street-address" />
        </div>
        <fieldset class="sub-fieldset">
          <legend>Dirigeant</legend>
          <div class="field">
            <label for="filtre-dirigeant">Filtrer vos contacts</label>
            <input
              id="filtre-dirigeant"
              type="search"
              placeholder="Nom, email…"
              value={filtre}
              onInput={(e) => setFiltre(e.currentTarget.value)}
            />
          </div>
          <SelectField
            form={f}
            name="dirigeantId"
            label="Dirigeant (parmi vos contacts)"
            required
            hint={
              <>
                Il n'est pas encore dans vos contacts ?{" "}
                <Link href="/mia/contacts/nouveau?retour=/mia/entreprises/nouvelle">Nouveau contact</Link>
              </>
            }
          >
            <option value="">— Choisir un contact —</option>
            {(contacts.data ?? []).map((c) => (
              <option value={c.id}>
                {personName(c)}
                {c.email ? ` (${c.email})` : c.telephone ? ` (${formatTelephone(c.telephone)})` : ""}
              </option>
            ))}
          </SelectField>
        </fieldset>
        <FormFooter form={f} cancel="/mia/entreprises" submit="Ajouter" />
      </form>
    </>
  );
}

export function EntrepriseView({ id, query }: { id: string; query: URLSearchParams }) {
  const e = useAsync(async (signal) => api.get<Entreprise>(`/entreprises/${encodeURIComponent(id)}`, signal), [id]);
  const dirigeant = useAsync(async (signal) => {
    const d = e.data?.data.dirigeantId;
    return d ? (await api.get<Contact>(`/contacts/${d}`, signal)).data : undefined;
  }, [e.data]);
  const apporteur = useAsync(async (signal) => {
    const ap = e.data?.data.apporteurId;
    return ap ? (await api.get<Apporteur>(`/apporteurs/${ap}`, signal)).data : undefined;
  }, [e.data]);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState(query.get("cree") ? "Entreprise ajoutée." : "");
  // The dirigeant's choices, read when the form opens; no data until then, so the form never
  // shows (and loses what was typed in it) before they are there.
  const contacts = useAsync(
    async (signal) => (editing ? api.items<Contact>("/contacts?limit=200", signal) : undefined),
    [editing],
  );
  if (e.loading && !e.data) return <Loading />;
  if (e.error) return <ErrorBox error={e.error} onRetry={e.reload} />;
  const en = e.data!.data;
  const dirNom = personName(dirigeant.data);
  return (
    <>
      <PageHeader
        title={en.raisonSociale}
        actions={<ButtonLink href={`/mia/affaires/nouvelle?contactId=${en.id}`}>Nouvelle affaire</ButtonLink>}
      >
        <p class="lead">
          <Link href="/mia/entreprises">Entreprises</Link> › fiche entreprise
        </p>
      </PageHeader>
      <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
      <EditableCard
        id="ident"
        title="Identité"
        editing={editing}
        onEdit={() => (setEditing(true), setNotice(""))}
        form={
          contacts.error ? (
            <ErrorBox error={contacts.error} onRetry={contacts.reload} />
          ) : !contacts.data ? (
            <Loading />
          ) : (
            <EditForm
              title="Modifier l'entreprise"
              path={`/entreprises/${en.id}`}
              result={e.data!}
              fields={[
                { name: "raisonSociale", label: "Raison sociale", required: true },
                { name: "siren", label: "SIREN", required: true, hint: "9 chiffres" },
                { name: "adresse", label: "Adresse", required: true },
                {
                  name: "dirigeantId",
                  label: "Dirigeant (parmi vos contacts)",
                  type: "select",
                  required: true,
                  options: contacts.data.map((c) => ({ value: c.id, label: personName(c) })),
                },
              ]}
              onCancel={() => setEditing(false)}
              onSaved={(r) => {
                setEditing(false);
                setNotice("Entreprise mise à jour.");
                // The PATCH answer is the entreprise without its affaires, which it does not change.
                e.setData({ ...r, data: { ...r.data, affaires: en.affaires } });
              }}
            />
          )
        }
      >
        <dl class="facts">
          <dt>SIREN</dt>
          <dd>{formatSiren(en.siren)}</dd>
          <dt>Adresse</dt>
          <dd>{en.adresse || "—"}</dd>
          <dt>Dirigeant</dt>
          <dd>{en.dirigeantId ? <Link href={`/mia/contacts/${en.dirigeantId}`}>{dirNom || "Voir le contact"}</Link> : "—"}</dd>
          <dt>Apporteur</dt>
          <dd>{en.apporteurId ? <Link href={`/mia/apporteurs/${en.apporteurId}`}>{apporteurName(apporteur.data) || "Voir l'apporteur"}</Link> : "—"}</dd>
          <dt>Créée le</dt>
          <dd>{formatDate(en.createdAt)}</dd>
        </dl>
      </EditableCard>
      <section class="card" aria-labelledby="affaires-ent">
        <h2 id="affaires-ent">Ses affaires</h2>
        {(en.affaires ?? []).length === 0 ? (
          <Empty>
            Aucune affaire pour cette entreprise. <Link href={`/mia/affaires/nouvelle?contactId=${en.id}`}>Nouvelle affaire</Link>
          </Empty>
        ) : (
          <AffairesTable items={en.affaires ?? []} showClient={false} />
        )}
      </section>
    </>
  );
}
