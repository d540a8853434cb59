/**
 * The boot script: a couple of KB the page runs first, inline in index.html while it is parsed
 * (web/boot-script.ts; the CSP allows it by its hash), while the console's modules are still on
 * their way. For a user signed in already who opens the task
 * board (a field team reopening the console), it starts the board's first read at once; the
 * API client takes that response instead of asking again (app/early.ts). It needs the API's
 * address without a round trip, as auth.ts finds it (the page's copy of the configuration, else
 * the one kept from the last start); without one, or coming back from Cognito, it does nothing.
 */
import { storedSession } from './app/claims.ts';
import { CONFIG_STORAGE_KEY, firstPage, inlineConfig, startEarlyRead } from './app/early.ts';
import { defaultCountry, TASK_BOARD_ROLES, tasksPath } from './views/tasks/paths.ts';

function apiBase(): string | undefined {
  try {
    const config = JSON.parse(inlineConfig() ?? localStorage.getItem(CONFIG_STORAGE_KEY) ?? 'null') as { mode?: unknown; apiUrl?: unknown } | null;
    if (config?.mode !== 'local' && config?.mode !== 'cognito') return undefined;
    if (typeof config.apiUrl === 'string') return config.apiUrl.replace(/\/+$/, '');
    return config.mode === 'local' ? '' : undefined;
  } catch {
    return undefined;
  }
}

function boot(): void {
  const query = new URLSearchParams(location.search);
  if (query.has('code') || query.has('error')) return;
  const route = location.hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  const session = storedSession();
  if (route !== 'tasks' || !session || !TASK_BOARD_ROLES.includes(session.role)) return;
  const base = apiBase();
  if (base === undefined) return;
  startEarlyRead(`${base}${firstPage(tasksPath(session, defaultCountry(session)))}`, session.token);
}

boot();
