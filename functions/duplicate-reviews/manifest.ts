/**
 * What the `duplicate-reviews` function serves: the ministry's queue of possible duplicate
 * households without documents, and its decisions. Importing it loads no runtime configuration.
 */
export const duplicateReviewsFunction = {
  name: 'duplicate-reviews',
  basePaths: ['/v1/duplicate-reviews'],
} as const;
