import { useState } from "preact/hooks";
import { api } from "../../app";
import { EditableCard, EditForm } from "../../components/EditForm";
import { ButtonLink, Link } from "../../components/elements";
import { ErrorBox, Loading } from "../../components/feedback";
import { FormFooter, InputField, SearchBar, SelectField } from "../../components/forms";
import { Table } from "../../components/lists";
import { Breadcrumb, DetailPage, ListPage, PageHeader } from "../../components/scaffold";
import type { Apporteur, Contact, Entreprise, EntrepriseAvecAffaires, NouvelleEntreprise } from "../../generated/openapi";
import { useAsync } from "../../hooks/useAsync";
import { useForm } from "../../hooks/useForm";
import { usePaged } from "../../hooks/usePaged";
import { type Result, withQuery } from "../../lib/api";
import { formatDate, formatSiren, formatTelephone } from "../../lib/format";
import { apporteurName, personName } from "../../lib/model";
import { navigate } from "../../lib/router";
import { ClientAffaires } from "./Affaires";
import { FicheActivite } from "./Daily";
import { ExportButton } from "../../components/ExportButton";

export function EntreprisesList({ query }: { query: URLSearchParams }) {
  const q = query.get("q") ?? "";
  const apporteurId = query.get("apporteurId") ?? "";
  const list = usePaged<Entreprise>((cursor) => withQuery("/entreprises", { q, apporteurId, limit: 20, cursor }), [q, apporteurId]);
  return (
    <ListPage
      title="Entreprises"
      lead="Les personnes morales, chacune avec son dirigeant choisi parmi vos contacts."
      create={{ href: "/mia/entreprises/nouvelle", label: "Nouvelle entreprise" }}
      toolbar={
        <>
          <SearchBar
            value={q}
            onSearch={(v) => navigate(withQuery("/mia/entreprises", { q: v, apporteurId }))}
            label="Rechercher une entreprise"
            placeholder="Raison sociale, SIREN…"
          />
          <ExportButton path={withQuery("/exports/entreprises", { q, apporteurId })} filename="entreprises.csv" />
        </>
      }
      list={list}
      empty={
        <>
          Aucune entreprise {q ? "ne correspond à cette recherche" : "pour l'instant"}.{" "}
          <Link href="/mia/entreprises/nouvelle">Nouvelle entreprise</Link>
        </>
      }
    >
      {(items) => (
        <Table
          label="Entreprises"
          items={items}
          columns={[
            { label: "Raison sociale", cell: (e) => <Link href={`/mia/entreprises/${e.id}`}>{e.raisonSociale}</Link> },
            { label: "SIREN", cell: (e) => formatSiren(e.siren) },
            { label: "Dirigeant", cell: (e) => <Link href={`/mia/contacts/${e.dirigeantId}`}>Voir le contact</Link> },
            { label: "Adresse", cell: (e) => e.adresse || "—" },
          ]}
        />
      )}
    </ListPage>
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
      const body: NouvelleEntreprise = { raisonSociale: v.raisonSociale.trim(), siren, adresse: v.adresse.trim(), dirigeantId: v.dirigeantId };
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
  const e = useAsync(async (signal) => api.get<EntrepriseAvecAffaires>(`/entreprises/${encodeURIComponent(id)}`, signal), [id]);
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
  return (
    <DetailPage
      state={e}
      title={(r) => r.data.raisonSociale}
      actions={(r) => <ButtonLink href={`/mia/affaires/nouvelle?contactId=${r.data.id}`}>Nouvelle affaire</ButtonLink>}
      lead={
        <Breadcrumb href="/mia/entreprises" label="Entreprises">
          fiche entreprise
        </Breadcrumb>
      }
      notice={notice}
    >
      {(r) => {
        const en = r.data;
        return (
          <>
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
                    result={r}
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
                    onSaved={(saved: Result<Entreprise>) => {
                      setEditing(false);
                      setNotice("Entreprise mise à jour.");
                      // The PATCH answer is the entreprise without its affaires, which it does not change.
                      e.setData({ ...saved, data: { ...saved.data, affaires: en.affaires } });
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
                <dd>
                  <Link href={`/mia/contacts/${en.dirigeantId}`}>{personName(dirigeant.data) || "Voir le contact"}</Link>
                </dd>
                <dt>Apporteur</dt>
                <dd>
                  {en.apporteurId ? (
                    <Link href={`/mia/apporteurs/${en.apporteurId}`}>{apporteurName(apporteur.data) || "Voir l'apporteur"}</Link>
                  ) : (
                    "—"
                  )}
                </dd>
                <dt>Créée le</dt>
                <dd>{formatDate(en.createdAt)}</dd>
              </dl>
            </EditableCard>
            <ClientAffaires id="affaires-ent" clientId={en.id} affaires={en.affaires} empty="Aucune affaire pour cette entreprise." />
            <FicheActivite type="entreprise" id={en.id} />
          </>
        );
      }}
    </DetailPage>
  );
}
