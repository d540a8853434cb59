import * as z from 'zod/mini';
import { EO_CATEGORIES } from './ordnance-categories.ts';

/** Explosive ordnance categories (IMSMA); the list is in a module without zod, for the web console. */
export { EO_CATEGORIES } from './ordnance-categories.ts';
export const EoCategory = z.enum(EO_CATEGORIES);
export type EoCategory = z.infer<typeof EoCategory>;

/** Whether contamination predates the 2025 fighting or came with it. */
export const ContaminationPeriod = z.enum(['LEGACY', '2025_CONFLICT']);

/** Free-text model names seen on this border: PMN-2, M46, M85, Type 72, ... */
export const EoModel = z.string().check(z.trim(), z.minLength(1), z.maxLength(60));
