/**
 * Key builders for stored events (the transactional outbox). Pure; unit-tested in `test/unit/domain.test.ts`.
 *
 * Each event is one item, found by the stream publisher through `entity = OutboxEvent` and by a
 * ministry's feed through an index per country. With two audiences there are two feed indexes:
 * Cambodia's feed is on gsi2 and Thailand's on gsi3, so an event for both sits in both feeds.
 */
import type { Country } from '../../domain/common.ts';

/** An event by id. pk = EVENT#<id>, sk = EVENT */
export const eventKey = (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'EVENT' });

/** Which index holds a country's feed. */
export const FEED_INDEX: Readonly<Record<Country, { index: string; pk: string; sk: string }>> = {
  KH: { index: 'gsi2', pk: 'gsi2pk', sk: 'gsi2sk' },
  TH: { index: 'gsi3', pk: 'gsi3pk', sk: 'gsi3sk' },
};

/** The feed partition of a country: its events in id (= time) order. gsiNpk = FEED#<country>, gsiNsk = EVENT#<eventId> */
export const feedKeys = (audience: readonly Country[], eventId: string): Record<string, string> =>
  Object.fromEntries(
    audience.flatMap((country) => [
      [FEED_INDEX[country].pk, `FEED#${country}`],
      [FEED_INDEX[country].sk, `EVENT#${eventId}`],
    ]),
  );
