import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../app";
import type { Page } from "../lib/api";

export interface PagedState<T> {
  items: T[];
  loading: boolean;
  error?: Error;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

/** A paginated list: first page on deps change, "Charger plus" follows nextCursor. */
export function usePaged<T>(path: (cursor?: string) => string, deps: unknown[]): PagedState<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | undefined>();
  const gen = useRef(0);

  const load = async (c: string | undefined, g: number) => {
    setLoading(true);
    setError(undefined);
    try {
      const r = await api.get<Page<T>>(path(c));
      if (g !== gen.current) return;
      setItems((prev) => (c ? [...prev, ...(r.data.items ?? [])] : r.data.items ?? []));
      setCursor(r.data.nextCursor || undefined);
    } catch (e) {
      if (g === gen.current) setError(e as Error);
    } finally {
      if (g === gen.current) setLoading(false);
    }
  };

  useEffect(() => {
    const g = ++gen.current;
    setItems([]);
    setCursor(undefined);
    load(undefined, g);
  }, deps);

  return { items, loading, error, hasMore: !!cursor, loadMore: () => load(cursor, gen.current), reload: () => load(undefined, ++gen.current) };
}
