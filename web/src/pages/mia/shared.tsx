import { api } from "../../app";
import type { Page } from "../../lib/api";
import { type Produit, produitKey } from "../../lib/model";
import { useAsync } from "../../components/ui";

let produitsCache: Promise<Produit[]> | undefined;

/** The catalogue, loaded once per page life. */
export function loadProduits(): Promise<Produit[]> {
  if (!produitsCache) {
    produitsCache = api.get<Page<Produit> | Produit[]>("/produits?limit=200").then((r) =>
      Array.isArray(r.data) ? r.data : r.data.items ?? [],
    );
    produitsCache.catch(() => (produitsCache = undefined));
  }
  return produitsCache;
}

export function useProduits() {
  const s = useAsync(() => loadProduits(), []);
  const byId = new Map((s.data ?? []).map((p) => [produitKey(p), p] as [string, Produit]));
  return { list: s.data ?? [], byId, error: s.error, loading: s.loading };
}
