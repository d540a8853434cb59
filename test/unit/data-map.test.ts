import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { DATA_MAP, dataMapMarkdown, NOT_PERSONAL } from '../../shared/domain/data-map.ts';
import { HouseholdTombstoneSchema } from '../../shared/domain/erasure.ts';
import { HouseholdCreate, HouseholdSummarySchema } from '../../shared/domain/household.ts';
import { HouseholdSchema } from '../../shared/domain/household-schema.ts';
import { EventData, EventType, HOUSEHOLD_EVENTS } from '../../shared/events/catalogue.ts';
import { AccidentSchema } from '../../shared/domain/accident.ts';

/**
 * The data map (`shared/domain/data-map.ts`) against the schemas it describes and the README it
 * is rendered into: a field added to a household without a place in the map, a stale entry, or
 * a README edited by hand fails here.
 */

/** Every leaf field of a zod schema, as `a.b[].c`. */
function leafPaths(schema: z.ZodMiniType, path = '', out: string[] = []): string[] {
  const def = (
    schema as unknown as {
      _zod: { def: { type: string; shape?: Record<string, z.ZodMiniType>; element?: z.ZodMiniType; innerType?: z.ZodMiniType; in?: z.ZodMiniType } };
    }
  )._zod.def;
  switch (def.type) {
    case 'object':
      for (const [key, value] of Object.entries(def.shape!)) leafPaths(value, path ? `${path}.${key}` : key, out);
      break;
    case 'array':
      leafPaths(def.element!, `${path}[]`, out);
      break;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      leafPaths(def.innerType!, path, out);
      break;
    case 'pipe':
      leafPaths(def.in!, path, out);
      break;
    default:
      out.push(path);
  }
  return out;
}

const personal = DATA_MAP.filter((e) => (e.record ?? 'household') === 'household').flatMap((e) => e.fields);
const personalLeaves = new Set(personal.map((p) => p.split('.').at(-1)!.replace('[]', '')));

describe('data map', () => {
  it('classifies every field of a household as it is answered, personal or not, once, and names no field that does not exist', () => {
    const fields = leafPaths(HouseholdSchema());
    const classified = [...personal, ...NOT_PERSONAL];
    expect(new Set(classified).size).toBe(classified.length);
    expect([...fields].sort()).toEqual([...classified].sort());
  });

  it('classifies every field of a registration: as a household field or as one that never comes back', () => {
    const requestOnly = DATA_MAP.flatMap((e) => e.requestOnly ?? []);
    const answered = new Set(leafPaths(HouseholdSchema()));
    const unmapped = leafPaths(HouseholdCreate).filter((f) => !answered.has(f) && !requestOnly.includes(f));
    expect(unmapped).toEqual([]);
    for (const f of requestOnly) expect(answered.has(f), `${f} is answered after all`).toBe(false);
  });

  it('finds none of the personal fields in what is shown without personal data: summaries, household events, the tombstone', () => {
    const shown = [
      // `returnSafety.reason` is a code (NO_POINT), not the free text that `reason` elsewhere is.
      ...leafPaths(HouseholdSummarySchema()).filter((f) => f !== 'returnSafety.reason'),
      ...HOUSEHOLD_EVENTS.flatMap((t) => leafPaths(EventData()[t])),
      ...leafPaths(HouseholdTombstoneSchema()).filter((f) => f !== 'erasure.reason'),
    ];
    expect(shown.filter((f) => personalLeaves.has(f.split('.').at(-1)!.replace('[]', '')))).toEqual([]);
  });

  it('names fields of an accident as it is answered for its victims’ data, and only victims’ fields', () => {
    const fields = new Set(leafPaths(AccidentSchema()));
    const mapped = DATA_MAP.filter((e) => e.record === 'accident').flatMap((e) => e.fields);
    expect(mapped.filter((f) => !fields.has(f))).toEqual([]);
    expect([...fields].filter((f) => f.startsWith('victims[].')).sort()).toEqual([...mapped].sort());
    expect(leafPaths(EventData()[EventType.AccidentReported]).filter((f) => /name|contact/i.test(f))).toEqual([]);
  });

  it('is what the README’s "Data map" section shows (regenerate it with npm run data-map)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = /<!-- data-map:start -->\n([\s\S]*?)\n<!-- data-map:end -->/.exec(readme)?.[1];
    expect(section, 'README.md has no <!-- data-map:start --> … <!-- data-map:end --> section').toBeDefined();
    expect(section).toBe(dataMapMarkdown());
  });
});
