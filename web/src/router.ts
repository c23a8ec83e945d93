import { useEffect, useState } from 'react';

/** A hash router is all the SPA needs: FastAPI serves one index.html at "/", and "#/jobs" never
 *  reaches the server, so no catch-all route is required there. */
export function currentPath(): string {
  const path = window.location.hash.replace(/^#/, '');
  return path.startsWith('/') ? path : '/';
}

export function useHashPath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const onChange = () => setPath(currentPath());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return path;
}
