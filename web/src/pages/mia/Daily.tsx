// Daily work: the task lists, a task, the work panel of a record (its tâches,
// a note, its timeline) and the dashboard.
import { useState } from "preact/hooks";
import { api } from "../../app";
import { Badge, Link } from "../../components/elements";
import { Empty, ErrorBox, Loading, Notice } from "../../components/feedback";
import { FormFooter, InputField, SelectField } from "../../components/forms";
import { PagedList, Table } from "../../components/lists";
import { PageHeader } from "../../components/scaffold";
import type { Activite, Apporteur, Note, Tache, TableauDeBord } from "../../generated/openapi";
import { useAsync } from "../../hooks/useAsync";
import { useForm } from "../../hooks/useForm";
import { usePaged } from "../../hooks/usePaged";
import { withQuery } from "../../lib/api";
import { ApiError } from "../../lib/problem";
import { formatCentimes, formatDate, formatDateTime, label, STATUT_AFFAIRE } from "../../lib/format";
import { apporteurName } from "../../lib/model";
import { navigate } from "../../lib/router";

const VUES = { aujourdhui: "Aujourd'hui", en_retard: "En retard", a_venir: "À venir", faites: "Faites" } as const;
type Vue = keyof typeof VUES;
const STATUT_TACHE: Record<Tache["statut"], string> = { a_faire: "À faire", faite: "Faite", ecartee: "Écartée" };
const RELANCE: Record<string, string> = {
  appel_apporteur: "Relance : contact apporté",
  affaire_en_cours: "Relance : affaire sans nouvelles",
  echeance: "Relance : échéance",
  orias_verification: "Relance : vérification ORIAS",
  rc_pro_expiration: "Relance : RC Pro",
  conservation: "Relance : conservation RGPD",
};

/** Where a tâche leads: its record, or the conservation screen for the retention's decisions. */
function TacheFiche({ t }: { t: Tache }) {
  if (t.cible) return <Link href={ficheHref(t.cible)!}>{t.cible.nom}</Link>;
  if (t.relance === "conservation") return <Link href="/mia/rgpd">Conservation des données</Link>;
  return <>—</>;
}

export function ficheHref(c: Tache["cible"]): string | undefined {
  if (!c) return undefined;
  const folder = { affaire: "affaires", entreprise: "entreprises", contact: "contacts", apporteur: "apporteurs" }[c.type];
  return `/mia/${folder}/${c.id}`;
}

function jour(day: string): string {
  const [y, m, d] = day.split("-");
  return `${d}/${m}/${y}`;
}

/** The buttons that move a tâche: done, to do again, dismiss (a relance). */
function TacheActions({ t, onChanged }: { t: Tache; onChanged: (t: Tache) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const move = async (statut: Tache["statut"]) => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.patch<Tache>(`/taches/${t.id}`, { statut }, `"${t.version}"`);
      onChanged(r.data);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="button-row">
      {t.statut === "a_faire" ? (
        <>
          <button type="button" class="btn btn-secondary" disabled={busy} onClick={() => move("faite")}>
            Marquer faite<span class="sr-only"> : {t.titre}</span>
          </button>
          {t.relance && (
            <button type="button" class="btn btn-ghost" disabled={busy} onClick={() => move("ecartee")}>
              Écarter<span class="sr-only"> : {t.titre}</span>
            </button>
          )}
        </>
      ) : (
        <button type="button" class="btn btn-ghost" disabled={busy} onClick={() => move("a_faire")}>
          Remettre à faire<span class="sr-only"> : {t.titre}</span>
        </button>
      )}
      {error && <span class="error-text">{error.message}</span>}
    </div>
  );
}

function TachesTable({ items, onChanged, label: l }: { items: Tache[]; onChanged: (t: Tache) => void; label: string }) {
  return (
    <Table
      label={l}
      items={items}
      row={(t) => ({ "data-tache": t.id })}
      columns={[
        {
          label: "Tâche",
          // One span: at phone width the cell is a flex row, where a loose badge was stretched.
          cell: (t) => (
            <span>
              <Link href={`/mia/taches/${t.id}`}>{t.titre}</Link>
              {t.relance && (
                <>
                  {" "}
                  <Badge value="neutre" text={RELANCE[t.relance] ?? "Relance"} />
                </>
              )}
            </span>
          ),
        },
        { label: "Échéance", cell: (t) => `${jour(t.echeance)}${t.heure ? ` à ${t.heure}` : ""}` },
        { label: "Fiche", cell: (t) => <TacheFiche t={t} /> },
        { label: "Statut", cell: (t) => <Badge value={t.statut === "faite" ? "actif" : t.statut === "ecartee" ? "desactive" : "en_cours"} text={STATUT_TACHE[t.statut]} /> },
        { label: "Actions", actions: true, cell: (t) => <TacheActions t={t} onChanged={onChanged} /> },
      ]}
    />
  );
}

function NouvelleTache({ cible, onCreated }: { cible?: { type: "contact" | "entreprise" | "affaire"; id: string }; onCreated: (t: Tache) => void }) {
  const today = new Date().toLocaleDateString("sv-SE", { timeZone: "Europe/Paris" });
  const apporteurs = useAsync((signal) => api.items<Apporteur>("/apporteurs?limit=200", signal), []);
  const f = useForm({ titre: "", echeance: today, heure: "", apporteurId: "" });
  const onSubmit = (e: Event) => {
    e.preventDefault();
    if (!f.check({ titre: f.values.titre.trim() ? undefined : "Le titre est obligatoire.", echeance: f.values.echeance ? undefined : "La date est obligatoire." })) return;
    f.submit(async () => {
      const body: Record<string, string> = { ...f.filled() };
      if (cible) Object.assign(body, { cibleType: cible.type, cibleId: cible.id });
      const r = await api.post<Tache>("/taches", body, f.idempotencyKey(body));
      f.set("titre", "");
      onCreated(r.data);
    });
  };
  return (
    <form class="card form" onSubmit={onSubmit} ref={f.formRef} noValidate aria-labelledby="titre-nouvelle-tache">
      <h2 id="titre-nouvelle-tache">Nouvelle tâche</h2>
      <InputField form={f} name="titre" label="Titre" required autoComplete="off" />
      <div class="grid-2">
        <InputField form={f} name="echeance" label="Échéance" type="date" required autoComplete="off" />
        <InputField form={f} name="heure" label="Heure (HH:MM)" hint="Facultative." autoComplete="off" />
      </div>
      <SelectField form={f} name="apporteurId" label="Confier à un apporteur" hint="Facultatif : elle apparaît dans « Mes tâches » de son espace.">
        <option value="">Personne (moi)</option>
        {(apporteurs.data ?? []).map((a) => (
          <option value={a.id}>{apporteurName(a)}</option>
        ))}
      </SelectField>
      <FormFooter form={f} cancel={() => f.set("titre", "")} submit="Créer la tâche" />
    </form>
  );
}

export function TachesPage({ query }: { query: URLSearchParams }) {
  const vue = (query.get("vue") as Vue) in VUES ? (query.get("vue") as Vue) : "aujourdhui";
  const [notice, setNotice] = useState("");
  const list = usePaged<Tache>((cursor) => withQuery("/taches", { vue, limit: 50, cursor }), [vue]);
  const keys = Object.keys(VUES) as Vue[];
  return (
    <>
      <PageHeader title="Tâches">
        <p class="lead">Qui appeler aujourd'hui : vos tâches et les relances créées par vos affaires et vos apporteurs.</p>
      </PageHeader>
      {notice && <Notice>{notice}</Notice>}
      <div class="tabs" role="tablist" aria-label="Listes de tâches">
        {keys.map((k) => (
          <Link id={`onglet-${k}`} role="tab" href={`/mia/taches?vue=${k}`} aria-selected={k === vue} tabIndex={k === vue ? 0 : -1} aria-controls="panneau-taches" class="tab">
            {VUES[k]}
          </Link>
        ))}
      </div>
      <div id="panneau-taches" role="tabpanel" aria-labelledby={`onglet-${vue}`}>
        <PagedList list={list} empty={<>Aucune tâche {VUES[vue].toLowerCase()}.</>}>
          {(items) => (
            <TachesTable
              label={`Tâches : ${VUES[vue]}`}
              items={items}
              onChanged={(t) => {
                setNotice(t.statut === "faite" ? `« ${t.titre} » est faite.` : t.statut === "ecartee" ? `« ${t.titre} » est écartée.` : `« ${t.titre} » est à faire.`);
                list.reload();
              }}
            />
          )}
        </PagedList>
      </div>
      <NouvelleTache
        onCreated={(t) => {
          setNotice(`Tâche « ${t.titre} » créée.`);
          const today = new Date().toLocaleDateString("sv-SE", { timeZone: "Europe/Paris" });
          navigate(`/mia/taches?vue=${t.echeance === today ? "aujourdhui" : t.echeance < today ? "en_retard" : "a_venir"}`);
          list.reload();
        }}
      />
    </>
  );
}

/** A tâche, opened from a list or from the digest. */
export function TacheView({ id }: { id: string }) {
  const t = useAsync(async (signal) => {
    try {
      return (await api.get<Tache>(`/taches/${encodeURIComponent(id)}`, signal)).data;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }
  }, [id]);
  const [saved, setSaved] = useState<Tache>();
  const tache = saved ?? t.data;
  return (
    <>
      <PageHeader title={tache ? tache.titre : "Tâche"}>
        <p class="lead">
          <Link href="/mia/taches">Tâches</Link> › tâche
        </p>
      </PageHeader>
      {t.loading && <Loading />}
      <ErrorBox error={t.error} onRetry={t.reload} />
      {!t.loading && !t.error && !tache && <Empty>Cette tâche est introuvable.</Empty>}
      {tache && (
        <section class="card" aria-label="La tâche">
          <dl class="facts">
            <dt>Échéance</dt>
            <dd>
              {jour(tache.echeance)}
              {tache.heure && ` à ${tache.heure}`}
            </dd>
            <dt>Statut</dt>
            <dd data-fact="statut">{STATUT_TACHE[tache.statut]}</dd>
            <dt>Fiche</dt>
            <dd>
              <TacheFiche t={tache} />
            </dd>
            {tache.relance && (
              <>
                <dt>Origine</dt>
                <dd>{RELANCE[tache.relance]}</dd>
              </>
            )}
          </dl>
          <TacheActions t={tache} onChanged={setSaved} />
        </section>
      )}
    </>
  );
}

/** The tâches about an apporteur: the relances of its ORIAS check and RC Pro. */
export function ApporteurTaches({ id }: { id: string }) {
  const taches = useAsync((signal) => api.items<Tache>(`/taches?cibleId=${encodeURIComponent(id)}&limit=200`, signal), [id]);
  return (
    <section class="card" aria-labelledby={`taches-${id}`}>
      <h2 id={`taches-${id}`}>Tâches</h2>
      <ErrorBox error={taches.error} onRetry={taches.reload} />
      {taches.loading ? (
        <Loading />
      ) : (taches.data ?? []).length === 0 ? (
        <p class="hint">Aucune relance sur cet apporteur : vérification ORIAS et RC Pro à jour.</p>
      ) : (
        <TachesTable label="Tâches sur l'apporteur" items={taches.data ?? []} onChanged={() => taches.reload()} />
      )}
    </section>
  );
}

const ACTIVITE: Record<Activite["type"], string> = {
  creation: "Création",
  historique: "Affaire",
  note: "Note",
  tache_creee: "Tâche créée",
  tache_faite: "Tâche faite",
  email: "Email",
};

/** The work panel of a record: its tâches, a new note, its timeline. */
/** readOnly: an erased contact's fiche, which takes no more tâche or note. */
export function FicheActivite({ type, id, readOnly }: { type: "contact" | "entreprise" | "affaire"; id: string; readOnly?: boolean }) {
  const [notice, setNotice] = useState("");
  const taches = useAsync((signal) => api.items<Tache>(`/taches?cibleId=${id}&limit=200`, signal), [id]);
  const fil = usePaged<Activite>((cursor) => withQuery(`/activite/${id}`, { limit: 20, cursor }), [id]);
  const [sent, setSent] = useState<Note[]>([]);
  const f = useForm({ texte: "", partagee: "" });
  const onNote = (e: Event) => {
    e.preventDefault();
    if (!f.check({ texte: f.values.texte.trim() ? undefined : "La note est vide." })) return;
    f.submit(async () => {
      const body = { cibleType: type, cibleId: id, texte: f.values.texte, partagee: f.values.partagee === "oui" };
      const r = await api.post<Note>("/notes", body, f.idempotencyKey(body));
      setSent((s) => [r.data, ...s]);
      f.set("texte", "");
      setNotice("Note enregistrée.");
    });
  };
  // The timeline is written by the stream: a note just written shows at once, from its answer.
  const filItems = fil.items;
  const notFound = fil.error && /introuvable|aucune activité/i.test(fil.error.message);
  return (
    <>
      <section class="card" aria-labelledby={`taches-${id}`}>
        <h2 id={`taches-${id}`}>Tâches</h2>
        {notice && <Notice>{notice}</Notice>}
        {taches.loading ? (
          <Loading />
        ) : (taches.data ?? []).length === 0 ? (
          <p class="hint">Aucune tâche sur cette fiche.</p>
        ) : (
          <TachesTable label="Tâches de la fiche" items={taches.data ?? []} onChanged={() => taches.reload()} />
        )}
      </section>
      {!readOnly && <NouvelleTache cible={{ type, id }} onCreated={(t) => (setNotice(`Tâche « ${t.titre} » créée.`), taches.reload())} />}
      {!readOnly && <form class="card form" onSubmit={onNote} ref={f.formRef} noValidate aria-labelledby={`note-${id}`}>
        <h2 id={`note-${id}`}>Nouvelle note</h2>
        <InputField form={f} name="texte" label="Note" type="textarea" rows={4} required />
        <SelectField form={f} name="partagee" label="Visibilité" hint="Une note privée n'est jamais montrée à l'apporteur.">
          <option value="">Privée (vous seul)</option>
          <option value="oui">Partagée avec l'apporteur de la fiche</option>
        </SelectField>
        <FormFooter form={f} cancel={() => f.set("texte", "")} submit="Enregistrer la note" />
      </form>}
      <section class="card" aria-labelledby={`fil-${id}`}>
        <h2 id={`fil-${id}`}>Fil d'activité</h2>
        {sent.length > 0 && (
          <ol class="timeline" aria-label="Notes à l'instant">
            {sent.map((n) => (
              <li>
                <Badge value="neutre" text={n.partagee ? "Note partagée" : "Note privée"} />
                <span class="note">{n.texte}</span>
                <time dateTime={n.createdAt}>{formatDateTime(n.createdAt)}</time>
              </li>
            ))}
          </ol>
        )}
        {notFound ? (
          <p class="hint">Pas encore d'activité sur cette fiche.</p>
        ) : (
          <PagedList list={fil} empty={<>Pas encore d'activité.</>}>
            {() => (
              <ol class="timeline" data-fil={id}>
                {filItems.map((a) => (
                  <li data-type={a.type}>
                    <Badge value="neutre" text={ACTIVITE[a.type]} />
                    <span>{a.resume}</span>
                    {a.note && (
                      <span class="note">
                        {a.note.texte}
                        {a.note.versions.length > 0 && <span class="hint"> (modifiée ; {a.note.versions.length} version(s) précédente(s))</span>}
                      </span>
                    )}
                    <time dateTime={a.at}>{formatDateTime(a.at)}</time>
                  </li>
                ))}
              </ol>
            )}
          </PagedList>
        )}
      </section>
    </>
  );
}

const MOIS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];
const moisLabel = (m: string) => `${MOIS[Number(m.slice(5, 7)) - 1]} ${m.slice(2, 4)}`;

/** Bars of the affaires signed per month, with every figure also in a table. */
function BarresMois({ mois }: { mois: TableauDeBord["parMois"] }) {
  const max = Math.max(1, ...mois.map((m) => m.nombre));
  const w = 40, gap = 8, h = 140;
  return (
    <figure class="chart" aria-labelledby="barres-titre">
      <figcaption id="barres-titre">Affaires signées par mois (12 derniers mois)</figcaption>
      <svg viewBox={`0 0 ${mois.length * (w + gap)} ${h + 36}`} role="img" aria-labelledby="barres-titre barres-desc">
        <desc id="barres-desc">{mois.map((m) => `${moisLabel(m.mois)} : ${m.nombre}`).join(", ")}</desc>
        <line class="axis" x1="0" x2={mois.length * (w + gap)} y1={h} y2={h} />
        {mois.map((m, i) => {
          const bh = (m.nombre / max) * (h - 18);
          return (
            <g>
              <rect class="bar-signees" x={i * (w + gap)} y={h - bh} width={w} height={bh} />
              <text class="bar-value" x={i * (w + gap) + w / 2} y={h - bh - 4} text-anchor="middle">
                {m.nombre}
              </text>
              {/* Month and year on two lines: "janv. 26" on one overlapped its neighbours. */}
              <text class="bar-label" x={i * (w + gap) + w / 2} y={h + 15} text-anchor="middle">
                {MOIS[Number(m.mois.slice(5, 7)) - 1]}
              </text>
              <text class="bar-label" x={i * (w + gap) + w / 2} y={h + 30} text-anchor="middle">
                {m.mois.slice(0, 4)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** The pipeline funnel: opened → decided → signed. */
function Entonnoir({ t }: { t: TableauDeBord }) {
  const n = (s: string) => t.parStatut.find((x) => x.statut === s)?.nombre ?? 0;
  const total = n("en_cours") + n("signee") + n("perdue") + n("resiliee");
  const steps = [
    { label: "Affaires ouvertes", v: total },
    { label: "Décidées", v: t.transformation.decidees },
    { label: "Signées (résiliées comprises)", v: t.transformation.signees }, // every affaire once signed
  ];
  const max = Math.max(1, total);
  return (
    <figure class="chart" aria-labelledby="entonnoir-titre">
      <figcaption id="entonnoir-titre">Entonnoir : de l'ouverture à la signature</figcaption>
      <svg viewBox="0 0 320 120" role="img" aria-labelledby="entonnoir-titre entonnoir-desc">
        <desc id="entonnoir-desc">{steps.map((s) => `${s.label} : ${s.v}`).join(", ")}</desc>
        {steps.map((s, i) => {
          const bw = Math.max(4, (s.v / max) * 300);
          return (
            <g>
              <rect class={i === 2 ? "bar-signees" : "bar-encours"} x={(320 - bw) / 2} y={i * 38 + 4} width={bw} height={30} rx="4" />
              <text class={i === 2 ? "bar-value on-dark" : "bar-value"} x="160" y={i * 38 + 24} text-anchor="middle">
                {s.label} : {s.v}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

export function TableauPage() {
  const t = useAsync((signal) => api.get<TableauDeBord>("/tableau-de-bord", signal), []);
  const apporteurs = useAsync((signal) => api.items<Apporteur>("/apporteurs?limit=200", signal), []);
  const noms = new Map((apporteurs.data ?? []).map((a) => [a.id, apporteurName(a)]));
  const d = t.data?.data;
  return (
    <>
      <PageHeader title="Tableau de bord">
        <p class="lead">
          Comment vont vos affaires. <Link href="/mia/progression">Revoir l'espace de progression</Link>
        </p>
      </PageHeader>
      {t.loading && <Loading />}
      <ErrorBox error={t.error} onRetry={t.reload} />
      {d && (
        <>
          <div class="kpis">
            <Link href="/mia/taches?vue=aujourdhui" class="kpi kpi-accent" data-fact="taches-aujourdhui">
              <span class="kpi-label">Tâches du jour</span>
              <span class="kpi-value">{d.taches.aujourdhui}</span>
              <span class="kpi-label">{d.taches.enRetard} en retard</span>
            </Link>
            <div class="kpi" data-fact="signees-mois">
              <span class="kpi-label">Signées ce mois-ci</span>
              <span class="kpi-value">{d.signeesCeMois.nombre}</span>
              <span class="kpi-label">
                {d.signeesMoisPrecedent.nombre} le mois dernier · {formatCentimes(d.signeesCeMois.commissionMIACentimes)} de commission
              </span>
            </div>
            <div class="kpi" data-fact="transformation">
              <span class="kpi-label">Taux de transformation</span>
              <span class="kpi-value">{d.transformation.tauxPourcent} %</span>
              <span class="kpi-label">
                {d.transformation.signees} signées sur {d.transformation.decidees} décidées
              </span>
            </div>
          </div>
          <section class="card" aria-labelledby="pipeline">
            <h2 id="pipeline">Affaires par statut</h2>
            <Table
              label="Affaires par statut"
              items={d.parStatut}
              columns={[
                { label: "Statut", cell: (s) => label(STATUT_AFFAIRE, s.statut) },
                { label: "Nombre", num: true, cell: (s) => s.nombre },
                { label: "Primes annuelles", num: true, cell: (s) => formatCentimes(s.primesCentimes) },
                { label: "Commission MIA", num: true, cell: (s) => formatCentimes(s.commissionMIACentimes) },
              ]}
            />
            <Entonnoir t={d} />
          </section>
          <section class="card" aria-labelledby="mois">
            <h2 id="mois">Signatures par mois</h2>
            <BarresMois mois={d.parMois} />
          </section>
          <section class="card" aria-labelledby="produits">
            <h2 id="produits">Par produit</h2>
            {d.parProduit.length === 0 ? (
              <p class="hint">Aucune affaire pour l'instant.</p>
            ) : (
              <Table
                label="Affaires par produit"
                items={d.parProduit}
                columns={[
                  { label: "Produit", cell: (p) => p.produitNom },
                  { label: "Affaires", num: true, cell: (p) => p.total.nombre },
                  { label: "Dont signées", num: true, cell: (p) => p.parStatut.find((s) => s.statut === "signee")?.nombre ?? 0 },
                  { label: "Primes", num: true, cell: (p) => formatCentimes(p.total.primesCentimes) },
                  { label: "Commission MIA", num: true, cell: (p) => formatCentimes(p.total.commissionMIACentimes) },
                ]}
              />
            )}
          </section>
          <section class="card" aria-labelledby="classement">
            <h2 id="classement">Classement des apporteurs</h2>
            {d.apporteurs.length === 0 ? (
              <p class="hint">Aucun apporteur n'a encore apporté de contact.</p>
            ) : (
              <Table
                label="Classement des apporteurs"
                items={d.apporteurs}
                columns={[
                  { label: "Apporteur", cell: (a) => <Link href={`/mia/apporteurs/${a.apporteurId}`}>{noms.get(a.apporteurId) ?? "Apporteur"}</Link> },
                  { label: "Contacts apportés", num: true, cell: (a) => a.contactsApportes },
                  { label: "Affaires signées", num: true, cell: (a) => a.affairesSignees },
                  { label: "Commission due", num: true, cell: (a) => formatCentimes(a.commissionDueCentimes) },
                ]}
              />
            )}
          </section>
          <p class="hint">Mis à jour au fil des écritures (quelques secondes). Dernière lecture : {formatDate(new Date().toISOString())}.</p>
        </>
      )}
    </>
  );
}
