import type { Api } from '#shared/http/api.ts';
import { householdChangeRoutes } from './changes.ts';
import { listingRoutes } from './listing.ts';
import { householdReadRoutes } from './reads.ts';
import { registrationRoutes } from './registration.ts';

export { accessEntry, erasedProblem, visibleHousehold } from './scope.ts';

/** The household routes, in the order they are matched and documented: registration, lists, one household, its changes. */
export function registerHouseholds(api: Api): void {
  registrationRoutes(api);
  listingRoutes(api);
  householdReadRoutes(api);
  householdChangeRoutes(api);
}
