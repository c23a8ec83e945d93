import { useEffect, useState } from 'react';

/** A hash router is all the SPA needs: FastAPI serves one index.html at "/", and "#/jobs" never
 *  reaches the server, so no catch-all route is required there. A page may carry a query after its
 *  path ("#/lab?run=run-…"): the path picks the page, the query is the page's own state. */
export function currentPath(): string {
  const path = window.location.hash.replace(/^#/, '').split('?')[0];
  return path.startsWith('/') ? path : '/';
}

/** The query part of the hash ("#/lab?run=x" → run=x). */
export function currentQuery(): URLSearchParams {
  const hash = window.location.hash;
  const at = hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
}

/** A hash link to `path` with `query` (empty values left out). */
export function hashLink(path: string, query: Record<string, string | number | null | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

function useHash<T>(read: () => T): T {
  const [value, setValue] = useState(read);
  useEffect(() => {
    const onChange = () => setValue(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, [read]);
  return value;
}

export const useHashPath = (): string => useHash(currentPath);

/** The hash's query as a string (stable for effects' dependency lists); parse with URLSearchParams. */
export const useHashQuery = (): string => useHash(readQuery);
function readQuery(): string {
  return currentQuery().toString();
}
