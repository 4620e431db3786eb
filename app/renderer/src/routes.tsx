import type { ComponentType } from 'react';
import { PAGE_ACCESS, type PageAccess } from './auth/auth-model.ts';
import { AnimalPage } from './pages/AnimalPage.tsx';
import { AlertsPage } from './pages/AlertsPage.tsx';
import { AnimalsPage } from './pages/AnimalsPage.tsx';
import { ApiTokensPage } from './pages/ApiTokensPage.tsx';
import { HerdPage } from './pages/HerdPage.tsx';
import { NodesPage } from './pages/NodesPage.tsx';
import { ReportsPage } from './pages/ReportsPage.tsx';
import { SecurityLogPage } from './pages/SecurityLogPage.tsx';
import { SettingsPage } from './pages/SettingsPage.tsx';
import { StatisticsPage } from './pages/StatisticsPage.tsx';
import { UsersPage } from './pages/UsersPage.tsx';

export interface PageRoute extends PageAccess {
  component: ComponentType;
}

const COMPONENTS: Record<string, ComponentType> = {
  herd: HerdPage,
  animal: AnimalPage,
  alerts: AlertsPage,
  statistics: StatisticsPage,
  reports: ReportsPage,
  nodes: NodesPage,
  animals: AnimalsPage,
  settings: SettingsPage,
  users: UsersPage,
  'api-tokens': ApiTokensPage,
  'security-log': SecurityLogPage,
};

// Adding a page is a line in PAGE_ACCESS (its path, label and roles) and one here; the navbar and the router both read this list.
export const ROUTES: readonly PageRoute[] = PAGE_ACCESS.map((page) => {
  const component = COMPONENTS[page.path];
  if (!component) throw new Error(`no component for the page "${page.path}"`);
  return { ...page, component };
});
