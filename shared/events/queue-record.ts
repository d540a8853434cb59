import type { EventEnvelope } from './catalogue.ts';

/**
 * The envelope in the body of a queue record fed by a bus rule (an EventBridge event whose
 * `detail` is the envelope), when it has an id and a type; undefined for a body that is not
 * JSON or holds no such envelope. Consumers check the fields they rely on beyond those.
 */
export function envelopeOfQueueBody(body: string): (Partial<EventEnvelope> & { id: string; type: string }) | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const detail = (parsed as { detail?: unknown } | null)?.detail;
  if (typeof detail !== 'object' || detail === null) return undefined;
  const { id, type } = detail as Record<string, unknown>;
  if (typeof id !== 'string' || id === '' || typeof type !== 'string' || type === '') return undefined;
  return detail as Partial<EventEnvelope> & { id: string; type: string };
}
