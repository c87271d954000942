import { MesLignes } from "../ledger";
import { api } from "../../app";
import { Badge, Link } from "../../components/elements";
import { Empty } from "../../components/feedback";
import { FormFooter, InputField } from "../../components/forms";
import { Table } from "../../components/lists";
import { DetailPage, ListPage, PageHeader } from "../../components/scaffold";
import type { EspaceAffaire, EspaceCommissions, EspaceContact, EspaceProfil } from "../../generated/openapi";
import { useAsync } from "../../hooks/useAsync";
import { useForm } from "../../hooks/useForm";
import { usePaged } from "../../hooks/usePaged";
import { withQuery } from "../../lib/api";
import { formatCentimes, formatDate, formatDateTime, formatPercent, label, STATUT_AFFAIRE, STATUT_CONTACT, formatTelephone } from "../../lib/format";
import { historiqueText, personName } from "../../lib/model";
import { navigate } from "../../lib/router";
import { ContactIdentityFields, contactIdentityErrors } from "../mia/Contacts";
import { DocumentsCard, TYPES_APPORTEUR } from "../../components/Documents";

export function MesContacts({ query }: { query: URLSearchParams }) {
  const list = usePaged<EspaceContact>((cursor) => withQuery("/espace-apporteur/contacts", { limit: 20, cursor }), []);
  return (
    <ListPage
      title="Mes contacts"
      lead="Les contacts que vous avez apportés : ils sont directement attribués à votre MIA."
      create={{ href: "/espace/contacts/nouveau", label: "Nouveau contact" }}
      notice={query.get("cree") && "Contact ajouté et transmis à votre MIA."}
      list={list}
      empty={
        <>
          Vous n'avez pas encore apporté de contact. <Link href="/espace/contacts/nouveau">Nouveau contact</Link>
        </>
      }
    >
      {(items) => (
        <Table
          label="Mes contacts"
          items={items}
          columns={[
            {
              label: "Nom",
              cell: (c) => (
                <>
                  {personName(c)}
                  {c.noteApporteur && <div class="row-meta note">{c.noteApporteur}</div>}
                </>
              ),
            },
            { label: "Email", cell: (c) => c.email || "—" },
            { label: "Téléphone", cell: (c) => formatTelephone(c.telephone) },
            { label: "Statut", cell: (c) => <Badge value={c.statut} text={label(STATUT_CONTACT, c.statut)} /> },
            { label: "Apporté le", cell: (c) => formatDate(c.createdAt) },
          ]}
        />
      )}
    </ListPage>
  );
}

/** The API's limit on an apporteur's note (characters). */
const NOTE_MAX = 1000;

export function MonNouveauContact() {
  const f = useForm({ nom: "", prenom: "", telephone: "", email: "", adresse: "", profession: "", noteApporteur: "" });
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const note = [...f.values.noteApporteur.trim()].length > NOTE_MAX ? `La note dépasse ${NOTE_MAX} caractères.` : undefined;
    if (!f.check({ ...contactIdentityErrors(f.values), noteApporteur: note })) return;
    f.submit(async () => {
      const body = f.filled();
      await api.post<EspaceContact>("/espace-apporteur/contacts", body, f.idempotencyKey(body));
      navigate("/espace/contacts?cree=1");
    });
  };
  return (
    <>
      <PageHeader title="Nouveau contact">
        <p class="lead">Le contact est attribué à votre MIA et à vous : il n'aura pas à le saisir de nouveau.</p>
      </PageHeader>
      <form class="card form" onSubmit={onSubmit} ref={f.formRef} noValidate>
        <ContactIdentityFields form={f} />
        <div class="grid-2">
          <InputField form={f} name="adresse" label="Adresse" autoComplete="off" />
          <InputField form={f} name="profession" label="Profession" autoComplete="off" />
        </div>
        <InputField
          form={f}
          name="noteApporteur"
          label="Note pour votre MIA"
          type="textarea"
          hint="Le besoin du contact, le bon moment pour l'appeler… Votre MIA la lit sur la fiche du contact."
        />
        <FormFooter form={f} cancel="/espace/contacts" submit="Ajouter" />
      </form>
    </>
  );
}

export function MesAffaires() {
  const list = usePaged<EspaceAffaire>((cursor) => withQuery("/espace-apporteur/affaires", { limit: 20, cursor }), []);
  return (
    <ListPage title="Mes affaires" lead="L'évolution des contrats de vos contacts, étape par étape." list={list} empty="Aucune affaire pour vos contacts pour l'instant.">
      {(items) => (
        <ul class="cards">
          {items.map((a) => {
            const histo = [...a.historique].sort((x, y) => String(x.at).localeCompare(String(y.at)));
            return (
              <li class="card affaire-card" data-affaire={a.id}>
                <div class="affaire-head">
                  <div>
                    <h2 class="h3">{a.produitNom}</h2>
                    <div class="row-meta">{a.clientNom}</div>
                  </div>
                  <Badge value={a.statut} text={label(STATUT_AFFAIRE, a.statut)} />
                </div>
                <dl class="facts compact">
                  <dt>Taux de commission</dt>
                  <dd>{formatPercent(a.tauxCommissionApporteur)}</dd>
                  <dt>Commission prévisionnelle</dt>
                  <dd class="num">{formatCentimes(a.commissionApporteurCentimes)}</dd>
                </dl>
                <h3 class="h4">Historique</h3>
                {histo.length === 0 ? (
                  <p class="hint">Créée le {formatDate(a.createdAt)}.</p>
                ) : (
                  <ol class="timeline">
                    {histo.map((h) => (
                      <li>
                        <time dateTime={h.at}>{formatDateTime(h.at)}</time>
                        <span>{historiqueText(h) || label(STATUT_AFFAIRE, h.statut)}</span>
                      </li>
                    ))}
                  </ol>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </ListPage>
  );
}

type Totaux = EspaceCommissions["totaux"];

/** Two bars (en cours, signées) in plain SVG, with the amounts written out for everyone. */
export function CommissionChart({ totaux }: { totaux: Totaux }) {
  const max = Math.max(totaux.enCoursCentimes, totaux.signeeCentimes, 1);
  const bars = [
    { label: "En cours", value: totaux.enCoursCentimes, cls: "bar-encours" },
    { label: "Signées", value: totaux.signeeCentimes, cls: "bar-signees" },
  ];
  const w = 320;
  const h = 180;
  const base = 150;
  const bw = 90;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-labelledby="chart-title chart-desc">
        <title id="chart-title">Commission prévisionnelle par statut</title>
        <desc id="chart-desc">{bars.map((b) => `${b.label} : ${formatCentimes(b.value)}`).join(" ; ")}</desc>
        <line x1="10" x2={w - 10} y1={base} y2={base} class="axis" />
        {bars.map((b, i) => {
          const bh = Math.round(((base - 30) * b.value) / max);
          const x = 50 + i * 130;
          return (
            <g>
              <rect x={x} y={base - bh} width={bw} height={Math.max(bh, 1)} rx="4" class={b.cls} />
              <text x={x + bw / 2} y={base - bh - 8} text-anchor="middle" class="bar-value">
                {formatCentimes(b.value)}
              </text>
              <text x={x + bw / 2} y={base + 20} text-anchor="middle" class="bar-label">
                {b.label}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

export function MesCommissions() {
  const r = useAsync(async (signal) => (await api.get<EspaceCommissions>("/espace-apporteur/commissions", signal)).data, []);
  return (
    <DetailPage state={r} title="Mes commissions" lead="Votre commission prévisionnelle (affaires en cours et signées), puis ce qui est acquis, à verser, versé ou repris.">
      {(c) => (
        <>
          <div class="kpis">
            <div class="kpi">
              <span class="kpi-label">En cours</span>
              <span class="kpi-value" data-total="en_cours">
                {formatCentimes(c.totaux.enCoursCentimes)}
              </span>
            </div>
            <div class="kpi">
              <span class="kpi-label">Signées</span>
              <span class="kpi-value" data-total="signee">
                {formatCentimes(c.totaux.signeeCentimes)}
              </span>
            </div>
            <div class="kpi kpi-accent">
              <span class="kpi-label">Commission prévisionnelle</span>
              <span class="kpi-value" data-total="total">
                {formatCentimes(c.totaux.totalCentimes)}
              </span>
            </div>
          </div>
          <section class="card">
            <h2>Répartition</h2>
            <CommissionChart totaux={c.totaux} />
          </section>
          <MesLignes />
          <section class="card">
            <h2>Par affaire</h2>
            {c.items.length === 0 ? (
              <Empty>Aucune commission pour l'instant.</Empty>
            ) : (
              <Table
                label="Commissions par affaire"
                items={c.items}
                columns={[
                  { label: "Affaire", cell: (l) => `${l.produitNom || "Affaire"}${l.clientNom ? ` — ${l.clientNom}` : ""}` },
                  { label: "Statut", cell: (l) => <Badge value={l.statut} text={label(STATUT_AFFAIRE, l.statut)} /> },
                  { label: "Taux", cell: (l) => formatPercent(l.tauxCommissionApporteur) },
                  { label: "Commission prévisionnelle", num: true, cell: (l) => formatCentimes(l.commissionPrevisionnelleCentimes) },
                ]}
              />
            )}
          </section>
        </>
      )}
    </DetailPage>
  );
}

export function MonProfil() {
  const r = useAsync(async (signal) => (await api.get<EspaceProfil>("/espace-apporteur/profil", signal)).data, []);
  return (
    <DetailPage state={r} title="Mon profil">
      {(p) => (
        <>
          <section class="card">
            <dl class="facts">
              <dt>Nom</dt>
              <dd>{personName(p) || "—"}</dd>
              <dt>Email</dt>
              <dd>{p.email}</dd>
              <dt>Téléphone</dt>
              <dd>{formatTelephone(p.telephone)}</dd>
              <dt>Localisation</dt>
              <dd>{p.localisation || "—"}</dd>
              <dt>Mon MIA</dt>
              <dd>{p.miaNom || "—"}</dd>
            </dl>
          </section>
          <DocumentsCard listPath="/espace-apporteur/documents" docPath="/espace-apporteur/documents" types={TYPES_APPORTEUR} title="Mes documents" />
        </>
      )}
    </DetailPage>
  );
}
