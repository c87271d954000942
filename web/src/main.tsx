import { render } from "preact";
import { useEffect } from "preact/hooks";
import "./styles.css";
import { api } from "./app";
import { match, navigate, useRoute } from "./lib/router";
import { APPORTEUR_NAV, Layout, MIA_NAV, type NavItem } from "./components/Layout";
import { Login, homeOf } from "./pages/Login";
import { Activation } from "./pages/Activation";
import { Link } from "./components/elements";
import { Home } from "./pages/mia/Home";
import { ApporteurNew, ApporteurView, ApporteursList } from "./pages/mia/Apporteurs";
import { ContactNew, ContactView, ContactsList } from "./pages/mia/Contacts";
import { EntrepriseNew, EntrepriseView, EntreprisesList } from "./pages/mia/Entreprises";
import { AffaireEdit, AffaireNew, AffairesList } from "./pages/mia/Affaires";
import { TableauPage, TacheView, TachesPage } from "./pages/mia/Daily";
import { MesNotes, MesTaches } from "./pages/espace/Daily";
import { Progression } from "./pages/mia/Home";
import { Conservation, DonneesPersonnelles, ParametresPage } from "./pages/mia/Rgpd";
import { SearchBox } from "./components/SearchBox";
import { ImportView, ImportsList } from "./pages/mia/Imports";
import { MesAffaires, MesCommissions, MesContacts, MonNouveauContact, MonProfil } from "./pages/espace/Espace";
import { MaConvention, MandataireBar, MesMandataires } from "./pages/espace/Relation";
import { Commissions, CommissionsApporteur, MesReleves } from "./pages/ledger";
import type { JSX } from "preact";
import type { Pool } from "./lib/cognito";

type Page = (p: { params: Record<string, string>; query: URLSearchParams }) => JSX.Element;

const MIA_ROUTES: [string, Page][] = [
  ["/mia", () => <Home />],
  ["/mia/progression", () => <Progression />],
  ["/mia/tableau-de-bord", () => <TableauPage />],
  ["/mia/taches", ({ query }) => <TachesPage query={query} />],
  ["/mia/taches/:id", ({ params }) => <TacheView id={params.id} />],
  ["/mia/apporteurs", ({ query }) => <ApporteursList query={query} />],
  ["/mia/apporteurs/nouveau", () => <ApporteurNew />],
  ["/mia/apporteurs/:id", ({ params, query }) => <ApporteurView id={params.id} query={query} />],
  ["/mia/contacts", ({ query }) => <ContactsList query={query} />],
  ["/mia/contacts/nouveau", ({ query }) => <ContactNew query={query} />],
  ["/mia/contacts/:id", ({ params, query }) => <ContactView id={params.id} query={query} />],
  ["/mia/entreprises", ({ query }) => <EntreprisesList query={query} />],
  ["/mia/entreprises/nouvelle", ({ query }) => <EntrepriseNew query={query} />],
  ["/mia/entreprises/:id", ({ params, query }) => <EntrepriseView id={params.id} query={query} />],
  ["/mia/affaires", ({ query }) => <AffairesList query={query} />],
  ["/mia/affaires/nouvelle", ({ query }) => <AffaireNew query={query} />],
  ["/mia/affaires/:id", ({ params, query }) => <AffaireEdit id={params.id} query={query} />],
  ["/mia/contacts/:id/donnees", ({ params }) => <DonneesPersonnelles kind="contact" id={params.id} />],
  ["/mia/apporteurs/:id/donnees", ({ params }) => <DonneesPersonnelles kind="apporteur" id={params.id} />],
  ["/mia/rgpd", () => <Conservation />],
  ["/mia/parametres", () => <ParametresPage />],
  ["/mia/imports", () => <ImportsList />],
  ["/mia/imports/:id", ({ params }) => <ImportView id={params.id} />],
  ["/mia/commissions", () => <Commissions />],
  ["/mia/commissions/:id", ({ params }) => <CommissionsApporteur id={params.id} />],
];

const ESPACE_ROUTES: [string, Page][] = [
  ["/espace/contacts", ({ query }) => <MesContacts query={query} />],
  ["/espace/contacts/nouveau", () => <MonNouveauContact />],
  ["/espace/affaires", () => <MesAffaires />],
  ["/espace/commissions", () => <MesCommissions />],
  ["/espace/releves", () => <MesReleves />],
  ["/espace/profil", () => <MonProfil />],
  ["/espace/taches", () => <MesTaches />],
  ["/espace/notes", () => <MesNotes />],
  ["/espace/mandataires", () => <MesMandataires />],
  ["/espace/convention", ({ query }) => <MaConvention query={query} />],
];

/** The two spaces: each for one pool, with its menu and its routes. */
const SPACES: { prefix: string; pool: Pool; name: string; nav: NavItem[]; routes: [string, Page][] }[] = [
  { prefix: "/mia", pool: "mia", name: "Espace MIA", nav: MIA_NAV, routes: MIA_ROUTES },
  { prefix: "/espace", pool: "apporteur", name: "Espace apporteur", nav: APPORTEUR_NAV, routes: ESPACE_ROUTES },
];

function find(routes: [string, Page][], path: string) {
  for (const [pattern, page] of routes) {
    const params = match(pattern, path);
    if (params) return { page, params };
  }
  return undefined;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function NotFound({ home }: { home: string }) {
  return (
    <div class="card">
      <h1>Page introuvable</h1>
      <p>
        Cette adresse ne correspond à aucune page. <Link href={home}>Revenir à l'accueil</Link>
      </p>
    </div>
  );
}

function App() {
  const { path, query } = useRoute();
  const session = api.session;

  if (path === "/activation") return <Activation token={query.get("token") ?? ""} />;
  if (path === "/connexion") {
    if (session && !query.get("active")) return <Redirect to={homeOf(session.pool)} />;
    const pool = query.get("espace");
    return (
      <Login
        notice={
          query.get("active")
            ? "Votre compte est activé. Connectez-vous avec votre nouveau mot de passe."
            : query.get("expiree")
              ? "Votre session a expiré. Reconnectez-vous pour continuer."
              : undefined
        }
        initialPool={pool === "mia" || pool === "apporteur" ? pool : undefined}
        initialEmail={query.get("email") ?? undefined}
      />
    );
  }
  if (!session) return <Redirect to={path === "/" ? "/connexion" : `/connexion?suite=${encodeURIComponent(path + location.search)}`} />;
  if (path === "/" || path === "/espace") return <Redirect to={homeOf(session.pool)} />;
  // Affaire emails of earlier versions linked here: they still open the affaires.
  if (path === "/espace-apporteur") return <Redirect to="/espace/affaires" />;

  // A space is its prefix as a whole segment: "/espace-apporteur" is not in "/espace".
  const space = SPACES.find((sp) => path === sp.prefix || path.startsWith(`${sp.prefix}/`));
  if (space) {
    if (session.pool !== space.pool) return <Redirect to={homeOf(session.pool)} />;
    const r = find(space.routes, path);
    return (
      <Layout
        nav={space.nav}
        path={path}
        space={space.name}
        search={space.pool === "mia" ? <SearchBox /> : undefined}
        banner={space.pool === "apporteur" ? <MandataireBar /> : undefined}
      >
        {r ? <r.page params={r.params} query={query} /> : <NotFound home={homeOf(space.pool)} />}
      </Layout>
    );
  }
  return <Redirect to={homeOf(session.pool)} />;
}

api.onSessionEnd = () => {
  const here = location.pathname + location.search;
  if (!here.startsWith("/connexion") && !here.startsWith("/activation")) {
    navigate(`/connexion?expiree=1&suite=${encodeURIComponent(here)}`, { replace: true });
  }
};

render(<App />, document.getElementById("app")!);
