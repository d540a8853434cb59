import type { Country } from '../domain/common.ts';
import { checkPlaces, type PlaceToCheck } from '../db/repositories/gazetteer.ts';
import { BadRequest } from './problem.ts';

/**
 * The one gate for coded places in requests (households, hazard areas, accidents, risk-education
 * sessions, and any record with a place): `checkPlaces` against the gazetteer edition in use, and a
 * 400 naming every problem — a commune not in the district given names both codes.
 */
export async function refuseUnknownPlaces(country: Country, places: readonly PlaceToCheck[], what: string): Promise<void> {
  const problems = await checkPlaces(country, places);
  if (problems.length > 0)
    throw new BadRequest(`The place of the ${what} does not match the gazetteer: ${problems.map((p) => p.message).join('; ')}.`, problems);
}
