import type { ComponentType } from 'react';
import { HerdPage } from './pages/HerdPage.tsx';

export interface PageRoute {
  /** The part after `#/`; the first route is the start page. */
  path: string;
  label: string;
  component: ComponentType;
}

// Adding a page is adding a line here; the navbar and the router both read this list.
export const ROUTES: readonly [PageRoute, ...PageRoute[]] = [{ path: 'herd', label: 'Herd', component: HerdPage }];
