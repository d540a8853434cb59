import * as z from 'zod/mini';

/** Explosive ordnance categories (IMSMA). */
export const EO_CATEGORIES = ['AP_MINE', 'AT_MINE', 'UXO', 'AXO', 'SUBMUNITION', 'BOOBY_TRAP', 'IED', 'OTHER'] as const;
export const EoCategory = z.enum(EO_CATEGORIES);
export type EoCategory = z.infer<typeof EoCategory>;

/** Whether contamination predates the 2025 fighting or came with it. */
export const ContaminationPeriod = z.enum(['LEGACY', '2025_CONFLICT']);

/** Free-text model names seen on this border: PMN-2, M46, M85, Type 72, ... */
export const EoModel = z.string().check(z.trim(), z.minLength(1), z.maxLength(60));
