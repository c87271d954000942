// The apporteur's relations (issue 12): the MIA it works with (one login, several MIA), the
// switch between them, and the convention d'apport it reads and accepts.
import { useEffect, useState } from "preact/hooks";

/** Told to the banner when the memberships change (an invitation accepted). */
const CHANGED = "mycrm:mandataires";
import { api } from "../../app";
import { Badge, Link } from "../../components/elements";
import { Empty, ErrorBox, Notice } from "../../components/feedback";
import { DetailPage, PageHeader } from "../../components/scaffold";
import type { Convention, EspaceProfil, Membre } from "../../generated/openapi";
import { useAsync } from "../../hooks/useAsync";
import { formatDate, formatDateTime } from "../../lib/format";

const STATUT_MEMBRE: Record<Membre["statut"], string> = {
  actif: "Actif",
  a_accepter: "Invitation à accepter",
  desactive: "Relation terminée",
};

/** Switches the espace to membership id and reloads the page in that MIA's context. */
export function switchTo(id: string, to?: string) {
  api.setMandataire(id);
  window.location.assign(to ?? window.location.pathname);
}

/** The banner of the espace: which MIA it works in, and the switch when there are several. */
export function MandataireBar() {
  const r = useAsync(async (signal) => {
    const [profil, membres] = await Promise.all([
      api
        .get<EspaceProfil>("/espace-apporteur/profil", signal)
        .then((x) => x.data)
        .catch(() => {
          // The chosen MIA ended the relation: back to the account's own.
          if (api.mandataire) {
            api.setMandataire(undefined);
            window.location.reload();
          }
          return undefined;
        }),
      api.items<Membre>("/espace-apporteur/mandataires", signal),
    ]);
    return { profil, membres };
  }, []);
  useEffect(() => {
    const reload = () => r.reload();
    window.addEventListener(CHANGED, reload);
    return () => window.removeEventListener(CHANGED, reload);
  }, []);
  if (!r.data) return null;
  const { profil, membres } = r.data;
  const actifs = membres.filter((m) => m.statut === "actif");
  const attente = membres.filter((m) => m.statut === "a_accepter").length;
  const current = profil?.membreId;
  return (
    <div class="mandataire-bar" role="region" aria-label="Mandataire">
      {profil ? (
        <span>
          Vous travaillez avec <strong data-mandataire={current}>{profil.miaNom}</strong>
        </span>
      ) : (
        <span>Choisissez le mandataire avec qui travailler.</span>
      )}
      {(actifs.length > 1 || actifs.some((m) => m.id !== current)) && (
        <label class="inline-field">
          <span>Changer de mandataire</span>
          <select value={current ?? ""} onChange={(e) => e.currentTarget.value && switchTo(e.currentTarget.value)}>
            {!actifs.some((m) => m.id === current) && <option value="">— Choisir —</option>}
            {actifs.map((m) => (
              <option value={m.id}>{m.miaNom}</option>
            ))}
          </select>
        </label>
      )}
      {profil && <Link href="/espace/convention">Ma convention</Link>}
      {attente > 0 && (
        <Link href="/espace/mandataires" class="badge badge-attente">
          {attente === 1 ? "1 invitation à accepter" : `${attente} invitations à accepter`}
        </Link>
      )}
    </div>
  );
}

export function MesMandataires() {
  const r = useAsync(async (signal) => api.items<Membre>("/espace-apporteur/mandataires", signal), []);
  const [notice, setNotice] = useState("");
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  // Without a choice in this tab the espace works with the account's own MIA, which the
  // profile names: offering to "work with" it again was a button that changed nothing.
  const profil = useAsync(async (signal) => (await api.get<EspaceProfil>("/espace-apporteur/profil", signal)).data, []);
  const current = api.mandataire ?? profil.data?.membreId;

  const accept = async (m: Membre) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.post<Membre>(`/espace-apporteur/mandataires/${encodeURIComponent(m.id)}/acceptation`, {});
      setNotice(`Vous travaillez désormais aussi avec ${m.miaNom}.`);
      r.reload();
      window.dispatchEvent(new Event(CHANGED));
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <DetailPage state={r} title="Mes mandataires" lead="Les mandataires avec qui vous travaillez. Chacun ne voit que ce que vous lui transmettez." notice={notice} error={error}>
      {(membres) =>
        membres.length === 0 ? (
          <Empty>Aucun mandataire pour l'instant.</Empty>
        ) : (
          <ul class="cards">
            {membres.map((m) => (
              <li class="card" data-membre={m.id}>
                <div class="affaire-head">
                  <h2 class="h3">{m.miaNom || "Mandataire"}</h2>
                  <Badge value={m.statut} text={STATUT_MEMBRE[m.statut]} />
                </div>
                <p class="row-meta">
                  {m.statut === "a_accepter" && `Vous propose de travailler avec lui depuis le ${formatDate(m.inviteLe)}.`}
                  {m.statut === "actif" && m.activeLe && `Depuis le ${formatDate(m.activeLe)}.`}
                  {m.statut === "desactive" && "Ce mandataire a mis fin à la relation."}
                  {m.statut === "actif" && !m.convention && " Pas encore de convention d'apport."}
                  {m.statut === "actif" && m.convention && !m.convention.accepteeLe && " Une convention d'apport attend votre acceptation."}
                  {m.statut === "actif" && m.convention?.accepteeLe && ` Convention acceptée le ${formatDate(m.convention.accepteeLe)}.`}
                </p>
                <div class="button-row">
                  {m.statut === "a_accepter" && (
                    <button type="button" class="btn btn-primary" disabled={busy} onClick={() => accept(m)}>
                      Accepter l'invitation de {m.miaNom}
                    </button>
                  )}
                  {m.statut === "actif" && m.id !== current && (
                    <button type="button" class="btn btn-secondary" onClick={() => switchTo(m.id, "/espace/affaires")}>
                      Travailler avec {m.miaNom}
                    </button>
                  )}
                  {m.statut === "actif" && m.convention && (
                    <button type="button" class="btn btn-ghost" onClick={() => switchTo(m.id, "/espace/convention")}>
                      Voir la convention
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )
      }
    </DetailPage>
  );
}

async function sha256Hex(buf: ArrayBuffer): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", buf);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The convention with the current MIA: read it (the exact bytes are shown and hashed), accept it. */
export function MaConvention({ query }: { query: URLSearchParams }) {
  // An emailed link names the membership: the espace switches to it first.
  const wanted = query.get("mandataire");
  useEffect(() => {
    if (wanted && wanted !== api.mandataire) switchTo(wanted, "/espace/convention");
  }, [wanted]);
  const r = useAsync(async (signal) => {
    const [profil, list] = await Promise.all([
      api.get<EspaceProfil>("/espace-apporteur/profil", signal),
      api.items<Convention>("/espace-apporteur/convention", signal),
    ]);
    return { profil: profil.data, list };
  }, []);
  const [pdf, setPdf] = useState<{ version: number; url: string; sha: string }>();
  const [lu, setLu] = useState(false);
  const [notice, setNotice] = useState("");
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const current = r.data?.list.find((c) => c.courante);

  const open = async (c: Convention) => {
    setError(undefined);
    try {
      const b = await api.bytes(`/espace-apporteur/convention/pdf?version=${c.version}`);
      const sha = await sha256Hex(b.data);
      if (pdf) URL.revokeObjectURL(pdf.url);
      setPdf({ version: c.version, url: URL.createObjectURL(new Blob([b.data], { type: "application/pdf" })), sha });
    } catch (e) {
      setError(e as Error);
    }
  };
  useEffect(() => {
    if (current && !current.acceptation && !pdf) void open(current);
  }, [current?.version]);

  const accept = async () => {
    if (!current || !pdf || pdf.version !== current.version) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.post<Convention>("/espace-apporteur/convention/acceptation", { version: current.version, sha256: pdf.sha });
      setNotice("Convention acceptée. Votre mandataire en est informé.");
      r.reload();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  if (!r.data) {
    return (
      <>
        <PageHeader title="Ma convention d'apport" />
        <ErrorBox error={r.error} onRetry={r.reload} />
      </>
    );
  }
  const { profil, list } = r.data;
  return (
    <>
      <PageHeader title="Ma convention d'apport">
        <p class="lead">La convention qui encadre votre collaboration avec {profil.miaNom} : statut, rémunération, reprise, données personnelles.</p>
      </PageHeader>
      <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
      <ErrorBox error={error} />
      {!current ? (
        <Empty>{profil.miaNom} ne vous a pas encore proposé de convention.</Empty>
      ) : (
        <section class="card" aria-labelledby="courante">
          <h2 id="courante">Version {current.version}</h2>
          <p>
            Établie le {formatDate(current.genereeLe)} ·{" "}
            {current.acceptation ? (
              <Badge value="actif" text={`Acceptée le ${formatDateTime(current.acceptation.le)}`} />
            ) : (
              <Badge value="invitation_envoyee" text="À accepter" />
            )}
          </p>
          {pdf?.version === current.version ? (
            <>
              <object class="pdf-view" data={pdf.url} type="application/pdf" aria-label={`Convention d'apport, version ${current.version}`}>
                <p>
                  Votre navigateur n'affiche pas le PDF : <a href={pdf.url} download={`convention-apport-v${current.version}.pdf`}>téléchargez-le</a>.
                </p>
              </object>
              <p>
                <a class="btn btn-secondary" href={pdf.url} download={`convention-apport-v${current.version}.pdf`}>
                  Télécharger le PDF
                </a>
              </p>
              <p class="hint">
                Empreinte SHA-256 du document : <code class="sha">{pdf.sha}</code>
              </p>
            </>
          ) : (
            <button type="button" class="btn btn-secondary" onClick={() => open(current)}>
              Lire la convention
            </button>
          )}
          {current.acceptation ? (
            <dl class="facts">
              <dt>Acceptée par</dt>
              <dd>{current.acceptation.nom} ({current.acceptation.email})</dd>
              <dt>Le</dt>
              <dd>{formatDateTime(current.acceptation.le)}</dd>
              <dt>Empreinte acceptée</dt>
              <dd>
                <code class="sha">{current.acceptation.sha256}</code>
              </dd>
            </dl>
          ) : (
            pdf?.version === current.version && (
              <div class="accept-box">
                <label class="checkbox">
                  <input type="checkbox" checked={lu} onChange={(e) => setLu(e.currentTarget.checked)} /> J'ai lu la convention d'apport (version {current.version}) et j'en accepte les termes.
                </label>
                <button type="button" class="btn btn-primary" disabled={!lu || busy} onClick={accept}>
                  J'accepte la convention
                </button>
              </div>
            )
          )}
        </section>
      )}
      {list.length > 1 && (
        <section class="card" aria-labelledby="versions">
          <h2 id="versions">Versions précédentes</h2>
          <ul>
            {list
              .filter((c) => !c.courante)
              .map((c) => (
                <li>
                  Version {c.version} du {formatDate(c.genereeLe)} — {c.acceptation ? `acceptée le ${formatDate(c.acceptation.le)}` : "non acceptée"}{" "}
                  <button type="button" class="btn btn-ghost" onClick={() => open(c)}>
                    Ouvrir
                  </button>
                </li>
              ))}
          </ul>
          {pdf && pdf.version !== current?.version && (
            <p>
              <a href={pdf.url} download={`convention-apport-v${pdf.version}.pdf`}>
                Télécharger la version {pdf.version}
              </a>
            </p>
          )}
        </section>
      )}
    </>
  );
}
