import { api } from "../../app";
import { withQuery } from "../../lib/api";
import { formatCentimes, formatDate, formatDateTime, formatPercent, label, STATUT_AFFAIRE, STATUT_CONTACT, formatTelephone } from "../../lib/format";
import {
  type Affaire,
  type CommissionLine,
  type Contact,
  type Commissions,
  type CommissionsResponse,
  affaireClient,
  affaireProduit,
  historiqueText,
  lineCommission,
  personName,
  readCommissions,
} from "../../lib/model";
import { navigate } from "../../lib/router";
import { ContactIdentityFields, contactIdentityErrors } from "../mia/Contacts";
import {
  Badge,
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
  useAsync,
  useForm,
  usePaged,
} from "../../components/ui";

export function MesContacts({ query }: { query: URLSearchParams }) {
  const list = usePaged<Contact>((cursor) => withQuery("/espace-apporteur/contacts", { limit: 20, cursor }), []);
  return (
    <>
      <PageHeader title="Mes contacts" actions={<ButtonLink href="/espace/contacts/nouveau">Nouveau contact</ButtonLink>}>
        <p class="lead">Les contacts que vous avez apportés : ils sont directement attribués à votre MIA.</p>
      </PageHeader>
      {query.get("cree") && <Notice>Contact ajouté et transmis à votre MIA.</Notice>}
      <PagedList
        list={list}
        empty={
          <>
            Vous n'avez pas encore apporté de contact. <Link href="/espace/contacts/nouveau">Nouveau contact</Link>
          </>
        }
      >
        {(items) => (
          <table class="table" aria-label="Mes contacts">
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Email</th>
                <th scope="col">Téléphone</th>
                <th scope="col">Statut</th>
                <th scope="col">Apporté le</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr>
                  <td data-label="Nom">
                    {personName(c)}
                    {c.noteApporteur && <div class="row-meta note">{c.noteApporteur}</div>}
                  </td>
                  <td data-label="Email">{c.email || "—"}</td>
                  <td data-label="Téléphone">{formatTelephone(c.telephone)}</td>
                  <td data-label="Statut">
                    <Badge value={c.statut} text={label(STATUT_CONTACT, c.statut ?? "prospect")} />
                  </td>
                  <td data-label="Apporté le">{formatDate(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </PagedList>
    </>
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
      await api.post<Contact>("/espace-apporteur/contacts", body, f.idempotencyKey(body));
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
  const list = usePaged<Affaire>((cursor) => withQuery("/espace-apporteur/affaires", { limit: 20, cursor }), []);
  return (
    <>
      <PageHeader title="Mes affaires">
        <p class="lead">L'évolution des contrats de vos contacts, étape par étape.</p>
      </PageHeader>
      <PagedList list={list} empty="Aucune affaire pour vos contacts pour l'instant.">
        {(items) => (
          <ul class="cards">
            {items.map((a) => {
              const histo = [...(a.historique ?? [])].sort((x, y) => String(x.at).localeCompare(String(y.at)));
              return (
                <li class="card affaire-card" data-affaire={a.id}>
                  <div class="affaire-head">
                    <div>
                      <h2 class="h3">{affaireProduit(a)}</h2>
                      <div class="row-meta">{affaireClient(a) ?? ""}</div>
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
      </PagedList>
    </>
  );
}

/** Two bars (en cours, signées) in plain SVG, with the amounts written out for everyone. */
export function CommissionChart({ c }: { c: Commissions }) {
  const max = Math.max(c.enCoursCentimes, c.signeesCentimes, 1);
  const bars = [
    { label: "En cours", value: c.enCoursCentimes, cls: "bar-encours" },
    { label: "Signées", value: c.signeesCentimes, cls: "bar-signees" },
  ];
  const w = 320;
  const h = 180;
  const base = 150;
  const bw = 90;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-labelledby="chart-title chart-desc" width="100%" height="auto">
        <title id="chart-title">Commission prévisionnelle par statut</title>
        <desc id="chart-desc">
          {bars.map((b) => `${b.label} : ${formatCentimes(b.value)}`).join(" ; ")}
        </desc>
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
  const r = useAsync(async (signal) => readCommissions((await api.get<CommissionsResponse>("/espace-apporteur/commissions", signal)).data), []);
  const c = r.data;
  return (
    <>
      <PageHeader title="Mes commissions">
        <p class="lead">Votre commission prévisionnelle : affaires en cours et signées.</p>
      </PageHeader>
      <ErrorBox error={r.error} onRetry={r.reload} />
      {r.loading && !c && <Loading />}
      {c && (
        <>
          <div class="kpis">
            <div class="kpi">
              <span class="kpi-label">En cours</span>
              <span class="kpi-value" data-total="en_cours">
                {formatCentimes(c.enCoursCentimes)}
              </span>
            </div>
            <div class="kpi">
              <span class="kpi-label">Signées</span>
              <span class="kpi-value" data-total="signee">
                {formatCentimes(c.signeesCentimes)}
              </span>
            </div>
            <div class="kpi kpi-accent">
              <span class="kpi-label">Commission prévisionnelle</span>
              <span class="kpi-value" data-total="total">
                {formatCentimes(c.totalCentimes)}
              </span>
            </div>
          </div>
          <section class="card">
            <h2>Répartition</h2>
            <CommissionChart c={c} />
          </section>
          <section class="card">
            <h2>Par affaire</h2>
            {c.lines.length === 0 ? (
              <Empty>Aucune commission pour l'instant.</Empty>
            ) : (
              <table class="table" aria-label="Commissions par affaire">
                <thead>
                  <tr>
                    <th scope="col">Affaire</th>
                    <th scope="col">Statut</th>
                    <th scope="col">Taux</th>
                    <th scope="col" class="num">
                      Commission prévisionnelle
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {c.lines.map((l: CommissionLine) => (
                    <tr>
                      <td data-label="Affaire">
                        {l.produitNom || "Affaire"}
                        {l.clientNom ? ` — ${l.clientNom}` : ""}
                      </td>
                      <td data-label="Statut">
                        <Badge value={l.statut} text={label(STATUT_AFFAIRE, l.statut)} />
                      </td>
                      <td data-label="Taux">{formatPercent(l.tauxCommissionApporteur)}</td>
                      <td data-label="Commission prévisionnelle" class="num">
                        {formatCentimes(lineCommission(l))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </>
  );
}

interface Profil {
  id?: string;
  nom?: string;
  prenom?: string;
  email?: string;
  telephone?: string;
  localisation?: string;
  statut?: string;
  miaNom?: string;
  mia?: { nom?: string; prenom?: string; cabinet?: string; email?: string };
}

export function MonProfil() {
  const r = useAsync(async (signal) => (await api.get<Profil>("/espace-apporteur/profil", signal)).data, []);
  const p = r.data;
  const mia = p?.miaNom ?? (p?.mia ? [personName(p.mia), p.mia.cabinet].filter(Boolean).join(" — ") : undefined);
  return (
    <>
      <PageHeader title="Mon profil" />
      <ErrorBox error={r.error} onRetry={r.reload} />
      {r.loading && !p && <Loading />}
      {p && (
        <section class="card">
          <dl class="facts">
            <dt>Nom</dt>
            <dd>{personName(p) || "—"}</dd>
            <dt>Email</dt>
            <dd>{p.email ?? api.session?.email ?? "—"}</dd>
            <dt>Téléphone</dt>
            <dd>{formatTelephone(p.telephone)}</dd>
            <dt>Localisation</dt>
            <dd>{p.localisation || "—"}</dd>
            <dt>Mon MIA</dt>
            <dd>{mia || "—"}</dd>
          </dl>
        </section>
      )}
    </>
  );
}

