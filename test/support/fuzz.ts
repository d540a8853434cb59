/**
 * A seeded, schema-driven API fuzzer: requests generated from the OpenAPI document the API serves
 * (`GET /openapi.json`), sent in-process to the local server's apps (the same code as the Lambdas
 * and `npm start`), every answer checked against the API's error contract. Shared by the security
 * test (`test/security/fuzz.test.ts`, a few thousand requests) and the bench scenario `fuzz`
 * (10,000). Request `i` of seed `s` is always the same request, so a failure can be replayed.
 */
import type { TokenClaims } from '../../infra/local/keys.ts';

type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
};

export type OpenApiDocument = {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        'x-roles'?: string[];
        parameters?: { name: string; in: string; required?: boolean; schema: JsonSchema }[];
        requestBody?: { content: Record<string, { schema: JsonSchema }> };
      }
    >
  >;
};

export interface FuzzOperation {
  method: string;
  path: string;
  operationId: string;
  /** Roles that may call it (`x-roles`); empty for public operations. */
  roles: string[];
  pathParams: string[];
  query: { name: string; required: boolean; schema: JsonSchema }[];
  headers: string[];
  body?: { contentType: string; schema: JsonSchema };
}

/** The operations of an OpenAPI document, in document order. */
export function operationsOf(doc: OpenApiDocument): FuzzOperation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const params = op.parameters ?? [];
      const [contentType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
      return {
        method: method.toUpperCase(),
        path,
        operationId: op.operationId,
        roles: op['x-roles'] ?? [],
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: p.required ?? false, schema: p.schema })),
        headers: params.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()),
        ...(contentType && media ? { body: { contentType, schema: media.schema } } : {}),
      };
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Randomness: mulberry32, and one generator per request derived from (seed, index).

export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const requestRng = (seed: number, index: number): Rng => mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)]!;
const chance = (r: Rng, p: number) => r() < p;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const randomUlid = (r: Rng) => Array.from({ length: 26 }, (_, k) => (k === 0 ? pick(r, [...'01234567']) : pick(r, [...CROCKFORD]))).join('');

// ---------------------------------------------------------------------------------------------
// Values: valid ones sampled from the schemas, and the hostile ones mutations put in their place.

/** Resources that exist, so that some requests reach the handlers rather than the 404 for an unknown id. */
export interface FuzzTargets {
  ids: string[];
  /** Ids by the collection path they live under (`/v1/tasks`), for `{id}` in that collection. */
  byCollection: Record<string, string[]>;
  /** Ids by the body field that refers to them (`hazardAreaId`, `teamIds`). */
  byField: Record<string, string[]>;
  /** A valid cursor of some listing: passed to other listings and other callers it must be a 400. */
  cursors: string[];
}

/**
 * Strings that have broken parsers, stores and renderers: right-to-left overrides, zero-width and
 * joiner characters, lone surrogates, NUL and control characters, Khmer and Thai, combining marks,
 * markup and format strings. None contains a word the leak check looks for.
 */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202Eevil\u202C',
  '\u200B',
  '\uFEFFbom',
  'zero\u200Dwidth\u200Cjoiner',
  '\uD800',
  'lone \uDC00 low',
  '\uD83D\uDE00',
  'ខេត្តឧត្តរមានជ័យ',
  'สุรินทร์',
  'مرحبا بالعالم',
  'e\u0301\u0301\u0301\u0301',
  '<script>alert(1)</script>',
  "'; DROP TABLE x; --",
  '%s%s%s%n',
  '${jndi:ldap://127.0.0.1/a}',
  '../../../../etc/passwd',
  '\r\nSet-Cookie: a=b',
  '\t\u000b\u000c\u001f\u007f',
  '1e999',
  '-0',
  'null',
  'true',
  '__proto__',
  '0x1F',
  '\\u0000',
  '"quoted"',
];

const longString = (r: Rng, n: number) => pick(r, ['a', 'ក', '\u200B', '😀', 'x ']).repeat(n);

/** Provinces of each country, so that places agree with the caller's country more often than not. */
const PROVINCES = { KH: ['KH22', 'KH17', 'KH01', 'KH13'], TH: ['TH34', 'TH32', 'TH27', 'TH22'] } as const;

/** What a sample is drawn for: the known resources and the country the caller acts for. */
type Ctx = FuzzTargets & { country: 'KH' | 'TH' };

const PATTERN_POOL = ['2026-01-15', '2025-07-20', '2026-02-10', '12', '25', '1', 'O Smach', 'KH0102030405', '+855 12 345 678', 'key-1', 'NGO-A'];
const WORDS = ['Hill 481 north slope', 'O Smach', 'Pagoda camp 4', 'flooding', 'CMAC', 'Sokha', 'Chan', 'Samraong', 'manual clearance'];
const square = (lon: number, lat: number, ...altitude: number[]) => [
  [
    [lon, lat, ...altitude],
    [lon + 0.01, lat, ...altitude],
    [lon + 0.01, lat + 0.01, ...altitude],
    [lon, lat + 0.01, ...altitude],
    [lon, lat, ...altitude],
  ],
];

/** Numbers at the edges of what JSON, JavaScript and stores can hold. */
const EDGE_NUMBERS = [0, -0, -1, 1.5, 1e308, -1e308, 1e300, 1e-300, 5e-324, -5e-324, 1e126, 1e-131, 2 ** 53 + 2, -(2 ** 53) - 2, 4294967296, 0.1 + 0.2];

/** An altitude for a position: none mostly, sometimes a plausible one, sometimes an edge number. */
const altitude = (r: Rng): number[] => (chance(r, 0.7) ? [] : chance(r, 0.5) ? [int(r, 2000)] : [pick(r, EDGE_NUMBERS)]);

/** Where a sampled value sits, with its schema, so that a mutation can replace it. */
interface Site {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
  schema: JsonSchema;
}

const typeOf = (s: JsonSchema, r: Rng): string | undefined =>
  Array.isArray(s.type) ? pick(r, s.type.filter((t) => t !== 'null').length ? s.type.filter((t) => t !== 'null') : s.type) : s.type;

function sampleString(s: JsonSchema, r: Rng, targets: Ctx, name?: string): string {
  if (name === 'plannedStart') return '2026-01-10';
  if (name === 'plannedEnd') return '2026-02-10';
  if (s.pattern) {
    const re = new RegExp(s.pattern, 'u');
    if (re.test('01ARZ3NDEKTSV4RRFFQ69G5FAV') && !re.test('abc')) {
      const named = name ? targets.byField[name] : undefined;
      if (named?.length && chance(r, 0.8)) return pick(r, named);
      return targets.ids.length && chance(r, 0.6) ? pick(r, targets.ids) : randomUlid(r);
    }
    if (re.test('KH22') && !re.test('KH2')) return pick(r, PROVINCES[chance(r, 0.85) ? targets.country : pick(r, ['KH', 'TH'] as const)]);
    // Document numbers: fresh ones, so that registrations are not all duplicates.
    if (name === 'number' || name === 'documentNumber') return `FZ${int(r, 1e9)}`;
    const fits = PATTERN_POOL.filter((v) => re.test(v));
    if (fits.length) return pick(r, fits);
  }
  if (s.format === 'date') return pick(r, ['2026-01-15', '2025-07-20']);
  if (s.format === 'date-time') return '2026-01-15T08:00:00.000Z';
  if (s.format === 'uri') return `https://ministry.example/hooks/${int(r, 1000)}`;
  if (s.format === 'email') return 'registrar@ngo.example';
  let word = pick(r, WORDS);
  if (s.minLength !== undefined && word.length < s.minLength) word = word.padEnd(s.minLength, 'x');
  if (s.maxLength !== undefined && word.length > s.maxLength) word = word.slice(0, s.maxLength);
  return word;
}

function sampleNumber(s: JsonSchema, r: Rng, integer: boolean): number {
  const lo = s.maximum !== undefined && s.maximum < 0 ? Math.max(s.minimum ?? s.maximum - 100, s.maximum - 1000) : Math.max(s.minimum ?? 0, 0);
  const hi = Math.min(s.maximum ?? lo + 100, lo + 1000);
  const v = lo + r() * (hi - lo);
  return integer ? Math.round(v) : Math.round(v * 1000) / 1000;
}

/** A value that the schema accepts (as far as a schema can say: cross-field rules live in the handlers). */
function sample(s: JsonSchema, r: Rng, targets: Ctx, sites: Site[], depth: number, name?: string): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum.includes(targets.country) && s.enum.length === 2 && chance(r, 0.85) ? targets.country : pick(r, s.enum);
  const choices = s.oneOf ?? s.anyOf;
  if (choices) {
    const nonNull = choices.filter((c) => c.type !== 'null');
    return sample(pick(r, nonNull.length && chance(r, 0.9) ? nonNull : choices), r, targets, sites, depth, name);
  }
  switch (typeOf(s, r)) {
    case 'object': {
      // Geometry that passes validation some of the time, so that creates reach their handlers.
      const geometry = s.properties?.type?.const;
      if (geometry === 'Polygon') return { type: 'Polygon', coordinates: square(103.5 + int(r, 50) / 100, 14.2 + int(r, 20) / 100, ...altitude(r)) };
      if (geometry === 'MultiPolygon') return { type: 'MultiPolygon', coordinates: [square(103.5, 14.3, ...altitude(r))] };
      if (geometry === 'Point') return { type: 'Point', coordinates: [103.52, 14.42, ...altitude(r)] };
      const out: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries(s.properties ?? {})) {
        if (!(s.required ?? []).includes(key) && (depth > 4 || chance(r, 0.5))) continue;
        out[key] = sample(prop, r, targets, sites, depth + 1, key);
        sites.push({ parent: out, key, schema: prop });
      }
      return out;
    }
    case 'array': {
      const min = s.minItems ?? 0;
      const max = Math.min(s.maxItems ?? min + 2, min + 2);
      const out: unknown[] = [];
      const n = min + int(r, max - min + 1);
      // Distinct items (many lists refuse repeats), a few tries each.
      const seen = new Set<string>();
      for (let tries = 0; out.length < n && tries < n * 3; tries++) {
        const item = s.items ? sample(s.items, r, targets, sites, depth + 1, name) : 'x';
        const key = JSON.stringify(item);
        if (seen.has(key)) continue;
        seen.add(key);
        if (s.items) sites.push({ parent: out, key: out.length, schema: s.items });
        out.push(item);
      }
      // Household members: exactly one head, the first.
      if (s.items?.properties?.relationship)
        out.forEach((m, k) => {
          (m as Record<string, unknown>).relationship = k === 0 ? 'HEAD' : 'CHILD';
        });
      return out;
    }
    case 'string':
      return name === 'url' ? `https://ministry.example/hooks/${int(r, 1000)}` : sampleString(s, r, targets, name);
    case 'integer':
      return name === 'birthYear' ? 1950 + int(r, 70) : sampleNumber(s, r, true);
    case 'number':
      return sampleNumber(s, r, false);
    case 'boolean':
      return chance(r, 0.5);
    case 'null':
      return null;
    default:
      return pick(r, WORDS);
  }
}

/**
 * Deep nesting is written into the JSON text rather than built as objects (JSON.stringify of
 * thousands of levels overflows the stack): a placeholder that {@link serialise} expands.
 */
const deep = (r: Rng, depth: number): string => `\u0001deep:${chance(r, 0.5) ? 'array' : 'object'}:${depth}\u0001`;
const DEEP = /"\\u0001deep:(array|object):(\d+)\\u0001"/g;

function serialise(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(DEEP, (_m, kind: string, n: string) => {
    const depth = Number(n);
    return kind === 'array' ? `${'['.repeat(depth)}"bottom"${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`;
  });
}

/**
 * What an HTTP client can put on the wire for a header value: its UTF-8 bytes read back as
 * Latin-1, without the control characters that HTTP parsers refuse before any app sees them.
 */
// eslint-disable-next-line no-control-regex
const wireHeader = (value: string) =>
  Buffer.from(value, 'utf8')
    .toString('latin1')
    .replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '')
    .trim();

/** A value of another type than the schema asks for (or a hostile one of the same type). */
function hostile(s: JsonSchema, r: Rng): unknown {
  const t = typeOf(s, r);
  const options: (() => unknown)[] = [
    () => null,
    () => pick(r, EDGE_NUMBERS),
    () => pick(r, NASTY_STRINGS),
    () => longString(r, (s.maxLength ?? 100) + 1),
    () => longString(r, 10_000 + int(r, 50_000)),
    () => chance(r, 0.5),
    () => [],
    () => ({}),
    () => deep(r, 20 + int(r, 2000)),
    () => JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}') as unknown,
  ];
  if (t === 'integer' || t === 'number')
    options.push(
      () => (s.maximum ?? 1e9) + 1,
      () => (s.minimum ?? -1e9) - 1,
      () => '12',
      () => pick(r, EDGE_NUMBERS),
      () => pick(r, EDGE_NUMBERS),
    );
  if (s.enum)
    options.push(
      () => `${String(s.enum![0])}\u200B`,
      () => String(s.enum![0]).toLowerCase(),
    );
  return pick(r, options)();
}

type Mutation = (r: Rng, holder: { root: unknown }, sites: Site[], ctx: Ctx) => string;

const BODY_MUTATIONS: Mutation[] = [
  function wrongType(r, _holder, sites) {
    const site = sites.length ? pick(r, sites) : undefined;
    if (!site) return 'none';
    (site.parent as Record<string | number, unknown>)[site.key] = hostile(site.schema, r);
    return `hostile value at ${String(site.key)}`;
  },
  function dropRequired(r, _holder, sites) {
    // Objects still in place (an earlier mutation may have replaced one with null or a string).
    const objects = sites.filter((s) => {
      const value = (s.parent as Record<string | number, unknown>)[s.key];
      return s.schema.required?.length && value !== null && typeof value === 'object' && !Array.isArray(value);
    });
    const site = objects.length ? pick(r, objects) : undefined;
    if (!site) return 'none';
    const value = (site.parent as Record<string | number, Record<string, unknown>>)[site.key]!;
    const key = pick(r, site.schema.required!);
    delete value[key];
    return `drop required ${key}`;
  },
  function overMaxItems(r, _holder, sites, ctx) {
    const arrays = sites.filter((s) => typeOf(s.schema, r) === 'array');
    const site = arrays.length ? pick(r, arrays) : undefined;
    if (!site) return 'none';
    const n = site.schema.maxItems !== undefined ? site.schema.maxItems + 1 : 1000 + int(r, 4000);
    const item = site.schema.items ? sample(site.schema.items, r, ctx, [], 3) : 'x';
    (site.parent as Record<string | number, unknown>)[site.key] = Array.from({ length: n }, () => structuredClone(item));
    return `array of ${n}`;
  },
  function deepNesting(r, holder, sites) {
    const depth = pick(r, [33, 100, 1000, 5000]);
    if (!sites.length || chance(r, 0.2)) holder.root = deep(r, depth);
    else {
      const site = pick(r, sites);
      (site.parent as Record<string | number, unknown>)[site.key] = deep(r, depth);
    }
    return `nesting ${depth}`;
  },
  function nastyString(r, _holder, sites) {
    const strings = sites.filter((s) => typeOf(s.schema, r) === 'string');
    const site = strings.length ? pick(r, strings) : undefined;
    if (!site) return 'none';
    (site.parent as Record<string | number, unknown>)[site.key] = chance(r, 0.7) ? pick(r, NASTY_STRINGS) : longString(r, (site.schema.maxLength ?? 200) + 1);
    return 'nasty string';
  },
  function extraProperty(r, holder) {
    if (holder.root && typeof holder.root === 'object' && !Array.isArray(holder.root)) {
      const key = pick(r, ['__proto__', 'constructor', 'id', 'version', 'createdBy', 'org', 'status', 'unknownField']);
      Object.defineProperty(holder.root, key, { value: pick(r, [{ admin: true }, 'x', 99, null]), enumerable: true, configurable: true, writable: true });
      return `extra ${key}`;
    }
    return 'none';
  },
  function wholeBody(r, holder) {
    holder.root = pick(r, [null, [], 'text', 42, true, [holder.root], { data: holder.root }]);
    return 'whole body replaced';
  },
];

/** Raw body texts that are not the JSON they claim to be. */
const RAW_BODIES = [
  '',
  ' ',
  '{',
  '{"a":',
  '[1,2',
  'null',
  '"str"',
  '{"a":1e999}',
  '{"a":1,"a":2}',
  '\uFEFF{}',
  '{}garbage',
  "{'single':'quotes'}",
  'NaN',
  '\u0000',
  '%7B%7D',
  '<xml/>',
];

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/xml',
  'application/geo+json',
  '',
  'application/jsonx',
  'APPLICATION/JSON',
  'application/merge-patch+json',
  'application/json;;;',
];

const BAD_IDS = [
  '0',
  'not-an-id',
  '01arz3ndektsv4rrffq69g5fav',
  'Z'.repeat(26),
  'A'.repeat(300),
  '%00',
  '%E0%A4%A',
  '%ZZ',
  '..',
  '%2e%2e',
  '%2F',
  '%F0%9F%98%80',
  '%ED%A0%80',
  '%D8%00',
  '%C0%AF',
  ' ',
  '%20',
  '%E2%80%AE',
  '%E2%80%8B',
  'null',
  'undefined',
  '__proto__',
  '1;DROP',
  '*',
];

const IF_MATCH = [
  '"1"',
  '"2"',
  '"3"',
  'W/"1"',
  '*',
  '"abc"',
  '1',
  '""',
  '"-1"',
  '"1.5"',
  '"999999999"',
  '"9999999999999"',
  '"1", "2"',
  '"1"junk',
  ' ',
  '"\u0000"',
  `"${'9'.repeat(400)}"`,
];

const IDEMPOTENCY_KEYS = ['fuzz-key-1', 'fuzz-key-2', 'bad key with spaces', 'k'.repeat(129), '', '\u202Ekey', 'key/../x'];

const BAD_CURSORS = [
  'abc',
  'a.b',
  '.',
  '..',
  'a.b.c',
  `${Buffer.from('{"s":"x","k":{"pk":"x"}}').toString('base64url')}.AAAA`,
  'x'.repeat(2049),
  '%00',
  '😀.😀',
];

// ---------------------------------------------------------------------------------------------
// Callers: every role, national ones in both countries, and requests with no or bad credentials.

export interface FuzzCaller {
  label: string;
  authorization?: string;
  /** A token the API accepts (most requests use one, so that they get past authentication). */
  valid: boolean;
  role?: string;
  country?: 'KH' | 'TH';
}

/** Claims of every role the API knows, national roles in both countries. */
export function fuzzClaims(deminerTeam: string): TokenClaims[] {
  const out: TokenClaims[] = [];
  for (const country of ['KH', 'TH'] as const) {
    for (const role of ['operations', 'deminer', 'qa', 'relief', 'ministry'] as const) {
      out.push({
        sub: `fuzz-${role}-${country}`,
        role,
        country,
        org: role === 'relief' ? `NGO-${country}` : `${role.toUpperCase()}-${country}`,
        ...(role === 'deminer' ? { team: deminerTeam } : {}),
      });
    }
  }
  out.push({ sub: 'fuzz-observer', role: 'observer', org: 'AOT' }, { sub: 'fuzz-admin', role: 'admin', org: 'platform' });
  return out;
}

export async function fuzzCallers(token: (claims: TokenClaims) => Promise<string>, deminerTeam: string): Promise<FuzzCaller[]> {
  const callers: FuzzCaller[] = [];
  for (const claims of fuzzClaims(deminerTeam))
    callers.push({
      label: `${claims.role}${claims.country ? `-${claims.country}` : ''}`,
      authorization: `Bearer ${await token(claims)}`,
      valid: true,
      role: claims.role,
      ...(claims.country ? { country: claims.country as 'KH' | 'TH' } : {}),
    });
  callers.push(
    { label: 'anonymous', valid: false },
    { label: 'garbage-token', authorization: 'Bearer abc.def.ghi', valid: false },
    { label: 'basic', authorization: 'Basic YWRtaW46YWRtaW4=', valid: false },
    {
      label: 'alg-none',
      valid: false,
      authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x","role":"admin","org":"x","exp":9999999999}').toString('base64url')}.`,
    },
  );
  return callers;
}

// ---------------------------------------------------------------------------------------------
// Requests.

export interface FuzzRequest {
  index: number;
  operationId: string;
  caller: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** What was done to the request, for the failure report. */
  mutations: string[];
}

function queryString(op: FuzzOperation, r: Rng, targets: Ctx, mutations: string[]): string {
  const parts: [string, string][] = [];
  for (const q of op.query) {
    if (!q.required && !chance(r, 0.4)) continue;
    let value =
      q.name === 'cursor'
        ? targets.cursors.length && chance(r, 0.3)
          ? pick(r, targets.cursors)
          : pick(r, BAD_CURSORS)
        : String(sample(q.schema, r, targets, [], 0, q.name));
    if (chance(r, 0.25)) {
      value = String(hostile(q.schema, r));
      mutations.push(`query ${q.name} hostile`);
    }
    parts.push([q.name, value]);
    if (chance(r, 0.05)) {
      parts.push([q.name, value]);
      mutations.push(`query ${q.name} repeated`);
    }
  }
  if (chance(r, 0.05)) {
    parts.push([pick(r, ['limit', 'cursor', '__proto__', 'constructor', 'x']), pick(r, NASTY_STRINGS)]);
    mutations.push('extra query');
  }
  if (!parts.length) return '';
  // URLSearchParams turns a lone surrogate into U+FFFD, as any client's encoder must.
  return `?${new URLSearchParams(parts).toString()}`;
}

function pathOf(op: FuzzOperation, r: Rng, targets: FuzzTargets, mutations: string[]): string {
  return op.path.replace(/\{(\w+)\}/g, (_whole, name: string, offset: number) => {
    const own = targets.byCollection[op.path.slice(0, offset - 1)] ?? [];
    const roll = r();
    if (roll < 0.4 && own.length) return pick(r, own);
    if (roll < 0.55 && targets.ids.length) return pick(r, targets.ids);
    if (roll < 0.75) return randomUlid(r);
    const bad = pick(r, BAD_IDS);
    mutations.push(`path ${name}=${bad.slice(0, 20)}`);
    return bad;
  });
}

/** Request `index` of `seed`: always the same request for the same document, targets and callers. */
export function fuzzRequest(seed: number, index: number, ops: readonly FuzzOperation[], callers: readonly FuzzCaller[], targets: FuzzTargets): FuzzRequest {
  const r = requestRng(seed, index);
  const op = pick(r, ops);
  // Mostly a role the operation admits, so that requests get past authorisation to validation and the handler.
  const valid = callers.filter((c) => c.valid);
  const admitted = valid.filter((c) => c.role && op.roles.includes(c.role));
  const roll = r();
  const caller = roll < 0.6 && admitted.length ? pick(r, admitted) : roll < 0.9 && valid.length ? pick(r, valid) : pick(r, callers);
  const mutations: string[] = [];
  const ctx: Ctx = { ...targets, country: caller.country ?? pick(r, ['KH', 'TH'] as const) };
  const headers: Record<string, string> = {};
  if (caller.authorization) headers.authorization = caller.authorization;

  let method = op.method;
  if (chance(r, 0.03)) {
    method = pick(r, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']);
    mutations.push(`method ${method}`);
  }
  const url = pathOf(op, r, targets, mutations) + queryString(op, r, ctx, mutations);

  if (op.headers.includes('if-match') || chance(r, 0.05)) {
    // Mostly a version that exists: most resources stay at 1 or 2.
    if (chance(r, 0.85)) headers['if-match'] = chance(r, 0.5) ? pick(r, ['"1"', '"2"']) : pick(r, IF_MATCH);
    else mutations.push('no If-Match');
  }
  if (op.headers.includes('idempotency-key') && chance(r, 0.4)) headers['idempotency-key'] = pick(r, IDEMPOTENCY_KEYS);
  if (chance(r, 0.05)) headers.accept = pick(r, ['application/geo+json', 'text/csv', 'text/html', '*/*', 'application/xml']);

  let body: string | undefined;
  if (op.body || chance(r, 0.03)) {
    const schema = op.body?.schema ?? { type: 'object' };
    const sites: Site[] = [];
    const holder = { root: sample(schema, r, ctx, sites, 0) };
    const roll = r();
    if (roll < 0.1) {
      body = pick(r, RAW_BODIES);
      mutations.push(`raw body ${JSON.stringify(body)}`);
    } else if (roll < 0.12) {
      // Just over the 1 MiB limit.
      body = JSON.stringify({ padding: 'x'.repeat(1024 * 1024) });
      mutations.push('body over 1 MiB');
    } else {
      const rounds = roll < 0.3 ? 0 : 1 + int(r, 2);
      for (let k = 0; k < rounds; k++) mutations.push(pick(r, BODY_MUTATIONS)(r, holder, sites, ctx));
      body = serialise(holder.root);
    }
    const contentType = chance(r, 0.9) ? (op.body?.contentType ?? 'application/json') : pick(r, CONTENT_TYPES);
    if (contentType) headers['content-type'] = contentType;
    if (contentType !== op.body?.contentType) mutations.push(`content-type ${JSON.stringify(contentType)}`);
  }
  for (const [k, v] of Object.entries(headers)) headers[k] = wireHeader(v);
  return {
    index,
    operationId: op.operationId,
    caller: caller.label,
    method,
    url,
    headers,
    ...(body === undefined || method === 'GET' || method === 'HEAD' ? {} : { body }),
    mutations,
  };
}

// ---------------------------------------------------------------------------------------------
// Checks on every answer.

/**
 * Words that betray the implementation: stack frames, source paths, the store and its error
 * names, raw error prefixes. The table name is added by the caller.
 */
export const LEAK_PATTERNS: RegExp[] = [
  /\bat \//,
  /\bat [\w.<>]+ \(/,
  /\.ts:\d/,
  /\.js:\d/,
  /\.ts\b/,
  /node_modules/,
  /DynamoDB/i,
  /ConditionalCheckFailed/,
  /TransactionCanceled/,
  /ValidationException/,
  /ResourceNotFoundException/,
  /ProvisionedThroughput/,
  /\b[A-Z]\w*Error:/,
  /^Error:/m,
  /\bstack\b/i,
  /\bundefined is not\b/,
  /Cannot read prop/,
  /\[object Object\]/,
];

const PUBLIC_DOCUMENTS = new Set(['/openapi.json', '/asyncapi.json', '/docs']);

/** Every way an answer breaks the contract: 5xx, an error that is not problem+json, a leaked internal. */
export function contractViolations(request: FuzzRequest, status: number, headers: Headers, text: string, leaks: readonly RegExp[]): string[] {
  const out: string[] = [];
  if (status >= 500) out.push(`status ${status}`);
  if (status >= 400 && request.method !== 'HEAD') {
    const type = headers.get('content-type') ?? '';
    if (!type.startsWith('application/problem+json')) out.push(`error answered as ${JSON.stringify(type)}`);
    else {
      let body: Record<string, unknown> | undefined;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        out.push('problem body is not JSON');
      }
      if (body) {
        for (const key of ['type', 'title', 'detail'] as const) if (typeof body[key] !== 'string') out.push(`problem.${key} is not a string`);
        if (body.status !== status) out.push(`problem.status ${String(body.status)} is not the HTTP status ${status}`);
        if (
          body.errors !== undefined &&
          !(
            Array.isArray(body.errors) &&
            body.errors.every((e: { path?: unknown; message?: unknown }) => typeof e?.path === 'string' && typeof e?.message === 'string')
          )
        ) {
          out.push('problem.errors is not [{ path, message }]');
        }
      }
    }
  }
  const path = request.url.split('?')[0]!;
  const scanned = [...(PUBLIC_DOCUMENTS.has(path) && status < 400 ? [] : [text]), ...[...headers.entries()].map(([k, v]) => `${k}: ${v}`)];
  for (const pattern of leaks) {
    const hit = scanned.find((s) => pattern.test(s));
    if (hit) {
      const at = hit.search(pattern);
      out.push(`leaks ${pattern}: …${hit.slice(Math.max(0, at - 40), at + 60)}…`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The run.

export interface FuzzFailure {
  index: number;
  operationId: string;
  caller: string;
  method: string;
  url: string;
  status: number;
  violations: string[];
  mutations: string[];
  /** The first 300 characters of the body sent and of the answer. */
  sent?: string;
  answer: string;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  ms: number;
  statuses: Record<string, number>;
  /** Per operation: requests sent and those answered 2xx (proof that the fuzzer reached the handlers). */
  operations: Record<string, { sent: number; ok: number }>;
  failures: FuzzFailure[];
  failureCount: number;
}

export interface FuzzOptions {
  seed: number;
  requests: number;
  /** Requests in flight. */
  concurrency?: number;
  fetch: (url: string, init: RequestInit) => Response | Promise<Response>;
  ops: readonly FuzzOperation[];
  callers: readonly FuzzCaller[];
  targets: FuzzTargets;
  /** Strings that must never appear in an answer beyond {@link LEAK_PATTERNS} (the table name). */
  secrets: string[];
  /** Failures kept in full (all are counted). */
  keep?: number;
  onProgress?: (done: number) => void;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { seed, requests, ops, callers, targets } = options;
  const leaks = [...LEAK_PATTERNS, ...options.secrets.filter(Boolean).map((s) => new RegExp(escapeRegExp(s)))];
  const report: FuzzReport = { seed, requests, ms: 0, statuses: {}, operations: {}, failures: [], failureCount: 0 };
  const started = performance.now();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < requests) {
      const request = fuzzRequest(seed, next++, ops, callers, targets);
      const res = await options.fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      const text = await res.text();
      report.statuses[res.status] = (report.statuses[res.status] ?? 0) + 1;
      const op = (report.operations[request.operationId] ??= { sent: 0, ok: 0 });
      op.sent++;
      if (res.status < 300) op.ok++;
      const violations = contractViolations(request, res.status, res.headers, text, leaks);
      if (violations.length) {
        report.failureCount++;
        if (report.failures.length < (options.keep ?? 50)) {
          report.failures.push({
            index: request.index,
            operationId: request.operationId,
            caller: request.caller,
            method: request.method,
            url: request.url.slice(0, 200),
            status: res.status,
            violations,
            mutations: request.mutations,
            ...(request.body === undefined ? {} : { sent: request.body.slice(0, 300) }),
            answer: text.slice(0, 300),
          });
        }
      }
      options.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  report.ms = Math.round(performance.now() - started);
  return report;
}

// ---------------------------------------------------------------------------------------------
// Targets: a few real resources, created through the API, so that fuzzed requests reach handlers.

async function created(fetch: FuzzOptions['fetch'], authorization: string, path: string, body: unknown): Promise<string> {
  const res = await fetch(path, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`fuzz seed ${path}: ${res.status} ${text}`);
  return (JSON.parse(text) as { id: string }).id;
}

/**
 * One of each resource the API has ids for (teams, a hazard area, tasks planned, in progress and
 * completed, a completion report, a household, an import job, a subscription) and a cursor, created by admin, relief and ministry callers. Returns the
 * targets and the KH team's id (the deminers' team).
 */
export async function seedFuzzTargets(
  fetch: FuzzOptions['fetch'],
  token: (claims: TokenClaims) => Promise<string>,
): Promise<{ targets: FuzzTargets; team: string }> {
  const admin = `Bearer ${await token({ sub: 'fuzz-admin', role: 'admin', org: 'platform' })}`;
  const relief = `Bearer ${await token({ sub: 'fuzz-relief-KH', role: 'relief', country: 'KH', org: 'NGO-KH' })}`;
  const ministry = `Bearer ${await token({ sub: 'fuzz-ministry-KH', role: 'ministry', country: 'KH', org: 'MINISTRY-KH' })}`;
  const teamKH = await created(fetch, admin, '/v1/teams', { name: 'Fuzz KH team', organisation: 'CMAC', country: 'KH', capabilities: ['MANUAL'] });
  const teamTH = await created(fetch, admin, '/v1/teams', { name: 'Fuzz TH team', organisation: 'TMAC', country: 'TH', capabilities: ['MANUAL'] });
  const hazard = await created(fetch, admin, '/v1/hazard-areas', {
    name: 'Fuzz hazard',
    country: 'KH',
    province: 'KH22',
    classification: 'CHA',
    evidence: 'DIRECT',
    dateOfInformation: '2025-07-20',
    contamination: [{ category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' }],
    geometry: { type: 'Polygon', coordinates: square(103.5, 14.4) },
  });
  const taskBody = { hazardAreaId: hazard, activityType: 'CLEARANCE', priority: 1, teamIds: [teamKH], plannedStart: '2026-01-10', plannedEnd: '2026-02-10' };
  const task = await created(fetch, admin, '/v1/tasks', taskBody);
  const moveTask = async (id: string, moves: string[]) => {
    for (const [k, to] of moves.entries()) {
      const res = await fetch(`/v1/tasks/${id}/transitions`, {
        method: 'POST',
        headers: { authorization: admin, 'content-type': 'application/json', 'if-match': `"${k + 1}"` },
        body: JSON.stringify({ to }),
      });
      if (res.status !== 200) throw new Error(`fuzz seed: task to ${to}: ${res.status} ${await res.text()}`);
    }
  };
  // A task in progress (progress reports) and a completed one with a report awaiting QA (QA, handover).
  const started = await created(fetch, admin, '/v1/tasks', taskBody);
  await moveTask(started, ['ASSIGNED', 'IN_PROGRESS']);
  const completed = await created(fetch, admin, '/v1/tasks', taskBody);
  await moveTask(completed, ['ASSIGNED', 'IN_PROGRESS', 'COMPLETED']);
  const report = await created(fetch, admin, '/v1/cleared-areas', {
    taskId: completed,
    outcome: 'CLEARED',
    method: 'MANUAL',
    depthCm: 13,
    completedAt: '2026-02-01',
    geometry: { type: 'Polygon', coordinates: square(103.5, 14.4) },
  });
  const household = await created(fetch, relief, '/v1/households', {
    origin: { province: 'KH22', village: 'O Smach' },
    current: { province: 'KH17', site: 'Pagoda camp 4' },
    destination: { province: 'KH22', village: 'O Smach', point: { type: 'Point', coordinates: [103.52, 14.42] } },
    members: [
      { givenName: 'Sokha', familyName: 'Chan', sex: 'F', birthYear: 1986, relationship: 'HEAD', document: { type: 'NATIONAL_ID', number: 'FUZZ0001' } },
    ],
    consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
  });
  const importJob = await created(fetch, relief, '/v1/household-imports', {});
  const subscription = await created(fetch, ministry, '/v1/subscriptions', { url: 'https://ministry.example/hooks/fuzz' });
  const page = await fetch('/v1/teams?limit=1', { headers: { authorization: admin } });
  const next = ((await page.json()) as { next: string | null }).next;
  return {
    targets: {
      ids: [teamKH, teamTH, hazard, task, started, completed, report, household, importJob, subscription],
      byCollection: {
        '/v1/teams': [teamKH, teamTH],
        '/v1/hazard-areas': [hazard],
        '/v1/tasks': [task, started, completed],
        '/v1/cleared-areas': [report],
        '/v1/households': [household],
        '/v1/household-imports': [importJob],
        '/v1/subscriptions': [subscription],
      },
      byField: { hazardAreaId: [hazard], taskId: [task, started, completed], teamIds: [teamKH, teamTH], submittingTeamId: [teamKH], of: [household] },
      cursors: next ? [next] : [],
    },
    team: teamKH,
  };
}

/** The report as text: statuses, operations never answered 2xx, and the kept failures. */
export function formatFuzzReport(report: FuzzReport): string {
  const lines = [
    `seed ${report.seed}: ${report.requests} requests in ${(report.ms / 1000).toFixed(1)} s (${Math.round(report.requests / (report.ms / 1000))}/s)`,
  ];
  lines.push(
    `statuses: ${Object.entries(report.statuses)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ')}`,
  );
  const reached = Object.values(report.operations).filter((o) => o.ok > 0).length;
  lines.push(`operations answered 2xx at least once: ${reached} of ${Object.keys(report.operations).length}`);
  const never = Object.entries(report.operations)
    .filter(([, o]) => o.ok === 0)
    .map(([id]) => id);
  if (never.length) lines.push(`never 2xx: ${never.sort().join(', ')}`);
  lines.push(`contract violations: ${report.failureCount}`);
  for (const f of report.failures) {
    lines.push(`  #${f.index} ${f.method} ${f.url} as ${f.caller} → ${f.status}: ${f.violations.join('; ')}`);
    lines.push(`      mutations: ${f.mutations.join(', ') || 'none'}${f.sent === undefined ? '' : `; sent ${JSON.stringify(f.sent.slice(0, 160))}`}`);
    lines.push(`      answer: ${JSON.stringify(f.answer.slice(0, 200))}`);
  }
  return lines.join('\n');
}
