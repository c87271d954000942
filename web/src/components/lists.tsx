// Lists of entities: the paginated list and the table that shows one entity per row.
import type { ComponentChildren } from "preact";
import type { PagedState } from "../hooks/usePaged";
import { Empty, ErrorBox, Loading } from "./feedback";

/**
 * What a paginated list shows: its error (with "Réessayer"), a spinner until the first page,
 * the empty message, the items (drawn by children), then "Charger plus".
 */
export function PagedList<T>({ list, empty, children }: { list: PagedState<T>; empty: ComponentChildren; children: (items: T[]) => ComponentChildren }) {
  return (
    <>
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.items.length === 0 && list.loading && <Loading />}
      {list.items.length === 0 && !list.loading && !list.error && <Empty>{empty}</Empty>}
      {list.items.length > 0 && children(list.items)}
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={list.loadMore} />
    </>
  );
}

function LoadMore({ hasMore, loading, onClick }: { hasMore: boolean; loading: boolean; onClick: () => void }) {
  if (!hasMore) return null;
  return (
    <div class="load-more">
      <button type="button" class="btn btn-secondary" onClick={onClick} disabled={loading}>
        {loading ? "Chargement…" : "Charger plus"}
      </button>
    </div>
  );
}

/** One column of a Table. */
export interface Column<T> {
  /** The header, and each cell's data-label (the phone layout writes it before the value). */
  label: string;
  cell: (item: T) => ComponentChildren;
  /** An amount: aligned right. */
  num?: boolean;
  /** A column of row actions: its header is for screen readers only, its cells have no label. */
  actions?: boolean;
}

/** A table of items, one per row; on a phone each row becomes a card of labelled values. */
export function Table<T>({
  label,
  columns,
  items,
  row,
}: {
  label?: string;
  columns: (Column<T> | false)[];
  items: T[];
  /** The data- attributes of each row, e.g. the id of its item. */
  row?: (item: T) => Record<`data-${string}`, string>;
}) {
  const cols = columns.filter((c): c is Column<T> => !!c);
  return (
    <table class="table" aria-label={label}>
      <thead>
        <tr>
          {cols.map((c) => (
            <th scope="col" class={c.num ? "num" : undefined}>
              {c.actions ? <span class="sr-only">{c.label}</span> : c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr {...row?.(item)}>
            {cols.map((c) =>
              c.actions ? (
                <td class="actions">{c.cell(item)}</td>
              ) : (
                <td data-label={c.label} class={c.num ? "num" : undefined}>
                  {c.cell(item)}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
