/**
 * The map: an SVG drawn offline from the border outlines the build extracts from world-atlas
 * (`/border.json`), with layers for hazard areas by status (colour and a hatching pattern, so
 * colour is never the only cue) filling the land that remains contaminated, each area's recorded
 * outline dashed around it, the released parts apart (accepted, handed over), EO finds and
 * households at risk per hazard area. A table lists the same hazard areas as text for screen
 * readers and keyboard users, each row able to zoom the map to its area (`#/map/<id>` opens
 * zoomed): the area's own features are then read as GeoJSON (original, remaining, released) and
 * its figures shown below the map, with "withdraw" for operations.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { provinceOf } from '#shared/domain/provinces.ts';
import { Page, ProblemMessage } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { vocabulary, type VocabularyKey } from '../../app/vocabulary.ts';
import { commonMessages } from '../../app/messages.ts';
import { navigate } from '../../app/router.ts';
import { useSession } from '../../app/session.ts';
import type { ViewProps } from '../index.ts';
import { BORDER_REGION, bboxOf, forD3, grow, HEIGHT, pathFor, positionsOf, projectionFor, WIDTH, type Bbox } from './geo.ts';
import { partsOf, remainingOf, type AreaFeature, type AreaStatus } from '../land-release.ts';
import { AreaDetail } from './AreaDetail.tsx';
import {
  layersFor,
  loadAreaFeatures,
  loadAtRisk,
  loadCleared,
  loadFinds,
  loadHazards,
  MAX_FIND_TASKS,
  type AtRisk,
  type Find,
  type HazardArea,
  type LayerName,
} from './layers.ts';
import { mapMessages } from './messages.ts';
import './map.css';

interface BorderFeature {
  type: 'Feature';
  id?: string;
  properties: { kind: 'country' | 'border'; iso?: string; name?: string };
  geometry: { type: string; coordinates: unknown };
}

const HAZARD_ORDER: readonly AreaStatus[] = ['OPEN', 'WORKED_ON', 'SUSPENDED', 'CLOSED', 'HANDED_OVER', 'WITHDRAWN'];
/** Statuses whose areas still hold contaminated land: the legend's fill patterns. */
const REMAINING_STATUSES: readonly AreaStatus[] = ['OPEN', 'WORKED_ON', 'SUSPENDED'];
/** Stroke colour per status (≥ 3:1 against the land colours); each also has its own fill pattern. */
const HAZARD_COLOUR: Record<AreaStatus, string> = {
  OPEN: '#b91c1c',
  WORKED_ON: '#c2410c',
  SUSPENDED: '#6d28d9',
  CLOSED: '#374151',
  HANDED_OVER: '#15803d',
  WITHDRAWN: '#4b5563',
};
/** The recorded outline: dashed, dotted once withdrawn (recorded in error). */
const outlineDash = (status: AreaStatus) => (status === 'WITHDRAWN' ? '1.5 3' : '6 4');
/** Drawing order of a zoomed area's features: its outline over the land. */
const KIND_ORDER: readonly AreaFeature['properties']['kind'][] = ['remaining', 'released', 'original'];
const COUNTRY_FILL: Record<string, string> = { KH: '#f6f1e3', TH: '#eaf0f6' };

/** Below this projected area (px²) a shape also gets a marker, so a hectare stays visible at border scale. */
const MIN_VISIBLE_PX2 = 40;

type Loaded<T> = { state: 'idle' } | { state: 'loading' } | { state: 'done'; value: T } | { state: 'failed'; error: unknown };

function useLayer<T>(enabled: boolean, load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'idle' });
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    setLoaded({ state: 'loading' });
    load().then(
      (value) => live && setLoaded({ state: 'done', value }),
      (error: unknown) => live && setLoaded({ state: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [enabled, ...deps]);
  return loaded;
}

/** Hatching patterns, one per hazard status, plus released land. */
function Patterns() {
  const stripes = (id: string, colour: string, bg: string, d: string, width = 1.6) => (
    <pattern id={id} key={id} patternUnits="userSpaceOnUse" width="8" height="8">
      <rect width="8" height="8" fill={bg} />
      <path d={d} stroke={colour} stroke-width={width} fill="none" />
    </pattern>
  );
  return (
    <defs>
      {stripes('pat-OPEN', HAZARD_COLOUR.OPEN, '#fde2e2', 'M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4')}
      {stripes('pat-WORKED_ON', HAZARD_COLOUR.WORKED_ON, '#ffedd5', 'M0,0 l8,8 M8,0 l-8,8')}
      <pattern id="pat-SUSPENDED" patternUnits="userSpaceOnUse" width="8" height="8">
        <rect width="8" height="8" fill="#ede9fe" />
        <circle cx="4" cy="4" r="1.8" fill={HAZARD_COLOUR.SUSPENDED} />
      </pattern>
      {stripes('pat-CLOSED', HAZARD_COLOUR.CLOSED, '#e5e7eb', 'M0,4 h8')}
      {stripes('pat-HANDED_OVER', HAZARD_COLOUR.HANDED_OVER, '#dcfce7', 'M4,0 v8')}
      {stripes('pat-WITHDRAWN', HAZARD_COLOUR.WITHDRAWN, '#f3f4f6', 'M0,0 h1')}
      {stripes('pat-cleared', '#15803d', '#bbf7d0', 'M0,0 h8 M0,4 h8', 0.8)}
      {stripes('pat-handed', '#1d4ed8', '#dbeafe', 'M0,0 v8 M0,0 h8', 1.2)}
    </defs>
  );
}

function Swatch({ fill, stroke, shape = 'rect', dash }: { fill: string; stroke: string; shape?: 'rect' | 'triangle' | 'badge'; dash?: string }) {
  return (
    <svg class="swatch" width="28" height="20" viewBox="0 0 28 20" aria-hidden="true" focusable="false">
      {shape === 'rect' && <rect x="1" y="1" width="26" height="18" fill={fill} stroke={stroke} stroke-width="2" stroke-dasharray={dash} />}
      {shape === 'triangle' && <path d="M14,2 L24,18 L4,18 Z" fill={fill} stroke={stroke} stroke-width="1.5" />}
      {shape === 'badge' && <circle cx="14" cy="10" r="8" fill={fill} stroke={stroke} stroke-width="1.5" />}
    </svg>
  );
}

export function MapView({ route }: ViewProps) {
  const session = useSession();
  const tv = useT(vocabulary);
  const t = useT(mapMessages);
  const tc = useT(commonMessages);
  const allowed = session ? layersFor(session.role) : [];
  const [enabled, setEnabled] = useState<Set<LayerName>>(() => new Set(allowed));
  const [border, setBorder] = useState<BorderFeature[] | 'failed' | undefined>(undefined);
  const [focus, setFocus] = useState<string | undefined>(route[0]);
  const [updated, setUpdated] = useState<Record<string, HazardArea>>({});
  const [features, setFeatures] = useState<{ id: string; list: AreaFeature[] } | { id: string; error: unknown } | undefined>(undefined);

  // `#/map/<id>` zooms to that area (a link from elsewhere, or the back button).
  useEffect(() => setFocus(route[0]), [route[0]]);

  useEffect(() => {
    fetch('/border.json')
      .then((r) => (r.ok ? (r.json() as Promise<{ features: BorderFeature[] }>) : Promise.reject(new Error(String(r.status)))))
      .then(
        (fc) => setBorder(fc.features),
        () => setBorder('failed'),
      );
  }, []);

  const on = (layer: LayerName) => allowed.includes(layer) && enabled.has(layer);
  const sub = session?.sub;
  const hazards = useLayer(!!session && (on('hazard') || on('atRisk')), () => loadHazards(session!), [sub]);
  const cleared = useLayer(!!session && on('cleared'), () => loadCleared(session!), [sub]);
  const finds = useLayer(!!session && on('finds'), () => loadFinds(session!), [sub]);
  const hazardList = useMemo(() => (hazards.state === 'done' ? hazards.value.map((h) => updated[h.id] ?? h) : []), [hazards, updated]);
  const atRisk = useLayer<Record<string, AtRisk>>(!!session && on('atRisk') && hazards.state === 'done', () => loadAtRisk(hazardList), [sub, hazards.state]);

  const shapes = useMemo(
    () =>
      hazardList.map((h) => {
        const remaining = remainingOf(h);
        return { hazard: h, geometry: forD3(h.geometry), remaining: remaining ? forD3(remaining) : undefined };
      }),
    [hazardList],
  );
  const clearedShapes = useMemo(
    () =>
      cleared.state === 'done'
        ? cleared.value.flatMap((c) => partsOf(c).map((part, i) => ({ key: `${c.id}-${i}`, area: c, part, geometry: forD3(part.geometry) })))
        : [],
    [cleared],
  );
  const findList: Find[] = finds.state === 'done' ? finds.value.finds : [];

  const focused = focus ? hazardList.find((h) => h.id === focus) : undefined;

  // The zoomed area's own land, as the API draws it: original, remaining and released parts.
  useEffect(() => {
    if (!focus || !session || !on('hazard')) return;
    let live = true;
    loadAreaFeatures(focus).then(
      (list) => live && setFeatures({ id: focus, list }),
      (error: unknown) => live && setFeatures({ id: focus, error }),
    );
    return () => {
      live = false;
    };
  }, [focus, sub, focused?.version]);
  const focusFeatures = features && focus && features.id === focus && 'list' in features ? features.list : undefined;
  const box: Bbox = useMemo(() => {
    if (focused) return grow(bboxOf(positionsOf(focused.geometry))!, 1.5, 0.004);
    const all = bboxOf([...hazardList.flatMap((h) => [...positionsOf(h.geometry)]), ...findList.map((f) => f.coordinates)]);
    return all ? grow(all, 0.1, 0.15) : BORDER_REGION;
  }, [focused, hazardList, findList]);
  const projection = useMemo(() => projectionFor(box), [box]);
  const path = useMemo(() => pathFor(projection), [projection]);

  if (!session) return null;
  const sorted = [...hazardList].sort((a, b) => HAZARD_ORDER.indexOf(a.status) - HAZARD_ORDER.indexOf(b.status) || a.reference.localeCompare(b.reference));
  const name = (h: HazardArea) => `${h.reference} · ${h.name}`;
  const loadingOf = (layer: LayerName, l: Loaded<unknown>) =>
    l.state === 'loading' ? (
      <li key={layer} class="map-loading" role="status">
        {t('loadingLayer', { layer: t(`layer.${layer}`) })}
      </li>
    ) : null;
  const countries = border && border !== 'failed' ? border.filter((f) => f.properties.kind === 'country') : [];
  const line = border && border !== 'failed' ? border.find((f) => f.properties.kind === 'border') : undefined;

  return (
    <Page title={t('title')}>
      {allowed.length === 0 && <p class="notice">{t('noDeminingData')}</p>}
      {border === 'failed' && <p class="problem">{t('borderMissing')}</p>}
      <div class="map-layout">
        <div class="map-controls">
          {allowed.length > 0 && (
            <fieldset class="map-layers">
              <legend>{t('layers')}</legend>
              {allowed.map((layer) => (
                <label class="tb-check" key={layer}>
                  <input
                    type="checkbox"
                    checked={enabled.has(layer)}
                    onChange={(e) => {
                      const next = new Set(enabled);
                      if ((e.currentTarget as HTMLInputElement).checked) next.add(layer);
                      else next.delete(layer);
                      setEnabled(next);
                    }}
                    data-testid={`map-layer-${layer}`}
                  />
                  <span>{t(`layer.${layer}`)}</span>
                </label>
              ))}
            </fieldset>
          )}
          <div class="map-extent">
            <span>
              {t('extent')}: <strong>{focused ? name(focused) : t('wholeBorder')}</strong>
            </span>
            {focused && (
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  setFocus(undefined);
                  if (route[0]) navigate('map');
                }}
                data-testid="map-reset"
              >
                {t('wholeBorder')}
              </button>
            )}
          </div>
          <ul class="map-status">
            {loadingOf('hazard', hazards)}
            {loadingOf('cleared', cleared)}
            {loadingOf('finds', finds)}
            {loadingOf('atRisk', atRisk)}
          </ul>
        </div>

        <svg class="map-svg" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="map-title map-desc" data-testid="map-svg" data-focus={focus ?? ''}>
          <title id="map-title">{t('mapTitle')}</title>
          <desc id="map-desc">{t('mapDesc')}</desc>
          <Patterns />
          <rect width={WIDTH} height={HEIGHT} class="map-sea" />
          <g class="map-countries">
            {countries.map((f) => (
              <path key={f.properties.iso} d={path(f as never) ?? ''} fill={COUNTRY_FILL[f.properties.iso ?? ''] ?? '#f4f4f2'} class="map-country" />
            ))}
          </g>
          {line && <path d={path(line as never) ?? ''} class="map-border" data-testid="map-border" />}
          <g class="map-country-labels" aria-hidden="true">
            {countries
              .filter((f) => f.properties.iso === 'KH' || f.properties.iso === 'TH')
              .map((f) => {
                const [x, y] = path.centroid(f as never);
                return Number.isFinite(x) && Number.isFinite(y) && x > 0 && x < WIDTH && y > 0 && y < HEIGHT ? (
                  <text key={f.properties.iso} x={x} y={y} class="map-country-label">
                    {tc(`country.${f.properties.iso as 'KH' | 'TH'}`)}
                  </text>
                ) : null;
              })}
          </g>

          {on('hazard') && (
            <g class="map-hazards" data-testid="map-hazards">
              {shapes.map(({ hazard, geometry, remaining }) => {
                const small = path.area(geometry as never) < MIN_VISIBLE_PX2;
                const [cx, cy] = path.centroid(geometry as never);
                const label = `${name(hazard)}: ${tc(`hazard.${hazard.status}`)}`;
                const colour = HAZARD_COLOUR[hazard.status];
                // The zoomed area is drawn from its own features (below), released parts included.
                if (hazard.id === focus && focusFeatures) return null;
                return (
                  <g key={hazard.id} data-testid={`map-hazard-${hazard.id}`} data-status={hazard.status}>
                    <title>{label}</title>
                    {remaining && (
                      <path d={path(remaining as never) ?? ''} fill={`url(#pat-${hazard.status})`} stroke={colour} stroke-width="1.5" data-kind="remaining" />
                    )}
                    <path
                      d={path(geometry as never) ?? ''}
                      fill="none"
                      stroke={colour}
                      stroke-width="1.2"
                      stroke-dasharray={outlineDash(hazard.status)}
                      data-kind="original"
                    />
                    {small && Number.isFinite(cx) && (
                      <circle cx={cx} cy={cy} r="7" fill={remaining ? `url(#pat-${hazard.status})` : 'none'} stroke={colour} stroke-width="2" />
                    )}
                  </g>
                );
              })}
              {focused && focusFeatures && (
                <g data-testid="map-focus" data-status={focused.status}>
                  <title>{`${name(focused)}: ${tc(`hazard.${focused.status}`)}`}</title>
                  {[...focusFeatures]
                    .sort((a, b) => KIND_ORDER.indexOf(a.properties.kind) - KIND_ORDER.indexOf(b.properties.kind))
                    .map((f, i) => {
                      const d = path(forD3(f.geometry) as never) ?? '';
                      const kind = f.properties.kind;
                      const colour = HAZARD_COLOUR[focused.status];
                      if (kind === 'original')
                        return (
                          <path
                            key={i}
                            d={d}
                            fill="none"
                            stroke={colour}
                            stroke-width="2"
                            stroke-dasharray={outlineDash(focused.status)}
                            data-kind="original"
                          />
                        );
                      if (kind === 'remaining')
                        return <path key={i} d={d} fill={`url(#pat-${focused.status})`} stroke={colour} stroke-width="1.5" data-kind="remaining" />;
                      return (
                        <path
                          key={i}
                          d={d}
                          fill="url(#pat-cleared)"
                          stroke="#15803d"
                          stroke-width="1.5"
                          data-kind="released"
                          data-outcome={f.properties.outcome}
                        >
                          <title>{`${f.properties.outcome ? t(`outcome.${f.properties.outcome}`) : ''}: ${Math.round(f.properties.areaSqm ?? 0).toLocaleString()} m²`}</title>
                        </path>
                      );
                    })}
                </g>
              )}
            </g>
          )}

          {on('cleared') && (
            <g class="map-cleared" data-testid="map-cleared">
              {clearedShapes.map(({ key, area, part, geometry }) => {
                const handed = area.status === 'HANDED_OVER';
                const small = path.area(geometry as never) < MIN_VISIBLE_PX2;
                const [cx, cy] = path.centroid(geometry as never);
                return (
                  <g key={key} data-status={area.status} data-outcome={part.outcome}>
                    <title>{`${area.province}: ${t(`outcome.${part.outcome}`)}, ${tc(`cleared.${area.status}`)}, ${Math.round(part.areaSqm).toLocaleString()} m²`}</title>
                    <path
                      d={path(geometry as never) ?? ''}
                      fill={handed ? 'url(#pat-handed)' : 'url(#pat-cleared)'}
                      stroke={handed ? '#1d4ed8' : '#15803d'}
                      stroke-width="1.5"
                    />
                    {small && Number.isFinite(cx) && (
                      <rect
                        x={cx - 5 + 9}
                        y={cy - 5 - 9}
                        width="10"
                        height="10"
                        fill={handed ? 'url(#pat-handed)' : 'url(#pat-cleared)'}
                        stroke={handed ? '#1d4ed8' : '#15803d'}
                        stroke-width="2"
                      />
                    )}
                  </g>
                );
              })}
            </g>
          )}

          {on('finds') && (
            <g class="map-finds" data-testid="map-finds">
              {findList.map((f, i) => {
                const p = projection(f.coordinates);
                if (!p) return null;
                const [x, y] = p;
                return (
                  <path key={i} d={`M${x},${y - 6} L${x + 5.5},${y + 4} L${x - 5.5},${y + 4} Z`} class="map-find">
                    <title>{t('findTitle', { category: tv(`eo.${f.category}` as VocabularyKey), quantity: f.quantity })}</title>
                  </path>
                );
              })}
            </g>
          )}

          {on('atRisk') && atRisk.state === 'done' && (
            <g class="map-at-risk" data-testid="map-at-risk">
              {shapes.map(({ hazard, geometry }) => {
                const risk = atRisk.value[hazard.id];
                if (!risk || risk.count === 0) return null;
                const [cx, cy] = path.centroid(geometry as never);
                if (!Number.isFinite(cx)) return null;
                const text = risk.more ? t('atRiskMore', { count: risk.count }) : String(risk.count);
                return (
                  <g key={hazard.id} transform={`translate(${cx - 12},${cy + 12})`}>
                    <title>{`${t('atRisk')}: ${text}`}</title>
                    <circle r="11" class="map-risk-badge" />
                    <text class="map-risk-text" text-anchor="middle" dy="4">
                      {text}
                    </text>
                  </g>
                );
              })}
            </g>
          )}
        </svg>

        <section class="map-legend" aria-labelledby="map-legend-title">
          <h2 id="map-legend-title">{t('legend')}</h2>
          <ul>
            {on('hazard') && (
              <>
                <li class="map-legend-group">
                  <span>{t('legend.remaining')}</span>
                </li>
                {REMAINING_STATUSES.map((s) => (
                  <li key={s} class="map-legend-sub" data-testid={`map-legend-${s}`}>
                    <Swatch fill={`url(#pat-${s})`} stroke={HAZARD_COLOUR[s]} />
                    <span>{tc(`hazard.${s}`)}</span>
                  </li>
                ))}
                <li data-testid="map-legend-original">
                  <Swatch fill="none" stroke={HAZARD_COLOUR.OPEN} dash="4 3" />
                  <span>{t('legend.original')}</span>
                </li>
                <li data-testid="map-legend-withdrawn">
                  <Swatch fill="none" stroke={HAZARD_COLOUR.WITHDRAWN} dash="1.5 3" />
                  <span>{t('legend.withdrawn')}</span>
                </li>
              </>
            )}
            {on('cleared') && (
              <>
                <li data-testid="map-legend-released">
                  <Swatch fill="url(#pat-cleared)" stroke="#15803d" />
                  <span>{t('cleared')}</span>
                </li>
                <li data-testid="map-legend-handed">
                  <Swatch fill="url(#pat-handed)" stroke="#1d4ed8" />
                  <span>{t('handedOver')}</span>
                </li>
              </>
            )}
            {on('finds') && (
              <li>
                <Swatch fill="#111827" stroke="#ffffff" shape="triangle" />
                <span>{t('find')}</span>
              </li>
            )}
            {on('atRisk') && (
              <li>
                <Swatch fill="#7c2d12" stroke="#ffffff" shape="badge" />
                <span>{t('atRisk')}</span>
              </li>
            )}
            <li>
              <svg class="swatch" width="28" height="20" viewBox="0 0 28 20" aria-hidden="true" focusable="false">
                <path d="M2,10 H26" class="map-border" />
              </svg>
              <span>{t('border')}</span>
            </li>
          </ul>
        </section>
      </div>

      {focused && on('hazard') && (
        <AreaDetail area={focused} features={focusFeatures} session={session} pageLink onArea={(a) => setUpdated((u) => ({ ...u, [a.id]: a }))} />
      )}
      {features && 'error' in features && features.id === focus && <ProblemMessage error={features.error} />}

      <p role="status" data-testid="map-summary">
        {t('summary', { hazards: on('hazard') ? hazardList.length : 0, cleared: clearedShapes.length, finds: findList.length })}
        {finds.state === 'done' && finds.value.limited ? ` ${t('findsLimited', { max: MAX_FIND_TASKS })}` : ''}
      </p>
      {[hazards, cleared, finds, atRisk].map((l, i) => (l.state === 'failed' ? <ProblemMessage key={i} error={l.error} /> : null))}

      {on('hazard') && sorted.length > 0 && (
        <div class="table-wrap">
          <table class="map-table" data-testid="map-table">
            <caption>{t('tableCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('reference')}</th>
                <th scope="col">{t('name')}</th>
                <th scope="col">{t('province')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('area')}</th>
                <th scope="col">{t('remaining')}</th>
                {on('atRisk') && <th scope="col">{t('households')}</th>}
                <th scope="col">
                  <span class="visually-hidden">{t('show')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((h) => {
                const risk = atRisk.state === 'done' ? atRisk.value[h.id] : undefined;
                return (
                  <tr key={h.id} data-testid={`map-row-${h.id}`} aria-current={focus === h.id ? 'true' : undefined}>
                    <th scope="row">{h.reference}</th>
                    <td>{h.name}</td>
                    <td>
                      {h.province}
                      {provinceOf(h.province) ? ` · ${provinceOf(h.province)!.name}` : ''}
                    </td>
                    <td>
                      <Swatch fill={`url(#pat-${h.status})`} stroke={HAZARD_COLOUR[h.status]} /> {tc(`hazard.${h.status}`)}
                    </td>
                    <td class="num">{Math.round(h.areaSqm).toLocaleString()}</td>
                    <td class="num">{Math.round(h.remainingSqm).toLocaleString()}</td>
                    {on('atRisk') && <td class="num">{risk ? (risk.more ? t('atRiskMore', { count: risk.count }) : risk.count) : '–'}</td>}
                    <td>
                      <button
                        type="button"
                        class="secondary"
                        aria-label={t('zoomTo', { name: name(h) })}
                        onClick={() => {
                          setFocus(h.id);
                          document.querySelector('[data-testid="map-svg"]')?.scrollIntoView({ block: 'nearest' });
                        }}
                        data-testid={`map-zoom-${h.id}`}
                      >
                        {t('show')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
