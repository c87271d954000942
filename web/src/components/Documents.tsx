// The "Documents" card: an apporteur's (RC Pro, Kbis, RIB) or an affaire's (DDA pieces…)
// documents, their upload straight to the private store, their état, download, delete/undo.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../app";
import type { Document, DocumentDepose, ListeDocuments, NouveauDocument, Telechargement } from "../generated/openapi";
import { useId } from "../hooks/useId";
import { formatDate } from "../lib/format";
import { uploadPresigned } from "../lib/upload";
import { ErrorBox, Loading, Notice } from "./feedback";
import { FormErrors } from "./forms";
import { Table } from "./lists";

export type TypeDocument = Document["type"];

export const TYPE_DOCUMENT: Record<TypeDocument, string> = {
  der: "DER (document d'entrée en relation)",
  recueil_besoins: "Recueil des besoins",
  devoir_conseil: "Devoir de conseil",
  conditions_particulieres: "Conditions particulières",
  autre: "Autre",
  rc_pro: "Attestation RC Pro",
  kbis: "Kbis",
  rib: "RIB",
};

export const TYPES_AFFAIRE: TypeDocument[] = ["der", "recueil_besoins", "devoir_conseil", "conditions_particulieres", "autre"];
export const TYPES_APPORTEUR: TypeDocument[] = ["rc_pro", "kbis", "rib"];
/** The pieces the DDA asks for before an affaire is signed. */
export const PIECES_DDA: TypeDocument[] = ["der", "recueil_besoins", "devoir_conseil"];

const MAX_BYTES = 10 * 1024 * 1024;
const CONTENT_TYPES: NouveauDocument["contentType"][] = ["application/pdf", "image/jpeg", "image/png"];

/** A size in French units: 532 o, 12,4 Ko, 3,1 Mo. */
export function formatTaille(n: number): string {
  if (n < 1024) return `${n} o`;
  const fmt = (x: number) => x.toLocaleString("fr-FR", { maximumFractionDigits: 1 });
  if (n < 1024 * 1024) return `${fmt(n / 1024)} Ko`;
  return `${fmt(n / (1024 * 1024))} Mo`;
}

/** The état as the user reads it. */
export function etatDocument(d: Document): string {
  switch (d.etat) {
    case "en_attente":
      return "en cours de vérification";
    case "verifie":
      return "vérifié";
    case "refuse":
      return `refusé : ${(d.motif ?? "").replace(/^refuse:\s*/, "") || "fichier non conforme"}`;
    case "supprime":
      return d.restaurableJusquau ? `supprimé (restaurable jusqu'au ${formatDate(d.restaurableJusquau)})` : "supprimé";
  }
}

/** The content type of a file, from its type or, when the browser gives none, its extension. */
function contentTypeOf(f: File): NouveauDocument["contentType"] | undefined {
  const t = f.type.toLowerCase();
  if ((CONTENT_TYPES as string[]).includes(t)) return t as NouveauDocument["contentType"];
  const ext = f.name.toLowerCase().split(".").pop();
  if (ext === "pdf") return "application/pdf";
  if (ext === "jpg" || ext === "jpeg") return "image/jpeg";
  if (ext === "png") return "image/png";
  return undefined;
}

export function DocumentsCard({
  listPath,
  docPath,
  types,
  title = "Documents",
  dda = false,
}: {
  /** GET lists, POST deposits: /affaires/{id}/documents, /apporteurs/{id}/documents, /espace-apporteur/documents. */
  listPath: string;
  /** Prefix of one document's routes: /documents or /espace-apporteur/documents. */
  docPath: string;
  types: TypeDocument[];
  title?: string;
  /** Show the DDA checklist (an affaire). */
  dda?: boolean;
}) {
  const [docs, setDocs] = useState<Document[]>();
  const [loadError, setLoadError] = useState<Error>();
  const [type, setType] = useState<TypeDocument>(types[0]);
  const [file, setFile] = useState<File>();
  const [errors, setErrors] = useState<string[]>([]);
  const [progress, setProgress] = useState<number>();
  const [notice, setNotice] = useState("");
  const [actionError, setActionError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [polls, setPolls] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const headId = useId("docs");
  const typeId = useId("doc-type");
  const fileId = useId("doc-fichier");

  const load = async (signal?: AbortSignal) => {
    try {
      const r = await api.get<ListeDocuments>(listPath, signal);
      setDocs(r.data.items ?? []);
      setLoadError(undefined);
      return r.data.items ?? [];
    } catch (e) {
      if ((e as Error)?.name !== "AbortError") setLoadError(e as Error);
      return undefined;
    }
  };

  useEffect(() => {
    const ctl = new AbortController();
    load(ctl.signal);
    return () => ctl.abort();
  }, [listPath]);

  // While a document is being checked, read the list again every second, a few times.
  const pending = (docs ?? []).some((d) => d.etat === "en_attente");
  useEffect(() => {
    if (!pending || polls <= 0) return;
    const t = setTimeout(async () => {
      await load();
      setPolls((n) => n - 1);
    }, 1000);
    return () => clearTimeout(t);
  }, [pending, polls, docs]);

  const choose = (f: File | undefined) => {
    setFile(f);
    setErrors([]);
    setNotice("");
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) return setErrors(["Choisissez un fichier (PDF, JPEG ou PNG)."]);
    const contentType = contentTypeOf(file);
    if (!contentType) return setErrors(["Formats acceptés : PDF, JPEG ou PNG."]);
    if (file.size === 0) return setErrors(["Le fichier est vide."]);
    if (file.size > MAX_BYTES) return setErrors([`Le fichier fait ${formatTaille(file.size)} : 10 Mo au plus.`]);
    setBusy(true);
    setErrors([]);
    setNotice("");
    setProgress(0);
    try {
      const body: NouveauDocument = { nom: file.name, type, contentType, taille: file.size };
      const { data } = await api.post<DocumentDepose>(listPath, body);
      await uploadPresigned(data.upload, file, setProgress);
      setNotice(`« ${file.name} » envoyé : vérification en cours.`);
      setFile(undefined);
      if (inputRef.current) inputRef.current.value = "";
      await load();
      setPolls(15);
    } catch (err) {
      setErrors([(err as Error)?.message || "Le dépôt a échoué."]);
      await load();
    } finally {
      setBusy(false);
      setProgress(undefined);
    }
  };

  const act = async (fn: () => Promise<void>, ok: string) => {
    setActionError(undefined);
    setNotice("");
    try {
      await fn();
      setNotice(ok);
      await load();
    } catch (e) {
      setActionError(e as Error);
    }
  };

  const download = (d: Document) =>
    act(async () => {
      const r = await api.get<Telechargement>(`${docPath}/${encodeURIComponent(d.id)}/telechargement`);
      window.location.assign(r.data.url);
    }, `Téléchargement de « ${d.nom} » lancé.`);
  const remove = (d: Document) =>
    act(() => api.request("DELETE", `${docPath}/${encodeURIComponent(d.id)}`).then(() => undefined), `« ${d.nom} » supprimé : vous pouvez annuler la suppression pendant 30 jours.`);
  const restore = (d: Document) =>
    act(() => api.request("POST", `${docPath}/${encodeURIComponent(d.id)}/restauration`).then(() => undefined), `« ${d.nom} » restauré.`);

  const pct = progress === undefined ? undefined : Math.round(progress * 100);
  return (
    <section class="card documents-card" aria-labelledby={headId}>
      <h2 id={headId}>{title}</h2>
      {dda && docs && <ChecklistDDA docs={docs} />}
      <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
      <ErrorBox error={actionError} />
      {loadError ? (
        <ErrorBox error={loadError} onRetry={() => load()} />
      ) : !docs ? (
        <Loading />
      ) : docs.length === 0 ? (
        <p>Aucun document pour l'instant.</p>
      ) : (
        <Table
          label={title}
          items={docs}
          row={(d) => ({ "data-document": d.id, "data-etat": d.etat })}
          columns={[
            { label: "Nom", cell: (d) => <span class="doc-nom">{d.nom}</span> },
            { label: "Type", cell: (d) => TYPE_DOCUMENT[d.type] },
            { label: "Taille", cell: (d) => (d.taille ? formatTaille(d.taille) : "—"), num: true },
            { label: "État", cell: (d) => <span class={`badge badge-doc-${d.etat}`}>{etatDocument(d)}</span> },
            { label: "Date", cell: (d) => formatDate(d.createdAt) },
            {
              label: "Actions",
              actions: true,
              cell: (d) => (
                <div class="button-row">
                  {d.etat === "verifie" && (
                    <>
                      <button type="button" class="btn btn-secondary" onClick={() => download(d)} aria-label={`Télécharger ${d.nom}`}>
                        Télécharger
                      </button>
                      <button type="button" class="btn btn-danger" onClick={() => remove(d)} aria-label={`Supprimer ${d.nom}`}>
                        Supprimer
                      </button>
                    </>
                  )}
                  {d.etat === "supprime" && (
                    <button type="button" class="btn btn-secondary" onClick={() => restore(d)} aria-label={`Annuler la suppression de ${d.nom}`}>
                      Annuler la suppression
                    </button>
                  )}
                </div>
              ),
            },
          ]}
        />
      )}
      <form class="form doc-upload" onSubmit={submit} noValidate>
        <h3>Déposer un document</h3>
        <div class="field">
          <label for={typeId}>Type de document</label>
          <select id={typeId} value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value as TypeDocument)}>
            {types.map((t) => (
              <option value={t}>{TYPE_DOCUMENT[t]}</option>
            ))}
          </select>
        </div>
        <div
          class={`field dropzone${dragging ? " dragging" : ""}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            choose(e.dataTransfer?.files?.[0]);
          }}
        >
          <label for={fileId}>Fichier (PDF, JPEG ou PNG, 10 Mo au plus)</label>
          <p class="hint">Glissez-déposez le fichier ici ou choisissez-le.</p>
          <input
            id={fileId}
            ref={inputRef}
            type="file"
            accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
            onChange={(e) => choose((e.target as HTMLInputElement).files?.[0])}
          />
          {file && (
            <p class="doc-choisi">
              Fichier choisi : {file.name} ({formatTaille(file.size)})
            </p>
          )}
        </div>
        {pct !== undefined && (
          <div class="doc-progress">
            <div class="progress-bar" role="progressbar" aria-label="Envoi du fichier" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
              <span style={{ width: `${pct}%` }} />
            </div>
            <p>Envoi : {pct} %</p>
          </div>
        )}
        <FormErrors messages={errors} />
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? "Envoi…" : "Déposer le document"}
          </button>
        </div>
      </form>
    </section>
  );
}

/** Which DDA pieces the affaire has, and whether they are verified. */
export function ChecklistDDA({ docs }: { docs: Document[] }) {
  return (
    <div class="dda-checklist">
      <h3>Pièces DDA avant signature</h3>
      <ul>
        {PIECES_DDA.map((t) => {
          const of = docs.filter((d) => d.type === t);
          const ok = of.some((d) => d.etat === "verifie");
          const waiting = !ok && of.some((d) => d.etat === "en_attente");
          const text = ok ? "présent et vérifié" : waiting ? "en cours de vérification" : "manquant";
          return (
            <li data-piece={t} data-ok={ok ? "oui" : "non"}>
              <span aria-hidden="true">{ok ? "✓" : waiting ? "…" : "✗"}</span> {TYPE_DOCUMENT[t]} : <strong>{text}</strong>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
