import { useEffect, useState } from "preact/hooks";
import { api } from "../../app";
import { ifMatchOf, withQuery } from "../../lib/api";
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
import {
  type Affaire,
  CATEGORIES,
  type Contact,
  type Entreprise,
  affaireClient,
  affaireProduit,
  historiqueText,
  nouvelleAffaire,
  personName,
} from "../../lib/model";
import { navigate } from "../../lib/router";
import {
  Badge,
  ButtonLink,
  EditIcon,
  Empty,
  ErrorBox,
  FormErrors,
  InputField,
  Link,
  Loading,
  Notice,
  PagedList,
  PageHeader,
  SelectField,
  useAsync,
  useForm,
  usePaged,
} from "../../components/ui";
import { useProduits } from "./shared";

const TABS = [
  { statut: "en_cours", label: "En cours" },
  { statut: "signee", label: "Signées" },
  { statut: "perdue", label: "Perdues" },
  { statut: "resiliee", label: "Résiliées" },
];

// Client names the affaire lists don't carry: one lookup per client, shared by the page.
const clientNames = new Map<string, Promise<string>>();
function clientName(id: string): Promise<string> {
  let p = clientNames.get(id);
  if (!p) {
    p = api
      .get<Contact>(`/contacts/${encodeURIComponent(id)}`)
      .then((r) => personName(r.data))
      .catch(() => api.get<Entreprise>(`/entreprises/${encodeURIComponent(id)}`).then((r) => r.data.raisonSociale))
      .catch(() => "Client");
    clientNames.set(id, p);
  }
  return p;
}

export function ClientName({ affaire }: { affaire: Affaire }) {
  const known = affaireClient(affaire);
  const [name, setName] = useState(known);
  useEffect(() => {
    if (!known && affaire.clientId) clientName(affaire.clientId).then(setName);
  }, [affaire.clientId, known]);
  return <>{name ?? "…"}</>;
}

export function AffairesTable({ items, showClient = true }: { items: Affaire[]; showClient?: boolean }) {
  const produits = useProduits();
  return (
    <table class="table" aria-label="Affaires">
      <thead>
        <tr>
          {showClient && <th scope="col">Client</th>}
          <th scope="col">Produit</th>
          <th scope="col">Statut</th>
          <th scope="col" class="num">
            Prime annuelle
          </th>
          <th scope="col" class="num">
            Commission MIA
          </th>
          <th scope="col">Taux apporteur</th>
          <th scope="col">Créée le</th>
          <th scope="col">
            <span class="sr-only">Modifier</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {items.map((a) => (
          <tr data-affaire={a.id}>
            {showClient && (
              <td data-label="Client">
                <ClientName affaire={a} />
              </td>
            )}
            <td data-label="Produit">{affaireProduit(a, produits.byId)}</td>
            <td data-label="Statut">
              <Badge value={a.statut} text={label(STATUT_AFFAIRE, a.statut)} />
            </td>
            <td data-label="Prime annuelle" class="num">
              {formatCentimes(a.primeAnnuelleCentimes)}
            </td>
            <td data-label="Commission MIA" class="num">
              {formatCentimes(a.commissionMIACentimes)}
            </td>
            <td data-label="Taux apporteur">{a.apporteurId || a.tauxCommissionApporteur ? formatPercent(a.tauxCommissionApporteur) : "—"}</td>
            <td data-label="Créée le">{formatDate(a.createdAt)}</td>
            <td class="actions">
              <Link href={`/mia/affaires/${a.id}`} class="edit-btn" title="Modifier l'affaire" aria-label={`Modifier l'affaire ${affaireProduit(a, produits.byId)}`}>
                <EditIcon />
              </Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AffairesList({ query }: { query: URLSearchParams }) {
  const statut = TABS.some((t) => t.statut === query.get("statut")) ? query.get("statut")! : "en_cours";
  const apporteurId = query.get("apporteurId") ?? "";
  const list = usePaged<Affaire>((cursor) => withQuery("/affaires", { statut, apporteurId, limit: 20, cursor }), [statut, apporteurId]);
  const tabHref = (s: string) => withQuery("/mia/affaires", { statut: s, apporteurId });
  const onKey = (e: KeyboardEvent, i: number) => {
    const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!d) return;
    e.preventDefault();
    const t = TABS[(i + d + TABS.length) % TABS.length];
    navigate(tabHref(t.statut));
    requestAnimationFrame(() => document.getElementById(`onglet-${t.statut}`)?.focus());
  };
  return (
    <>
      <PageHeader title="Affaires" actions={<ButtonLink href="/mia/affaires/nouvelle">Nouvelle affaire</ButtonLink>}>
        <p class="lead">Les contrats en cours de placement, signés, perdus ou résiliés.</p>
      </PageHeader>
      <div class="tabs" role="tablist" aria-label="Statut des affaires">
        {TABS.map((t, i) => (
          <Link
            id={`onglet-${t.statut}`}
            role="tab"
            href={tabHref(t.statut)}
            aria-selected={t.statut === statut}
            tabIndex={t.statut === statut ? 0 : -1}
            aria-controls="panneau-affaires"
            class="tab"
            onKeyDown={(e) => onKey(e as unknown as KeyboardEvent, i)}
          >
            {t.label}
          </Link>
        ))}
      </div>
      <div id="panneau-affaires" role="tabpanel" aria-labelledby={`onglet-${statut}`}>
        <PagedList
          list={list}
          empty={
            <>
              Aucune affaire {label(STATUT_AFFAIRE, statut).toLowerCase()}.{" "}
              {statut === "en_cours" && <Link href="/mia/affaires/nouvelle">Nouvelle affaire</Link>}
            </>
          }
        >
          {(items) => <AffairesTable items={items} />}
        </PagedList>
      </div>
    </>
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
            {groupByCategorie(produits.list).map(([cat, ps]) =>
              cat ? (
                <optgroup label={CATEGORIES[cat] ?? cat}>
                  {ps.map((p) => (
                    <option value={p.id}>
                      {p.nom}
                      {p.assureur ? ` — ${p.assureur}` : ""}
                    </option>
                  ))}
                </optgroup>
              ) : (
                ps.map((p) => <option value={p.id}>{p.nom}</option>)
              ),
            )}
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
              <option value="15">15 %</option>
              <option value="20">20 %</option>
              <option value="25">25 %</option>
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

function groupByCategorie<T extends { categorie?: string }>(list: T[]): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const p of list) {
    const k = p.categorie ?? "";
    if (!m.has(k)) m.set(k, []);
    m.get(k)!.push(p);
  }
  return [...m.entries()];
}

export function AffaireEdit({ id, query }: { id: string; query: URLSearchParams }) {
  const a = useAsync(async (signal) => api.get<Affaire>(`/affaires/${encodeURIComponent(id)}`, signal), [id]);
  const produits = useProduits();
  const f = useForm({ statut: "", primeAnnuelleCentimes: "", tauxCommissionMIA: "", tauxCommissionApporteur: "", remarques: "" });
  const [saved, setSaved] = useState(query.get("cree") ? "Affaire créée : elle apparaît dans « En cours »." : "");
  // A later read of the affaire, for the historique entry a stream consumer adds after a save;
  // it counts only while it is of the version shown.
  const [later, setLater] = useState<Affaire>();

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

  if (a.loading && !a.data) return <Loading />;
  if (a.error) return <ErrorBox error={a.error} onRetry={a.reload} />;
  const af = a.data!.data;
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
      const r = await api.patch<Affaire>(`/affaires/${af.id}`, body, ifMatchOf(a.data!));
      // The PATCH answer is the whole affaire but its historique, whose new entry a stream
      // consumer writes just after: keep the historique shown, and read it again a moment later.
      a.setData({ ...r, data: { ...r.data, historique: af.historique } });
      setSaved("Affaire mise à jour.");
      const known = (af.historique ?? []).length;
      const poll = async (left: number) => {
        try {
          const l = (await api.get<Affaire>(`/affaires/${af.id}`)).data;
          if (l.version !== r.data.version) return;
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
    <>
      <PageHeader title={`Affaire ${affaireProduit(af, produits.byId)}`} actions={<Badge value={af.statut} text={label(STATUT_AFFAIRE, af.statut)} />}>
        <p class="lead">
          <Link href={`/mia/affaires?statut=${af.statut}`}>Affaires</Link> › <ClientName affaire={af} />
        </p>
      </PageHeader>
      <div aria-live="polite">{saved && <Notice>{saved}</Notice>}</div>
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
              <option value="15">15 %</option>
              <option value="20">20 %</option>
              <option value="25">25 %</option>
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
          <section class="card" aria-labelledby="histo">
            <h2 id="histo">Historique</h2>
            {historique.length === 0 ? (
              <Empty>Pas encore d'historique.</Empty>
            ) : (
              <ol class="timeline">
                {historique.map((h) => (
                  <li>
                    <time dateTime={h.at}>{formatDateTime(h.at)}</time>
                    <span>{historiqueText(h) || label(STATUT_AFFAIRE, h.statut)}</span>
                    {h.statut && <Badge value={h.statut} text={label(STATUT_AFFAIRE, h.statut)} />}
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
      </div>
    </>
  );
}
