/**
 * Clearance priorities for planners (operations, QA, observers, ministries, admins): the hazard
 * areas of a country or province ranked by the API's score (people waiting near them, accidents,
 * 2025 contamination), as a table and as numbered points on a plain map. Counts the caller may
 * not see exactly come back withheld and are shown as "fewer than 5".
 */
import { useEffect, useState } from 'preact/hooks';
import { request } from '../../app/api.ts';
import { Field, Page, ProblemMessage, Spinner } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { useSession } from '../../app/session.ts';
import type { ViewProps } from '../index.ts';
import { mineActionMessages } from './messages.ts';
import { PointsMap } from './svg.tsx';
import './mine-action.css';

interface Ranked {
  rank: number;
  hazardAreaId: string;
  reference: string;
  name: string;
  province: string;
  status: string;
  centre: number[];
  score: number | null;
  households: { total: number | null };
  people: { total: number | null };
  accidents: number;
}

/** The task priority (1–5) a rank suggests: top fifth 1, next fifth 2, … (as the API's `suggestedTaskPriority`). */
export const suggestedPriority = (rank: number, of: number): number => (of <= 0 ? 3 : Math.min(5, Math.floor(((rank - 1) * 5) / of) + 1));

export function PrioritiesView(_props: ViewProps) {
  const t = useT(mineActionMessages);
  const session = useSession();
  const [country, setCountry] = useState<string>(session?.country ?? 'KH');
  const [province, setProvince] = useState('');
  const [items, setItems] = useState<Ranked[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    let live = true;
    setItems(undefined);
    setError(undefined);
    const scope = /^(KH|TH)\d{2}$/.test(province) ? `province=${province}` : `country=${country}`;
    request<{ items: Ranked[] }>('GET', `/v1/hazard-areas/priorities?${scope}&limit=100`)
      .then((r) => live && setItems(r.body.items))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [country, province]);

  const count = (n: number | null) => (n === null ? t('prio.withheld') : String(n));
  return (
    <Page title={t('prio.title')}>
      <p>{t('prio.intro')}</p>
      <div class="hh-filters">
        {!session?.country && (
          <Field label={t('country')}>
            <select value={country} onChange={(e) => setCountry((e.currentTarget as HTMLSelectElement).value)} data-testid="priorities-country">
              <option value="KH">KH</option>
              <option value="TH">TH</option>
            </select>
          </Field>
        )}
        <Field label={t('acc.province')}>
          <input value={province} onChange={(e) => setProvince((e.currentTarget as HTMLInputElement).value.toUpperCase())} data-testid="priorities-province" />
        </Field>
      </div>
      <ProblemMessage error={error} />
      {!items && !error && <Spinner />}
      {items && items.length === 0 && <p>{t('prio.empty')}</p>}
      {items && items.length > 0 && (
        <>
          <PointsMap
            label={t('prio.map')}
            testid="priority-map"
            points={items.map((a) => ({
              id: a.hazardAreaId,
              lon: a.centre[0]!,
              lat: a.centre[1]!,
              label: String(a.rank),
              title: `${a.rank}. ${a.name} (${a.reference})`,
              tone: 'rank',
            }))}
          />
          <table class="ma-table" data-testid="priority-list">
            <thead>
              <tr>
                <th>{t('prio.rank')}</th>
                <th>{t('prio.area')}</th>
                <th>{t('prio.score')}</th>
                <th>{t('prio.households')}</th>
                <th>{t('prio.people')}</th>
                <th>{t('prio.accidents')}</th>
                <th>{t('prio.suggested')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.hazardAreaId} data-testid="priority-row">
                  <td>{a.rank}</td>
                  <td>
                    {a.name}{' '}
                    <small>
                      ({a.reference}, {a.province})
                    </small>
                  </td>
                  <td>{a.score ?? t('prio.scoreWithheld')}</td>
                  <td>{count(a.households.total)}</td>
                  <td>{count(a.people.total)}</td>
                  <td>{a.accidents}</td>
                  <td>{suggestedPriority(a.rank, items.length)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Page>
  );
}
