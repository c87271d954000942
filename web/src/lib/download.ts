// Files the API answers, saved by the browser: CSV exports in chunks, RGPD exports.
import { api } from "../app";

/** Saves a blob under a file name, as a download. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Downloads an export: the API answers chunks of at most 1000 rows (a Lambda answers at most
 * 6 MB) and the next one's cursor in X-Curseur-Suivant; the chunks are joined in order (only
 * the first holds the BOM and the header row). onRows tells the rows so far.
 */
export async function downloadExport(path: string, filename: string, onChunk?: (n: number) => void): Promise<number> {
  const parts: Blob[] = [];
  let cursor = "";
  for (let n = 1; ; n++) {
    const sep = path.includes("?") ? "&" : "?";
    const { blob, headers } = await api.file(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path, "text/csv");
    parts.push(blob);
    onChunk?.(n);
    cursor = headers.get("X-Curseur-Suivant") ?? "";
    if (!cursor) {
      saveBlob(new Blob(parts, { type: "text/csv;charset=utf-8" }), filename);
      return n;
    }
  }
}

/** Downloads a file answered whole (a PDF, a JSON document). */
export async function downloadFile(path: string, accept: string, filename: string): Promise<void> {
  const { blob } = await api.file(path, accept);
  saveBlob(blob, filename);
}
