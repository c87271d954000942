// What a page says about its state: loading, empty, failed, done.
import type { ComponentChildren } from "preact";
import { ApiError } from "../lib/problem";

/** A success message, announced politely. */
export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <div class="alert alert-success" role="status" aria-live="polite">
      {children}
    </div>
  );
}

export function Loading({ label = "Chargement…" }: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

/** A failed read or action: the problem's title and detail, and "Réessayer" when it can be retried. */
export function ErrorBox({ error, onRetry }: { error?: Error; onRetry?: () => void }) {
  if (!error) return null;
  const msg =
    error instanceof ApiError
      ? [error.problem.title, error.problem.detail].filter(Boolean).join(" — ")
      : error.message || "Une erreur inattendue est survenue.";
  return (
    <div class="alert alert-error" role="alert">
      {msg}{" "}
      {onRetry && (
        <button type="button" class="btn-link" onClick={onRetry}>
          Réessayer
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}
