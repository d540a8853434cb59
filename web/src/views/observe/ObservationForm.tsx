/**
 * An ASEAN observer's observation of a task (`POST /v1/tasks/{id}/observations`, append-only):
 * when (now by default), what was found, the three compliance checks and, optionally, where
 * (the device's position, or typed in). An observation recorded in error is corrected by a new
 * one naming it (`corrects`). Sent through the offline queue, which gives the POST its
 * `Idempotency-Key` once, so an observation kept on the device and sent twice is stored once.
 */
import { useId, useState } from 'preact/hooks';
import { Field, ProblemMessage } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { submit } from '../../app/offline.ts';
import { COMPLIANCE, type Observation } from '../land-release.ts';
import { releaseMessages } from '../release-messages.ts';
import { localNow, num, validateObservation, type Errors } from './observation.ts';

export function ObservationForm({
  taskId,
  taskRef,
  corrects,
  onDone,
}: {
  taskId: string;
  taskRef: string;
  corrects?: Observation | undefined;
  onDone: (state: 'sent' | 'queued') => void;
}) {
  const t = useT(releaseMessages);
  const uid = useId();
  const id = (k: string) => `${uid}-${k}`;
  const [observedAt, setObservedAt] = useState(localNow);
  const [findings, setFindings] = useState('');
  const [compliance, setCompliance] = useState<Observation['compliance']>({ jointTeamPresent: false, markingInPlace: false, proceduresFollowed: false });
  const [lon, setLon] = useState('');
  const [lat, setLat] = useState('');
  const [located, setLocated] = useState<'locating' | 'failed' | { accuracy: number } | undefined>(undefined);
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  function locate() {
    if (!('geolocation' in navigator)) return setLocated('failed');
    setLocated('locating');
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLon(pos.coords.longitude.toFixed(6));
        setLat(pos.coords.latitude.toFixed(6));
        setLocated({ accuracy: Math.round(pos.coords.accuracy) });
      },
      () => setLocated('failed'),
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 },
    );
  }

  async function send(e: Event) {
    e.preventDefault();
    const found = validateObservation({ observedAt, findings, lon, lat });
    setErrors(found);
    const first = Object.keys(found)[0];
    if (first) return document.getElementById(id(first))?.focus();
    setBusy(true);
    setError(undefined);
    try {
      const body = {
        observedAt: new Date(observedAt).toISOString(),
        findings: findings.trim(),
        compliance,
        ...(lon.trim() !== '' ? { point: { type: 'Point', coordinates: [num(lon), num(lat)] } } : {}),
        ...(corrects ? { corrects: corrects.id } : {}),
      };
      const result = await submit({ method: 'POST', path: `/v1/tasks/${taskId}/observations`, body, label: t('obs.label', { ref: taskRef }) });
      onDone(result.state);
    } catch (err: unknown) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const err = (k: keyof Errors) => (errors[k] ? t(errors[k]!) : undefined);

  return (
    <form class="qa-form" onSubmit={(e) => void send(e)} noValidate aria-labelledby={id('title')} data-testid="observation-form">
      <h4 id={id('title')}>{t('obs.title', { ref: taskRef })}</h4>
      {corrects && (
        <p class="tb-warning" role="note" data-testid="observation-corrects">
          {t('obs.correcting', { time: new Date(corrects.observedAt).toLocaleString() })}
        </p>
      )}
      <Field label={t('observedAt')} error={err('observedAt')}>
        <input
          id={id('observedAt')}
          type="datetime-local"
          value={observedAt}
          max={localNow()}
          required
          onInput={(e) => setObservedAt((e.currentTarget as HTMLInputElement).value)}
          data-testid="observation-at"
        />
      </Field>
      <Field label={t('findings')} error={err('findings')}>
        <textarea
          id={id('findings')}
          rows={3}
          maxLength={2000}
          required
          value={findings}
          onInput={(e) => setFindings((e.currentTarget as HTMLTextAreaElement).value)}
          data-testid="observation-findings"
        />
      </Field>
      <fieldset>
        <legend>{t('compliance')}</legend>
        {COMPLIANCE.map((c) => (
          <label class="tb-check" key={c}>
            <input
              type="checkbox"
              checked={compliance[c]}
              onChange={(e) => setCompliance({ ...compliance, [c]: (e.currentTarget as HTMLInputElement).checked })}
              data-testid={`observation-${c}`}
            />
            <span>{t(`compliance.${c}`)}</span>
          </label>
        ))}
      </fieldset>
      <fieldset class="tb-position">
        <legend>{t('position')}</legend>
        <button type="button" class="secondary" onClick={locate} disabled={located === 'locating'} data-testid="observation-locate">
          {t('usePosition')}
        </button>
        <p class="hint" role="status" aria-live="polite">
          {located === 'locating' ? t('locating') : located === 'failed' ? t('positionFailed') : located ? t('positionFound', { m: located.accuracy }) : ''}
        </p>
        <div class="tb-grid">
          <Field label={t('longitude')} error={err('lon')}>
            <input
              id={id('lon')}
              type="text"
              inputMode="decimal"
              autoComplete="off"
              value={lon}
              onInput={(e) => setLon((e.currentTarget as HTMLInputElement).value)}
              data-testid="observation-lon"
            />
          </Field>
          <Field label={t('latitude')} error={err('lat')}>
            <input
              id={id('lat')}
              type="text"
              inputMode="decimal"
              autoComplete="off"
              value={lat}
              onInput={(e) => setLat((e.currentTarget as HTMLInputElement).value)}
              data-testid="observation-lat"
            />
          </Field>
        </div>
      </fieldset>
      <ProblemMessage error={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} data-testid="observation-submit">
          {t('obs.submit')}
        </button>
      </div>
    </form>
  );
}
