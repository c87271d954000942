import { useRef } from "preact/hooks";

let uid = 0;

/** An id unique in the page and stable across renders, to tie a label to its input. */
export function useId(prefix = "f"): string {
  const r = useRef<string>();
  if (!r.current) r.current = `${prefix}-${++uid}`;
  return r.current;
}
