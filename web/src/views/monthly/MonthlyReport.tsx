/**
 * The monthly report a ministry files as it is: per month, land released by outcome, explosive
 * ordnance destroyed, accidents and casualties, people reached by risk education, and households
 * registered, returned and displaced again (`GET /v1/stats/monthly`), with a chart in plain SVG,
 * signature lines and a print stylesheet (A4 landscape; the controls, header and navigation are not
 * printed). Thai readers get Buddhist-era years (2026 → 2569), as Thai official documents use.
 */
import { useEffect, useState } from 'preact/hooks';
import { useGet } from '../../app/use-get.ts';
import { Field, Page, ProblemMessage, Spinner } from '../../app/components.tsx';
import { useLang, useT, type Lang } from '../../app/i18n.ts';
import { commonMessages } from '../../app/messages.ts';
import { useSession } from '../../app/session.ts';
import type { ViewProps } from '../index.ts';
import { currentMonth, displayYear, MAX_MONTHS, REPORTING_UTC_OFFSET_HOURS, monthsBetween, RELEASE_OUTCOMES, type MonthView } from '#shared/domain/monthly.ts';
import { EO_CATEGORIES } from '#shared/domain/ordnance-categories.ts';
import { SUPPRESSED_CSV_CELL } from '#shared/domain/small-cells.ts';
import { isProvinceCode, provinceMessages, provincesOf } from '../households/places.ts';
import { monthlyMessages, type MonthlyKey } from './messages.ts';
import './monthly.css';

type Country = 'KH' | 'TH';
type Row = Omit<MonthView, 'households'> & { households: Record<'registered' | 'returned' | 'redisplaced', number | null> };
interface Answer {
  scope: { country: Country | null; province: string | null };
  from: string;
  to: string;
  months: Row[];
  totals: Omit<Row, 'month'>;
  suppressed: string[];
}

const LOCALES: Record<Lang, string> = { en: 'en-GB', km: 'km-KH', th: 'th-TH' };

/** `YYYY-MM` `n` months before `month`. */
function monthsBefore(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** A month as the reader's language writes it, with the year of its era (Buddhist for Thai). */
export function useMonthLabel(): (month: string) => string {
  const t = useT(monthlyMessages);
  const [lang] = useLang();
  return (month) => {
    const [y, m] = month.split('-');
    return `${t(`m.${m}` as MonthlyKey)} ${displayYear(Number(y), lang)}`;
  };
}

export function MonthlyReport(_props: ViewProps) {
  const t = useT(monthlyMessages);
  const tc = useT(commonMessages);
  const tp = useT(provinceMessages);
  const session = useSession();
  const thisMonth = currentMonth();
  const fixedCountry = session?.role === 'relief' ? session.country : undefined;
  const [country, setCountry] = useState<Country | ''>(session?.country ?? '');
  const [province, setProvince] = useState('');
  const [from, setFrom] = useState(monthsBefore(thisMonth, 5));
  const [to, setTo] = useState(thisMonth);
  const [scope, setScope] = useState({ country, province, from, to });
  const periodOk = (f: string, tt: string) =>
    /^\d{4}-\d{2}$/.test(f) && /^\d{4}-\d{2}$/.test(tt) && monthsBetween(f, tt).length > 0 && monthsBetween(f, tt).length <= MAX_MONTHS;

  useEffect(() => {
    document.body.classList.add('mr-open');
    return () => document.body.classList.remove('mr-open');
  }, []);

  const scopeName = (c: Country | '', p: string) => (p ? (isProvinceCode(p) ? tp(p) : p) : c ? tc(`country.${c}`) : t('bothCountries'));
  return (
    <Page title={t('title')}>
      <form
        class="hh-filters mr-controls"
        aria-label={t('controls')}
        onSubmit={(e) => {
          e.preventDefault();
          if (periodOk(from, to)) setScope({ country, province, from, to });
        }}
      >
        <Field label={t('country')}>
          <select
            value={country}
            disabled={fixedCountry !== undefined}
            onChange={(e) => {
              setCountry(e.currentTarget.value as Country | '');
              setProvince('');
            }}
            data-testid="mr-country"
          >
            {fixedCountry === undefined && <option value="">{t('bothCountries')}</option>}
            <option value="KH">{tc('country.KH')}</option>
            <option value="TH">{tc('country.TH')}</option>
          </select>
        </Field>
        <Field label={t('province')}>
          <select value={province} onChange={(e) => setProvince(e.currentTarget.value)} data-testid="mr-province">
            <option value="">{t('allProvinces')}</option>
            {provincesOf(country).map((p) => (
              <option key={p.pcode} value={p.pcode}>
                {isProvinceCode(p.pcode) ? tp(p.pcode) : p.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('from')} error={periodOk(from, to) ? undefined : t('badPeriod')}>
          <input type="month" value={from} max={thisMonth} onInput={(e) => setFrom(e.currentTarget.value)} data-testid="mr-from" />
        </Field>
        <Field label={t('to')}>
          <input type="month" value={to} onInput={(e) => setTo(e.currentTarget.value)} data-testid="mr-to" />
        </Field>
        <button type="submit" data-testid="mr-show">
          {t('show')}
        </button>
        <button type="button" class="secondary" onClick={() => window.print()} data-testid="mr-print">
          {t('print')}
        </button>
      </form>
      <Report key={`${scope.country}-${scope.province}-${scope.from}-${scope.to}`} {...scope} scopeName={scopeName(scope.country, scope.province)} />
    </Page>
  );
}

function Report({ country, province, from, to, scopeName }: { country: Country | ''; province: string; from: string; to: string; scopeName: string }) {
  const t = useT(monthlyMessages);
  const [lang] = useLang();
  const monthLabel = useMonthLabel();
  const q = new URLSearchParams({ from, to });
  if (country) q.set('country', country);
  if (province) q.set('province', province);
  const { data: answer, error } = useGet<Answer>(`/v1/stats/monthly?${q}`);
  if (error) return <ProblemMessage error={error} />;
  if (!answer) return <Spinner />;
  const nf = new Intl.NumberFormat(LOCALES[lang]);
  const n = (v: number | null) => (v === null ? SUPPRESSED_CSV_CELL : nf.format(v));
  const rows = [
    ...answer.months.map((m) => ({ key: m.month, label: monthLabel(m.month), v: m as Omit<Row, 'month'> })),
    { key: 'total', label: t('total'), v: answer.totals },
  ];
  // The day as the report writes months (browsers' Khmer date formats fall back to English).
  const today = new Date(Date.now() + REPORTING_UTC_OFFSET_HOURS * 3_600_000).toISOString().slice(0, 10);
  const prepared = `${Number(today.slice(8, 10))} ${monthLabel(today.slice(0, 7))}`;
  return (
    <article class="mr-report" data-testid="monthly-report" aria-labelledby="mr-title">
      <header class="mr-head">
        <h2 id="mr-title">{t('reportTitle')}</h2>
        <p class="mr-scope" data-testid="mr-scope">
          {t('scopeLine', { scope: scopeName, from: monthLabel(answer.from), to: monthLabel(answer.to) })}
        </p>
        <p class="mr-generated" data-testid="mr-generated">
          {t('generated', { date: prepared })}
        </p>
      </header>

      <MonthTable
        testId="mr-land"
        caption={t('land.caption')}
        monthHeading={t('month')}
        rows={rows}
        columns={[
          ...RELEASE_OUTCOMES.map((o) => ({ key: o, label: t(`land.${o}` as MonthlyKey), value: (v: RowFigures) => v.landReleasedSqm[o] })),
          { key: 'total', label: t('total'), value: (v: RowFigures) => v.landReleasedSqm.total },
        ]}
        n={n}
      />

      <LandChart months={answer.months} label={t('chart')} monthLabel={monthLabel} nf={nf} />

      <MonthTable
        testId="mr-eo"
        caption={t('eo.caption')}
        monthHeading={t('month')}
        rows={rows}
        columns={[
          ...EO_CATEGORIES.map((k) => ({ key: k, label: t(`eo.${k}` as MonthlyKey), value: (v: RowFigures) => v.ordnanceDestroyed[k] })),
          { key: 'total', label: t('total'), value: (v: RowFigures) => v.ordnanceDestroyed.total },
        ]}
        n={n}
      />

      <MonthTable
        testId="mr-people"
        markMonths
        caption={t('people.caption')}
        monthHeading={t('month')}
        rows={rows}
        columns={[
          { key: 'accidents', label: t('accidents'), value: (v: RowFigures) => v.accidents.accidents },
          { key: 'killed', label: t('killed'), value: (v: RowFigures) => v.accidents.killed },
          { key: 'injured', label: t('injured'), value: (v: RowFigures) => v.accidents.injured },
          { key: 'sessions', label: t('sessions'), value: (v: RowFigures) => v.riskEducation.sessions },
          { key: 'reached', label: t('reached'), value: (v: RowFigures) => v.riskEducation.peopleReached },
          {
            key: 'registered',
            label: t('registered'),
            value: (v: RowFigures) => v.households.registered,
            cellTestId: (month: string) => `mr-registered-${month}`,
          },
          { key: 'returned', label: t('returned'), value: (v: RowFigures) => v.households.returned },
          { key: 'redisplaced', label: t('redisplaced'), value: (v: RowFigures) => v.households.redisplaced },
        ]}
        n={n}
      />
      {answer.suppressed.length > 0 && <p class="mr-note">{t('suppressedNote')}</p>}

      <footer class="mr-signatures">
        <p>{t('preparedBy')}</p>
        <p>{t('approvedBy')}</p>
      </footer>
    </article>
  );
}

type RowFigures = Omit<Row, 'month'>;

interface MonthColumn {
  key: string;
  label: string;
  value: (v: RowFigures) => number | null;
  /** A test id for the column's cell in the row of `month` (`total` for the totals). */
  cellTestId?: (month: string) => string;
}

/** One table of the report: a row per month and the totals, a column per figure. */
function MonthTable(props: {
  testId: string;
  caption: string;
  monthHeading: string;
  rows: { key: string; label: string; v: RowFigures }[];
  columns: MonthColumn[];
  n: (v: number | null) => string;
  /** Marks each row with its month (`data-month`), for the one table tests and readers pick rows from. */
  markMonths?: boolean;
}) {
  return (
    <table class="mr-table" data-testid={props.testId}>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{props.monthHeading}</th>
          {props.columns.map((c) => (
            <th scope="col" key={c.key}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.key} class={r.key === 'total' ? 'mr-total' : undefined} data-month={props.markMonths ? r.key : undefined}>
            <th scope="row">{r.label}</th>
            {props.columns.map((c) => (
              <td key={c.key} data-testid={c.cellTestId?.(r.key)}>
                {props.n(c.value(r.v))}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Bars of the land released each month, in plain SVG (no library, works offline); the table above holds the figures. */
function LandChart({ months, label, monthLabel, nf }: { months: Row[]; label: string; monthLabel: (m: string) => string; nf: Intl.NumberFormat }) {
  const width = 720;
  const height = 180;
  const barArea = height - 40;
  const max = Math.max(1, ...months.map((m) => m.landReleasedSqm.total));
  const step = width / Math.max(1, months.length);
  return (
    <figure class="mr-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} data-testid="mr-chart">
        {months.map((m, i) => {
          const h = (m.landReleasedSqm.total / max) * barArea;
          const x = i * step + step * 0.2;
          return (
            <g key={m.month}>
              <rect x={x} y={20 + barArea - h} width={step * 0.6} height={h} fill="currentColor" />
              <text x={x + step * 0.3} y={16 + barArea - h} text-anchor="middle" font-size="11">
                {nf.format(m.landReleasedSqm.total)}
              </text>
              <text x={x + step * 0.3} y={height - 6} text-anchor="middle" font-size="11">
                {monthLabel(m.month)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{label}</figcaption>
    </figure>
  );
}
