import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../app";
import { navigate } from "../lib/router";
import { Link } from "./elements";

export interface NavItem {
  href: string;
  label: string;
}

export const MIA_NAV: NavItem[] = [
  { href: "/mia", label: "Accueil" },
  { href: "/mia/taches", label: "Tâches" },
  { href: "/mia/apporteurs", label: "Apporteurs d'affaires" },
  { href: "/mia/contacts", label: "Contacts" },
  { href: "/mia/entreprises", label: "Entreprises" },
  { href: "/mia/affaires", label: "Affaires" },
  { href: "/mia/imports", label: "Imports" },
  { href: "/mia/commissions", label: "Commissions" },
  { href: "/mia/rgpd", label: "RGPD" },
  { href: "/mia/parametres", label: "Paramètres" },
];

export const APPORTEUR_NAV: NavItem[] = [
  { href: "/espace/contacts", label: "Mes contacts" },
  { href: "/espace/taches", label: "Tâches" },
  { href: "/espace/affaires", label: "Mes affaires" },
  { href: "/espace/commissions", label: "Mes commissions" },
  { href: "/espace/releves", label: "Mes relevés" },
  { href: "/espace/mandataires", label: "Mandataires" },
  { href: "/espace/profil", label: "Mon profil" },
];

function Logo() {
  return (
    <span class="logo">
      <svg viewBox="0 0 32 32" width="30" height="30" aria-hidden="true">
        <rect width="32" height="32" rx="7" fill="#14234b" />
        <path d="M9 24 16 8l7 16h-4l-3-7.5L13 24z" fill="#f28c28" />
      </svg>
      <span class="logo-text">
        MyCRM <span class="logo-sub">Assentis</span>
      </span>
    </span>
  );
}

/** The centred card of the pages before the session: connexion and activation. */
export function AuthCard({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <div class="auth-page">
      <div class="auth-card">
        <div class="auth-logo">
          <Logo />
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </div>
  );
}

export function Layout({
  nav,
  path,
  children,
  space,
  search,
  banner,
}: {
  nav: NavItem[];
  path: string;
  children: ComponentChildren;
  space: string;
  /** The header's search box (the MIA's space). */
  search?: ComponentChildren;
  /** Shown above every page of the space (the espace apporteur's current MIA). */
  banner?: ComponentChildren;
}) {
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  useEffect(() => setOpen(false), [path]);
  // Escape closes the phone menu and gives the focus back to its button.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        toggle.current?.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);
  const session = api.session;
  const isActive = (href: string) => (href === "/mia" ? path === "/mia" : path === href || path.startsWith(href + "/"));
  return (
    <div class="shell">
      <a class="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <header class="topbar">
        <Link href={nav[0].href} class="brand">
          <Logo />
        </Link>
        <span class="space-name">{space}</span>
        {search}
        <button
          type="button"
          class="menu-toggle"
          ref={toggle}
          aria-expanded={open}
          aria-controls="menu-principal"
          onClick={() => setOpen(!open)}
        >
          <span class="burger" aria-hidden="true" />
          Menu
        </button>
        <nav id="menu-principal" class={`mainnav${open ? " open" : ""}`} aria-label="Menu principal">
          <ul>
            {nav.map((n) => (
              <li>
                <Link href={n.href} aria-current={isActive(n.href) ? "page" : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
          <div class="user">
            <span class="user-email" title={session?.email}>
              {session?.email}
            </span>
            <button
              type="button"
              class="btn btn-ghost"
              onClick={() => {
                api.logout();
                navigate("/connexion");
              }}
            >
              Se déconnecter
            </button>
          </div>
        </nav>
      </header>
      <main id="contenu" class="content">
        {banner}
        {children}
      </main>
      <footer class="footer">Assentis — réseau d'intermédiaires en assurance</footer>
    </div>
  );
}
