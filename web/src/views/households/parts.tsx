/** Small pieces the household views share: province names, the safety badge, short ids, dates. */
import { useLang, useT } from '../../app/i18n.ts';
import type { HouseholdSummary } from '#shared/domain/household.ts';
import { householdMessages } from './messages.ts';
import { isProvinceCode, provinceMessages } from './places.ts';

/** Roles that register and change households (the API decides; the console hides what it would refuse). */
export const REGISTRARS: readonly string[] = ['relief', 'admin'];

/** A P-code with its name in the chosen language. */
export function ProvinceName({ code }: { code: string | undefined }) {
  const tp = useT(provinceMessages);
  if (!code) return <>–</>;
  return <>{isProvinceCode(code) ? `${tp(code)} (${code})` : code}</>;
}

export function SafetyBadge({ status }: { status: HouseholdSummary['returnSafety']['status'] }) {
  const t = useT(householdMessages);
  return (
    <span class={`hh-badge hh-safety-${status.toLowerCase()}`} data-safety={status}>
      {t(`safety.${status}`)}
    </span>
  );
}

export const shortId = (id: string): string => id.slice(-8);

/** A date-time in the chosen language's conventions. */
export function useDateFormat(): (iso: string, withTime?: boolean) => string {
  const [lang] = useLang();
  const locale = lang === 'km' ? 'km-KH' : lang === 'th' ? 'th-TH' : 'en-GB';
  return (iso, withTime = true) => {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return withTime ? d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' }) : d.toLocaleDateString(locale, { dateStyle: 'medium' });
  };
}
