import type { Country } from './common.ts';
import type { Principal } from './roles.ts';

/**
 * Small-cell suppression: the one rule for every aggregate about people (households, members,
 * victims, people at a site) shown to someone who may not read every household it counts —
 * observers, the other country, a relief agency reading counts that include other organisations'
 * households, public exports. A count from 1 to {@link SMALL_CELL_MAX} could single out a family
 * ("three survivors of violence in this province"), so it is withheld: `null` in JSON, with the
 * answer's `suppressed` listing the withheld paths, and {@link SUPPRESSED_CSV_CELL} in CSV/HXL.
 * 0 stays 0 (it names nobody). No complementary suppression: a total and all but one of its
 * parts may still let a reader work out a withheld cell; the rule keeps small counts out of
 * plain sight, it does not make the tables safe against arithmetic.
 */

/** The largest count that is withheld; 1 to this are small cells. */
export const SMALL_CELL_MAX = 4;

/** What a withheld count reads in CSV and HXL exports. */
export const SUPPRESSED_CSV_CELL = `<${SMALL_CELL_MAX + 1}`;

/** A count that identifies too few people to show: 1 to {@link SMALL_CELL_MAX}. */
export const isSmallCell = (n: number): boolean => n >= 1 && n <= SMALL_CELL_MAX;

/** `T` with every number possibly withheld (`null`). */
export type Suppressible<T> = T extends number ? number | null : T extends object ? { [K in keyof T]: Suppressible<T[K]> } : T;

export interface Suppressed<T> {
  /** The answer with the small counts at the given paths replaced by `null`. */
  value: Suppressible<T>;
  /** Dotted paths of the withheld counts (`people.bySexAndAge.F.0-4`), in the order found. */
  suppressed: string[];
}

/**
 * Withholds the small counts of `answer` at `countPaths`: dotted paths whose segments may be `*`
 * (any key at that level), e.g. `people.bySexAndAge.*.*`. Only numbers at those paths are
 * touched; keys must not contain dots. Pure: `answer` is not changed.
 */
export function suppressSmallCells<T>(answer: T, countPaths: readonly string[]): Suppressed<T> {
  const value = structuredClone(answer) as unknown;
  const suppressed: string[] = [];
  const visit = (node: unknown, rest: readonly string[], at: readonly string[]) => {
    if (node === null || typeof node !== 'object') return;
    const [head, ...tail] = rest;
    const record = node as Record<string, unknown>;
    const keys = head === '*' ? Object.keys(record) : head !== undefined && Object.hasOwn(record, head) ? [head] : [];
    for (const key of keys) {
      const child = record[key];
      if (tail.length > 0) visit(child, tail, [...at, key]);
      else if (typeof child === 'number' && isSmallCell(child)) {
        record[key] = null;
        suppressed.push([...at, key].join('.'));
      }
    }
  };
  for (const path of countPaths) visit(value, path.split('.'), []);
  return { value: value as Suppressible<T>, suppressed };
}

/** A count as a CSV/HXL cell: {@link SUPPRESSED_CSV_CELL} for a small cell when `suppress`, else the number. */
export const csvCount = (n: number, suppress: boolean): string => (suppress && isSmallCell(n) ? SUPPRESSED_CSV_CELL : String(n));

/**
 * Whether `principal` may read every household counted in an aggregate over `countries`, and so
 * sees exact counts: admins always, a ministry for its own country; relief agencies read only
 * their organisation's households, observers and de-mining roles none.
 */
export function readsEveryHousehold(principal: Pick<Principal, 'role' | 'country'>, countries: readonly Country[]): boolean {
  if (principal.role === 'admin') return true;
  return principal.role === 'ministry' && countries.length > 0 && countries.every((c) => c === principal.country);
}
