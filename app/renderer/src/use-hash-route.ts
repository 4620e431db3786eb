import { useSyncExternalStore } from 'react';

// Hash routes (#/herd) need nothing from the server and work the same in the Electron window
// and in a remote browser, whatever path the page was loaded from.

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function currentPath(): string {
  return window.location.hash.replace(/^#\/?/, '').split(/[?/]/)[0] ?? '';
}

/** The current route's first path segment, e.g. "herd" for `#/herd`; "" when there is no hash. */
export function useHashRoute(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

export function routeHref(path: string): string {
  return `#/${path}`;
}
