import { FicheActivite } from "./Daily";
import { ExportButton } from "../../components/ExportButton";
import { EncaissementsCard } from "../ledger";
import { useEffect, useState } from "preact/hooks";
import { api } from "../../app";
import { Badge, EditIcon, Link } from "../../components/elements";
import { Empty, ErrorBox } from "../../components/feedback";
import { FormErrors, InputField, SelectField } from "../../components/forms";
import { Table } from "../../components/lists";
import { Breadcrumb, DetailPage, ListPage, PageHeader } from "../../components/scaffold";
import type { Affaire, AffaireAvecHistorique, Apporteur, Contact, Entreprise, Produit } from "../../generated/openapi";
import { useAsync } from "../../hooks/useAsync";
import { useForm } from "../../hooks/useForm";
import { usePaged } from "../../hooks/usePaged";
import { ifMatchOf, type Result, withQuery } from "../../lib/api";
import {
  centimesToInput,
  formatCentimes,
  formatDate,
  formatDateTime,
  formatPercent,
  label,
  nextStatutsAffaire,
  parseEurosToCentimes,
  STATUT_AFFAIRE,
} from "../../lib/format";
import { apporteurName, CATEGORIES, TAUX_APPORTEUR, TAUX_APPORTEUR_VALEURS, historiqueText, nouvelleAffaire, personName } from "../../lib/model";
import { navigate } from "../../lib/router";
import { useProduits } from "./shared";
import { DocumentsCard, TYPES_AFFAIRE } from "../../components/Documents";

type StatutAffaire = Affaire["statut"];

/** The apporteur's rates, as a select's options. */
function TauxOptions() {
  return (
    <>
      {TAUX_APPORTEUR_VALEURS.map((t) => (
        <option value={String(t)}>{TAUX_APPORTEUR[t]}</option>
      ))}
    </>
  );
}

/** The list's tabs, one for each statut the contract allows. */
const TABS: Record<StatutAffaire, string> = {
  en_cours: "En cours",
  signee: "Signées",
  perdue: "Perdues",
  resiliee: "Résiliées",
};
const TAB_KEYS = Object.keys(TABS) as StatutAffaire[];

export function AffairesTable({ items, showClient = true }: { items: Affaire[]; showClient?: boolean }) {
  return (
    <Table
      label="Affaires"
      items={items}
      row={(a) => ({ "data-affaire": a.id })}
      columns={[
        showClient && { label: "Client", cell: (a) => a.clientNom },
        { label: "Produit", cell: (a) => a.produitNom },
        { label: "Statut", cell: (a) => <Badge value={a.statut} text={label(STATUT_AFFAIRE, a.statut)} /> },
        { label: "Prime annuelle", num: true, cell: (a) => formatCentimes(a.primeAnnuelleCentimes) },
        { label: "Commission MIA", num: true, cell: (a) => formatCentimes(a.commissionMIACentimes) },
        { label: "Taux apporteur", cell: (a) => (a.apporteurId || a.tauxCommissionApporteur ? formatPercent(a.tauxCommissionApporteur) : "—") },
        { label: "Créée le", cell: (a) => formatDate(a.createdAt) },
        {
          label: "Modifier",
          actions: true,
          cell: (a) => (
            <Link href={`/mia/affaires/${a.id}`} class="edit-btn" title="Modifier l'affaire" aria-label={`Modifier l'affaire ${a.produitNom}`}>
              <EditIcon />
            </Link>
          ),
        },
      ]}
    />
  );
}

/** A contact's or an entreprise's "Ses affaires", with "Nouvelle affaire" when it has none. */
export function ClientAffaires({ id, clientId, affaires, empty }: { id: string; clientId: string; affaires: Affaire[]; empty: string }) {
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>Ses affaires</h2>
      {affaires.length === 0 ? (
        <Empty>
          {empty} <Link href={`/mia/affaires/nouvelle?contactId=${clientId}`}>Nouvelle affaire</Link>
        </Empty>
      ) : (
        <AffairesTable items={affaires} showClient={false} />
      )}
    </section>
  );
}

export function AffairesList({ query }: { query: URLSearchParams }) {
  const statut = TAB_KEYS.find((t) => t === query.get("statut")) ?? "en_cours";
  const apporteurId = query.get("apporteurId") ?? "";
  const list = usePaged<Affaire>((cursor) => withQuery("/affaires", { statut, apporteurId, limit: 20, cursor }), [statut, apporteurId]);
  const tabHref = (s: string) => withQuery("/mia/affaires", { statut: s, apporteurId });
  const onKey = (e: KeyboardEvent, i: number) => {
    const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!d) return;
    e.preventDefault();
    const t = TAB_KEYS[(i + d + TAB_KEYS.length) % TAB_KEYS.length];
    navigate(tabHref(t));
    requestAnimationFrame(() => document.getElementById(`onglet-${t}`)?.focus());
  };
  return (
    <ListPage
      title="Affaires"
      lead="Les contrats en cours de placement, signés, perdus ou résiliés."
      create={{ href: "/mia/affaires/nouvelle", label: "Nouvelle affaire" }}
      toolbar={
        <>
        <ExportButton path={withQuery("/exports/affaires", { statut, apporteurId })} filename={`affaires-${statut}.csv`} />
        <div class="tabs" role="tablist" aria-label="Statut des affaires">
          {TAB_KEYS.map((t, i) => (
            <Link
              id={`onglet-${t}`}
              role="tab"
              href={tabHref(t)}
              aria-selected={t === statut}
              tabIndex={t === statut ? 0 : -1}
              aria-controls="panneau-affaires"
              class="tab"
              onKeyDown={(e) => onKey(e as unknown as KeyboardEvent, i)}
            >
              {TABS[t]}
            </Link>
          ))}
        </div>
        </>
      }
      panel={{ id: "panneau-affaires", role: "tabpanel", "aria-labelledby": `onglet-${statut}` }}
      list={list}
      empty={
        <>
          Aucune affaire {label(STATUT_AFFAIRE, statut).toLowerCase()}.{" "}
          {statut === "en_cours" && <Link href="/mia/affaires/nouvelle">Nouvelle affaire</Link>}
        </>
      }
    >
      {(items) => <AffairesTable items={items} />}
    </ListPage>
  );
}

export function AffaireNew({ query }: { query: URLSearchParams }) {
  const [filtre, setFiltre] = useState("");
  const clients = useAsync(async (signal) => {
    const [contacts, entreprises] = await Promise.all([
      api.items<Contact>(withQuery("/contacts", { q: filtre, limit: 200 }), signal),
      api.items<Entreprise>(withQuery("/entreprises", { q: filtre, limit: 200 }), signal).catch((): Entreprise[] => []),
    ]);
    return { contacts, entreprises };
  }, [filtre]);
  const produits = useProduits();
  const f = useForm({ clientId: query.get("contactId") ?? "", produitId: "", primeAnnuelleCentimes: "", tauxCommissionApporteur: "" });
  const chosen =
    clients.data?.contacts.find((c) => c.id === f.values.clientId) ?? clients.data?.entreprises.find((en) => en.id === f.values.clientId);
  const clientHasApporteur = !!chosen?.apporteurId;

  const onSubmit = (e: Event) => {
    e.preventDefault();
    const v = f.values;
    const { body, errors } = nouvelleAffaire({
      clientId: v.clientId,
      produitId: v.produitId,
      primeAnnuelle: v.primeAnnuelleCentimes,
      tauxApporteur: v.tauxCommissionApporteur,
      clientHasApporteur,
    });
    if (!f.check(errors ?? {}) || !body) return;
    f.submit(async () => {
      const r = await api.post<Affaire>("/affaires", body, f.idempotencyKey(body));
      navigate(`/mia/affaires/${r.data.id}?cree=1`);
    });
  };

  const produit = produits.byId.get(f.values.produitId);
  return (
    <>
      <PageHeader title="Nouvelle affaire">
        <p class="lead">Choisissez le contact, puis le produit, puis « Valider ». L'affaire apparaîtra dans « En cours ».</p>
      </PageHeader>
      <form class="card form steps-form" onSubmit={onSubmit} ref={f.formRef} noValidate>
        <fieldset class="step">
          <legend>
            <span class="step-num" aria-hidden="true">1</span> Le contact
          </legend>
          <div class="field">
            <label for="filtre-client">Filtrer vos contacts et entreprises</label>
            <input id="filtre-client" type="search" value={filtre} placeholder="Nom, raison sociale…" onInput={(e) => setFiltre(e.currentTarget.value)} />
          </div>
          <SelectField
            form={f}
            name="clientId"
            label="Contact"
            required
            hint={
              <>
                Pas encore créé ? <Link href="/mia/contacts/nouveau?retour=/mia/affaires/nouvelle">Nouveau contact</Link> ou{" "}
                <Link href="/mia/entreprises/nouvelle">Nouvelle entreprise</Link>
              </>
            }
          >
            <option value="">— Choisir le contact —</option>
            <optgroup label="Particuliers">
              {(clients.data?.contacts ?? []).map((c) => (
                <option value={c.id}>
                  {personName(c)}
                  {c.email ? ` (${c.email})` : ""}
                </option>
              ))}
            </optgroup>
            {(clients.data?.entreprises ?? []).length > 0 && (
              <optgroup label="Entreprises">
                {(clients.data?.entreprises ?? []).map((en) => (
                  <option value={en.id}>{en.raisonSociale}</option>
                ))}
              </optgroup>
            )}
          </SelectField>
        </fieldset>
        <fieldset class="step" disabled={!f.values.clientId}>
          <legend>
            <span class="step-num" aria-hidden="true">2</span> Le produit
          </legend>
          <SelectField form={f} name="produitId" label="Produit" required hint={produit?.description}>
            <option value="">— Choisir le produit —</option>
            {groupByCategorie(produits.list).map(([cat, ps]) => (
              <optgroup label={CATEGORIES[cat]}>
                {ps.map((p) => (
                  <option value={p.id}>
                    {p.nom} — {p.assureur}
                  </option>
                ))}
              </optgroup>
            ))}
          </SelectField>
          {produit?.tauxCommissionMIA !== undefined && (
            <p class="hint">Taux de commission MIA par défaut : {formatPercent(produit.tauxCommissionMIA)}</p>
          )}
          <InputField
            form={f}
            name="primeAnnuelleCentimes"
            label="Prime annuelle (€)"
            hint="Facultative, par exemple 1 200,00 : la commission prévisionnelle de l'apporteur en dépend. Modifiable ensuite."
            inputMode="decimal"
            autoComplete="off"
          />
          {clientHasApporteur && (
            <SelectField form={f} name="tauxCommissionApporteur" label="Taux de commission Apporteur" hint="Facultatif : ce contact a un apporteur. Modifiable ensuite.">
              <option value="">— Plus tard —</option>
              <TauxOptions />
            </SelectField>
          )}
        </fieldset>
        <ErrorBox error={produits.error} />
        <FormErrors messages={f.general} />
        <div class="form-actions">
          <Link href="/mia/affaires" class="btn btn-ghost">
            Annuler
          </Link>
          <button type="submit" class="btn btn-primary" disabled={f.busy}>
            <span class="step-num light" aria-hidden="true">3</span> {f.busy ? "Envoi…" : "Valider"}
          </button>
        </div>
      </form>
    </>
  );
}

function groupByCategorie(list: Produit[]): [Produit["categorie"], Produit[]][] {
  const m = new Map<Produit["categorie"], Produit[]>();
  for (const p of list) {
    if (!m.has(p.categorie)) m.set(p.categorie, []);
    m.get(p.categorie)!.push(p);
  }
  return [...m.entries()];
}

export function AffaireEdit({ id, query }: { id: string; query: URLSearchParams }) {
  const a = useAsync(async (signal) => api.get<AffaireAvecHistorique>(`/affaires/${encodeURIComponent(id)}`, signal), [id]);
  // Names for the historique's "Apporteur : A → B" (it stores ids).
  const apporteurs = useAsync((signal) => api.items<Apporteur>("/apporteurs?limit=200", signal), []);
  const apporteurNoms = new Map((apporteurs.data ?? []).map((p) => [p.id, apporteurName(p)]));
  const f = useForm({ statut: "", primeAnnuelleCentimes: "", tauxCommissionMIA: "", tauxCommissionApporteur: "", remarques: "" });
  const [saved, setSaved] = useState(query.get("cree") ? "Affaire créée : elle apparaît dans « En cours »." : "");
  // A later read of the affaire, for the historique entry a stream consumer adds after a save;
  // it counts only while it is of the version shown.
  const [later, setLater] = useState<AffaireAvecHistorique>();

  useEffect(() => {
    const af = a.data?.data;
    if (!af) return;
    f.setValues({
      statut: af.statut,
      primeAnnuelleCentimes: centimesToInput(af.primeAnnuelleCentimes),
      tauxCommissionMIA: af.tauxCommissionMIA === undefined ? "" : String(af.tauxCommissionMIA),
      tauxCommissionApporteur: af.tauxCommissionApporteur ? String(af.tauxCommissionApporteur) : "",
      remarques: af.remarques ?? "",
    });
  }, [a.data]);

  return (
    <DetailPage
      state={a}
      title={(r) => `Affaire ${r.data.produitNom}`}
      actions={(r) => <Badge value={r.data.statut} text={label(STATUT_AFFAIRE, r.data.statut)} />}
      lead={(r) => (
        <Breadcrumb href={`/mia/affaires?statut=${r.data.statut}`} label="Affaires">
          {r.data.clientNom}
        </Breadcrumb>
      )}
      notice={saved}
    >
      {(r) => body(r)}
    </DetailPage>
  );

  function body(r: Result<AffaireAvecHistorique>) {
    const af = r.data;
    const hasApporteur = !!af.apporteurId || af.tauxCommissionApporteur != null;

    const onSubmit = (e: Event) => {
      e.preventDefault();
      const v = f.values;
      const prime = v.primeAnnuelleCentimes.trim() ? parseEurosToCentimes(v.primeAnnuelleCentimes) : null;
      const taux = v.tauxCommissionMIA.trim() ? Number(v.tauxCommissionMIA.replace(",", ".")) : null;
      if (
        !f.check({
          primeAnnuelleCentimes:
            v.primeAnnuelleCentimes.trim() && prime === null ? "Saisissez un montant en euros, par exemple 1 234,56." : undefined,
          tauxCommissionMIA:
            taux !== null && (!Number.isInteger(taux) || taux < 0 || taux > 100) ? "Saisissez un pourcentage entier entre 0 et 100." : undefined,
        })
      )
        return;
      setSaved("");
      f.submit(async () => {
        const body: Record<string, unknown> = {};
        if (v.statut !== af.statut) body.statut = v.statut;
        if (prime !== null && prime !== af.primeAnnuelleCentimes) body.primeAnnuelleCentimes = prime;
        if (taux !== null && taux !== af.tauxCommissionMIA) body.tauxCommissionMIA = taux;
        if (hasApporteur && v.tauxCommissionApporteur && Number(v.tauxCommissionApporteur) !== af.tauxCommissionApporteur)
          body.tauxCommissionApporteur = Number(v.tauxCommissionApporteur);
        if (v.remarques.trim() !== (af.remarques ?? "")) body.remarques = v.remarques.trim();
        if (Object.keys(body).length === 0) {
          setSaved("Aucune modification à enregistrer.");
          return;
        }
        const saved = await api.patch<Affaire>(`/affaires/${af.id}`, body, ifMatchOf(r));
        // The PATCH answer is the whole affaire but its historique, whose new entry a stream
        // consumer writes just after: keep the historique shown, and read it again a moment later.
        a.setData({ ...saved, data: { ...saved.data, historique: af.historique } });
        setSaved("Affaire mise à jour.");
        const known = (af.historique ?? []).length;
        const poll = async (left: number) => {
          try {
            const l = (await api.get<AffaireAvecHistorique>(`/affaires/${af.id}`)).data;
            if (l.version !== saved.data.version) return;
            if ((l.historique ?? []).length > known) setLater(l);
            else if (left > 0) setTimeout(() => poll(left - 1), 1000);
          } catch {
            /* the next visit shows it */
          }
        };
        setTimeout(() => poll(4), 800);
      });
    };

    const statuts = nextStatutsAffaire(af.statut);
    const historique = [...((later && later.version === af.version ? later.historique : undefined) ?? af.historique ?? [])].sort((x, y) => String(y.at).localeCompare(String(x.at)));
    return (
        <div class="grid-2 align-start">
          <form class="card form" onSubmit={onSubmit} ref={f.formRef} noValidate aria-labelledby="titre-maj">
            <h2 id="titre-maj">
              <span class="edit-btn static" aria-hidden="true">
                <EditIcon />
              </span>{" "}
              Modifier l'affaire
            </h2>
            <SelectField form={f} name="statut" label="Statut">
              {statuts.map((s) => (
                <option value={s}>{label(STATUT_AFFAIRE, s)}</option>
              ))}
            </SelectField>
            <InputField
              form={f}
              name="primeAnnuelleCentimes"
              label="Prime annuelle (€)"
              hint="Par exemple 1 200,00"
              inputMode="decimal"
              autoComplete="off"
            />
            <InputField form={f} name="tauxCommissionMIA" label="Taux de commission MIA (%)" inputMode="numeric" autoComplete="off" />
            {hasApporteur ? (
              <SelectField form={f} name="tauxCommissionApporteur" label="Taux de commission Apporteur">
                {!af.tauxCommissionApporteur && <option value="">— Choisir —</option>}
                <TauxOptions />
              </SelectField>
            ) : (
              <p class="hint">Pas d'apporteur sur cette affaire : pas de commission apporteur.</p>
            )}
            <InputField form={f} name="remarques" label="Remarques" type="textarea" hint="Visibles par vous seul, jamais par l'apporteur." rows={2} />
            <FormErrors messages={f.general} />
            <div class="form-actions">
              {f.status === 412 && (
                <button type="button" class="btn btn-secondary" onClick={() => (f.setGeneral([]), a.reload())}>
                  Recharger l'affaire
                </button>
              )}
              <button type="submit" class="btn btn-primary" disabled={f.busy}>
                {f.busy ? "Envoi…" : "Mettre à jour"}
              </button>
            </div>
          </form>
          <div>
            <section class="card" aria-labelledby="chiffres">
              <h2 id="chiffres">Chiffres</h2>
              <dl class="facts">
                <dt>Prime annuelle</dt>
                <dd class="num">{formatCentimes(af.primeAnnuelleCentimes)}</dd>
                <dt>Taux MIA</dt>
                <dd>{formatPercent(af.tauxCommissionMIA)}</dd>
                <dt>Commission MIA</dt>
                <dd class="num">{formatCentimes(af.commissionMIACentimes)}</dd>
                <dt>Taux apporteur</dt>
                <dd>{hasApporteur ? formatPercent(af.tauxCommissionApporteur) : "—"}</dd>
                <dt>Commission apporteur</dt>
                <dd class="num">{hasApporteur ? formatCentimes(af.commissionApporteurCentimes) : "—"}</dd>
                <dt>Créée le</dt>
                <dd>{formatDate(af.createdAt)}</dd>
              </dl>
            </section>
            <EncaissementsCard affaireId={af.id} signee={af.statut === "signee"} />
            <DocumentsCard listPath={`/affaires/${encodeURIComponent(af.id)}/documents`} docPath="/documents" types={TYPES_AFFAIRE} dda />
            <section class="card" aria-labelledby="histo">
              <h2 id="histo">Historique</h2>
              {historique.length === 0 ? (
                <Empty>Pas encore d'historique.</Empty>
              ) : (
                <ol class="timeline">
                  {historique.map((h) => (
                    <li>
                      <time dateTime={h.at}>{formatDateTime(h.at)}</time>
                      <span>{historiqueText(h, apporteurNoms) || label(STATUT_AFFAIRE, h.statut)}</span>
                      {h.statut && <Badge value={h.statut} text={label(STATUT_AFFAIRE, h.statut)} />}
                    </li>
                  ))}
                </ol>
              )}
            </section>
          </div>
          <FicheActivite type="affaire" id={id} />
        </div>
    );
  }
}
