/**
 * Record a hazard area, or correct one: name, place, classification, evidence, contamination,
 * `dateOfInformation`, contested, and the polygon drawn on the map, typed as coordinates or
 * imported from a GeoJSON, KML or GPX file. Checked in the browser with the API's own schema
 * (shared/domain/hazard-area.ts) and sent through the offline queue (a create keeps its
 * Idempotency-Key; a correction carries the version it was made on, so a stale one becomes a
 * conflict, never an overwrite). The polygon can be corrected only while no completion report
 * exists for the area. What is typed and drawn is kept on the device until it is sent.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { HazardAreaCreate } from '#shared/domain/hazard-area.ts';
import { EO_CATEGORIES } from '#shared/domain/ordnance-categories.ts';
import { PROVINCES } from '#shared/domain/provinces.ts';
import { ApiError } from '../../app/api.ts';
import { Field, ProblemMessage, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { vocabulary, type VocabularyKey } from '../../app/vocabulary.ts';
import { commonMessages } from '../../app/messages.ts';
import { submit } from '../../app/offline.ts';
import { navigate } from '../../app/router.ts';
import type { Session } from '../../app/session.ts';
import { loadAreas, type Area, type AreaFeature, type Country } from './data.ts';
import { clearDraft, loadDraft, saveDraft } from './drafts.ts';
import { DrawMap, type ContextLayer } from './DrawMap.tsx';
import { ImportFile } from './ImportFile.tsx';
import { planMessages } from './messages.ts';
import { EMPTY_SHAPE, geometryIssues, polygonOf, shapeOf, shapeOfRings, type Shape } from './shape.ts';

type Contamination = { category: string; model: string; period: 'LEGACY' | '2025_CONFLICT' };

interface AreaDraft {
  name: string;
  country: Country;
  province: string;
  district?: string;
  village?: string;
  classification: 'SHA' | 'CHA';
  evidence: 'DIRECT' | 'INDIRECT' | 'NONE';
  dateOfInformation: string;
  contested: boolean;
  contamination: Contamination[];
  shape: Shape;
}

const draftOf = (area: Area): AreaDraft => ({
  name: area.name,
  country: area.country,
  province: area.province,
  classification: area.classification,
  evidence: area.evidence,
  dateOfInformation: area.dateOfInformation,
  contested: area.contested,
  contamination: area.contamination.map((c) => ({ category: c.category, model: c.model ?? '', period: c.period })),
  shape: shapeOf(area.geometry as never),
});

const blank = (country: Country): AreaDraft => ({
  name: '',
  country,
  province: PROVINCES.find((p) => p.country === country)!.pcode,
  classification: 'SHA',
  evidence: 'DIRECT',
  dateOfInformation: new Date().toISOString().slice(0, 10),
  contested: false,
  contamination: [{ category: 'AP_MINE', model: '', period: '2025_CONFLICT' }],
  shape: EMPTY_SHAPE,
});

const contaminationBody = (list: Contamination[]) =>
  list.map((c) => ({ category: c.category, ...(c.model.trim() ? { model: c.model.trim() } : {}), period: c.period }));

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Field errors by the first segment of their path (`body.` dropped), from the browser's check or the API's answer. */
function fieldErrors(issues: { path: string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) {
    const key = i.path.replace(/^body\./, '').split('.')[0] ?? '';
    out[key] = out[key] ? `${out[key]}; ${i.message}` : i.message;
  }
  return out;
}

export function AreaForm({ session, area, features }: { session: Session; area?: Area; features?: AreaFeature[] }) {
  const tv = useT(vocabulary);
  const t = useT(planMessages);
  const tc = useT(commonMessages);
  const form = area ? `area.${area.id}` : 'area.new';
  const [draft, setDraftState] = useState<AreaDraft>(() => loadDraft<AreaDraft>(form) ?? (area ? draftOf(area) : blank(session.country ?? 'KH')));
  const [restored] = useState(() => loadDraft<AreaDraft>(form) !== undefined);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverGeometry, setServerGeometry] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);
  const [picking, setPicking] = useState<Shape[] | undefined>(undefined);
  const polygonLocked =
    !!area && (area.hasCompletionReport === true || area.status === 'CLOSED' || area.status === 'HANDED_OVER' || area.status === 'WITHDRAWN');

  const setDraft = (next: AreaDraft) => {
    setDraftState(next);
    saveDraft(form, next);
  };
  const set = <K extends keyof AreaDraft>(key: K, value: AreaDraft[K]) => setDraft({ ...draft, [key]: value });

  useEffect(() => setServerGeometry([]), [draft.shape]);

  const polygon = polygonOf(draft.shape);
  const localIssues = useMemo(() => geometryIssues(polygon), [draft.shape]);
  // The country's other hazard areas, drawn faintly: an area recorded twice shows before it is sent.
  const [neighbours, setNeighbours] = useState<Area[]>([]);
  useEffect(() => {
    let live = true;
    loadAreas(draft.country).then(
      (list) => live && setNeighbours(list.filter((a) => a.id !== area?.id && a.status !== 'WITHDRAWN')),
      () => live && setNeighbours([]),
    );
    return () => {
      live = false;
    };
  }, [draft.country]);
  const context: ContextLayer[] = useMemo(
    () => [
      ...neighbours.map((a) => ({ kind: 'neighbour' as const, geometry: a.geometry as never })),
      ...(features ?? []).filter((f) => f.properties.kind !== 'original').map((f) => ({ kind: f.properties.kind, geometry: f.geometry })),
    ],
    [features, neighbours],
  );
  const provinces = PROVINCES.filter((p) => p.country === draft.country);

  const body = () => ({
    name: draft.name.trim(),
    country: draft.country,
    province: draft.province,
    ...(draft.district?.trim() ? { district: draft.district.trim() } : {}),
    ...(draft.village?.trim() ? { village: draft.village.trim() } : {}),
    contested: draft.contested,
    classification: draft.classification,
    evidence: draft.evidence,
    dateOfInformation: draft.dateOfInformation,
    contamination: contaminationBody(draft.contamination),
    geometry: polygon,
  });

  async function send(e: Event) {
    e.preventDefault();
    setError(undefined);
    setNotice(undefined);
    const full = body();
    const checked = HazardAreaCreate.safeParse(full);
    const issues = checked.success ? [] : checked.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    if (!polygon) issues.push({ path: 'geometry', message: t('area.needPolygon') });
    const found = fieldErrors(issues);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      document.getElementById(`area-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    let change: Parameters<typeof submit>[0];
    if (!area) {
      change = { method: 'POST', path: '/v1/hazard-areas', body: full, label: t('area.createLabel', { name: full.name }) };
    } else {
      const before = draftOf(area);
      const patch: Record<string, unknown> = {};
      if (draft.name.trim() !== area.name) patch.name = full.name;
      if (draft.contested !== before.contested) patch.contested = draft.contested;
      if (draft.classification !== before.classification) patch.classification = draft.classification;
      if (draft.evidence !== before.evidence) patch.evidence = draft.evidence;
      if (draft.dateOfInformation !== before.dateOfInformation) patch.dateOfInformation = draft.dateOfInformation;
      if (!same(draft.contamination, before.contamination)) patch.contamination = full.contamination;
      if (!polygonLocked && !same(draft.shape, before.shape)) patch.geometry = polygon;
      if (Object.keys(patch).length === 0) {
        setErrors({ form: t('area.nothingChanged') });
        return;
      }
      change = {
        method: 'PATCH',
        path: `/v1/hazard-areas/${area.id}`,
        body: patch,
        ifMatch: area.version,
        label: t('area.editLabel', { name: `${area.reference} · ${area.name}` }),
      };
    }
    setBusy(true);
    try {
      const result = await submit(change);
      clearDraft(form);
      setNotice(result.state);
      if (result.state === 'sent') {
        const id = (result.body as { id?: string } | undefined)?.id ?? area?.id;
        if (id) navigate('areas', id);
      } else if (!area) setDraftState(blank(draft.country));
    } catch (err: unknown) {
      setError(err);
      if (err instanceof ApiError) {
        const list = err.problem.errors ?? [];
        setServerGeometry(list.filter((x) => x.path.startsWith('body.geometry')).map((x) => x.message));
        setErrors(fieldErrors(list.filter((x) => !x.path.startsWith('body.geometry'))));
      }
    } finally {
      setBusy(false);
    }
  }

  const geometryMessages = [...localIssues, ...serverGeometry, ...(errors.geometry && localIssues.length === 0 ? [errors.geometry] : [])];

  return (
    <form class="plan-form" onSubmit={(e) => void send(e)} noValidate aria-labelledby="area-form-title" data-testid="area-form">
      <h2 id="area-form-title">{area ? t('area.editTitle', { name: `${area.reference} · ${area.name}` }) : t('area.newTitle')}</h2>
      {restored && (
        <p class="notice notice-queued" role="status" data-testid="area-draft-restored">
          {t('draft.restored')}{' '}
          <button
            type="button"
            class="secondary"
            onClick={() => {
              clearDraft(form);
              setDraftState(area ? draftOf(area) : blank(session.country ?? 'KH'));
            }}
          >
            {t('draft.discard')}
          </button>
        </p>
      )}
      <div class="plan-grid">
        <Field label={t('area.name')} error={errors.name}>
          <input
            id="area-name"
            type="text"
            maxLength={200}
            value={draft.name}
            onInput={(e) => set('name', (e.currentTarget as HTMLInputElement).value)}
            data-testid="area-name"
          />
        </Field>
        {!area && !session.country && (
          <Field label={t('country')} error={errors.country}>
            <select
              id="area-country"
              value={draft.country}
              onChange={(e) => {
                const country = (e.currentTarget as HTMLSelectElement).value as Country;
                setDraft({ ...draft, country, province: PROVINCES.find((p) => p.country === country)!.pcode });
              }}
            >
              <option value="KH">{tc('country.KH')}</option>
              <option value="TH">{tc('country.TH')}</option>
            </select>
          </Field>
        )}
        <Field label={t('area.province')} error={errors.province}>
          <select
            id="area-province"
            value={draft.province}
            disabled={!!area}
            onChange={(e) => set('province', (e.currentTarget as HTMLSelectElement).value)}
            data-testid="area-province"
          >
            {provinces.map((p) => (
              <option key={p.pcode} value={p.pcode}>
                {p.pcode} · {p.name}
              </option>
            ))}
          </select>
        </Field>
        {!area && (
          <>
            <Field label={t('area.district')} error={errors.district}>
              <input
                id="area-district"
                type="text"
                maxLength={100}
                value={draft.district ?? ''}
                onInput={(e) => set('district', (e.currentTarget as HTMLInputElement).value)}
                data-testid="area-district"
              />
            </Field>
            <Field label={t('area.village')} error={errors.village}>
              <input
                id="area-village"
                type="text"
                maxLength={100}
                value={draft.village ?? ''}
                onInput={(e) => set('village', (e.currentTarget as HTMLInputElement).value)}
                data-testid="area-village"
              />
            </Field>
          </>
        )}
        <Field label={t('area.classification')} error={errors.classification}>
          <select
            id="area-classification"
            value={draft.classification}
            onChange={(e) => set('classification', (e.currentTarget as HTMLSelectElement).value as AreaDraft['classification'])}
            data-testid="area-classification"
          >
            <option value="SHA">{t('class.SHA')}</option>
            <option value="CHA">{t('class.CHA')}</option>
          </select>
        </Field>
        <Field label={t('area.evidence')} error={errors.evidence}>
          <select
            id="area-evidence"
            value={draft.evidence}
            onChange={(e) => set('evidence', (e.currentTarget as HTMLSelectElement).value as AreaDraft['evidence'])}
            data-testid="area-evidence"
          >
            {(['DIRECT', 'INDIRECT', 'NONE'] as const).map((v) => (
              <option key={v} value={v}>
                {t(`evidence.${v}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('area.dateOfInformation')} hint={t('area.dateOfInformationHint')} error={errors.dateOfInformation}>
          <input
            id="area-dateOfInformation"
            type="date"
            value={draft.dateOfInformation}
            max={new Date().toISOString().slice(0, 10)}
            onInput={(e) => set('dateOfInformation', (e.currentTarget as HTMLInputElement).value)}
            data-testid="area-date"
          />
        </Field>
        <label class="tb-check plan-check">
          <input
            type="checkbox"
            checked={draft.contested}
            onChange={(e) => set('contested', (e.currentTarget as HTMLInputElement).checked)}
            data-testid="area-contested"
          />
          <span>{t('area.contested')}</span>
        </label>
      </div>

      <fieldset class="plan-fieldset" aria-describedby={errors.contamination ? 'area-contamination-error' : undefined}>
        <legend>{t('area.contamination')}</legend>
        {draft.contamination.map((c, i) => (
          <div class="plan-row" key={i}>
            <Field label={t('area.category', { n: i + 1 })}>
              <select
                value={c.category}
                onChange={(e) =>
                  set(
                    'contamination',
                    draft.contamination.map((x, j) => (j === i ? { ...x, category: (e.currentTarget as HTMLSelectElement).value } : x)),
                  )
                }
                data-testid={`area-category-${i}`}
              >
                {EO_CATEGORIES.map((cat) => (
                  <option key={cat} value={cat}>
                    {tv(`eo.${cat}` as VocabularyKey)}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('area.model', { n: i + 1 })}>
              <input
                type="text"
                maxLength={60}
                value={c.model}
                placeholder="PMN-2"
                onInput={(e) =>
                  set(
                    'contamination',
                    draft.contamination.map((x, j) => (j === i ? { ...x, model: (e.currentTarget as HTMLInputElement).value } : x)),
                  )
                }
                data-testid={`area-model-${i}`}
              />
            </Field>
            <Field label={t('area.period', { n: i + 1 })}>
              <select
                value={c.period}
                onChange={(e) =>
                  set(
                    'contamination',
                    draft.contamination.map((x, j) =>
                      j === i ? { ...x, period: (e.currentTarget as HTMLSelectElement).value as Contamination['period'] } : x,
                    ),
                  )
                }
              >
                <option value="2025_CONFLICT">{t('period.2025_CONFLICT')}</option>
                <option value="LEGACY">{t('period.LEGACY')}</option>
              </select>
            </Field>
            {draft.contamination.length > 1 && (
              <button
                type="button"
                class="secondary"
                onClick={() =>
                  set(
                    'contamination',
                    draft.contamination.filter((_, j) => j !== i),
                  )
                }
                aria-label={t('area.removeContamination', { n: i + 1 })}
              >
                ✕
              </button>
            )}
          </div>
        ))}
        <button
          type="button"
          class="secondary"
          onClick={() => set('contamination', [...draft.contamination, { category: 'UXO', model: '', period: '2025_CONFLICT' }])}
          disabled={draft.contamination.length >= 20}
        >
          {t('area.addContamination')}
        </button>
        {errors.contamination && (
          <p class="error" id="area-contamination-error">
            {errors.contamination}
          </p>
        )}
      </fieldset>

      <fieldset class="plan-fieldset">
        <legend>{t('area.polygon')}</legend>
        {polygonLocked ? (
          <>
            <p class="qa-refusal" role="note" data-testid="area-polygon-locked">
              {t('area.polygonLocked')}
            </p>
            <DrawMap
              id="area-draw"
              label={t('area.mapLabel')}
              context={[...context, ...(area ? [{ kind: 'original' as const, geometry: area.geometry as never }] : [])]}
            />
          </>
        ) : (
          <>
            <ImportFile
              id="area-import"
              label={t('import.area')}
              onPolygons={(polygons) => {
                const shapes = polygons.map((p) => shapeOfRings(p.rings));
                if (shapes.length === 1) set('shape', shapes[0]!);
                else setPicking(shapes);
              }}
            />
            {picking && (
              <div class="plan-pick" role="group" aria-label={t('import.pick', { count: picking.length })}>
                <p>{t('import.pick', { count: picking.length })}</p>
                {picking.map((s, i) => (
                  <button
                    key={i}
                    type="button"
                    class="secondary"
                    onClick={() => {
                      set('shape', s);
                      setPicking(undefined);
                    }}
                    data-testid={`area-pick-${i}`}
                  >
                    {t('import.pickOne', { n: i + 1, vertices: s.vertices.length })}
                  </button>
                ))}
              </div>
            )}
            <DrawMap
              id="area-draw"
              label={t('area.mapLabel')}
              context={context}
              shape={draft.shape}
              onShape={(shape) => set('shape', shape)}
              issues={geometryMessages}
            />
            {geometryMessages.length > 0 && (
              <ul class="error draw-issues" role="alert" data-testid="area-geometry-issues" lang="en">
                {geometryMessages.map((m, i) => (
                  <li key={i}>{m}</li>
                ))}
              </ul>
            )}
          </>
        )}
      </fieldset>

      {errors.form && (
        <p class="error" role="alert">
          {errors.form}
        </p>
      )}
      <ProblemMessage error={error} />
      <SubmitNotice state={notice} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} data-testid="area-submit">
          {area ? t('area.save') : t('area.create')}
        </button>
        <button type="button" class="secondary" onClick={() => (area ? navigate('areas', area.id) : navigate('areas'))}>
          {t('back')}
        </button>
      </div>
    </form>
  );
}
