// The two shapes of page: a list (header, toolbar, paginated items) and a detail (header over
// one entity read from the API, loading and failure handled once).
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { AsyncState } from "../hooks/useAsync";
import type { PagedState } from "../hooks/usePaged";
import { ButtonLink, Link } from "./elements";
import { ErrorBox, Loading, Notice } from "./feedback";
import { PagedList } from "./lists";

export function PageHeader({ title, actions, children }: { title: string; actions?: ComponentChildren; children?: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  // Focus the page title after each navigation, so screen readers hear where they are.
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
    document.title = `${title} — MyCRM`;
  }, [title]);
  return (
    <div class="page-header">
      <div>
        <h1 tabIndex={-1} ref={ref}>
          {title}
        </h1>
        {children}
      </div>
      {actions && <div class="page-actions">{actions}</div>}
    </div>
  );
}

/** "Contacts › fiche contact": the way back to the list a detail page belongs to. */
export function Breadcrumb({ href, label, children }: { href: string; label: string; children: ComponentChildren }) {
  return (
    <>
      <Link href={href}>{label}</Link> › {children}
    </>
  );
}

/** The success message of a page, in a live region that is there before it. */
function NoticeZone({ notice }: { notice?: ComponentChildren }) {
  return <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>;
}

/**
 * A list page: its title and lead, the "Nouveau …" button, a toolbar (search, filters, tabs),
 * a notice, then the paginated items drawn by children. `panel` wraps the items (a tab panel).
 */
export function ListPage<T>({
  title,
  lead,
  create,
  toolbar,
  notice,
  list,
  empty,
  panel,
  children,
}: {
  title: string;
  lead?: ComponentChildren;
  create?: { href: string; label: string };
  toolbar?: ComponentChildren;
  notice?: ComponentChildren;
  list: PagedState<T>;
  empty: ComponentChildren;
  panel?: JSX.HTMLAttributes<HTMLDivElement>;
  children: (items: T[]) => ComponentChildren;
}) {
  const items = (
    <PagedList list={list} empty={empty}>
      {children}
    </PagedList>
  );
  return (
    <>
      <PageHeader title={title} actions={create && <ButtonLink href={create.href}>{create.label}</ButtonLink>}>
        {lead && <p class="lead">{lead}</p>}
      </PageHeader>
      {toolbar}
      {notice && <Notice>{notice}</Notice>}
      {panel ? <div {...panel}>{items}</div> : items}
    </>
  );
}

type Of<D, X> = X | ((d: D) => X);
const of = <D, X>(v: Of<D, X>, d: D): X => (typeof v === "function" ? (v as (d: D) => X)(d) : v);

/**
 * A detail page over what `state` reads: a spinner until it is there, its error with
 * "Réessayer", then the header (title, lead, actions), the page's notice and error, and the
 * body drawn by children. A title that does not depend on the data shows while loading.
 */
export function DetailPage<D>({
  state,
  title,
  lead,
  actions,
  notice,
  error,
  children,
}: {
  state: AsyncState<D>;
  title: Of<D, string>;
  lead?: Of<D, ComponentChildren>;
  actions?: Of<D, ComponentChildren>;
  notice?: ComponentChildren;
  /** An action of the page that failed. */
  error?: Error;
  children: (d: D) => ComponentChildren;
}) {
  const d = state.data;
  if (d === undefined) {
    const pending = state.error ? <ErrorBox error={state.error} onRetry={state.reload} /> : <Loading />;
    return typeof title === "string" ? (
      <>
        <PageHeader title={title} />
        {pending}
      </>
    ) : (
      pending
    );
  }
  if (state.error) return <ErrorBox error={state.error} onRetry={state.reload} />;
  const l = lead && of(lead, d);
  return (
    <>
      <PageHeader title={of(title, d)} actions={actions && of(actions, d)}>
        {l && <p class="lead">{l}</p>}
      </PageHeader>
      <NoticeZone notice={notice} />
      <ErrorBox error={error} />
      {children(d)}
    </>
  );
}
