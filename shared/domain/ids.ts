import { monotonicFactory } from 'ulidx';

/**
 * New resource and entry ids: ULIDs, monotonic within a process so that entries written in the
 * same millisecond (history, progress, events) still sort in the order they were made.
 */
export const newId: () => string = monotonicFactory();
