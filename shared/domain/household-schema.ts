import * as z from 'zod/mini';
import { Country, named, StoredFields } from './common.ts';
import { PossibleDuplicateSchema } from './duplicates.ts';
import {
  BlockedReason,
  ConsentPurpose,
  Contact,
  CurrentLocation,
  DEPARTURE_REASONS,
  Destination,
  DocumentType,
  HouseholdStatus,
  Origin,
  Relationship,
  ReturnIntentions,
  ReturnSafetySchema,
  Sex,
  SpecificNeedCode,
  VerificationMethod,
  VerificationStatus,
} from './household.ts';

/**
 * The full household as the API answers it, for the OpenAPI document: in a module of its own, so
 * that functions that answer only summaries (and cannot drop a schema they never use) do not carry it.
 */

const MemberSchema = () =>
  z.object({
    id: z.string(),
    givenName: z.string(),
    familyName: z.string(),
    sex: Sex,
    birthDate: z.optional(z.string()),
    birthYear: z.int(),
    relationship: Relationship,
    specificNeeds: z.array(SpecificNeedCode),
    document: z.optional(z.object({ type: DocumentType, last4: z.string() })),
  });
export const HouseholdSchema = named('Household', () =>
  z.object({
    ...StoredFields,
    country: Country,
    org: z.string(),
    status: HouseholdStatus,
    blockedReason: z.optional(BlockedReason),
    statusReason: z.optional(z.string()),
    statusChangedAt: z.string(),
    origin: Origin,
    current: CurrentLocation,
    destination: z.optional(Destination),
    members: z.array(MemberSchema()),
    formerMembers: z.optional(
      z.array(
        z.object({
          ...MemberSchema().shape,
          departure: z.object({ reason: z.enum(DEPARTURE_REASONS), date: z.string(), recordedAt: z.string(), householdId: z.optional(z.string()) }),
        }),
      ),
    ),
    verification: z.optional(
      z.object({
        status: VerificationStatus,
        method: z.optional(VerificationMethod),
        date: z.optional(z.string()),
        by: z.optional(z.string()),
        recordedAt: z.string(),
        recordedBy: z.object({ sub: z.string(), role: z.string(), org: z.string() }),
      }),
    ),
    splitFrom: z.optional(z.object({ householdId: z.string(), at: z.string() })),
    splitInto: z.optional(z.array(z.object({ householdId: z.string(), at: z.string() }))),
    contact: z.optional(Contact),
    consent: z.object({
      given: z.literal(true),
      date: z.string(),
      purposes: z.array(ConsentPurpose),
      withdrawn: z.optional(z.array(z.object({ purpose: ConsentPurpose, date: z.string() }))),
    }),
    reviewedDuplicate: z.optional(z.object({ of: z.string(), reason: z.string() })),
    returnSafety: ReturnSafetySchema(),
    importId: z.optional(z.string()),
    displacedSince: z.optional(z.string()),
    currentSince: z.optional(z.string()),
    returnIntentions: z.optional(ReturnIntentions),
    code: z.optional(z.string()),
    riskEducation: z.optional(z.object({ receivedAt: z.string(), sessionId: z.optional(z.string()) })),
    erasure: z.optional(
      z.object({ status: z.literal('REQUESTED'), requested: z.object({ role: z.string(), org: z.string(), at: z.string() }), reason: z.string() }),
    ),
    duplicateReviews: z.optional(z.array(z.object({ reviewId: z.string(), decision: z.literal('SAME'), at: z.string() }))),
    possibleDuplicates: z.optional(z.array(PossibleDuplicateSchema())),
  }),
);
