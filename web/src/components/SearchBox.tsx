// The header's search across everything: contacts, entreprises (also by SIREN), affaires
// (by client or produit) and apporteurs (by name, email, telephone or localisation), by the start of any word, results grouped by kind as you type.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../app";
import type { Recherche, ResultatRecherche } from "../generated/openapi";
import { label, STATUT_AFFAIRE } from "../lib/format";
import { navigate } from "../lib/router";
import { Link } from "./elements";

type Group = "contacts" | "entreprises" | "affaires" | "apporteurs";
// all: the list that holds every result (its own ?q= search), when there is one.
// more: what the group says when it found more than it shows.
const GROUPS: { key: Group; title: string; href: (id: string) => string; more: string; all?: (q: string) => string }[] = [
  { key: "contacts", title: "Contacts", href: (id) => `/mia/contacts/${id}`, more: "Voir tous les contacts", all: (q) => `/mia/contacts?q=${encodeURIComponent(q)}` },
  {
    key: "entreprises",
    title: "Entreprises",
    href: (id) => `/mia/entreprises/${id}`,
    more: "Voir toutes les entreprises",
    all: (q) => `/mia/entreprises?q=${encodeURIComponent(q)}`,
  },
  { key: "affaires", title: "Affaires", href: (id) => `/mia/affaires/${id}`, more: "D'autres affaires correspondent : précisez la recherche." },
  // The apporteurs' list has no ?q= search: no "see all" link.
  {
    key: "apporteurs",
    title: "Apporteurs",
    href: (id) => `/mia/apporteurs/${id}`,
    more: "D'autres apporteurs correspondent : précisez la recherche.",
  },
];

export function SearchBox() {
  const [q, setQ] = useState("");
  const [res, setRes] = useState<Recherche>();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  // As you type, 150 ms after the last key; a newer query aborts the older one.
  useEffect(() => {
    const text = q.trim();
    if (!text) {
      setRes(undefined);
      return;
    }
    const ctl = new AbortController();
    const t = setTimeout(() => {
      api
        .get<Recherche>(`/recherche?q=${encodeURIComponent(text.slice(0, 100))}`, ctl.signal)
        .then((r) => {
          setRes(r.data);
          setError(false);
          setOpen(true);
        })
        .catch((e) => {
          if ((e as Error)?.name !== "AbortError") setError(true);
        });
    }, 150);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [q]);

  // A click elsewhere closes the results.
  useEffect(() => {
    const onDoc = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("click", onDoc);
    return () => document.removeEventListener("click", onDoc);
  }, []);

  // The keyboard, as in a combobox: the arrows go from the box through the results and back,
  // Enter opens the focused result (a link), Escape closes them and returns to the box.
  const input = useRef<HTMLInputElement>(null);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      input.current?.focus(); // its onFocus reopens the results: close them after
      setOpen(false);
      return;
    }
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const links = [...(box.current?.querySelectorAll<HTMLAnchorElement>("#recherche-resultats a") ?? [])];
    if (links.length === 0) {
      if (res && q.trim()) setOpen(true);
      return;
    }
    e.preventDefault();
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    const next = e.key === "ArrowDown" ? Math.min(at + 1, links.length - 1) : at - 1;
    if (next < 0) input.current?.focus();
    else links[next].focus();
  };

  const total = res ? GROUPS.reduce((n, g) => n + res[g.key].length, 0) : 0;
  const first = res && GROUPS.map((g) => ({ g, r: res[g.key][0] as ResultatRecherche | undefined })).find((x) => x.r);
  return (
    <div class="searchbox" ref={box} onKeyDown={onKeyDown}>
      <form
        role="search"
        aria-label="Recherche dans tout MyCRM"
        onSubmit={(e) => {
          e.preventDefault();
          if (first?.r) {
            setOpen(false);
            navigate(first.g.href(first.r.id));
          }
        }}
      >
        <label for="recherche-globale" class="sr-only">
          Rechercher un contact, une entreprise, une affaire, un apporteur
        </label>
        <input
          id="recherche-globale"
          ref={input}
          type="search"
          autoComplete="off"
          placeholder="Rechercher…"
          value={q}
          role="combobox"
          aria-autocomplete="list"
          aria-controls={open && res && q.trim() ? "recherche-resultats" : undefined}
          aria-expanded={!!(open && res && q.trim())}
          onInput={(e) => setQ(e.currentTarget.value)}
          onFocus={() => res && setOpen(true)}
        />
      </form>
      <p class="sr-only" role="status" aria-live="polite">
        {error ? "La recherche a échoué." : res && q.trim() ? `${total} résultat${total > 1 ? "s" : ""}` : ""}
      </p>
      {open && res && q.trim() && (
        <div id="recherche-resultats" class="search-results">
          {total === 0 && <p class="search-empty">Aucun résultat pour « {q.trim()} ».</p>}
          {GROUPS.filter((g) => res[g.key].length > 0).map((g) => (
            <section aria-label={g.title}>
              <h2 class="search-group">{g.title}</h2>
              <ul>
                {res[g.key].map((r) => (
                  <li onClick={() => (setOpen(false), setQ(""))}>
                    <Link href={g.href(r.id)}>
                      <span class="search-label">{r.libelle}</span>
                      {r.detail && (
                        <span class="search-detail">{g.key === "affaires" ? label(STATUT_AFFAIRE, r.detail as keyof typeof STATUT_AFFAIRE) : r.detail}</span>
                      )}
                    </Link>
                  </li>
                ))}
                {res.plus.includes(g.key) && (
                  <li class="search-more" onClick={() => (setOpen(false), setQ(""))}>
                    {g.all ? (
                      <Link href={g.all(q.trim())}>
                        {g.more} pour « {q.trim()} »
                      </Link>
                    ) : (
                      <span>{g.more}</span>
                    )}
                  </li>
                )}
              </ul>
            </section>
          ))}
        </div>
      )}
    </div>
  );
}
