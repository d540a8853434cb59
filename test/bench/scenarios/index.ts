import type { Scenario } from '../lib/scenario.ts';
import { coldStart } from './cold-start.ts';
import { fuzz } from './fuzz.ts';
import { householdImport } from './household-import.ts';
import { householdPages } from './household-pages.ts';
import { householdRegistration } from './household-registration.ts';
import { landReleaseAcceptance } from './land-release-acceptance.ts';
import { landReleaseStats } from './land-release-stats.ts';
import { notificationLatency } from './notification-latency.ts';
import { priorities } from './priorities.ts';
import { teamTasks } from './team-tasks.ts';
import { webBudget } from './web-budget.ts';

/** Every scenario `npm run bench` knows, in the order it runs them. Add new modules here. */
export const scenarios: readonly Scenario[] = [
  coldStart,
  teamTasks,
  landReleaseStats,
  landReleaseAcceptance,
  notificationLatency,
  householdPages,
  householdRegistration,
  priorities,
  householdImport,
  webBudget,
  fuzz,
];
