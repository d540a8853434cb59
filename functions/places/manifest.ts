/** What the `places` function serves: the gazetteer (administrative units with P-codes) and its editions. */
export const placesFunction = {
  name: 'places',
  basePaths: ['/v1/places'],
} as const;
