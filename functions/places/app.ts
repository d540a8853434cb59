import * as z from 'zod/mini';
import { Country } from '#shared/domain/common.ts';
import { countryOf, EDITION_NAME, levelOf, PCODE, sourceTreeProblems, type SourceUnit } from '#shared/domain/gazetteer.ts';
import { ROLES } from '#shared/domain/roles.ts';
import { actorOf } from '#shared/domain/history.ts';
import {
  activateEdition,
  currentEdition,
  EditionRefused,
  findUnit,
  listChildren,
  listEditions,
  putEditionProvince,
} from '#shared/db/repositories/gazetteer.ts';
import { Api, problem } from '#shared/http/api.ts';
import { BadRequest, Conflict, NotFound } from '#shared/http/problem.ts';

/**
 * The places function: the gazetteer (`shared/db/repositories/gazetteer.ts`) as an API. Lists of
 * units are reference data, the same for every reader and without personal data: they carry an
 * ETag (edition and parent) and may be kept by the browser (`private, max-age`), so the console's
 * cascading pickers cost one request per level once. Editions are loaded by administrators.
 */
const TAG = 'Places';
const CACHE = 'private, max-age=3600';

const Pcode = z.string().check(z.regex(PCODE, 'must be a P-code such as KH22, KH2201, KH220101 or TH3201'));
const Parent = z.string().check(z.regex(/^(KH|TH)(\d{2}){0,3}$/, 'must be a country (KH, TH) or a P-code with children'));
const Edition = z.string().check(z.regex(EDITION_NAME, 'must be 1–40 letters, digits, dots, dashes or underscores'));

const Name = () => z.object({ en: z.string(), km: z.optional(z.string()), th: z.optional(z.string()) });
const Unit = () =>
  z.object({ pcode: z.string(), level: z.enum(['adm1', 'adm2', 'adm3', 'adm4']), country: Country, parent: z.nullable(z.string()), name: Name() });

/** An ETag of reference data: the edition and what was asked, quoted. */
const tagOf = (...parts: string[]) => `"${parts.join(':')}"`;
const notModified = (ifNoneMatch: string | undefined, etag: string) => (ifNoneMatch ?? '').split(',').some((t) => t.trim().replace(/^W\//, '') === etag);

const api = new Api();

api.route(
  {
    method: 'get',
    path: '/v1/places/editions',
    operationId: 'listGazetteerEditions',
    summary: 'The gazetteer editions activated so far, and the one in use',
    tag: TAG,
    access: ROLES,
    responses: {
      200: {
        description: 'Editions, oldest first',
        schema: () =>
          z.object({
            current: z.nullable(z.string()),
            items: z.array(z.object({ edition: z.string(), previous: z.nullable(z.string()), activatedAt: z.string(), added: z.int(), dropped: z.int() })),
          }),
      },
    },
  },
  async (c) => c.json({ current: (await currentEdition())?.edition ?? null, items: await listEditions() }),
);

api.route(
  {
    method: 'put',
    path: '/v1/places/editions/{edition}/provinces/{pcode}',
    operationId: 'loadGazetteerProvince',
    summary: 'Load one province (with its districts, communes and villages) into a new gazetteer edition',
    description:
      'Administrators load an edition a province at a time (each request stays under the 1 MiB body limit), then activate it. The body is the province as ' +
      'the source files have it: `{ pcode, en, km | th, districts: [{ pcode, en, km | th, communes | subdistricts: [{ ..., villages? }] }] }`. ' +
      'Sending a province again replaces it while the edition is loading; an active edition is never changed (409). Codes are checked (country, level, ' +
      'each once); a unit whose code does not start with its parent’s is kept where the source puts it and recorded as an override. `npm run gazetteer -- ' +
      'load` sends a directory of files this way.',
    tag: TAG,
    access: ['admin'],
    params: z.object({ edition: Edition, pcode: z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a province P-code')) }),
    body: z.record(z.string(), z.unknown()),
    responses: {
      200: {
        description: 'The province as stored in the edition',
        schema: () => z.object({ edition: z.string(), province: z.string(), units: z.int(), overrides: z.record(z.string(), z.string()) }),
      },
      409: problem,
    },
  },
  async (c, { principal, params, body }) => {
    const problems = sourceTreeProblems(body);
    if (problems.length > 0)
      throw new BadRequest(
        'The province is not a gazetteer tree.',
        problems.map((message) => ({ path: message.split(' ')[0]!, message })),
      );
    const tree = body as unknown as SourceUnit;
    if (tree.pcode !== params.pcode)
      throw new BadRequest(`The body is province ${tree.pcode}, not ${params.pcode}.`, [{ path: 'body.pcode', message: `must be ${params.pcode}` }]);
    try {
      return c.json(await putEditionProvince(params.edition, countryOf(params.pcode), tree, actorOf(principal)));
    } catch (e: unknown) {
      throw refused(e);
    }
  },
);

api.route(
  {
    method: 'post',
    path: '/v1/places/editions/{edition}/activation',
    operationId: 'activateGazetteerEdition',
    summary: 'Make a loaded gazetteer edition the one in use, reporting the codes it drops',
    description:
      'Checks the edition holds both countries and every code once, then switches to it. The answer reports the codes of the previous edition that this ' +
      'one no longer has (`dropped`): records that carry them keep them, and `GET /v1/places/{pcode}` still answers them from the last edition that had ' +
      'them (`retired`). ' +
      'New records are checked against the new edition at once in this function and within 60 seconds in the others.',
    tag: TAG,
    access: ['admin'],
    params: z.object({ edition: Edition }),
    responses: {
      200: {
        description: 'The activation report',
        schema: () =>
          z.object({
            edition: z.string(),
            previous: z.nullable(z.string()),
            activatedAt: z.string(),
            units: z.record(z.string(), z.record(z.string(), z.int())),
            added: z.int(),
            dropped: z.object({ count: z.int(), codes: z.array(z.object({ pcode: z.string(), level: z.string(), en: z.string() })) }),
            overrides: z.record(z.string(), z.string()),
          }),
      },
      404: problem,
      409: problem,
    },
  },
  async (c, { principal, params }) => {
    try {
      return c.json(await activateEdition(params.edition, actorOf(principal)));
    } catch (e: unknown) {
      throw refused(e);
    }
  },
);

api.route(
  {
    method: 'get',
    path: '/v1/places',
    operationId: 'listPlaces',
    summary: 'The administrative units under a unit (or a country’s provinces), with names in English and Khmer or Thai',
    description:
      '`parent` is a country (`KH`, `TH`: its provinces) or a P-code: a province’s districts, a district’s communes (tambons in Thailand), a Cambodian ' +
      'commune’s villages. Every role may read it; it holds no personal data. ' +
      'The answer names the gazetteer `edition` in use and carries an ETag of the edition and parent; browsers may keep it an hour (`Cache-Control: ' +
      'private, max-age=3600`), and `If-None-Match` with the ETag answers 304.',
    tag: TAG,
    access: ROLES,
    cacheable: true,
    query: z.object({ parent: Parent }),
    responses: {
      200: { description: 'The children, in code order', schema: () => z.object({ edition: z.string(), parent: z.string(), items: z.array(Unit()) }) },
      304: { description: 'Not modified (the ETag sent in If-None-Match is current)' },
      404: problem,
    },
  },
  async (c, { query }) => {
    const found = await listChildren(query.parent);
    if (!found)
      throw new NotFound(
        levelOf(query.parent) || query.parent.length === 2
          ? `${query.parent} has no units below it in the gazetteer edition in use.`
          : `No unit ${query.parent}.`,
      );
    const etag = tagOf(found.edition, query.parent);
    if (notModified(c.req.header('if-none-match'), etag)) return c.body(null, 304, { ETag: etag, 'Cache-Control': CACHE });
    return c.json({ edition: found.edition, parent: query.parent, items: found.items }, 200, { ETag: etag, 'Cache-Control': CACHE });
  },
);

api.route(
  {
    method: 'get',
    path: '/v1/places/{pcode}',
    operationId: 'getPlace',
    summary: 'One administrative unit with its parents',
    description:
      'The unit and its parents, nearest first, in the edition in use. A code that a later edition dropped is still answered, from the last edition that ' +
      'had it, with `retired: { lastEdition, droppedIn }`: records made before keep it and stay readable.',
    tag: TAG,
    access: ROLES,
    cacheable: true,
    params: z.object({ pcode: Pcode }),
    responses: {
      200: {
        description: 'The unit',
        schema: () =>
          z.object({
            edition: z.string(),
            ...Unit().shape,
            parents: z.array(Unit()),
            retired: z.optional(z.object({ lastEdition: z.string(), droppedIn: z.string() })),
          }),
      },
      304: { description: 'Not modified' },
      404: problem,
    },
  },
  async (c, { params }) => {
    const found = await findUnit(params.pcode);
    if (!found) throw new NotFound(`No unit ${params.pcode} in the gazetteer.`);
    const etag = tagOf(found.edition, params.pcode);
    if (notModified(c.req.header('if-none-match'), etag)) return c.body(null, 304, { ETag: etag, 'Cache-Control': CACHE });
    return c.json({ edition: found.edition, ...found.unit, parents: found.parents, ...(found.retired ? { retired: found.retired } : {}) }, 200, {
      ETag: etag,
      'Cache-Control': CACHE,
    });
  },
);

function refused(e: unknown): unknown {
  if (!(e instanceof EditionRefused)) return e;
  if (e.kind === 'conflict') return new Conflict(e.message);
  if (e.kind === 'missing') return new NotFound(e.message);
  return new BadRequest(
    e.message,
    e.problems.map((message) => ({ path: 'body', message })),
  );
}

export const app = api.app;
export const routes = api.routes;
