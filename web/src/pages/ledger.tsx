// The commission ledger's screens (issue 11): the MIA's "Commissions" menu and
// affaire "Encaissements" card, the apporteur's lines and "Mes relevés".
import { useState } from "preact/hooks";
import { api } from "../app";
import { Badge, Link } from "../components/elements";
import { Empty, ErrorBox, Notice } from "../components/feedback";
import { FormFooter, InputField, SelectField } from "../components/forms";
import { Table } from "../components/lists";
import { Breadcrumb, DetailPage } from "../components/scaffold";
import type { Apporteur, Encaissement, Ligne, Registre, Releve, Solde } from "../generated/openapi";
import { useAsync } from "../hooks/useAsync";
import { ApiError } from "../lib/problem";
import { useForm } from "../hooks/useForm";
import type { Page } from "../lib/api";
import { formatCentimes, formatDate, parseEurosToCentimes } from "../lib/format";
import { apporteurName } from "../lib/model";

export const STATUT_LIGNE: Record<Ligne["statut"], string> = {
  acquise: "acquise",
  regularisation: "régularisation",
  a_verser: "à verser",
  versee: "versée",
  annulee: "annulée",
  reprise: "reprise",
  versement: "versement",
  non_eligible: "non éligible",
};

/** A line's statut as shown: a non-eligible line says why ("non éligible : indicateur"). */
export function statutLigne(l: Ligne): string {
  return l.statut === "non_eligible" && l.nonEligible ? `non éligible : ${l.nonEligible}` : STATUT_LIGNE[l.statut];
}

export const NATURE_LIGNE: Record<Ligne["nature"], string> = {
  acquise: "Commission acquise",
  regularisation: "Régularisation",
  encaissement: "Commission à verser",
  reprise: "Reprise",
  annulation: "Annulation",
  versement: "Versement",
};

const MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

/** "novembre 2026" for "2026-11". */
export function moisLabel(mois: string): string {
  const [y, m] = mois.split("-").map(Number);
  return m ? `${MOIS[m - 1]} ${y}` : mois;
}

/** The month before the current one, "2026-10". */
export function previousMonth(now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function affaireOf(l: Ligne): string {
  return [l.clientNom, l.produitNom].filter(Boolean).join(" — ") || (l.nature === "versement" ? "—" : "Affaire");
}

/** The balances as KPIs; a negative solde says the apporteur owes it. */
export function SoldeKpis({ solde }: { solde: Solde }) {
  return (
    <div class="kpis">
      <div class="kpi">
        <span class="kpi-label">À verser</span>
        <span class="kpi-value" data-solde="a_verser">
          {formatCentimes(solde.aVerserCentimes)}
        </span>
      </div>
      <div class="kpi">
        <span class="kpi-label">Versé</span>
        <span class="kpi-value" data-solde="verse">
          {formatCentimes(solde.verseCentimes)}
        </span>
      </div>
      <div class="kpi">
        <span class="kpi-label">Reprises</span>
        <span class="kpi-value" data-solde="reprises">
          {formatCentimes(solde.reprisesCentimes)}
        </span>
      </div>
      <div class="kpi kpi-accent">
        <span class="kpi-label">{solde.soldeCentimes < 0 ? "Solde (dû au mandataire)" : "Solde"}</span>
        <span class="kpi-value" data-solde="solde">
          {formatCentimes(solde.soldeCentimes)}
        </span>
      </div>
    </div>
  );
}

/** The lines of a ledger, newest first, with their statut. */
export function LignesTable({ lignes, label }: { lignes: Ligne[]; label: string }) {
  if (lignes.length === 0) return <Empty>Aucune ligne pour l'instant.</Empty>;
  return (
    <Table
      label={label}
      items={lignes}
      row={(l) => ({ "data-ligne": l.id, "data-statut": l.statut })}
      columns={[
        { label: "Date", cell: (l) => formatDate(l.date) },
        { label: "Nature", cell: (l) => NATURE_LIGNE[l.nature] },
        { label: "Affaire", cell: affaireOf },
        { label: "Statut", cell: (l) => <Badge value={l.statut} text={statutLigne(l)} /> },
        { label: "Montant", num: true, cell: (l) => formatCentimes(l.montantCentimes) },
      ]}
    />
  );
}

/**
 * The closing balance of each relevé, month after month: bars above or below
 * zero. The same figures are in the relevés' table, for those who read.
 */
export function SoldeChart({ releves }: { releves: Releve[] }) {
  const points = [...releves].sort((a, b) => a.mois.localeCompare(b.mois)).slice(-12);
  if (points.length === 0) return <Empty>Le graphique apparaît avec le premier relevé.</Empty>;
  const max = Math.max(1, ...points.map((p) => Math.abs(p.soldeFinalCentimes)));
  // As wide as .chart's max-width: at 360 twelve "mm/aa" labels ran into each other.
  const w = 480;
  const h = 200;
  const zero = 100;
  const bw = Math.min(36, (w - 40) / points.length - 6);
  const desc = points.map((p) => `${moisLabel(p.mois)} : ${formatCentimes(p.soldeFinalCentimes)}`).join(" ; ");
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-labelledby="solde-chart-title solde-chart-desc">
        <title id="solde-chart-title">Solde de clôture de chaque relevé</title>
        <desc id="solde-chart-desc">{desc}</desc>
        <line x1="10" x2={w - 10} y1={zero} y2={zero} class="axis" />
        {points.map((p, i) => {
          const bh = Math.max(1, Math.round((80 * Math.abs(p.soldeFinalCentimes)) / max));
          const x = 20 + i * (bw + 6);
          const neg = p.soldeFinalCentimes < 0;
          return (
            <g>
              <rect x={x} y={neg ? zero : zero - bh} width={bw} height={bh} rx="3" class={neg ? "bar-negatif" : "bar-signees"} />
              <text x={x + bw / 2} y={h - 6} text-anchor="middle" class="bar-label">
                {p.mois.slice(5)}/{p.mois.slice(2, 4)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption class="hint">Solde de clôture par mois (sous l'axe : solde dû au mandataire).</figcaption>
    </figure>
  );
}

/** Downloads a relevé as PDF or CSV through the API (the token stays in the page). */
function ReleveDownloads({ releve, base }: { releve: Releve; base: string }) {
  const [error, setError] = useState<Error>();
  const download = async (format: "pdf" | "csv") => {
    setError(undefined);
    try {
      const b = await api.bytes(`${base}/${encodeURIComponent(releve.id)}?format=${format}`);
      const url = URL.createObjectURL(new Blob([b.data], { type: format === "pdf" ? "application/pdf" : "text/csv" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `releve-${releve.mois}-R-${String(releve.numero).padStart(6, "0")}.${format}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e as Error);
    }
  };
  const what = `relevé de ${moisLabel(releve.mois)}`;
  return (
    <span class="actions-inline">
      <button type="button" class="btn btn-secondary btn-small" onClick={() => download("pdf")} aria-label={`Télécharger le ${what} en PDF`}>
        PDF
      </button>{" "}
      <button type="button" class="btn btn-secondary btn-small" onClick={() => download("csv")} aria-label={`Télécharger le ${what} en CSV`}>
        CSV
      </button>
      <ErrorBox error={error} />
    </span>
  );
}

/** The relevés, newest month first, with their downloads. */
export function RelevesTable({ releves, base, noms }: { releves: Releve[]; base: string; noms?: Map<string, string> }) {
  if (releves.length === 0) return <Empty>Aucun relevé émis pour l'instant.</Empty>;
  return (
    <Table
      label="Relevés de commissions"
      items={releves}
      row={(r) => ({ "data-releve": r.id })}
      columns={[
        { label: "N°", cell: (r) => `R-${String(r.numero).padStart(6, "0")}` },
        { label: "Mois", cell: (r) => moisLabel(r.mois) },
        !!noms && { label: "Apporteur", cell: (r) => noms.get(r.apporteurId) ?? "—" },
        { label: "Solde d'ouverture", num: true, cell: (r) => formatCentimes(r.soldeInitialCentimes) },
        { label: "Solde de clôture", num: true, cell: (r) => formatCentimes(r.soldeFinalCentimes) },
        { label: "Émis le", cell: (r) => formatDate(r.emisLe) },
        { label: "Télécharger", actions: true, cell: (r) => <ReleveDownloads releve={r} base={base} /> },
      ]}
    />
  );
}

// ---------------------------------------------------------------- MIA

/** "Commissions": every apporteur's balances and every relevé. */
export function Commissions() {
  const r = useAsync(async (signal) => {
    const [soldes, releves, apporteurs] = await Promise.all([
      api.get<Page<Solde>>("/soldes?limit=200", signal),
      api.get<Page<Releve>>("/releves?limit=50", signal),
      api.items<Apporteur>("/apporteurs?limit=200", signal),
    ]);
    return { soldes: soldes.data.items, releves: releves.data.items, noms: new Map(apporteurs.map((a) => [a.id, apporteurName(a)])) };
  }, []);
  return (
    <DetailPage state={r} title="Commissions" lead="Ce que vous devez à vos apporteurs, ce que vous leur avez versé, et leurs relevés.">
      {(d) => (
        <>
          <section class="card" aria-labelledby="soldes-titre">
            <h2 id="soldes-titre">Soldes par apporteur</h2>
            {d.soldes.length === 0 ? (
              <Empty>Aucune commission encore : elles apparaissent à la signature d'une affaire d'apporteur.</Empty>
            ) : (
              <Table
                label="Soldes par apporteur"
                items={d.soldes}
                row={(s) => ({ "data-apporteur": s.apporteurId })}
                columns={[
                  { label: "Apporteur", cell: (s) => <Link href={`/mia/commissions/${s.apporteurId}`}>{d.noms.get(s.apporteurId) ?? s.apporteurId}</Link> },
                  { label: "À verser", num: true, cell: (s) => formatCentimes(s.aVerserCentimes) },
                  { label: "Versé", num: true, cell: (s) => formatCentimes(s.verseCentimes) },
                  { label: "Reprises", num: true, cell: (s) => formatCentimes(s.reprisesCentimes) },
                  { label: "Solde", num: true, cell: (s) => formatCentimes(s.soldeCentimes) },
                ]}
              />
            )}
          </section>
          <section class="card" aria-labelledby="releves-titre">
            <h2 id="releves-titre">Derniers relevés</h2>
            <RelevesTable releves={d.releves} base="/releves" noms={d.noms} />
          </section>
          <ProfilCard />
        </>
      )}
    </DetailPage>
  );
}

/** The MIA's identity on its relevés and its reprise settings. */
function ProfilCard() {
  const p = useAsync((signal) => api.get<any>("/profil", signal), []);
  const f = useForm({ raisonSociale: "", orias: "", siren: "", adresse: "", delaiMois: "12", mode: "prorata" });
  const [saved, setSaved] = useState(false);
  const [loaded, setLoaded] = useState(false);
  if (p.data && !loaded) {
    const m = p.data.data;
    f.setValues({
      raisonSociale: m.raisonSociale ?? m.cabinet ?? "",
      orias: m.orias ?? "",
      siren: m.siren ?? "",
      adresse: m.adresse ?? "",
      delaiMois: String(m.reprise?.delaiMois ?? 12),
      mode: m.reprise?.mode ?? "prorata",
    });
    setLoaded(true);
  }
  const onSubmit = (e: Event) => {
    e.preventDefault();
    setSaved(false);
    f.submit(async () => {
      const v = f.values;
      await api.patch(
        "/profil",
        { raisonSociale: v.raisonSociale, orias: v.orias, siren: v.siren, adresse: v.adresse, reprise: { delaiMois: Number(v.delaiMois), mode: v.mode } },
        p.data?.etag,
      );
      p.reload();
      setLoaded(false);
      setSaved(true);
    });
  };
  return (
    <section class="card" aria-labelledby="identite-titre">
      <h2 id="identite-titre">Identité sur les relevés et reprises</h2>
      {saved && <Notice>Profil enregistré.</Notice>}
      <form class="form" onSubmit={onSubmit} ref={f.formRef} noValidate>
        <div class="grid-2">
          <InputField form={f} name="raisonSociale" label="Raison sociale" />
          <InputField form={f} name="orias" label="N° ORIAS" hint="8 chiffres" inputMode="numeric" />
          <InputField form={f} name="siren" label="SIREN" inputMode="numeric" />
          <InputField form={f} name="adresse" label="Adresse" />
          <SelectField form={f} name="delaiMois" label="Délai de reprise">
            {[6, 12, 18, 24].map((n) => (
              <option value={String(n)}>{n} mois</option>
            ))}
          </SelectField>
          <SelectField form={f} name="mode" label="Mode de reprise">
            <option value="prorata">Prorata temporis</option>
            <option value="totale">Totale</option>
          </SelectField>
        </div>
        <FormFooter form={f} cancel={() => setLoaded(false)} submit="Enregistrer le profil" />
      </form>
    </section>
  );
}

/** One apporteur's ledger: balances, chart, versement, lines, relevés. */
export function CommissionsApporteur({ id }: { id: string }) {
  const r = useAsync(async (signal) => {
    const [reg, releves, ap] = await Promise.all([
      api.get<Registre>(`/apporteurs/${encodeURIComponent(id)}/lignes?limit=200`, signal),
      api.get<Page<Releve>>(`/releves?apporteurId=${encodeURIComponent(id)}&limit=24`, signal),
      api.get<Apporteur>(`/apporteurs/${encodeURIComponent(id)}`, signal),
    ]);
    return { reg: reg.data, releves: releves.data.items, ap: ap.data };
  }, [id]);
  const [notice, setNotice] = useState<string>();
  return (
    <DetailPage state={r} title={(d) => `Commissions de ${apporteurName(d.ap)}`} notice={notice && <Notice>{notice}</Notice>}>
      {(d) => (
        <>
          <Breadcrumb href="/mia/commissions" label="Commissions">
            {apporteurName(d.ap)}
          </Breadcrumb>
          <SoldeKpis solde={d.reg.solde} />
          <div class="grid-2">
            <VersementForm
              apporteurId={id}
              suggested={Math.max(0, d.reg.solde.soldeCentimes)}
              onDone={(m) => {
                setNotice(m);
                r.reload();
              }}
            />
            <ReleveForm
              apporteurId={id}
              onDone={(m) => {
                setNotice(m);
                r.reload();
              }}
            />
          </div>
          <section class="card" aria-labelledby="evolution-titre">
            <h2 id="evolution-titre">Évolution du solde</h2>
            <SoldeChart releves={d.releves} />
          </section>
          <section class="card" aria-labelledby="lignes-titre">
            <h2 id="lignes-titre">Lignes</h2>
            <LignesTable lignes={d.reg.items} label="Lignes du registre" />
          </section>
          <section class="card" aria-labelledby="rel-titre">
            <h2 id="rel-titre">Relevés</h2>
            <RelevesTable releves={d.releves} base="/releves" />
          </section>
        </>
      )}
    </DetailPage>
  );
}

function VersementForm({ apporteurId, suggested, onDone }: { apporteurId: string; suggested: number; onDone: (m: string) => void }) {
  const f = useForm({ date: today(), montant: suggested > 0 ? (suggested / 100).toFixed(2).replace(".", ",") : "", mode: "virement", reference: "" });
  // A stale ORIAS check or an expired RC Pro: the API asks for a confirmation,
  // which is then recorded on the versement and its lines.
  const [alerte, setAlerte] = useState("");
  const [confirme, setConfirme] = useState(false);
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const c = parseEurosToCentimes(f.values.montant);
    if (!f.check({ montant: c && c > 0 ? undefined : "Saisissez un montant en euros, par exemple 120,50.", date: f.values.date ? undefined : "La date est obligatoire." })) return;
    f.submit(async () => {
      const body = { date: f.values.date, montantCentimes: c, mode: f.values.mode, reference: f.values.reference, ...(confirme ? { confirmeAlertes: true } : {}) };
      try {
        const v = await api.post<any>(`/apporteurs/${encodeURIComponent(apporteurId)}/versements`, body, f.idempotencyKey(body));
        setAlerte("");
        setConfirme(false);
        onDone(`Versement de ${formatCentimes(v.data.montantCentimes)} enregistré (${v.data.lignes.length} ligne(s) soldée(s)).`);
      } catch (err) {
        if (err instanceof ApiError && err.status === 422 && err.problem.errors?.some((x) => x.champ === "confirmeAlertes")) {
          setAlerte(err.problem.detail ?? "Confirmez le versement malgré les alertes.");
          return;
        }
        throw err;
      }
    }, ["date", "montantCentimes", "mode", "reference"]);
  };
  return (
    <form class="card form" onSubmit={onSubmit} ref={f.formRef} noValidate aria-labelledby="versement-titre">
      <h2 id="versement-titre">Enregistrer un versement</h2>
      <InputField form={f} name="date" label="Date du versement" type="date" required />
      <InputField form={f} name="montant" label="Montant (€)" required inputMode="decimal" />
      <SelectField form={f} name="mode" label="Mode">
        <option value="virement">Virement</option>
        <option value="cheque">Chèque</option>
      </SelectField>
      <InputField form={f} name="reference" label="Référence" />
      {alerte && (
        <div class="alert alert-warning" role="alert">
          <p>{alerte}</p>
          <label class="checkbox">
            <input type="checkbox" name="confirmeAlertes" checked={confirme} onChange={(e) => setConfirme(e.currentTarget.checked)} /> Je confirme ce versement malgré
            ces alertes (la confirmation est enregistrée)
          </label>
        </div>
      )}
      <FormFooter form={f} cancel={() => f.setValues({ ...f.values, montant: "", reference: "" })} submit="Enregistrer le versement" />
    </form>
  );
}

function ReleveForm({ apporteurId, onDone }: { apporteurId: string; onDone: (m: string) => void }) {
  const f = useForm({ mois: previousMonth() });
  const onSubmit = (e: Event) => {
    e.preventDefault();
    f.submit(async () => {
      const body = { apporteurId, mois: f.values.mois };
      const r = await api.post<Releve>("/releves", body, f.idempotencyKey(body));
      onDone(`Relevé n° ${r.data.numero} de ${moisLabel(r.data.mois)} émis : l'apporteur est prévenu par email.`);
    });
  };
  return (
    <form class="card form" onSubmit={onSubmit} ref={f.formRef} noValidate aria-labelledby="releve-titre">
      <h2 id="releve-titre">Émettre un relevé</h2>
      <InputField form={f} name="mois" label="Mois (terminé)" hint="AAAA-MM ; le 1er de chaque mois, le relevé du mois précédent part tout seul." required />
      <FormFooter form={f} cancel={() => f.setValues({ mois: previousMonth() })} submit="Émettre le relevé" />
    </form>
  );
}

/** The affaire page's "Encaissements" card: record one, see them and the affaire's lines. */
export function EncaissementsCard({ affaireId, signee }: { affaireId: string; signee: boolean }) {
  const r = useAsync(async (signal) => {
    const [enc, lignes] = await Promise.all([
      api.get<Page<Encaissement>>(`/affaires/${encodeURIComponent(affaireId)}/encaissements?limit=50`, signal),
      api.get<Page<Ligne>>(`/affaires/${encodeURIComponent(affaireId)}/lignes?limit=200`, signal),
    ]);
    return { enc: enc.data.items, lignes: lignes.data.items };
  }, [affaireId]);
  const f = useForm({ date: today(), montant: "", anneeContrat: "1", remarques: "" });
  const [notice, setNotice] = useState<string>();
  const onSubmit = (e: Event) => {
    e.preventDefault();
    setNotice(undefined);
    const c = parseEurosToCentimes(f.values.montant);
    if (!f.check({ montant: c && c > 0 ? undefined : "Saisissez le montant reçu en euros, par exemple 150,00." })) return;
    f.submit(async () => {
      const body = { date: f.values.date, montantCentimes: c, anneeContrat: Number(f.values.anneeContrat), remarques: f.values.remarques };
      await api.post(`/affaires/${encodeURIComponent(affaireId)}/encaissements`, body, f.idempotencyKey(body));
      f.setValues({ ...f.values, montant: "", remarques: "" });
      setNotice("Encaissement enregistré.");
      r.reload();
    }, ["date", "montantCentimes", "anneeContrat", "remarques"]);
  };
  return (
    <section class="card" aria-labelledby="encaissements-titre">
      <h2 id="encaissements-titre">Encaissements</h2>
      {notice && <Notice>{notice}</Notice>}
      <ErrorBox error={r.error} onRetry={r.reload} />
      {r.data && r.data.enc.length > 0 && (
        <Table
          label="Encaissements de l'affaire"
          items={r.data.enc}
          columns={[
            { label: "Date", cell: (e) => formatDate(e.date) },
            { label: "Année", cell: (e) => String(e.anneeContrat) },
            { label: "Reçu", num: true, cell: (e) => formatCentimes(e.montantCentimes) },
          ]}
        />
      )}
      {signee ? (
        <form class="form" onSubmit={onSubmit} ref={f.formRef} noValidate aria-label="Enregistrer un encaissement">
          <div class="grid-2">
            <InputField form={f} name="date" label="Date de l'encaissement" type="date" required />
            <InputField form={f} name="montant" label="Commission reçue (€)" required inputMode="decimal" />
            <SelectField form={f} name="anneeContrat" label="Année du contrat">
              {[1, 2, 3, 4, 5].map((n) => (
                <option value={String(n)}>Année {n}</option>
              ))}
            </SelectField>
            <InputField form={f} name="remarques" label="Note sur l'encaissement" />
          </div>
          <FormFooter form={f} cancel={() => f.setValues({ ...f.values, montant: "", remarques: "" })} submit="Enregistrer un encaissement" />
        </form>
      ) : (
        <p class="hint">Les encaissements s'enregistrent sur une affaire signée.</p>
      )}
      <h3>Registre de l'affaire</h3>
      {r.data && <LignesTable lignes={[...r.data.lignes].reverse()} label="Registre de l'affaire" />}
    </section>
  );
}

// ---------------------------------------------------------------- Espace apporteur

/** "Mes commissions": the apporteur's balances and lines with their statut. */
export function MesLignes() {
  const r = useAsync(async (signal) => (await api.get<Registre>("/espace-apporteur/lignes?limit=200", signal)).data, []);
  if (!r.data) return <ErrorBox error={r.error} onRetry={r.reload} />;
  return (
    <section class="card" aria-labelledby="registre-titre">
      <h2 id="registre-titre">Acquises, à verser, versées</h2>
      <SoldeKpis solde={r.data.solde} />
      <LignesTable lignes={r.data.items} label="Mes lignes de commissions" />
    </section>
  );
}

/** "Mes relevés": every relevé issued, the chart, the downloads. */
export function MesReleves() {
  const r = useAsync(async (signal) => (await api.get<Page<Releve>>("/espace-apporteur/releves?limit=50", signal)).data.items, []);
  return (
    <DetailPage state={r} title="Mes relevés" lead="Vos relevés de commissions, mois par mois : téléchargez-les en PDF ou pour un tableur.">
      {(releves) => (
        <>
          <section class="card" aria-labelledby="evolution-titre">
            <h2 id="evolution-titre">Évolution du solde</h2>
            <SoldeChart releves={releves} />
          </section>
          <section class="card" aria-labelledby="releves-titre">
            <h2 id="releves-titre">Relevés</h2>
            <RelevesTable releves={releves} base="/espace-apporteur/releves" />
          </section>
        </>
      )}
    </DetailPage>
  );
}
