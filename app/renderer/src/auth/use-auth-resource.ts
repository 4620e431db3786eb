import { useCallback, useEffect, useState } from 'react';
import { authErrorMessage } from './auth-api.ts';

export interface AuthResource<T> {
  data?: T;
  /** In words, for the page. */
  error?: string;
  loading: boolean;
  reload(): void;
}

/** Loads one owner-only list from /auth and loads it again on `reload()` (after a change the page made). */
export function useAuthResource<T>(load: () => Promise<T>): AuthResource<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => current && setState({ data, loading: false }),
      (err: unknown) => current && setState((s) => ({ ...s, error: authErrorMessage(err), loading: false })),
    );
    return () => {
      current = false;
    };
    // `load` is a module-level function on every page that uses this.
  }, [version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { ...state, reload };
}
