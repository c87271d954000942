// Small pieces of every page: links, badges, pictograms.
import type { ComponentChildren, JSX } from "preact";
import { onLinkClick } from "../lib/router";

/** A link the client router follows without reloading the page. */
export function Link(props: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return <a {...props} onClick={onLinkClick as any} />;
}

/** A link styled as a button. */
export function ButtonLink({ href, children }: { href: string; children: ComponentChildren }) {
  return (
    <Link href={href} class="btn btn-primary">
      {children}
    </Link>
  );
}

/** A statut as a coloured label; `value` picks the colour (badge-<value>). */
export function Badge({ value, text }: { value?: string; text: string }) {
  return <span class={`badge badge-${value ?? "neutre"}`}>{text}</span>;
}

/** The orange edit pictogram. */
export function EditIcon() {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M3 17.25V21h3.75L17.81 9.94l-3.75-3.75L3 17.25zm17.71-10.21a1 1 0 0 0 0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75 1.83-1.83z"
      />
    </svg>
  );
}
