import { api } from "../../app";
import type { Produit } from "../../generated/openapi";
import { useAsync } from "../../hooks/useAsync";

let produitsCache: Promise<Produit[]> | undefined;

/** The catalogue, loaded once per page life. */
export function loadProduits(): Promise<Produit[]> {
  if (!produitsCache) {
    produitsCache = api.items<Produit>("/produits?limit=200");
    produitsCache.catch(() => (produitsCache = undefined));
  }
  return produitsCache;
}

export function useProduits() {
  const s = useAsync(() => loadProduits(), []);
  const byId = new Map((s.data ?? []).map((p) => [p.id, p]));
  return { list: s.data ?? [], byId, error: s.error };
}
