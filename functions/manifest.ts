import { clearedAreasFunction } from './cleared-areas/manifest.ts';
import { householdsFunction } from './households/manifest.ts';
import { importSetupFunction } from './import-setup/manifest.ts';
import { metaFunction } from './meta/manifest.ts';
import { notificationsFunction } from './notifications/manifest.ts';
import { tasksFunction } from './tasks/manifest.ts';

/**
 * Every API-facing function and the paths it owns; the CDK stack and the local server both route from this list.
 * `import-setup` comes before `households`: its form path lies under the households' `/v1/household-imports`, and the local server takes the first match.
 */
export const apiFunctions = [metaFunction, tasksFunction, clearedAreasFunction, notificationsFunction, importSetupFunction, householdsFunction] as const;
export type ApiFunctionName = (typeof apiFunctions)[number]['name'];
