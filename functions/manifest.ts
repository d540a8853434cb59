import { assistanceFunction } from './assistance/manifest.ts';
import { clearedAreasFunction } from './cleared-areas/manifest.ts';
import { duplicateReviewsFunction } from './duplicate-reviews/manifest.ts';
import { householdMembersFunction } from './household-members/manifest.ts';
import { householdsFunction } from './households/manifest.ts';
import { importSetupFunction } from './import-setup/manifest.ts';
import { metaFunction } from './meta/manifest.ts';
import { mineActionFunction } from './mine-action/manifest.ts';
import { notificationsFunction } from './notifications/manifest.ts';
import { placesFunction } from './places/manifest.ts';
import { reportsFunction } from './reports/manifest.ts';
import { sitesFunction } from './sites/manifest.ts';
import { tasksFunction } from './tasks/manifest.ts';

/**
 * Every API-facing function and the paths it owns; the CDK stack and the local server both route from this list.
 * `import-setup` comes before `households`: its form path lies under the households' `/v1/household-imports`, and the local server takes the first match.
 */
export const apiFunctions = [
  metaFunction,
  tasksFunction,
  clearedAreasFunction,
  notificationsFunction,
  importSetupFunction,
  householdsFunction,
  reportsFunction,
  mineActionFunction,
  assistanceFunction,
  householdMembersFunction,
  duplicateReviewsFunction,
  sitesFunction,
  placesFunction,
] as const;
export type ApiFunctionName = (typeof apiFunctions)[number]['name'];

/**
 * Paths a function owns below another function's base path (`/v1/households/{id}/assistance` under
 * `/v1/households`), with everything below them: the more specific path wins, in the CDK stack and
 * the local server alike. Each starts with a base path, then one path variable, then literals.
 */
export const subPathsOf = (fn: (typeof apiFunctions)[number]): readonly string[] => ('subPaths' in fn ? fn.subPaths : []);
