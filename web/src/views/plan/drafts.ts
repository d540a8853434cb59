/**
 * Forms being filled in, kept on the device until they are sent: a polygon drawn on a laptop
 * with a poor connection survives a reload, a closed tab or a crash. One draft per user and
 * form; cleared when the change is sent or queued (the offline queue then keeps it, sealed).
 * Hazard-area and report drafts hold no personal data.
 */
import { currentSession } from '../../app/session.ts';

const keyOf = (form: string): string | undefined => {
  const sub = currentSession()?.sub;
  return sub === undefined ? undefined : `clearway.draft.${sub}.${form}`;
};

export function loadDraft<T>(form: string): T | undefined {
  const key = keyOf(form);
  if (!key) return undefined;
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as { value: T }).value : undefined;
  } catch {
    return undefined;
  }
}

export function saveDraft<T>(form: string, value: T): void {
  const key = keyOf(form);
  if (!key) return;
  try {
    localStorage.setItem(key, JSON.stringify({ at: new Date().toISOString(), value }));
  } catch {
    // storage full or unavailable: the form still works, it just does not survive a reload
  }
}

export function clearDraft(form: string): void {
  const key = keyOf(form);
  if (!key) return;
  try {
    localStorage.removeItem(key);
  } catch {
    // nothing to clear
  }
}
