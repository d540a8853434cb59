/**
 * The categories of explosive ordnance (IMAS), without zod: re-exported by `ordnance.ts`, whose
 * schema is built from them, and read by the web console's progress form and dashboard.
 */
export const EO_CATEGORIES = ['AP_MINE', 'AT_MINE', 'UXO', 'AXO', 'SUBMUNITION', 'BOOBY_TRAP', 'IED', 'OTHER'] as const;
