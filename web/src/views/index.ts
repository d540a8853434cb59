/**
 * The views and who may use them. Each view is loaded on first use (its own chunk), so the
 * first load carries only the shell and the view the user opens. Routes are hash routes:
 * `#/<path>/<rest...>`; the view receives the segments after its path as `route`.
 */
import type { ComponentType } from 'preact';
import type { CommonKey } from '../app/messages.ts';
import type { Role, Session } from '../app/session.ts';
import { TASK_BOARD_ROLES } from './tasks/paths.ts';
import { prefetchTasks } from './tasks/prefetch.ts';

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
  /** Opened from another view (a task's completion report), not offered in the navigation. */
  hidden?: boolean;
  load: () => Promise<ComponentType<ViewProps>>;
  /** Starts the view's first read when the page opens on it, before its chunk has arrived; resolves (never rejects) when the read has settled. */
  prefetch?: (session: Session) => Promise<void>;
}

export const views: readonly ViewEntry[] = [
  { path: 'tasks', nav: 'nav.tasks', roles: TASK_BOARD_ROLES, load: () => import('./tasks/TaskBoard.tsx').then((m) => m.TaskBoard), prefetch: prefetchTasks },
  { path: 'areas', nav: 'nav.areas', roles: ['operations', 'admin'], load: () => import('./plan/AreasView.tsx').then((m) => m.AreasView) },
  { path: 'teams', nav: 'nav.teams', roles: ['operations', 'admin'], load: () => import('./plan/TeamsView.tsx').then((m) => m.TeamsView) },
  {
    path: 'report',
    nav: 'nav.report',
    roles: ['deminer', 'operations', 'admin'],
    hidden: true,
    load: () => import('./plan/ReportView.tsx').then((m) => m.ReportView),
  },
  { path: 'qa', nav: 'nav.qa', roles: ['qa', 'operations', 'admin'], load: () => import('./qa/QaView.tsx').then((m) => m.QaView) },
  {
    path: 'households',
    nav: 'nav.households',
    roles: ['relief', 'ministry', 'admin'],
    load: () => import('./households/HouseholdsView.tsx').then((m) => m.HouseholdsView),
  },
  { path: 'assistance', nav: 'nav.assistance', roles: ['relief'], load: () => import('./assistance/AssistanceView.tsx').then((m) => m.AssistanceView) },
  { path: 'import', nav: 'nav.import', roles: ['relief', 'admin'], load: () => import('./imports/ImportView.tsx').then((m) => m.ImportView) },
  { path: 'observe', nav: 'nav.observe', roles: ['observer', 'admin'], load: () => import('./observe/ObserveView.tsx').then((m) => m.ObserveView) },
  {
    path: 'duplicates',
    nav: 'nav.duplicates',
    roles: ['ministry', 'admin'],
    load: () => import('./duplicates/DuplicateReviewsView.tsx').then((m) => m.DuplicateReviewsView),
  },
  {
    path: 'dashboard',
    nav: 'nav.dashboard',
    roles: ['ministry', 'observer', 'admin'],
    load: () => import('./dashboard/Dashboard.tsx').then((m) => m.Dashboard),
  },
  {
    path: 'monthly',
    nav: 'nav.monthly',
    roles: ['operations', 'qa', 'ministry', 'observer', 'relief', 'admin'],
    load: () => import('./monthly/MonthlyReport.tsx').then((m) => m.MonthlyReport),
  },
  {
    path: 'accidents',
    nav: 'nav.accidents',
    roles: ['operations', 'qa', 'ministry', 'observer', 'admin'],
    load: () => import('./mine-action/AccidentsView.tsx').then((m) => m.AccidentsView),
  },
  {
    path: 'priorities',
    nav: 'nav.priorities',
    roles: ['operations', 'qa', 'ministry', 'observer', 'admin'],
    load: () => import('./mine-action/PrioritiesView.tsx').then((m) => m.PrioritiesView),
  },
  { path: 'eore', nav: 'nav.eore', roles: ['relief', 'operations', 'admin'], load: () => import('./mine-action/EoreView.tsx').then((m) => m.EoreView) },
  {
    path: 'map',
    nav: 'nav.map',
    roles: ['deminer', 'operations', 'qa', 'relief', 'ministry', 'observer', 'admin'],
    load: () => import('./map/MapView.tsx').then((m) => m.MapView),
  },
];

const loadedViews = new Map<string, ComponentType<ViewProps>>();

/** A view's component if its chunk has arrived already (the shell then shows it without a spinner). */
export const loadedView = (path: string | undefined): ComponentType<ViewProps> | undefined => (path ? loadedViews.get(path) : undefined);

/** A view's component, its chunk loaded on first use. */
export async function loadView(entry: ViewEntry): Promise<ComponentType<ViewProps>> {
  const known = loadedViews.get(entry.path);
  if (known) return known;
  const component = await entry.load();
  loadedViews.set(entry.path, component);
  return component;
}

/** How long the first render waits, once the view's chunk is there, for its first read still on its way. */
export const FIRST_READ_WAIT_MS = 250;

/**
 * What the page opens on, signed in already (a field team reopening the console): its first
 * read starts at once and its chunk loads at the same time, rather than one after the other
 * (the chunk, the view mounting, then its read). Resolves when the chunk is there, or failed,
 * and the read has settled or FIRST_READ_WAIT_MS have passed: the first render then shows the
 * view with its data rather than a spinner that gives way to it a moment later (a second
 * render); on a slow connection it shows the spinner after that short wait.
 */
export async function startView(route: readonly string[], session: Session | null): Promise<void> {
  const entry = views.find((v) => v.path === route[0]);
  if (!session || !entry?.roles.includes(session.role)) return;
  const read = entry.prefetch?.(session);
  await loadView(entry).catch(() => undefined); // the shell tries again and shows the failure
  if (read) await Promise.race([read, new Promise((resolve) => setTimeout(resolve, FIRST_READ_WAIT_MS))]);
}

/** The views a role may use, in navigation order. */
export const viewsFor = (role: Role): ViewEntry[] => views.filter((v) => v.roles.includes(role) && !v.hidden);

/** Where a role lands after signing in. */
export function homeOf(role: Role): string {
  return viewsFor(role)[0]?.path ?? 'map';
}
