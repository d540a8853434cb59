import * as z from 'zod/mini';
import { Country, IdParams, Page, PageQuery } from '#shared/domain/common.ts';
import { DuplicateDecisionCreate, DuplicateReviewSchema, REVIEW_STATUSES, type DuplicateReview } from '#shared/domain/duplicates.ts';
import { historyEntry } from '#shared/domain/history.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { decidedReviewWrite, getReview, listReviews, markSameWrites } from '#shared/db/repositories/duplicates.ts';
import { transact } from '#shared/db/transact.ts';
import { checkVersion } from '#shared/errors.ts';
import { Api, problem } from '#shared/http/api.ts';
import { actingCountry } from '#shared/http/auth.ts';
import { etagOf } from '#shared/http/etag.ts';
import { Conflict, NotFound } from '#shared/http/problem.ts';

/**
 * The duplicate-reviews function: the ministry's queue of pairs of households that may be one
 * family registered twice without documents (found at registration and after imports), and its
 * decisions. A review holds ids, a score and reasons: no names.
 */
const TAG = 'Duplicate reviews';
const REVIEWERS = ['ministry', 'admin'] as const;

/** A review of the caller's country (any for an admin); anything else is the same 404 as a missing one. */
async function visibleReview(principal: Principal, id: string): Promise<DuplicateReview> {
  const review = await getReview(id);
  if (!review || (principal.role !== 'admin' && review.country !== principal.country)) throw new NotFound(`No duplicate review ${id}.`);
  return review;
}

const api = new Api();

api.route(
  {
    method: 'get',
    path: '/v1/duplicate-reviews',
    operationId: 'listDuplicateReviews',
    summary: 'The review queue of possible duplicate households',
    description:
      'Pairs of households of the ministry’s country with a member of the same normalised name, born within a year, from the same origin commune or village, found when the second was registered or imported. ' +
      'Oldest first; `status` narrows to PENDING (to decide), SAME or DIFFERENT. An admin names `country`. Items carry ids, score and reasons only; open the households to compare them (recorded in their access logs).',
    tag: TAG,
    access: REVIEWERS,
    query: z.object({ country: z.optional(Country), status: z.optional(z.enum(REVIEW_STATUSES)), ...PageQuery }),
    responses: { 200: { description: 'A page of reviews', schema: Page(DuplicateReviewSchema) } },
  },
  async (c, { principal, query }) => {
    const country = actingCountry(principal, query.country, 'query', 'list duplicate reviews');
    return c.json(await listReviews(country, query.status, { limit: query.limit, cursor: query.cursor }));
  },
);

api.route(
  {
    method: 'get',
    path: '/v1/duplicate-reviews/{id}',
    operationId: 'getDuplicateReview',
    summary: 'One review of a pair of households',
    tag: TAG,
    access: REVIEWERS,
    params: IdParams,
    responses: { 200: { description: 'The review', schema: DuplicateReviewSchema }, 404: problem },
  },
  async (c, { principal, params }) => {
    const review = await visibleReview(principal, params.id);
    return c.json(review, 200, { ETag: etagOf(review.version) });
  },
);

api.route(
  {
    method: 'post',
    path: '/v1/duplicate-reviews/{id}/decision',
    operationId: 'decideDuplicateReview',
    summary: 'Decide whether the pair is one household (SAME) or two (DIFFERENT)',
    description:
      'With the review’s `If-Match`. SAME merges nothing: it marks both households (`duplicateReviews` on each, their versions raised, an entry in each history) so that registrars and the ministry see it; DIFFERENT closes the review. ' +
      'A review is decided once (a second decision is a 409); the decision of a pair with an erased household is a 409.',
    tag: TAG,
    access: REVIEWERS,
    params: IdParams,
    body: DuplicateDecisionCreate,
    ifMatch: true,
    responses: { 200: { description: 'The decided review', schema: DuplicateReviewSchema }, 404: problem, 409: problem },
  },
  async (c, { principal, params, body, expectedVersion }) => {
    const review = await visibleReview(principal, params.id);
    checkVersion(review, expectedVersion, 'duplicate review');
    if (review.status !== 'PENDING')
      throw new Conflict(`Duplicate review ${review.id} was decided ${review.status} on ${review.decision?.at ?? review.updatedAt}.`, {
        status: review.status,
      });
    const at = new Date().toISOString();
    const decided: DuplicateReview = {
      ...review,
      status: body.decision,
      decision: {
        decision: body.decision,
        ...(body.comment ? { comment: body.comment } : {}),
        at,
        by: { sub: principal.sub, role: principal.role, org: principal.org },
      },
      version: review.version + 1,
      updatedAt: at,
    };
    const marks =
      body.decision === 'SAME'
        ? review.householdIds.flatMap((id) =>
            markSameWrites(
              id,
              { reviewId: review.id, decision: 'SAME', at },
              historyEntry(principal, at, 'DUPLICATE_REVIEWED', { changes: { reviewId: review.id, decision: 'SAME' } }),
            ),
          )
        : [];
    await transact([decidedReviewWrite(decided, expectedVersion), ...marks]);
    return c.json(decided, 200, { ETag: etagOf(decided.version) });
  },
);

export const app = api.app;
export const routes = api.routes;
