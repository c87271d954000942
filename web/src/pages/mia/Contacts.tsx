import { useState } from "preact/hooks";
import { api } from "../../app";
import { EditableCard, EditForm } from "../../components/EditForm";
import { Badge, ButtonLink, Link } from "../../components/elements";
import { FilterSelect, FormFooter, InputField, SearchBar, SelectField } from "../../components/forms";
import { Table } from "../../components/lists";
import { Breadcrumb, DetailPage, ListPage, PageHeader } from "../../components/scaffold";
import type { Apporteur, Contact, ContactAvecAffaires } from "../../generated/openapi";
import { useAsync } from "../../hooks/useAsync";
import { type FormOf, useForm } from "../../hooks/useForm";
import { usePaged } from "../../hooks/usePaged";
import { type Result, withQuery } from "../../lib/api";
import { formatDate, label, STATUT_CONTACT, formatTelephone } from "../../lib/format";
import { apporteurName, personName } from "../../lib/model";
import { navigate } from "../../lib/router";
import { ClientAffaires } from "./Affaires";
import { FicheActivite } from "./Daily";
import { ExportButton } from "../../components/ExportButton";

export function useApporteurs() {
  return useAsync((signal) => api.items<Apporteur>("/apporteurs?limit=200", signal), []);
}

export function ContactsList({ query }: { query: URLSearchParams }) {
  const q = query.get("q") ?? "";
  const statut = query.get("statut") ?? "";
  const apporteurId = query.get("apporteurId") ?? "";
  const apporteurs = useApporteurs();
  const list = usePaged<Contact>(
    (cursor) => withQuery("/contacts", { q, statut, apporteurId, limit: 20, cursor }),
    [q, statut, apporteurId],
  );
  const go = (p: Record<string, string>) => navigate(withQuery("/mia/contacts", { q, statut, apporteurId, ...p }));
  const apNom = new Map((apporteurs.data ?? []).map((a) => [a.id, apporteurName(a)]));
  return (
    <ListPage
      title="Contacts"
      lead="Les personnes physiques : prospects et clients, dont ceux apportés par vos apporteurs."
      create={{ href: "/mia/contacts/nouveau", label: "Nouveau contact" }}
      toolbar={
        <>
        <SearchBar value={q} onSearch={(v) => go({ q: v })} label="Rechercher un contact" placeholder="Nom, email, téléphone…">
          <FilterSelect
            label="Statut"
            value={statut}
            onChange={(v) => go({ statut: v })}
            options={[
              ["prospect", "Prospects"],
              ["client", "Clients"],
            ]}
          />
          <FilterSelect
            label="Apporteur"
            value={apporteurId}
            onChange={(v) => go({ apporteurId: v })}
            options={(apporteurs.data ?? []).map((a) => [a.id, apporteurName(a)])}
          />
        </SearchBar>
        <ExportButton path={withQuery("/exports/contacts", { q, statut, apporteurId })} filename="contacts.csv" />
        </>
      }
      list={list}
      empty={
        <>
          Aucun contact {q || statut || apporteurId ? "ne correspond à ces critères" : "pour l'instant"}.{" "}
          <Link href="/mia/contacts/nouveau">Nouveau contact</Link>
        </>
      }
    >
      {(items) => (
        <Table
          label="Contacts"
          items={items}
          columns={[
            { label: "Nom", cell: (c) => <Link href={`/mia/contacts/${c.id}`}>{personName(c)}</Link> },
            { label: "Email", cell: (c) => c.email || "—" },
            { label: "Téléphone", cell: (c) => formatTelephone(c.telephone) },
            { label: "Statut", cell: (c) => <Badge value={c.statut} text={label(STATUT_CONTACT, c.statut)} /> },
            {
              label: "Apporteur",
              cell: (c) => (c.apporteurId ? <Link href={`/mia/apporteurs/${c.apporteurId}`}>{apNom.get(c.apporteurId) ?? "Apporteur"}</Link> : "—"),
            },
          ]}
        />
      )}
    </ListPage>
  );
}

type ContactIdentity = { nom: string; prenom: string; telephone: string; email: string };

/** The contact check the API makes too: a name, and a telephone or an email. */
export function contactIdentityErrors(v: ContactIdentity) {
  return {
    nom: v.nom.trim() ? undefined : "Le nom est obligatoire.",
    telephone: v.telephone.trim() || v.email.trim() ? undefined : "Indiquez un téléphone ou un email.",
  };
}

/** Nom, prénom, téléphone, email: the fields a MIA and an apporteur both fill in for a new contact. */
export function ContactIdentityFields<T extends ContactIdentity & Record<string, string>>({ form }: { form: FormOf<T> }) {
  return (
    <div class="grid-2">
      <InputField form={form} name="nom" label="Nom" required autoComplete="off" />
      <InputField form={form} name="prenom" label="Prénom" autoComplete="off" />
      <InputField form={form} name="telephone" label="Téléphone" type="tel" autoComplete="off" />
      <InputField form={form} name="email" label="Email" type="email" autoComplete="off" />
    </div>
  );
}

export function ContactNew({ query }: { query: URLSearchParams }) {
  const apporteurs = useApporteurs();
  const f = useForm({ nom: "", prenom: "", telephone: "", email: "", adresse: "", remarques: "", apporteurId: query.get("apporteurId") ?? "" });
  const onSubmit = (e: Event) => {
    e.preventDefault();
    if (!f.check(contactIdentityErrors(f.values))) return;
    f.submit(async () => {
      const body = f.filled();
      const r = await api.post<Contact>("/contacts", body, f.idempotencyKey(body));
      const next = query.get("retour");
      navigate(next && next.startsWith("/mia/") ? `${next}${next.includes("?") ? "&" : "?"}contactId=${r.data.id}` : `/mia/contacts/${r.data.id}?cree=1`);
    });
  };
  return (
    <>
      <PageHeader title="Nouveau contact">
        <p class="lead">Un particulier (personne physique). Le nom et un téléphone ou un email suffisent.</p>
      </PageHeader>
      <form class="card form" onSubmit={onSubmit} ref={f.formRef} noValidate>
        <ContactIdentityFields form={f} />
        <InputField form={f} name="adresse" label="Adresse" autoComplete="off" />
        <SelectField form={f} name="apporteurId" label="Apporteur d'affaires" hint="Facultatif : attribue le contact à l'un de vos apporteurs.">
          <option value="">Aucun</option>
          {(apporteurs.data ?? []).map((ap) => (
            <option value={ap.id}>{apporteurName(ap)}</option>
          ))}
        </SelectField>
        <InputField form={f} name="remarques" label="Remarques" type="textarea" hint="Visibles par vous seul, jamais par l'apporteur." />
        <FormFooter form={f} cancel="/mia/contacts" submit="Ajouter" />
      </form>
    </>
  );
}

export function ContactView({ id, query }: { id: string; query: URLSearchParams }) {
  const c = useAsync(async (signal) => api.get<ContactAvecAffaires>(`/contacts/${encodeURIComponent(id)}`, signal), [id]);
  const apporteurs = useApporteurs();
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState(query.get("cree") ? "Contact ajouté." : "");
  return (
    <DetailPage
      state={c}
      title={(r) => personName(r.data)}
      actions={(r) => (
        <>
          <ButtonLink href={`/mia/affaires/nouvelle?contactId=${r.data.id}`}>Nouvelle affaire</ButtonLink>
          <Link href={`/mia/contacts/${r.data.id}/donnees`} class="btn btn-secondary">
            Données personnelles
          </Link>
        </>
      )}
      lead={(r) => (
        <Breadcrumb href="/mia/contacts" label="Contacts">
          fiche contact <Badge value={r.data.statut} text={label(STATUT_CONTACT, r.data.statut)} />
        </Breadcrumb>
      )}
      notice={notice}
    >
      {(r) => {
        const ct = r.data;
        const ap = (apporteurs.data ?? []).find((a) => a.id === ct.apporteurId);
        return (
          <>
            <EditableCard
              id="coord"
              title="Coordonnées"
              editing={editing}
              onEdit={ct.efface ? undefined : () => (setEditing(true), setNotice(""))}
              form={
                <EditForm
                  title="Modifier le contact"
                  path={`/contacts/${ct.id}`}
                  result={r}
                  fields={[
                    { name: "nom", label: "Nom", required: true },
                    { name: "prenom", label: "Prénom" },
                    { name: "telephone", label: "Téléphone", type: "tel" },
                    { name: "email", label: "Email", type: "email" },
                    { name: "adresse", label: "Adresse" },
                    {
                      name: "apporteurId",
                      label: "Apporteur d'affaires",
                      type: "select",
                      options: [{ value: "", label: "Aucun" }, ...(apporteurs.data ?? []).map((a) => ({ value: a.id, label: apporteurName(a) }))],
                    },
                    { name: "remarques", label: "Remarques", type: "textarea" },
                  ]}
                  onCancel={() => setEditing(false)}
                  onSaved={(saved: Result<Contact>) => {
                    setEditing(false);
                    setNotice("Contact mis à jour.");
                    // The PATCH answer is the contact without its affaires, which it does not change.
                    c.setData({ ...saved, data: { ...saved.data, affaires: ct.affaires } });
                  }}
                />
              }
            >
              {ct.efface && <p class="hint">Ce contact a été effacé (droit à l'effacement) : sa fiche ne peut plus être modifiée ; ses affaires gardent leurs montants.</p>}
              <dl class="facts">
                <dt>Email</dt>
                <dd>{ct.email || "—"}</dd>
                <dt>Téléphone</dt>
                <dd>{formatTelephone(ct.telephone)}</dd>
                <dt>Adresse</dt>
                <dd>{ct.adresse || "—"}</dd>
                {ct.profession && (
                  <>
                    <dt>Profession</dt>
                    <dd>{ct.profession}</dd>
                  </>
                )}
                <dt>Apporteur</dt>
                <dd>
                  {ct.apporteurId ? (
                    <Link href={`/mia/apporteurs/${ct.apporteurId}`}>{apporteurName(ap) || "Voir l'apporteur"}</Link>
                  ) : (
                    "—"
                  )}
                </dd>
                {ct.noteApporteur && (
                  <>
                    <dt>Note de l'apporteur</dt>
                    <dd class="note" data-fact="noteApporteur">
                      {ct.noteApporteur}
                    </dd>
                  </>
                )}
                <dt>Remarques</dt>
                <dd class="note">{ct.remarques || "—"}</dd>
                <dt>Créé le</dt>
                <dd>{formatDate(ct.createdAt)}</dd>
              </dl>
            </EditableCard>
            <ClientAffaires id="affaires-contact" clientId={ct.id} affaires={ct.affaires} empty="Aucune affaire pour ce contact." />
            <FicheActivite type="contact" id={ct.id} readOnly={ct.efface} />
          </>
        );
      }}
    </DetailPage>
  );
}
