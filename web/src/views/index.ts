/**
 * The views and who may use them. Each view is loaded on first use (its own chunk), so the
 * first load carries only the shell and the view the user opens. Routes are hash routes:
 * `#/<path>/<rest...>`; the view receives the segments after its path as `route`.
 */
import type { ComponentType } from 'preact';
import type { CommonKey } from '../app/messages.ts';
import type { Role } from '../app/session.ts';

export interface ViewProps {
  route: string[];
}

export interface ViewEntry {
  /** First segment of the hash route. */
  path: string;
  /** Its label in the navigation (a key of commonMessages). */
  nav: CommonKey;
  /** Roles that see it in the navigation and may open it. */
  roles: readonly Role[];
  load: () => Promise<ComponentType<ViewProps>>;
}

export const views: readonly ViewEntry[] = [
  { path: 'tasks', nav: 'nav.tasks', roles: ['deminer', 'operations', 'admin'], load: () => import('./tasks/TaskBoard.tsx').then((m) => m.TaskBoard) },
  { path: 'qa', nav: 'nav.qa', roles: ['qa', 'operations', 'admin'], load: () => import('./qa/QaView.tsx').then((m) => m.QaView) },
  { path: 'households', nav: 'nav.households', roles: ['relief', 'ministry', 'admin'], load: () => import('./households/HouseholdsView.tsx').then((m) => m.HouseholdsView) },
  { path: 'import', nav: 'nav.import', roles: ['relief', 'admin'], load: () => import('./imports/ImportView.tsx').then((m) => m.ImportView) },
  { path: 'dashboard', nav: 'nav.dashboard', roles: ['ministry', 'observer', 'admin'], load: () => import('./dashboard/Dashboard.tsx').then((m) => m.Dashboard) },
  { path: 'map', nav: 'nav.map', roles: ['deminer', 'operations', 'qa', 'relief', 'ministry', 'observer', 'admin'], load: () => import('./map/MapView.tsx').then((m) => m.MapView) },
];

/** The views a role may use, in navigation order. */
export const viewsFor = (role: Role): ViewEntry[] => views.filter((v) => v.roles.includes(role));

/** Where a role lands after signing in. */
export function homeOf(role: Role): string {
  return viewsFor(role)[0]?.path ?? 'map';
}
