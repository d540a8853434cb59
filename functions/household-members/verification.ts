import { verificationOf, VerificationSet } from '#shared/domain/household-members.ts';
import { IdParams } from '#shared/domain/common.ts';
import { actorOf } from '#shared/domain/history.ts';
import { HouseholdSchema } from '#shared/domain/household-schema.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { etagOf } from '#shared/http/etag.ts';
import { commitHouseholdChange, householdToChange, nextVersion, placeOf, REGISTRARS } from './change.ts';

export function verificationRoutes(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/households/{id}/verification',
      operationId: 'verifyHousehold',
      summary: 'Record whether a household was verified, and how',
      description:
        '`{ status: UNVERIFIED | VERIFIED | NEEDS_REVIEW, method?: DOCUMENT | HOME_VISIT | COMMUNITY_LEADER | PHONE, date?, by? }` by the registering ' +
        'organisation’s relief agency or an admin; replaces the household’s `verification` (with who recorded it, and when). ' +
        'In the history (status, method and date; not `by`), counted in the displacement statistics (`verification`), and listed by `GET /v1/households?verification=`. ' +
        'The household’s `If-Match`.',
      tag: 'Households',
      access: REGISTRARS,
      params: IdParams,
      body: VerificationSet,
      ifMatch: true,
      example: { status: 'VERIFIED', method: 'HOME_VISIT', date: '2026-02-10' },
      responses: {
        200: { description: 'The household with its verification; ETag carries its new version', schema: HouseholdSchema },
        404: problem,
        410: problem,
      },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const household = await householdToChange(principal, params.id, expectedVersion);
      const now = new Date().toISOString();
      const after = { ...nextVersion(household, now), verification: verificationOf(body, now, actorOf(principal)) };
      const from = household.verification?.status ?? 'UNVERIFIED';
      await commitHouseholdChange(
        principal,
        household,
        after,
        {
          action: 'VERIFICATION',
          from,
          to: body.status,
          changes: { ...(body.method ? { method: body.method } : {}), ...(body.date ? { date: body.date } : {}) },
        },
        { type: EventType.HouseholdVerified, data: { ...placeOf(after), from, to: body.status, ...(body.method ? { method: body.method } : {}) } },
      );
      return c.json(after, 200, { ETag: etagOf(after.version) });
    },
  );
}
