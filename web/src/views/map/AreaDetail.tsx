/**
 * The hazard area the map is zoomed to: its figures (recorded, remaining, released, handed over),
 * each released part, and, for operations of its country (or an admin), "withdraw" for an area
 * recorded in error or twice (`POST /v1/hazard-areas/{id}/transitions` `{ to: "WITHDRAWN",
 * reason }` with its version as `If-Match`, through the offline queue). There is no "close":
 * an area closes only when accepted completion reports release all of its land.
 */
import { useState } from 'preact/hooks';
import { Field, ProblemMessage, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { commonMessages } from '../../app/messages.ts';
import { submit, usePendingChanges } from '../../app/offline.ts';
import type { Session } from '../../app/session.ts';
import { withdrawRefusal, type Area, type AreaFeature } from '../land-release.ts';
import { mapMessages, type MapKey } from './messages.ts';

const sqm = (n: number | undefined) => Math.round(n ?? 0).toLocaleString();

export const withdrawPath = (id: string) => `/v1/hazard-areas/${id}/transitions`;

export function AreaDetail({
  area,
  features,
  session,
  onArea,
  pageLink = false,
}: {
  area: Area;
  features: AreaFeature[] | undefined;
  session: Session;
  onArea: (area: Area) => void /** Link to the area's own page (tasks, history, corrections) for those who plan. */;
  pageLink?: boolean;
}) {
  const t = useT(mapMessages);
  const tc = useT(commonMessages);
  const pending = usePendingChanges();
  const [withdrawing, setWithdrawing] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);
  const name = `${area.reference} · ${area.name}`;
  const released = (features ?? []).filter((f) => f.properties.kind === 'released');
  const waiting = pending.some((c) => c.path === withdrawPath(area.id) && (c.state === 'queued' || c.state === 'sending'));
  const refusal = withdrawRefusal(area, session);
  const operates = session.role === 'operations' || session.role === 'admin';

  async function withdraw(e: Event) {
    e.preventDefault();
    const why = reason.trim();
    if (!why) {
      setReasonError(t('withdraw.needReason'));
      document.getElementById(`withdraw-reason-${area.id}`)?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const result = await submit({
        method: 'POST',
        path: withdrawPath(area.id),
        body: { to: 'WITHDRAWN', reason: why },
        ifMatch: area.version,
        label: t('withdraw.label', { name }),
      });
      setNotice(result.state);
      setWithdrawing(false);
      setReason('');
      setReasonError(undefined);
      if (result.state === 'sent' && result.body && typeof result.body === 'object') onArea(result.body as Area);
    } catch (err: unknown) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="map-detail" aria-labelledby={`detail-${area.id}`} data-testid="map-detail" data-status={area.status}>
      <h2 id={`detail-${area.id}`}>{t('detail.title', { name })}</h2>
      <dl class="tb-facts">
        <div>
          <dt>{t('status')}</dt>
          <dd data-testid="map-detail-status">{tc(`hazard.${area.status}`)}</dd>
        </div>
        <div>
          <dt>{t('area')}</dt>
          <dd>{sqm(area.areaSqm)}</dd>
        </div>
        <div>
          <dt>{t('remaining')}</dt>
          <dd>{sqm(area.remainingSqm)}</dd>
        </div>
        <div>
          <dt>{t('released')}</dt>
          <dd>{sqm(area.releasedSqm)}</dd>
        </div>
      </dl>
      {area.withdrawn && (
        <p class="tb-warning" role="note">
          {t('detail.withdrawn', { date: area.withdrawn.at.slice(0, 10), org: area.withdrawn.by.org, reason: area.withdrawn.reason })}
        </p>
      )}
      <h3>{t('detail.parts')}</h3>
      {features !== undefined && released.length === 0 && <p>{t('detail.noParts')}</p>}
      {released.length > 0 && (
        <ol data-testid="map-detail-parts">
          {released.map((f, i) => (
            <li key={`${f.properties.clearedAreaId ?? ''}-${f.properties.part ?? i}`} data-outcome={f.properties.outcome}>
              {t('detail.part', {
                outcome: f.properties.outcome ? t(`outcome.${f.properties.outcome}`) : '–',
                method: f.properties.method ? t(`method.${f.properties.method}` as MapKey) : '–',
                sqm: sqm(f.properties.areaSqm),
              })}
            </li>
          ))}
        </ol>
      )}
      <p class="hint">{t('detail.closedBy')}</p>
      {pageLink && operates && (
        <p>
          <a href={`#/areas/${area.id}`} data-testid="map-area-page">
            {t('detail.page')}
          </a>
        </p>
      )}

      {waiting && (
        <p class="notice notice-queued" role="status">
          {t('detail.waiting')}
        </p>
      )}
      <SubmitNotice state={notice} />
      <ProblemMessage error={error} />
      {operates && !waiting && refusal && area.status !== 'WITHDRAWN' && (
        <p class="qa-refusal" role="note" data-testid="withdraw-refusal" data-refusal={refusal}>
          {t(refusal, { country: tc(`country.${area.country}`) })}
        </p>
      )}
      {operates && !waiting && !refusal && !withdrawing && (
        <div class="actions">
          <button type="button" class="danger" onClick={() => setWithdrawing(true)} data-testid="map-withdraw">
            {t('withdraw')}
          </button>
        </div>
      )}
      {withdrawing && !waiting && !refusal && (
        <form class="task-confirm" onSubmit={(e) => void withdraw(e)} noValidate aria-labelledby={`withdraw-${area.id}`} data-testid="withdraw-form">
          <h3 id={`withdraw-${area.id}`}>{t('withdraw.title', { name })}</h3>
          <p>{t('withdraw.intro')}</p>
          <Field label={t('withdraw.reason')} error={reasonError}>
            <textarea
              id={`withdraw-reason-${area.id}`}
              rows={2}
              maxLength={500}
              required
              value={reason}
              onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)}
              data-testid="withdraw-reason"
            />
          </Field>
          <div class="actions">
            <button type="submit" class="danger" disabled={busy} data-testid="withdraw-confirm">
              {t('withdraw.confirm')}
            </button>
            <button type="button" class="secondary" disabled={busy} onClick={() => setWithdrawing(false)} data-testid="withdraw-back">
              {t('withdraw.back')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
