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

function currentParam(): string {
  return window.location.hash.replace(/^#\/?/, '').split('?')[0]?.split('/')[1] ?? '';
}

/** The segment after the first, e.g. "42" for `#/animal/42`; "" when there is none. */
export function useHashRouteParam(): string {
  return useSyncExternalStore(subscribe, currentParam);
}

export function routeHref(path: string): string {
  return `#/${path}`;
}
