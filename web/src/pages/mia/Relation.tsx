// The MIA's side of the relation with an apporteur (issue 12): its legal status (indicateur or
// intermédiaire immatriculé à l'ORIAS) with warnings, and the convention d'apport.
import { useState } from "preact/hooks";
import { api } from "../../app";
import { Badge } from "../../components/elements";
import { Empty, ErrorBox, Notice } from "../../components/feedback";
import { FormFooter, InputField, SelectField } from "../../components/forms";
import type { Apporteur, Convention, StatutLegal } from "../../generated/openapi";
import { useAsync } from "../../hooks/useAsync";
import { useForm } from "../../hooks/useForm";
import { ifMatchOf, type Result } from "../../lib/api";
import { formatDate, formatDateTime } from "../../lib/format";

export const ORIAS_REGISTRE = "https://www.orias.fr/";

export const CATEGORIES_ORIAS: Record<string, string> = {
  courtier: "Courtier en assurance (COA)",
  agent_general: "Agent général d'assurance (AGA)",
  mandataire: "Mandataire d'assurance (MA)",
  mia: "Mandataire d'intermédiaire d'assurance (MIA)",
};

const TYPE: Record<StatutLegal["type"], string> = {
  indicateur: "Indicateur (art. R.511-3 du Code des assurances)",
  intermediaire_orias: "Intermédiaire immatriculé à l'ORIAS",
};

/** The apporteur's legal status: shown with its warnings, edited in place. */
export function StatutLegalCard({ result, onSaved }: { result: Result<Apporteur>; onSaved: (r: Result<Apporteur>) => void }) {
  const ap = result.data;
  const s = ap.statutLegal;
  const [editing, setEditing] = useState(!s);
  const f = useForm({
    type: (s?.type ?? "") as string,
    numeroOrias: s?.numeroOrias ?? "",
    categorie: (s?.categorie ?? "courtier") as string,
    verifieLe: s?.verifieLe ?? "",
    rcProAssureur: s?.rcProAssureur ?? "",
    rcProExpiration: s?.rcProExpiration ?? "",
  });
  const orias = f.values.type === "intermediaire_orias";
  const onSubmit = (e: Event) => {
    e.preventDefault();
    if (!f.check({ type: f.values.type ? undefined : "Choisissez le statut de l'apporteur." })) return;
    const v = f.values;
    const statutLegal =
      v.type === "indicateur"
        ? { type: "indicateur" }
        : { type: v.type, numeroOrias: v.numeroOrias, categorie: v.categorie, verifieLe: v.verifieLe, rcProAssureur: v.rcProAssureur, rcProExpiration: v.rcProExpiration };
    f.submit(async () => {
      const r = await api.patch<Apporteur>(`/apporteurs/${ap.id}`, { statutLegal }, ifMatchOf(result));
      onSaved(r);
      setEditing(false);
    });
  };
  const alertes = (ap.alertes ?? []).filter((a) => a.code !== "convention_absente" && a.code !== "convention_en_attente");
  return (
    <section class="card" aria-labelledby="statut-legal">
      <h2 id="statut-legal">Statut légal</h2>
      {alertes.length > 0 && (
        <ul class="alert alert-warning" data-alertes>
          {alertes.map((a) => (
            <li data-alerte={a.code}>{a.message}</li>
          ))}
        </ul>
      )}
      {s && !editing && (
        <>
          <dl class="facts">
            <dt>Statut</dt>
            <dd data-statut-legal={s.type}>{TYPE[s.type]}</dd>
            {s.type === "intermediaire_orias" && (
              <>
                <dt>N° ORIAS</dt>
                <dd>
                  {s.numeroOrias}{" "}
                  <a href={ORIAS_REGISTRE} target="_blank" rel="noopener noreferrer">
                    Vérifier le n° {s.numeroOrias} sur le registre ORIAS
                  </a>
                </dd>
                <dt>Catégorie</dt>
                <dd>{CATEGORIES_ORIAS[s.categorie ?? ""] ?? s.categorie}</dd>
                <dt>Dernière vérification</dt>
                <dd>{formatDate(s.verifieLe)}</dd>
                <dt>RC Pro</dt>
                <dd>
                  {s.rcProAssureur}, valable jusqu'au {formatDate(s.rcProExpiration)}
                </dd>
              </>
            )}
          </dl>
          {s.type === "indicateur" && <p class="hint">Un indicateur ne perçoit qu'une commission d'apport ponctuelle : rien sur les encaissements des années suivantes.</p>}
          <button type="button" class="btn btn-secondary" onClick={() => setEditing(true)}>
            Modifier le statut légal
          </button>
        </>
      )}
      {editing && (
        <form class="form" onSubmit={onSubmit} ref={f.formRef} noValidate>
          <SelectField form={f} name="type" label="Statut de l'apporteur" required>
            <option value="">— Choisir —</option>
            <option value="indicateur">{TYPE.indicateur}</option>
            <option value="intermediaire_orias">{TYPE.intermediaire_orias}</option>
          </SelectField>
          {orias && (
            <>
              <div class="grid-2">
                <InputField form={f} name="numeroOrias" label="N° ORIAS" required inputMode="numeric" hint="8 chiffres" />
                <SelectField form={f} name="categorie" label="Catégorie" required>
                  {Object.entries(CATEGORIES_ORIAS).map(([k, v]) => (
                    <option value={k}>{v}</option>
                  ))}
                </SelectField>
              </div>
              <p class="hint">
                Vérifiez l'immatriculation sur le{" "}
                <a href={ORIAS_REGISTRE} target="_blank" rel="noopener noreferrer">
                  registre de l'ORIAS
                </a>{" "}
                puis indiquez la date de votre vérification.
              </p>
              <div class="grid-2">
                <DateField form={f} name="verifieLe" label="Vérifié sur le registre le" />
                <InputField form={f} name="rcProAssureur" label="Assureur RC Pro" required />
              </div>
              <DateField form={f} name="rcProExpiration" label="RC Pro valable jusqu'au" />
            </>
          )}
          <FormFooter form={f} cancel={() => (s ? setEditing(false) : undefined)} submit="Enregistrer le statut" />
        </form>
      )}
    </section>
  );
}

type F = ReturnType<typeof useForm<{ type: string; numeroOrias: string; categorie: string; verifieLe: string; rcProAssureur: string; rcProExpiration: string }>>;

function DateField({ form, name, label }: { form: F; name: "verifieLe" | "rcProExpiration"; label: string }) {
  const id = `f-${name}`;
  const err = form.errors[name];
  return (
    <div class={`field${err ? " field-error" : ""}`}>
      <label for={id} class="required">
        {label}
      </label>
      <input id={id} name={name} type="date" required aria-invalid={err ? "true" : undefined} aria-describedby={err ? `${id}-err` : undefined} {...form.bind(name)} />
      {err && (
        <div class="error-text" id={`${id}-err`} data-champ={name}>
          {err}
        </div>
      )}
    </div>
  );
}

/** The convention d'apport: its versions and proofs, a new version, the PDFs. */
export function ConventionCard({ ap, onChanged }: { ap: Apporteur; onChanged: () => void }) {
  const list = useAsync(async (signal) => api.items<Convention>(`/apporteurs/${ap.id}/convention`, signal), [ap.id, ap.convention?.version, ap.convention?.accepteeLe]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [notice, setNotice] = useState("");

  const generate = async () => {
    setBusy(true);
    setError(undefined);
    setNotice("");
    try {
      const c = await api.post<Convention>(`/apporteurs/${ap.id}/convention`, {});
      setNotice(`Convention version ${c.data.version} générée : l'apporteur est invité à l'accepter.`);
      onChanged();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  const download = async (v: number) => {
    setError(undefined);
    try {
      const b = await api.bytes(`/apporteurs/${ap.id}/convention/pdf?version=${v}`);
      const url = URL.createObjectURL(new Blob([b.data], { type: "application/pdf" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `convention-apport-v${v}.pdf`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <section class="card" aria-labelledby="convention">
      <h2 id="convention">Convention d'apport</h2>
      <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
      <ErrorBox error={error} />
      {!ap.convention ? (
        <Empty>Aucune convention : générez-la une fois le statut légal renseigné. L'apporteur la lit et l'accepte dans son espace.</Empty>
      ) : (
        <p data-convention-etat={ap.convention.accepteeLe ? "acceptee" : "en_attente"}>
          Version {ap.convention.version} du {formatDate(ap.convention.genereeLe)} :{" "}
          {ap.convention.accepteeLe ? <Badge value="actif" text={`acceptée le ${formatDateTime(ap.convention.accepteeLe)}`} /> : <Badge value="invitation_envoyee" text="en attente d'acceptation" />}
        </p>
      )}
      {(list.data ?? []).length > 0 && (
        <ul class="versions">
          {list.data!.map((c) => (
            <li data-version={c.version}>
              <strong>Version {c.version}</strong> ({formatDate(c.genereeLe)}){" "}
              {c.acceptation ? (
                <span>
                  — acceptée le {formatDateTime(c.acceptation.le)} par {c.acceptation.nom} ({c.acceptation.email})
                  {c.acceptation.adresseIp && `, adresse IP ${c.acceptation.adresseIp}`}, empreinte{" "}
                  <code class="sha">{c.acceptation.sha256}</code>
                </span>
              ) : (
                <span>— non acceptée</span>
              )}{" "}
              <button type="button" class="btn btn-ghost" onClick={() => download(c.version)}>
                Télécharger la version {c.version}
              </button>
            </li>
          ))}
        </ul>
      )}
      <button type="button" class="btn btn-primary" disabled={busy || !ap.statutLegal} onClick={generate}>
        {ap.convention ? "Générer une nouvelle version" : "Générer la convention"}
      </button>
    </section>
  );
}
