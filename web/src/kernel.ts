/**
 * The console's shared base, loaded as one file. web/build.ts injects this module into the
 * entry and into every view's chunk, so esbuild places everything it imports in the one chunk
 * every page loads first, instead of a file for each combination of views that uses a module
 * (esbuild splits by which entry points reach a module, and does not know that the entry is
 * always there before a view). A page then fetches a few larger files instead of many small
 * ones: fewer round trips, which on a phone's connection (and over HTTP/1.1's six connections
 * per host) cost more than the bytes.
 *
 * In it: what the entry imports anyway (the offline queue, the task board's early read), and
 * the task board's data module that the QA view and the map use too, and the ordnance categories
 * that the board's progress form and the dashboard share (else a chunk of their own, one more request). The task lifecycle and the
 * ordnance categories it needs come from modules without zod (shared/domain/task-lifecycle.ts,
 * ordnance-categories.ts): the board's first render builds no zod schema.
 */
import './app/offline.ts';
import './views/tasks/prefetch.ts';
import './views/tasks/data.ts';
import '#shared/domain/ordnance-categories.ts';
