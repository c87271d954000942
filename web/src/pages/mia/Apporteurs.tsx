import { useState } from "preact/hooks";
import { ExportButton } from "../../components/ExportButton";
import { api } from "../../app";
import { EditableCard, EditForm } from "../../components/EditForm";
import { Badge, Link } from "../../components/elements";
import { FilterSelect, FormFooter, InputField } from "../../components/forms";
import { PagedList, Table } from "../../components/lists";
import { Breadcrumb, DetailPage, ListPage, PageHeader } from "../../components/scaffold";
import type { Affaire, Apporteur, Contact } from "../../generated/openapi";
import { useAsync } from "../../hooks/useAsync";
import { useForm } from "../../hooks/useForm";
import { usePaged } from "../../hooks/usePaged";
import { ifMatchOf, withQuery } from "../../lib/api";
import { formatCentimes, formatDate, formatPercent, label, STATUT_AFFAIRE, STATUT_APPORTEUR, STATUT_CONTACT, formatTelephone } from "../../lib/format";
import { apporteurName, personName } from "../../lib/model";
import { navigate } from "../../lib/router";
import { ConventionCard, StatutLegalCard } from "./Relation";
import { DocumentsCard, TYPES_APPORTEUR } from "../../components/Documents";
import { ApporteurTaches } from "./Daily";

export function ApporteursList({ query }: { query: URLSearchParams }) {
  const statut = query.get("statut") ?? "";
  const list = usePaged<Apporteur>((cursor) => withQuery("/apporteurs", { statut, limit: 20, cursor }), [statut]);
  return (
    <ListPage
      title="Apporteurs d'affaires"
      lead="Vos prescripteurs : ils reçoivent un email d'activation et accèdent à leur espace personnel."
      create={{ href: "/mia/apporteurs/nouveau", label: "Nouvel apporteur" }}
      toolbar={
        <div class="toolbar">
          <FilterSelect
            label="Statut"
            value={statut}
            onChange={(v) => navigate(withQuery("/mia/apporteurs", { statut: v }))}
            options={Object.entries(STATUT_APPORTEUR)}
          />
          <ExportButton path="/exports/commissions" filename="commissions-apporteurs.csv" label="Exporter les commissions (CSV)" />
        </div>
      }
      list={list}
      empty={
        <>
          Aucun apporteur {statut ? "ne correspond à ces critères" : "pour l'instant"}.{" "}
          <Link href="/mia/apporteurs/nouveau">Nouvel apporteur</Link>
        </>
      }
    >
      {(items) => (
        <ul class="cards" aria-label="Apporteurs d'affaires">
          {items.map((a) => (
            <li class="card row-card">
              <div class="row-main">
                <Link href={`/mia/apporteurs/${a.id}`} class="row-title">
                  {apporteurName(a)}
                </Link>
                <div class="row-meta">
                  {a.email}
                  {a.telephone && ` · ${formatTelephone(a.telephone)}`}
                  {a.localisation && ` · ${a.localisation}`}
                </div>
              </div>
              <div class="row-side">
                {a.commissions?.totalCentimes ? (
                  <span class="row-amount" title="Commission prévisionnelle">
                    {formatCentimes(a.commissions.totalCentimes)}
                  </span>
                ) : null}
                <Badge value={a.statut} text={label(STATUT_APPORTEUR, a.statut)} />
                {a.invitationEchouee && <span class="error-text">Invitation non envoyée</span>}
              </div>
            </li>
          ))}
        </ul>
      )}
    </ListPage>
  );
}

export function ApporteurNew() {
  const f = useForm({ nom: "", prenom: "", telephone: "", email: "", localisation: "", remarques: "" });
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const v = f.values;
    if (
      !f.check({
        nom: v.nom.trim() ? undefined : "Le nom est obligatoire.",
        email: /^\S+@\S+\.\S+$/.test(v.email.trim()) ? undefined : "Saisissez une adresse email valide : l'invitation y sera envoyée.",
      })
    )
      return;
    f.submit(async () => {
      const body = f.filled();
      const r = await api.post<Apporteur>("/apporteurs", body, f.idempotencyKey(body));
      navigate(`/mia/apporteurs/${r.data.id}?cree=1`);
    });
  };
  return (
    <>
      <PageHeader title="Nouvel apporteur">
        <p class="lead">Il recevra automatiquement un email d'activation de la part d'Assentis.</p>
      </PageHeader>
      <form class="card form" onSubmit={onSubmit} ref={f.formRef} noValidate>
        <div class="grid-2">
          <InputField form={f} name="nom" label="Nom" required autoComplete="family-name" />
          <InputField form={f} name="prenom" label="Prénom" autoComplete="given-name" />
          <InputField
            form={f}
            name="telephone"
            label="Téléphone"
            type="tel"
            hint="Français ou international, ex. 06 12 34 56 78"
            autoComplete="tel"
          />
          <InputField form={f} name="email" label="Email" type="email" required autoComplete="email" />
        </div>
        <InputField form={f} name="localisation" label="Localisation" hint="Ville ou département" />
        <InputField form={f} name="remarques" label="Remarques" type="textarea" />
        <FormFooter form={f} cancel="/mia/apporteurs" submit="Ajouter" />
      </form>
    </>
  );
}

export function ApporteurView({ id, query }: { id: string; query: URLSearchParams }) {
  const a = useAsync(async (signal) => api.get<Apporteur>(`/apporteurs/${encodeURIComponent(id)}`, signal), [id]);
  const contacts = usePaged<Contact>((cursor) => withQuery("/contacts", { apporteurId: id, limit: 20, cursor }), [id]);
  // Its affaires, of every statut, newest first: GET /affaires?apporteurId= (one Query on its collection).
  const affaires = usePaged<Affaire>((cursor) => withQuery("/affaires", { apporteurId: id, limit: 20, cursor }), [id]);
  const [notice, setNotice] = useState(query.get("cree") ? "Apporteur ajouté : l'email d'activation lui a été envoyé." : "");
  const [actionError, setActionError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState(false);

  const act = async (fn: () => Promise<void>, ok: string) => {
    setBusy(true);
    setActionError(undefined);
    setNotice("");
    try {
      await fn();
      setNotice(ok);
    } catch (e) {
      setActionError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  const setStatut = (statut: "actif" | "desactive") =>
    act(async () => {
      const r = await api.patch<Apporteur>(`/apporteurs/${id}`, { statut }, ifMatchOf(a.data!));
      a.setData(r);
    }, statut === "desactive" ? "Apporteur désactivé : il ne peut plus accéder à son espace." : "Apporteur réactivé.");

  return (
    <DetailPage
      state={a}
      title={(r) => apporteurName(r.data)}
      actions={(r) => (
        <>
          <Badge value={r.data.statut} text={label(STATUT_APPORTEUR, r.data.statut)} />
          <Link href={`/mia/apporteurs/${r.data.id}/donnees`} class="btn btn-secondary">
            Données personnelles
          </Link>
        </>
      )}
      lead={
        <Breadcrumb href="/mia/apporteurs" label="Apporteurs d'affaires">
          fiche apporteur
        </Breadcrumb>
      }
      notice={notice}
      error={actionError}
    >
      {(r) => {
        const ap = r.data;
        return (
          <>
            <div class="grid-2 align-start">
              <EditableCard
                id="coord"
                title="Coordonnées"
                editing={editing}
                onEdit={() => (setEditing(true), setNotice(""))}
                form={
                  <EditForm
                    title="Modifier l'apporteur"
                    path={`/apporteurs/${ap.id}`}
                    result={r}
                    fields={[
                      { name: "nom", label: "Nom", required: true },
                      { name: "prenom", label: "Prénom" },
                      { name: "telephone", label: "Téléphone", type: "tel" },
                      { name: "localisation", label: "Localisation", hint: "Ville ou département" },
                      { name: "remarques", label: "Remarques", type: "textarea" },
                    ]}
                    onCancel={() => setEditing(false)}
                    onSaved={(saved) => {
                      setEditing(false);
                      a.setData(saved);
                      setNotice("Apporteur mis à jour.");
                    }}
                  />
                }
              >
                <dl class="facts">
                  <dt>Email</dt>
                  <dd>{ap.email}</dd>
                  <dt>Téléphone</dt>
                  <dd>{formatTelephone(ap.telephone)}</dd>
                  <dt>Localisation</dt>
                  <dd>{ap.localisation || "—"}</dd>
                  <dt>Remarques</dt>
                  <dd>{ap.remarques || "—"}</dd>
                  <dt>Créé le</dt>
                  <dd>{formatDate(ap.createdAt)}</dd>
                  {ap.commissions && (
                    <>
                      <dt>Commission prévisionnelle</dt>
                      <dd>
                        {formatCentimes(ap.commissions.totalCentimes)} (en cours {formatCentimes(ap.commissions.enCoursCentimes)}, signées{" "}
                        {formatCentimes(ap.commissions.signeeCentimes)})
                      </dd>
                    </>
                  )}
                </dl>
              </EditableCard>
              <section class="card" aria-labelledby="invit">
                <h2 id="invit">Invitation et accès</h2>
                <p class="invitation-status" data-statut={ap.statut}>
                  {ap.statut === "invitation_envoyee" && !ap.invitationEchouee && "Invitation envoyée : en attente d'activation."}
                  {ap.statut === "invitation_envoyee" && ap.invitationEchouee && (
                    <strong class="error-text">L'email d'invitation n'a pas pu être envoyé. Vérifiez l'adresse puis renvoyez l'invitation.</strong>
                  )}
                  {ap.statut === "actif" && "Compte activé : l'apporteur accède à son espace."}
                  {ap.statut === "desactive" && "Compte désactivé : l'apporteur n'accède plus à son espace."}
                </p>
                <div class="button-row">
                  {ap.statut !== "actif" && (
                    <button
                      type="button"
                      class="btn btn-secondary"
                      disabled={busy}
                      onClick={() =>
                        act(async () => {
                          a.setData(await api.post<Apporteur>(`/apporteurs/${ap.id}/invitation`, {}));
                        }, "Nouvel email d'activation envoyé. L'ancien lien ne fonctionne plus.")
                      }
                    >
                      Renvoyer l'invitation
                    </button>
                  )}
                  {ap.statut !== "desactive" ? (
                    <button type="button" class="btn btn-danger" disabled={busy} onClick={() => setStatut("desactive")}>
                      Désactiver
                    </button>
                  ) : (
                    <button type="button" class="btn btn-secondary" disabled={busy} onClick={() => setStatut("actif")}>
                      Réactiver
                    </button>
                  )}
                </div>
              </section>
            </div>

            <div class="grid-2 align-start">
              <StatutLegalCard result={r} onSaved={(saved) => (a.setData(saved), setNotice("Statut légal enregistré."))} />
              <ConventionCard ap={ap} onChanged={a.reload} />
            </div>

            <ApporteurTaches id={ap.id} />

            <DocumentsCard listPath={`/apporteurs/${encodeURIComponent(ap.id)}/documents`} docPath="/documents" types={TYPES_APPORTEUR} />

            <section class="card" aria-labelledby="ses-contacts">
              <h2 id="ses-contacts">Ses contacts</h2>
              <PagedList list={contacts} empty="Aucun contact attribué à cet apporteur.">
                {(items) => (
                  <Table
                    items={items}
                    columns={[
                      { label: "Nom", cell: (c) => <Link href={`/mia/contacts/${c.id}`}>{personName(c)}</Link> },
                      { label: "Coordonnées", cell: (c) => [c.email, c.telephone && formatTelephone(c.telephone)].filter(Boolean).join(" · ") || "—" },
                      { label: "Statut", cell: (c) => <Badge value={c.statut} text={label(STATUT_CONTACT, c.statut)} /> },
                    ]}
                  />
                )}
              </PagedList>
            </section>

            <section class="card" aria-labelledby="ses-affaires">
              <h2 id="ses-affaires">Ses affaires</h2>
              <PagedList list={affaires} empty="Aucune affaire pour les contacts de cet apporteur.">
                {(items) => (
                  <Table
                    items={items}
                    columns={[
                      { label: "Client", cell: (af) => <Link href={`/mia/affaires/${af.id}`}>{af.clientNom}</Link> },
                      { label: "Produit", cell: (af) => af.produitNom },
                      { label: "Statut", cell: (af) => <Badge value={af.statut} text={label(STATUT_AFFAIRE, af.statut)} /> },
                      { label: "Taux apporteur", cell: (af) => formatPercent(af.tauxCommissionApporteur) },
                      { label: "Commission apporteur", num: true, cell: (af) => formatCentimes(af.commissionApporteurCentimes) },
                    ]}
                  />
                )}
              </PagedList>
            </section>
          </>
        );
      }}
    </DetailPage>
  );
}
