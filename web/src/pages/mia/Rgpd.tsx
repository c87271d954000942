// The RGPD rights a MIA owes the people it holds data on (issue 15): a person's data
// (export JSON / PDF, effacement), the retention review, the RGPD journal, the settings.
import { useState } from "preact/hooks";
import { api } from "../../app";
import { Link } from "../../components/elements";
import { ErrorBox, Notice } from "../../components/feedback";
import { Table } from "../../components/lists";
import { Breadcrumb, DetailPage, ListPage, PageHeader } from "../../components/scaffold";
import type { DonneesApporteur, DonneesContact, EntreeJournal, Parametres, PurgeProposee } from "../../generated/openapi";
import { useAsync } from "../../hooks/useAsync";
import { usePaged } from "../../hooks/usePaged";
import { ifMatchOf, withQuery } from "../../lib/api";
import { downloadFile } from "../../lib/download";
import { formatCentimes, formatDate, formatTelephone } from "../../lib/format";
import { apporteurName, personName } from "../../lib/model";
import { useId } from "../../hooks/useId";

type Kind = "contact" | "apporteur";

/** "Données personnelles" of a contact or an apporteur: what MyCRM holds, its exports, its erasure. */
export function DonneesPersonnelles({ kind, id }: { kind: Kind; id: string }) {
  const base = `/${kind === "contact" ? "contacts" : "apporteurs"}/${encodeURIComponent(id)}`;
  const d = useAsync((signal) => api.get<DonneesContact | DonneesApporteur>(`${base}/donnees-personnelles`, signal), [id]);
  const [notice, setNotice] = useState("");
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const back = kind === "contact" ? `/mia/contacts/${id}` : `/mia/apporteurs/${id}`;
  const save = async (format: "json" | "pdf") => {
    setError(undefined);
    try {
      await downloadFile(`${base}/donnees-personnelles?format=${format}`, format === "pdf" ? "application/pdf" : "application/json",
        `donnees-${kind}-${id}.${format}`);
      setNotice(`Export ${format.toUpperCase()} téléchargé.`);
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <DetailPage
      state={d}
      title="Données personnelles"
      lead={(r) => (
        <Breadcrumb href={back} label={nameOf(kind, r.data)}>
          données personnelles
        </Breadcrumb>
      )}
      notice={notice}
      error={error}
    >
      {(r) => {
        const erased = isErased(kind, r.data);
        return (
          <>
            <section class="card" aria-labelledby="dp-tenu">
              <h2 id="dp-tenu">Ce que MyCRM détient</h2>
              <Held kind={kind} data={r.data} />
            </section>
            <section class="card" aria-labelledby="dp-export">
              <h2 id="dp-export">Droit d'accès et de portabilité</h2>
              <p>Remettez à la personne tout ce que vous détenez sur elle : un document lisible (PDF) ou un fichier réutilisable (JSON).</p>
              <div class="actions-row">
                <button type="button" class="btn btn-secondary" onClick={() => save("pdf")}>
                  Exporter (PDF)
                </button>
                <button type="button" class="btn btn-secondary" onClick={() => save("json")}>
                  Exporter (JSON)
                </button>
              </div>
            </section>
            {erased ? (
              <p class="card">Cette personne a été effacée : il ne reste que les montants de ses affaires, sans aucune donnée personnelle.</p>
            ) : (
              <Effacement
                kind={kind}
                busy={busy}
                onErase={async (motif) => {
                  setBusy(true);
                  setError(undefined);
                  try {
                    await api.post(`${base}/effacement`, { confirmation: true, motif });
                    setNotice("Données effacées. Les affaires et commissions gardent leurs montants ; l'effacement est inscrit au journal RGPD.");
                    d.reload();
                  } catch (e) {
                    setError(e as Error);
                  } finally {
                    setBusy(false);
                  }
                }}
              />
            )}
          </>
        );
      }}
    </DetailPage>
  );
}

function nameOf(kind: Kind, d: DonneesContact | DonneesApporteur) {
  return kind === "contact" ? personName((d as DonneesContact).contact) : apporteurName((d as DonneesApporteur).apporteur);
}

function isErased(kind: Kind, d: DonneesContact | DonneesApporteur) {
  return kind === "contact" ? !!(d as DonneesContact).contact.efface : (d as DonneesApporteur).apporteur.nom === "Apporteur effacé";
}

function Held({ kind, data }: { kind: Kind; data: DonneesContact | DonneesApporteur }) {
  if (kind === "contact") {
    const d = data as DonneesContact;
    const c = d.contact;
    return (
      <>
        <dl class="facts">
          <dt>Nom</dt>
          <dd>{personName(c)}</dd>
          <dt>Email</dt>
          <dd>{c.email || "—"}</dd>
          <dt>Téléphone</dt>
          <dd>{formatTelephone(c.telephone)}</dd>
          <dt>Adresse</dt>
          <dd>{c.adresse || "—"}</dd>
          <dt>Enregistré le</dt>
          <dd>{formatDate(c.createdAt)}</dd>
          <dt>Affaires</dt>
          <dd>{d.affaires.length}</dd>
          {d.conservation && (
            <>
              <dt>Dernier contact</dt>
              <dd>{formatDate(d.conservation.dernierContactLe)}</dd>
              <dt>Conservé jusqu'au</dt>
              <dd data-fact="expireLe">{formatDate(d.conservation.expireLe)}</dd>
            </>
          )}
        </dl>
      </>
    );
  }
  const d = data as DonneesApporteur;
  const a = d.apporteur;
  return (
    <dl class="facts">
      <dt>Nom</dt>
      <dd>{apporteurName(a)}</dd>
      <dt>Email</dt>
      <dd>{a.email || "—"}</dd>
      <dt>Téléphone</dt>
      <dd>{formatTelephone(a.telephone)}</dd>
      <dt>Localisation</dt>
      <dd>{a.localisation || "—"}</dd>
      <dt>Affaires apportées</dt>
      <dd>{d.affaires.length}</dd>
      <dt>Commission prévisionnelle</dt>
      <dd>{formatCentimes(a.commissions?.totalCentimes ?? 0)}</dd>
    </dl>
  );
}

/** The erasure, confirmed: it cannot be undone. */
function Effacement({ kind, busy, onErase }: { kind: Kind; busy: boolean; onErase: (motif: string) => void }) {
  const [confirm, setConfirm] = useState(false);
  const [motif, setMotif] = useState("");
  const [err, setErr] = useState("");
  const id = useId("effacement");
  return (
    <section class="card danger-zone" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Droit à l'effacement</h2>
      <p>
        L'effacement anonymise {kind === "contact" ? "le contact" : "l'apporteur"} : nom, coordonnées et remarques disparaissent de MyCRM
        (fiches, listes, recherche, exports){kind === "apporteur" ? ", son compte est supprimé" : ""}. Les montants des affaires et des commissions
        restent, pour votre comptabilité. C'est définitif.
      </p>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!confirm) {
            setErr("Cochez la case pour confirmer l'effacement.");
            return;
          }
          onErase(motif.trim());
        }}
        noValidate
      >
        <div class="field">
          <label for={`${id}-motif`}>Motif (sans donnée personnelle)</label>
          <input id={`${id}-motif`} type="text" maxLength={500} value={motif} onInput={(e) => setMotif(e.currentTarget.value)} />
          <div class="hint">Par exemple « demande écrite du 12/03 » : il reste au journal RGPD.</div>
        </div>
        <div class={`field checkfield${err ? " field-error" : ""}`}>
          <input
            id={`${id}-ok`}
            type="checkbox"
            checked={confirm}
            aria-invalid={err ? "true" : undefined}
            aria-describedby={err ? `${id}-err` : undefined}
            onChange={(e) => (setConfirm(e.currentTarget.checked), setErr(""))}
          />
          <label for={`${id}-ok`}>Je confirme l'effacement définitif de ces données personnelles.</label>
          {err && (
            <div class="error-text" id={`${id}-err`}>
              {err}
            </div>
          )}
        </div>
        <button type="submit" class="btn btn-danger" disabled={busy}>
          Effacer définitivement
        </button>
      </form>
    </section>
  );
}

const ACTIONS: Record<string, string> = {
  effacement: "Effacement",
  purge_conservation: "Purge (durée de conservation)",
  conservation_prolongee: "Conservation prolongée",
  purge_sans_reponse: "Purge sans réponse (30 jours)",
};

/** The retention review: prospects past 3 years without contact, to purge or keep with a reason. */
export function Conservation() {
  const list = usePaged<PurgeProposee>((cursor) => withQuery("/conservation", { limit: 50, cursor }), []);
  const journal = usePaged<EntreeJournal>((cursor) => withQuery("/rgpd/journal", { limit: 20, cursor }), []);
  const [notice, setNotice] = useState("");
  return (
    <>
      <ListPage
        title="Données personnelles"
        lead="Un prospect sans contact depuis 3 ans doit être effacé (recommandation de la CNIL pour l'assurance). Chaque mois, MyCRM vous propose ceux dont le délai est passé : confirmez la purge, ou conservez-les en indiquant pourquoi, dans les 30 jours ; sans réponse, ils sont purgés."
        notice={notice}
        list={list}
        empty="Aucun prospect à purger pour l'instant."
      >
        {(items) => (
          <ul class="cards" aria-label="Prospects à purger">
            {items.map((p) => (
              <PurgeRow p={p} onDone={(msg) => (setNotice(msg), list.reload())} />
            ))}
          </ul>
        )}
      </ListPage>
      <section class="card" aria-labelledby="journal-h">
        <h2 id="journal-h">Journal RGPD</h2>
        <p>Chaque demande traitée, sans les données effacées.</p>
        {journal.items.length === 0 ? (
          <p>Aucune demande traitée.</p>
        ) : (
          <Table
            label="Journal RGPD"
            items={journal.items}
            columns={[
              { label: "Date", cell: (e) => formatDate(e.at) },
              { label: "Action", cell: (e) => ACTIONS[e.action] ?? e.action },
              { label: "Personne", cell: (e) => `${e.cible === "contact" ? "Contact" : "Apporteur"} ${e.cibleId.slice(-6)}` },
              { label: "Motif", cell: (e) => e.motif || "—" },
            ]}
          />
        )}
      </section>
    </>
  );
}

function PurgeRow({ p, onDone }: { p: PurgeProposee; onDone: (msg: string) => void }) {
  const [keeping, setKeeping] = useState(false);
  const [motif, setMotif] = useState("");
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const id = useId("purge");
  const decide = async (decision: "purger" | "conserver") => {
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/conservation/${p.contactId}/decision`, { decision, motif: motif.trim() });
      onDone(decision === "purger" ? "Prospect purgé (anonymisé)." : "Prospect conservé : le délai de 3 ans repart.");
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="card row-card purge-row">
      <div class="row-main">
        <Link href={`/mia/contacts/${p.contactId}`} class="row-title">
          {p.nom}
        </Link>
        <div class="row-meta">
          Dernier contact le {formatDate(p.dernierContactLe)} · à décider avant le {formatDate(p.echeance)}
        </div>
        <ErrorBox error={error} />
        {keeping && (
          <form
            class="form"
            onSubmit={(e) => {
              e.preventDefault();
              decide("conserver");
            }}
          >
            <div class="field">
              <label for={`${id}-motif`} class="required">
                Pourquoi conserver ces données ?
              </label>
              <input id={`${id}-motif`} type="text" required maxLength={500} value={motif} onInput={(e) => setMotif(e.currentTarget.value)} />
            </div>
            <button type="submit" class="btn btn-secondary" disabled={busy}>
              Conserver
            </button>
          </form>
        )}
      </div>
      <div class="row-side">
        <button type="button" class="btn btn-danger" disabled={busy} onClick={() => decide("purger")}>
          Purger {p.nom}
        </button>
        {!keeping && (
          <button type="button" class="btn btn-secondary" disabled={busy} onClick={() => setKeeping(true)}>
            Conserver {p.nom}…
          </button>
        )}
      </div>
    </li>
  );
}

/** The MIA's settings: the article-14 information of the contacts its apporteurs enter, the DDA pieces before « signée ». */
export function ParametresPage() {
  const s = useAsync((signal) => api.get<Parametres>("/parametres", signal), []);
  const [notice, setNotice] = useState("");
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  if (!s.data) return <DetailPage state={s} title="Paramètres">{() => null}</DetailPage>;
  const on = s.data.data.informationArticle14;
  const dda = s.data.data.piecesDDAObligatoires;
  const toggle = async (v: boolean, name: "informationArticle14" | "piecesDDAObligatoires" = "informationArticle14") => {
    setBusy(true);
    setError(undefined);
    try {
      s.setData(await api.patch<Parametres>("/parametres", { [name]: v }, ifMatchOf(s.data!)));
      setNotice("Paramètres enregistrés.");
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <PageHeader title="Paramètres" />
      <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
      <ErrorBox error={error} />
      <section class="card" aria-labelledby="art14-h">
        <h2 id="art14-h">Information des personnes saisies par vos apporteurs</h2>
        <p>
          Quand un apporteur saisit un contact, ses données ne viennent pas de la personne elle-même (article 14 du RGPD). MyCRM peut lui envoyer un
          court email : qui détient ses données (vous), pourquoi, combien de temps, et comment exercer ses droits.
        </p>
        <div class="field checkfield">
          <input id="art14" type="checkbox" checked={on} disabled={busy} onChange={(e) => toggle(e.currentTarget.checked)} />
          <label for="art14">Envoyer l'information aux contacts saisis par un apporteur</label>
        </div>
      </section>
      <section class="card" aria-labelledby="dda-h">
        <h2 id="dda-h">Pièces DDA avant signature</h2>
        <p>
          La directive sur la distribution d'assurances demande, avant la signature d'un contrat, le document d'entrée en relation (DER), le recueil
          des besoins et le devoir de conseil. Quand ce réglage est actif, une affaire ne peut passer en « signée » que si ces trois pièces sont
          déposées et vérifiées.
        </p>
        <div class="field checkfield">
          <input id="dda" type="checkbox" checked={dda} disabled={busy} onChange={(e) => toggle(e.currentTarget.checked, "piecesDDAObligatoires")} />
          <label for="dda">Exiger le DER, le recueil des besoins et le devoir de conseil avant « signée »</label>
        </div>
      </section>
    </>
  );
}
