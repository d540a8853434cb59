import * as z from 'zod/mini';
import { IdParams, Page, PageQuery, Country } from '#shared/domain/common.ts';
import { Team, TeamCreate, TeamPatch } from '#shared/domain/team.ts';
import { getTeam, teamWrite, listAllTeams, listTeamsOfCountry, updateTeam } from '#shared/db/repositories/teams.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { DEMINING_READERS, type Principal } from '#shared/domain/roles.ts';
import { Forbidden, NotFound } from '#shared/http/problem.ts';
import { requireCountry } from '#shared/http/auth.ts';
import { etagOf } from '#shared/http/etag.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { newId } from '#shared/domain/ids.ts';

const TEAM_READERS = DEMINING_READERS;

/** A team as `GET /v1/teams/{id}` reads it for the caller. */
async function readableTeam(principal: Principal, id: string): Promise<{ body: Team; version: number }> {
  if (principal.role === 'deminer' && principal.team !== id) throw new Forbidden('A deminer may read only its own team.');
  const team = await getTeam(id);
  if (!team) throw new NotFound(`No team ${id}.`);
  return { body: team, version: team.version };
}

/** Clearance teams: registered by operations, read by those who plan and follow the work. */
export function registerTeams(api: Api): void {
  createTeamRoute(api);
  listTeamsRoute(api);
  getTeamRoute(api);
  updateTeamRoute(api);
}

function createTeamRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/teams',
      operationId: 'createTeam',
      example: { name: 'CMAC demining unit 12', organisation: 'CMAC', country: 'KH', capabilities: ['MANUAL', 'MDD'] },
      summary: 'Register a clearance team',
      description: 'Operations users register teams of their own country; admins of either.',
      tag: 'Teams',
      access: ['operations', 'admin'],
      body: TeamCreate,
      idempotent: true,
      reread: async (_c, { principal }, id) => readableTeam(principal, id),
      responses: { 201: { description: 'The team', schema: Team }, 409: problem },
    },
    async (c, { principal, body, idempotency }) => {
      requireCountry(principal, body.country, 'register teams');
      const now = new Date().toISOString();
      const team: Team = { id: newId(), version: 1, createdAt: now, updatedAt: now, createdBy: principal.sub, ...body, active: true };
      const response = { status: 201, id: team.id, body: team, headers: { ETag: etagOf(team.version), Location: `/v1/teams/${team.id}` } };
      return commitCreate(c, [teamWrite(team)], response, idempotency);
    },
  );
}

function listTeamsRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/teams',
      operationId: 'listTeams',
      summary: 'List teams, optionally of one country',
      tag: 'Teams',
      access: TEAM_READERS,
      query: z.object({ country: z.optional(Country), ...PageQuery }),
      responses: { 200: { description: 'A page of teams', schema: Page(Team) } },
    },
    async (c, { query }) => {
      const page = { limit: query.limit, cursor: query.cursor };
      return c.json(query.country ? await listTeamsOfCountry(query.country, page) : await listAllTeams(page));
    },
  );
}

function getTeamRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/teams/{id}',
      operationId: 'getTeam',
      summary: 'Read a team',
      description: 'Deminers may read their own team only.',
      tag: 'Teams',
      access: [...TEAM_READERS, 'deminer'],
      params: IdParams,
      responses: { 200: { description: 'The team; ETag carries its version', schema: Team }, 404: problem },
    },
    async (c, { principal, params }) => {
      const { body: team } = await readableTeam(principal, params.id);
      return c.json(team, 200, { ETag: etagOf(team.version) });
    },
  );
}

function updateTeamRoute(api: Api): void {
  api.route(
    {
      method: 'patch',
      path: '/v1/teams/{id}',
      operationId: 'updateTeam',
      summary: 'Rename a team, change its capabilities or stand it down',
      tag: 'Teams',
      access: ['operations', 'admin'],
      params: IdParams,
      body: TeamPatch,
      ifMatch: true,
      responses: { 200: { description: 'The updated team', schema: Team }, 404: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const current = await getTeam(params.id);
      if (!current) throw new NotFound(`No team ${params.id}.`);
      requireCountry(principal, current.country, 'change teams');
      const team = await updateTeam(params.id, expectedVersion, body, new Date().toISOString());
      return c.json(team, 200, { ETag: etagOf(team.version) });
    },
  );
}
