import { useEffect, useState } from "preact/hooks";
import type { ApiError } from "../lib/problem";

export interface AsyncState<T> {
  data?: T;
  error?: ApiError | Error;
  loading: boolean;
  reload: () => void;
  setData: (d: T) => void;
}

/** One asynchronous read, run again when deps change; an answer that arrives after a newer start is dropped. */
export function useAsync<T>(fn: (signal: AbortSignal) => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    fn(ctl.signal).then(
      (data) => !ctl.signal.aborted && setState({ data, loading: false }),
      (error) => !ctl.signal.aborted && error?.name !== "AbortError" && setState({ error, loading: false }),
    );
    return () => ctl.abort();
  }, [...deps, tick]);
  return {
    ...state,
    reload: () => setTick((t) => t + 1),
    setData: (data: T) => setState({ data, loading: false }),
  };
}
