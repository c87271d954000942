import { useEffect, useState } from "preact/hooks";
import { api } from "../../app";
import { Link } from "../../components/elements";
import { ErrorBox, Loading } from "../../components/feedback";
import { FormErrors } from "../../components/forms";
import { Table } from "../../components/lists";
import { Breadcrumb, PageHeader } from "../../components/scaffold";
import type { Import, ImportDepot } from "../../generated/openapi";
import { useAsync } from "../../hooks/useAsync";
import { useId } from "../../hooks/useId";
import { formatDate } from "../../lib/format";
import { parseCSV } from "../../lib/csv";
import { navigate } from "../../lib/router";
import { uploadPresigned } from "../../lib/upload";

/** The French name of each field a column can fill. */
const FIELD_LABELS: Record<string, string> = {
  nom: "Nom",
  prenom: "Prénom",
  telephone: "Téléphone",
  mobile: "Mobile",
  email: "E-mail",
  adresse: "Adresse",
  codePostal: "Code postal",
  ville: "Ville",
  dateNaissance: "Date de naissance",
  profession: "Profession",
  remarques: "Remarques",
  raisonSociale: "Raison sociale",
  siren: "SIREN",
  dirigeantEmail: "E-mail du dirigeant",
  dirigeantTelephone: "Téléphone du dirigeant",
};

const FIELDS: Record<Import["type"], string[]> = {
  contacts: ["nom", "prenom", "telephone", "mobile", "email", "adresse", "codePostal", "ville", "dateNaissance", "profession", "remarques"],
  entreprises: ["raisonSociale", "siren", "adresse", "codePostal", "ville", "telephone", "email", "remarques", "dirigeantEmail", "dirigeantTelephone"],
};

const STATUTS: Record<Import["statut"], string> = {
  en_attente_fichier: "Fichier en cours d'analyse",
  a_confirmer: "À confirmer",
  en_cours: "Import en cours",
  terminee: "Terminé",
  echec: "Échec",
  annulation_en_cours: "Annulation en cours",
  annulee: "Annulé",
};

const RUNNING: Import["statut"][] = ["en_attente_fichier", "en_cours", "annulation_en_cours"];

function messageOf(e: unknown): string {
  return (e as Error)?.message || "Une erreur est survenue.";
}

export function ImportsList() {
  const list = useAsync((signal) => api.items<Import>("/imports?limit=50", signal), []);
  const [type, setType] = useState<Import["type"]>("contacts");
  const [file, setFile] = useState<File | undefined>();
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const typeId = useId("type");
  const fileId = useId("fichier");

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) {
      setErrors(["Choisissez un fichier CSV."]);
      return;
    }
    if (file.size > 20 * 1024 * 1024) {
      setErrors(["Le fichier dépasse 20 Mo."]);
      return;
    }
    setBusy(true);
    setErrors([]);
    try {
      const { data } = await api.post<ImportDepot>("/imports", { type, nomFichier: file.name });
      await uploadPresigned(data.depot, file);
      navigate(`/mia/imports/${data.import.id}`);
    } catch (err) {
      setErrors([messageOf(err)]);
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title="Imports">
        <p>Importez vos contacts ou vos entreprises depuis un fichier CSV (Excel, autre CRM) : vous vérifiez la correspondance des colonnes avant l'import, et pouvez l'annuler pendant 7 jours.</p>
      </PageHeader>
      <form class="card" onSubmit={submit} aria-labelledby="nouvel-import">
        <h2 id="nouvel-import">Nouvel import</h2>
        <div class="field">
          <label for={typeId}>Que contient le fichier ?</label>
          <select id={typeId} value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value as Import["type"])}>
            <option value="contacts">Des contacts (personnes physiques)</option>
            <option value="entreprises">Des entreprises</option>
          </select>
        </div>
        <div class="field">
          <label for={fileId}>Fichier CSV (20 Mo au plus)</label>
          <input id={fileId} type="file" accept=".csv,text/csv" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0])} />
        </div>
        <FormErrors messages={errors} />
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Envoi…" : "Envoyer le fichier"}
        </button>
      </form>
      <section class="card" aria-labelledby="imports-passes">
        <h2 id="imports-passes">Imports précédents</h2>
        {list.loading ? (
          <Loading />
        ) : list.error ? (
          <ErrorBox error={list.error} onRetry={list.reload} />
        ) : !list.data?.length ? (
          <p>Aucun import pour l'instant.</p>
        ) : (
          <Table
            label="Imports"
            items={list.data}
            columns={[
              { label: "Fichier", cell: (i) => <Link href={`/mia/imports/${i.id}`}>{i.nomFichier || "Import"}</Link> },
              { label: "Type", cell: (i) => (i.type === "contacts" ? "Contacts" : "Entreprises") },
              { label: "Date", cell: (i) => formatDate(i.createdAt) },
              { label: "Statut", cell: (i) => STATUTS[i.statut] },
            ]}
          />
        )}
      </section>
    </>
  );
}

export function ImportView({ id }: { id: string }) {
  const [imp, setImp] = useState<Import | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    api
      .get<Import>(`/imports/${id}`, ctl.signal)
      .then((r) => {
        setImp(r.data);
        setError(undefined);
      })
      .catch((e) => {
        if ((e as Error)?.name !== "AbortError") setError(e as Error);
      });
    return () => ctl.abort();
  }, [id, tick]);

  // Follow the work while it runs: the worker records its progress every chunk.
  useEffect(() => {
    if (!imp || !RUNNING.includes(imp.statut)) return;
    const t = setTimeout(() => setTick((n) => n + 1), 1000);
    return () => clearTimeout(t);
  }, [imp]);

  if (error && !imp) return <ErrorBox error={error} onRetry={() => setTick((n) => n + 1)} />;
  if (!imp) return <Loading />;
  return (
    <>
      <Breadcrumb href="/mia/imports" label="Imports">
        {imp.nomFichier || "Import"}
      </Breadcrumb>
      <PageHeader title={`Import : ${imp.nomFichier || (imp.type === "contacts" ? "contacts" : "entreprises")}`}>
        <p>
          Statut : <strong>{STATUTS[imp.statut]}</strong>
        </p>
      </PageHeader>
      {imp.statut === "en_attente_fichier" && <Loading label="Analyse du fichier…" />}
      {imp.statut === "echec" && (
        <div class="card" role="alert">
          <h2>Import impossible</h2>
          <p>{imp.erreur}</p>
          <Link href="/mia/imports">Importer un autre fichier</Link>
        </div>
      )}
      {imp.statut === "a_confirmer" && <Mapping imp={imp} onDone={(i) => setImp(i)} />}
      {(imp.statut === "en_cours" || imp.statut === "terminee" || imp.statut === "annulation_en_cours" || imp.statut === "annulee") && (
        <Progress imp={imp} onChange={(i) => setImp(i)} />
      )}
    </>
  );
}

function Mapping({ imp, onDone }: { imp: Import; onDone: (i: Import) => void }) {
  const [mapping, setMapping] = useState<string[]>(imp.correspondance ?? []);
  const [update, setUpdate] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const updateId = useId("maj");
  const columns = imp.colonnes ?? [];
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors([]);
    try {
      const r = await api.post<Import>(`/imports/${imp.id}/confirmation`, { correspondance: mapping, mettreAJourDoublons: update });
      onDone(r.data);
    } catch (err) {
      const p = err as { problem?: { errors?: { message: string }[] } };
      setErrors(p.problem?.errors?.map((x) => x.message) ?? [messageOf(err)]);
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="correspondance">
      <h2 id="correspondance">Correspondance des colonnes</h2>
      <p>
        {imp.total} ligne{imp.total > 1 ? "s" : ""} · encodage {imp.encodage === "windows-1252" ? "Windows-1252 (Excel)" : "UTF-8"} · séparateur{" "}
        {imp.separateur === "tab" ? "tabulation" : `« ${imp.separateur} »`}. Vérifiez le champ de chaque colonne.
      </p>
      <div class="table-scroll">
        <table>
          <caption>Aperçu des premières lignes</caption>
          <thead>
            <tr>
              {columns.map((c, i) => (
                <th scope="col" key={i}>
                  <span>{c || `Colonne ${i + 1}`}</span>
                  <select
                    aria-label={`Champ de la colonne ${c || i + 1}`}
                    value={mapping[i] ?? ""}
                    onChange={(e) => {
                      const next = [...mapping];
                      next[i] = (e.target as HTMLSelectElement).value;
                      setMapping(next);
                    }}
                  >
                    <option value="">— ignorer —</option>
                    {FIELDS[imp.type].map((f) => (
                      <option value={f} key={f}>
                        {FIELD_LABELS[f]}
                      </option>
                    ))}
                  </select>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {(imp.apercu ?? []).map((row, r) => (
              <tr key={r}>
                {columns.map((_, i) => (
                  <td key={i}>{row[i]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="field checkbox">
        <input id={updateId} type="checkbox" checked={update} onChange={(e) => setUpdate((e.target as HTMLInputElement).checked)} />
        <label for={updateId}>Mettre à jour les doublons (même email, téléphone ou SIREN) au lieu de les ignorer</label>
      </div>
      <FormErrors messages={errors} />
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {busy ? "Lancement…" : "Lancer l'import"}
      </button>
    </form>
  );
}

function Progress({ imp, onChange }: { imp: Import; onChange: (i: Import) => void }) {
  const [report, setReport] = useState<string[][] | undefined>();
  const [href, setHref] = useState<string | undefined>();
  const [errors, setErrors] = useState<string[]>([]);
  const c = imp.compteurs;
  const openReport = async () => {
    try {
      const r = await api.bytes(`/imports/${imp.id}/rapport`);
      const text = new TextDecoder().decode(r.data).replace(/^\uFEFF/, "");
      setReport(parseCSV(text, ";"));
      setHref(URL.createObjectURL(new Blob([r.data], { type: "text/csv" })));
    } catch (err) {
      setErrors([messageOf(err)]);
    }
  };
  const undo = async () => {
    try {
      onChange((await api.post<Import>(`/imports/${imp.id}/annulation`, undefined)).data);
    } catch (err) {
      setErrors([messageOf(err)]);
    }
  };
  return (
    <section class="card" aria-labelledby="avancement">
      <h2 id="avancement">Avancement</h2>
      <label for="import-progress">
        {imp.traitees} ligne{imp.traitees > 1 ? "s" : ""} traitée{imp.traitees > 1 ? "s" : ""} sur {imp.total}
      </label>
      <progress id="import-progress" max={imp.total || 1} value={imp.traitees} />
      <ul>
        <li>Créés : {c.crees}</li>
        <li>Mis à jour : {c.misAJour}</li>
        <li>Doublons ignorés : {c.doublons}</li>
        <li>Rejetés : {c.rejetes}</li>
        {(imp.statut === "annulee" || imp.statut === "annulation_en_cours") && (
          <>
            <li>
              Annulation : {c.supprimes ?? 0} supprimé(s), {c.restaures ?? 0} restauré(s)
            </li>
            <li>
              <strong>Conservés : {c.conserves ?? 0}</strong> (fiches modifiées, ou auxquelles des affaires ou une entreprise ont été rattachées
              depuis l'import ; le rapport dit pourquoi pour chaque ligne)
            </li>
          </>
        )}
      </ul>
      <FormErrors messages={errors} />
      {imp.statut !== "en_cours" && (
        <p class="actions-row">
          <button type="button" class="btn btn-secondary" onClick={openReport}>
            Voir le rapport
          </button>
          {imp.statut === "terminee" && imp.annulableJusquau && (
            <button type="button" class="btn btn-danger" onClick={undo}>
              Annuler l'import (jusqu'au {formatDate(imp.annulableJusquau)})
            </button>
          )}
        </p>
      )}
      {report && (
        <>
          {href && (
            <p>
              <a href={href} download={`rapport-import-${imp.id}.csv`}>
                Télécharger le rapport (CSV)
              </a>
            </p>
          )}
          <table class="table">
            <caption>Rapport de l'import</caption>
            <thead>
              <tr>
                {report[0].map((h) => (
                  <th scope="col" key={h}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {report.slice(1, 201).map((row, i) => (
                <tr key={i}>
                  {row.map((cell, j) => (
                    <td key={j} data-label={report[0][j]}>
                      {cell}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
