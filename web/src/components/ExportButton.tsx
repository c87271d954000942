import { useState } from "preact/hooks";
import { downloadExport } from "../lib/download";
import { ErrorBox } from "./feedback";

/** "Exporter (CSV)": the list with its current filters, as French Excel opens it. */
export function ExportButton({ path, filename, label = "Exporter (CSV)" }: { path: string; filename: string; label?: string }) {
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<Error>();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    setStatus("Export en cours…");
    try {
      const n = await downloadExport(path, filename, (k) => setStatus(`Export en cours… (${k} partie${k > 1 ? "s" : ""})`));
      setStatus(`Export prêt : ${filename}${n > 1 ? ` (${n} parties)` : ""}.`);
    } catch (e) {
      setError(e as Error);
      setStatus("");
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="export">
      <button type="button" class="btn btn-secondary" onClick={run} disabled={busy} data-export={filename}>
        {label}
      </button>
      <span class="export-status" role="status" aria-live="polite">
        {status}
      </span>
      <ErrorBox error={error} />
    </div>
  );
}
