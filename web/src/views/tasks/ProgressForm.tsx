/**
 * The progress form of a task in progress: report date, area cleared and the explosive
 * ordnance found, each find with its position from the phone (`navigator.geolocation`) or typed
 * in. Sent through the offline queue, which gives the POST its `Idempotency-Key` once, so a
 * report kept on the device and sent twice is stored once.
 */
import { useId, useState } from 'preact/hooks';
import { EO_CATEGORIES } from '#shared/domain/ordnance-categories.ts';
import { Field, ProblemMessage } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { vocabulary } from '../../app/vocabulary.ts';
import { commonMessages } from '../../app/messages.ts';
import { submit } from '../../app/offline.ts';
import { progressPath, todayIso, type Task } from './data.ts';
import { taskMessages, type TaskKey } from './messages.ts';

const CONDITIONS = ['UNKNOWN', 'INTACT', 'DAMAGED', 'DETERIORATED'] as const;
/** Models seen on this border (free text on the server; a hint here). */
const MODELS = ['PMN-2', 'PMN', 'PMD-6', 'Type 72', 'Type 69', 'M14', 'M16', 'POMZ-2', 'TM-46', 'TM-62', 'M46', 'M85', 'BLU-26', 'M42', 'RPG-7', 'B40'];

interface FindDraft {
  key: number;
  category: string;
  model: string;
  quantity: string;
  condition: string;
  depthCm: string;
  lon: string;
  lat: string;
  outside: boolean;
  locating: boolean;
  located?: 'ok' | 'failed';
  accuracy?: number;
}

type Errors = Partial<Record<string, TaskKey>>;

let nextKey = 1;
const emptyFind = (): FindDraft => ({
  key: nextKey++,
  category: 'AP_MINE',
  model: '',
  quantity: '1',
  condition: 'UNKNOWN',
  depthCm: '',
  lon: '',
  lat: '',
  outside: false,
  locating: false,
});

const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s.replace(',', '.')));
const isWhole = (s: string, min: number, max: number) => /^\d+$/.test(s.trim()) && Number(s) >= min && Number(s) <= max;

/** Checks the form as the API will; keys are the form's field names. */
function validate(date: string, area: string, finds: FindDraft[]): Errors {
  const errors: Errors = {};
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || date > todayIso()) errors.date = 'needDate';
  const a = num(area);
  if (!Number.isFinite(a) || a < 0 || a > 10_000_000) errors.area = 'needNumber';
  finds.forEach((f, i) => {
    if (!isWhole(f.quantity, 1, 10_000)) errors[`quantity${i}`] = 'needWhole';
    if (f.depthCm.trim() !== '' && !isWhole(f.depthCm, 0, 1000)) errors[`depth${i}`] = 'needNumber';
    const lon = num(f.lon);
    const lat = num(f.lat);
    if (!Number.isFinite(lon) || lon < -180 || lon > 180) errors[`lon${i}`] = 'needLon';
    if (!Number.isFinite(lat) || lat < -90 || lat > 90) errors[`lat${i}`] = 'needLat';
  });
  return errors;
}

function bodyOf(date: string, area: string, notes: string, finds: FindDraft[]) {
  return {
    reportDate: date,
    areaClearedSqm: num(area),
    finds: finds.map((f) => ({
      category: f.category,
      ...(f.model.trim() ? { model: f.model.trim() } : {}),
      quantity: Number(f.quantity),
      condition: f.condition,
      ...(f.depthCm.trim() ? { depthCm: Number(f.depthCm) } : {}),
      position: { type: 'Point', coordinates: [num(f.lon), num(f.lat)] },
      ...(f.outside ? { acceptOutsideHazardArea: true } : {}),
    })),
    ...(notes.trim() ? { notes: notes.trim() } : {}),
  };
}

export function ProgressForm({ task, areaName, onDone }: { task: Task; areaName: string; onDone: (state: 'sent' | 'queued') => void | Promise<void> }) {
  const tv = useT(vocabulary);
  const t = useT(taskMessages);
  const tc = useT(commonMessages);
  const uid = useId();
  const [date, setDate] = useState(todayIso());
  const [area, setArea] = useState('');
  const [notes, setNotes] = useState('');
  const [finds, setFinds] = useState<FindDraft[]>([]);
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const update = (key: number, patch: Partial<FindDraft>) => setFinds((list) => list.map((f) => (f.key === key ? { ...f, ...patch } : f)));

  function locate(key: number) {
    if (!('geolocation' in navigator)) {
      update(key, { located: 'failed' });
      return;
    }
    update(key, { locating: true, located: undefined });
    navigator.geolocation.getCurrentPosition(
      (pos) =>
        update(key, {
          locating: false,
          located: 'ok',
          lon: pos.coords.longitude.toFixed(6),
          lat: pos.coords.latitude.toFixed(6),
          accuracy: Math.round(pos.coords.accuracy),
        }),
      () => update(key, { locating: false, located: 'failed' }),
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 },
    );
  }

  async function send(e: Event) {
    e.preventDefault();
    const found = validate(date, area, finds);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      const first = Object.keys(found)[0]!;
      document.getElementById(`${uid}-${first}`)?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const result = await submit({
        method: 'POST',
        path: progressPath(task.id),
        body: bodyOf(date, area, notes, finds),
        label: t('progressLabel', { area: areaName }),
      });
      await onDone(result.state);
    } catch (err: unknown) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const err = (key: string) => (errors[key] ? t(errors[key]!) : undefined);
  const id = (key: string) => `${uid}-${key}`;

  return (
    <form class="progress-form" onSubmit={(e) => void send(e)} noValidate aria-labelledby={id('title')} data-testid="progress-form">
      <h4 id={id('title')}>{t('progress.for', { area: areaName })}</h4>
      <div class="tb-grid">
        <Field label={t('reportDate')} error={err('date')}>
          <input
            id={id('date')}
            type="date"
            value={date}
            max={todayIso()}
            required
            onInput={(e) => setDate((e.currentTarget as HTMLInputElement).value)}
            data-testid="progress-date"
          />
        </Field>
        <Field label={t('areaCleared')} error={err('area')}>
          <input
            id={id('area')}
            type="number"
            inputMode="decimal"
            min={0}
            step="any"
            value={area}
            required
            onInput={(e) => setArea((e.currentTarget as HTMLInputElement).value)}
            data-testid="progress-area"
          />
        </Field>
      </div>

      <fieldset class="tb-finds">
        <legend>{t('finds')}</legend>
        {finds.length === 0 && <p class="hint">{t('noFinds')}</p>}
        {finds.map((f, i) => (
          <fieldset class="tb-find" key={f.key} data-testid={`find-${i}`}>
            <legend>{t('find', { n: i + 1 })}</legend>
            <div class="tb-grid">
              <Field label={t('category')}>
                <select
                  id={id(`category${i}`)}
                  value={f.category}
                  onChange={(e) => update(f.key, { category: (e.currentTarget as HTMLSelectElement).value })}
                  data-testid={`find-category-${i}`}
                >
                  {EO_CATEGORIES.map((c) => (
                    <option key={c} value={c}>
                      {tv(`eo.${c}`)}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label={t('model')}>
                <input
                  id={id(`model${i}`)}
                  list={id('models')}
                  value={f.model}
                  maxLength={60}
                  onInput={(e) => update(f.key, { model: (e.currentTarget as HTMLInputElement).value })}
                  data-testid={`find-model-${i}`}
                />
              </Field>
              <Field label={t('quantity')} error={err(`quantity${i}`)}>
                <input
                  id={id(`quantity${i}`)}
                  type="number"
                  inputMode="numeric"
                  min={1}
                  step={1}
                  value={f.quantity}
                  onInput={(e) => update(f.key, { quantity: (e.currentTarget as HTMLInputElement).value })}
                  data-testid={`find-quantity-${i}`}
                />
              </Field>
              <Field label={t('condition')}>
                <select
                  id={id(`condition${i}`)}
                  value={f.condition}
                  onChange={(e) => update(f.key, { condition: (e.currentTarget as HTMLSelectElement).value })}
                  data-testid={`find-condition-${i}`}
                >
                  {CONDITIONS.map((c) => (
                    <option key={c} value={c}>
                      {t(`condition.${c}`)}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label={t('depth')} error={err(`depth${i}`)}>
                <input
                  id={id(`depth${i}`)}
                  type="number"
                  inputMode="numeric"
                  min={0}
                  max={1000}
                  step={1}
                  value={f.depthCm}
                  onInput={(e) => update(f.key, { depthCm: (e.currentTarget as HTMLInputElement).value })}
                  data-testid={`find-depth-${i}`}
                />
              </Field>
            </div>
            <div class="tb-position">
              <button type="button" class="secondary" onClick={() => locate(f.key)} disabled={f.locating} data-testid={`find-locate-${i}`}>
                {t('usePosition')}
              </button>
              <p class="hint" role="status" aria-live="polite">
                {f.locating
                  ? t('locating')
                  : f.located === 'ok'
                    ? t('positionFound', { m: f.accuracy ?? 0 })
                    : f.located === 'failed'
                      ? t('positionFailed')
                      : ''}
              </p>
              <div class="tb-grid">
                <Field label={t('longitude')} error={err(`lon${i}`)}>
                  <input
                    id={id(`lon${i}`)}
                    type="text"
                    inputMode="decimal"
                    autoComplete="off"
                    value={f.lon}
                    onInput={(e) => update(f.key, { lon: (e.currentTarget as HTMLInputElement).value })}
                    data-testid={`find-lon-${i}`}
                  />
                </Field>
                <Field label={t('latitude')} error={err(`lat${i}`)}>
                  <input
                    id={id(`lat${i}`)}
                    type="text"
                    inputMode="decimal"
                    autoComplete="off"
                    value={f.lat}
                    onInput={(e) => update(f.key, { lat: (e.currentTarget as HTMLInputElement).value })}
                    data-testid={`find-lat-${i}`}
                  />
                </Field>
              </div>
              <label class="tb-check">
                <input
                  type="checkbox"
                  checked={f.outside}
                  onChange={(e) => update(f.key, { outside: (e.currentTarget as HTMLInputElement).checked })}
                  data-testid={`find-outside-${i}`}
                />
                <span>{t('outside')}</span>
              </label>
            </div>
            <button type="button" class="link-button" onClick={() => setFinds((list) => list.filter((x) => x.key !== f.key))} data-testid={`find-remove-${i}`}>
              {t('removeFind', { n: i + 1 })}
            </button>
          </fieldset>
        ))}
        <datalist id={id('models')}>
          {MODELS.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
        <button type="button" class="secondary" onClick={() => setFinds((list) => [...list, emptyFind()])} data-testid="find-add">
          {t('addFind')}
        </button>
      </fieldset>

      <Field label={t('notes')}>
        <textarea
          id={id('notes')}
          value={notes}
          maxLength={2000}
          rows={2}
          onInput={(e) => setNotes((e.currentTarget as HTMLTextAreaElement).value)}
          data-testid="progress-notes"
        />
      </Field>

      <ProblemMessage error={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} data-testid="progress-submit">
          {busy ? tc('loading') : t('sendReport')}
        </button>
      </div>
    </form>
  );
}
