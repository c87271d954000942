import { api } from "../../app";
import { Link } from "../../components/elements";
import { ErrorBox } from "../../components/feedback";
import { PageHeader } from "../../components/scaffold";
import { useAsync } from "../../hooks/useAsync";
import { TableauPage } from "./Daily";
import { STATUT_AFFAIRE } from "../../lib/format";
import type { Apporteur } from "../../generated/openapi";

interface Progress {
  apporteur: boolean;
  relation: boolean;
  contact: boolean;
  affaire: boolean;
}

async function hasAny(path: string, signal: AbortSignal): Promise<boolean> {
  return (await api.items(path, signal)).length > 0;
}

/** The home page: the dashboard once the progression's required steps are done, the checklist until then. */
export function Home() {
  return <Progression home />;
}

export function Progression({ home = false }: { home?: boolean }) {
  const p = useAsync<Progress>(async (signal) => {
    // An affaire signée or perdue counts too: look at every statut until one has an item.
    const [apporteurs, contact, entreprise] = await Promise.all([
      api.items<Apporteur>("/apporteurs?limit=50", signal),
      hasAny("/contacts?limit=1", signal),
      hasAny("/entreprises?limit=1", signal),
    ]);
    let affaire = false;
    for (const statut of Object.keys(STATUT_AFFAIRE)) {
      if (await hasAny(`/affaires?limit=1&statut=${statut}`, signal)) {
        affaire = true;
        break;
      }
    }
    // Formalised: a legal status and an accepted convention (on the first page of apporteurs).
    const relation = apporteurs.some((a) => a.statutLegal && a.convention?.accepteeLe);
    return { apporteur: apporteurs.length > 0, relation, contact: contact || entreprise, affaire };
  }, []);

  const d = p.data;
  const steps = [
    {
      key: "apporteur",
      done: d?.apporteur,
      title: "Enregistrer un apporteur d'affaires (si besoin)",
      text: "« Apporteurs d'affaires » → « Nouvel apporteur » : nom, téléphone, email, localisation, remarques, puis « Ajouter ». Il reçoit automatiquement un email d'activation d'Assentis et accède à son espace personnel : il peut y créer des contacts qui vous sont attribués, suivre leurs affaires et voir sa commission prévisionnelle.",
      href: "/mia/apporteurs/nouveau",
      cta: "Nouvel apporteur",
      optional: true,
    },
    {
      key: "relation",
      done: d?.relation,
      title: "Formaliser la relation : statut et convention acceptée",
      text: "L'apporteur est lié à vous, pas à Assentis : sur sa fiche, renseignez son statut légal (indicateur, ou intermédiaire immatriculé à l'ORIAS avec son numéro et sa RC Pro), puis générez la convention d'apport. Il la lit et l'accepte dans son espace ; l'acceptation est prouvée (date, empreinte du PDF).",
      href: "/mia/apporteurs",
      cta: "Mes apporteurs",
      optional: true,
    },
    {
      key: "contact",
      done: d?.contact,
      title: "Créer le contact",
      text: "Toute affaire est rattachée à un contact : un particulier (« Contacts » → « Nouveau contact ») ou une entreprise (« Entreprises » → « Nouvelle entreprise », avec son dirigeant choisi parmi vos contacts). Un contact créé par votre apporteur est déjà dans votre base.",
      href: "/mia/contacts/nouveau",
      cta: "Nouveau contact",
    },
    {
      key: "affaire",
      done: d?.affaire,
      title: "Créer l'affaire",
      text: "« Affaires » → « Nouvelle affaire » : choisissez le contact, puis le produit, puis « Valider ». L'affaire apparaît dans « En cours ». Le pictogramme orange permet ensuite de fixer le taux de commission de l'apporteur (15 %, 20 % ou 25 %) et de « Mettre à jour ».",
      href: "/mia/affaires/nouvelle",
      cta: "Nouvelle affaire",
    },
  ];
  const doneCount = steps.filter((s) => s.done).length;
  if (home && d && steps.every((s) => s.done || s.optional)) return <TableauPage />;

  return (
    <>
      <PageHeader title="Bienvenue dans ton espace de progression">
        <p class="lead">La logique à suivre, pas à pas. Chaque étape se coche dès que vos données la remplissent.</p>
      </PageHeader>
      <ErrorBox error={p.error} onRetry={p.reload} />
      <section class="card progress-card" aria-labelledby="logique">
        <div class="progress-head">
          <h2 id="logique">La logique à suivre</h2>
          <span class="progress-count" aria-live="polite">
            {p.loading ? "…" : `${doneCount} / ${steps.length} étapes faites`}
          </span>
        </div>
        <div
          class="progress-bar"
          role="progressbar"
          aria-label="Progression"
          aria-valuemin={0}
          aria-valuemax={steps.length}
          aria-valuenow={doneCount}
        >
          <span style={{ width: `${(doneCount / steps.length) * 100}%` }} />
        </div>
        <ol class="checklist">
          {steps.map((s, i) => (
            <li class={s.done ? "done" : ""} data-step={s.key}>
              <span class="check" aria-hidden="true">
                {s.done ? "✓" : i + 1}
              </span>
              <div class="step-body">
                <h3>
                  {i + 1}. {s.title}{" "}
                  <span class="sr-only">{s.done ? "(fait)" : "(à faire)"}</span>
                  {s.done && <span class="badge badge-actif">Fait</span>}
                  {!s.done && s.optional && <span class="badge badge-neutre">Facultatif</span>}
                </h3>
                <p>{s.text}</p>
                <Link href={s.href} class={`btn ${s.done ? "btn-secondary" : "btn-primary"}`}>
                  {s.cta}
                </Link>
              </div>
            </li>
          ))}
        </ol>
      </section>
      <div class="shortcuts">
        <Link href="/mia/apporteurs" class="shortcut">
          Apporteurs d'affaires
        </Link>
        <Link href="/mia/contacts" class="shortcut">
          Contacts
        </Link>
        <Link href="/mia/entreprises" class="shortcut">
          Entreprises
        </Link>
        <Link href="/mia/affaires" class="shortcut">
          Affaires
        </Link>
        <Link href="/mia/tableau-de-bord" class="shortcut">
          Tableau de bord
        </Link>
      </div>
    </>
  );
}
