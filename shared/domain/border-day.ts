/**
 * Cambodia and Thailand both keep UTC+7 all year (no daylight saving): days and months on the
 * border are taken at that offset, whatever the server's clock zone.
 */
export const BORDER_UTC_OFFSET_HOURS = 7;

/**
 * Today's date (`YYYY-MM-DD`) on the border. A day recorded in the field (an accident, a session, a
 * clearance finished, a displacement) is never later than this: from 17:00 UTC the border is
 * already on the next day, and a date taken there must not be refused as "in the future".
 */
export const borderToday = (now = new Date()): string => new Date(now.getTime() + BORDER_UTC_OFFSET_HOURS * 3_600_000).toISOString().slice(0, 10);
