/**
 * A map to draw a polygon on, and to show a hazard area's land: the recorded outline (dashed),
 * the land that remains contaminated (hatched), released land (green), land awaiting QA and the
 * other parts of the report being written, with a legend. Drawing: click on the map to add a
 * vertex, drag a vertex to move it, undo, clear; zoom, pan, fit and "my position" move the view.
 * The coordinates table under it is the keyboard and screen-reader way to do the same (add,
 * change, reorder and remove vertices typed in degrees, UTM or MGRS). Drawn offline: the border
 * outlines of `/border.json` and the area's own geometry, no tiles.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useT } from '../../app/i18n.ts';
import { BORDER_REGION, bboxOf, forD3, HEIGHT, pathFor, positionsOf, projectionFor, WIDTH, type Bbox } from '../map/geo.ts';
import { COORD_FORMATS, formatCoordinate, parseCoordinate, type CoordFormat, type Position } from './coords.ts';
import { planMessages, type PlanKey } from './messages.ts';
import { polygonOf, positionIn, type Polygonal, type Shape } from './shape.ts';

export type ContextKind = 'original' | 'remaining' | 'released' | 'pending' | 'part' | 'neighbour';

export interface ContextLayer {
  kind: ContextKind;
  geometry: Polygonal;
}

interface BorderFeature {
  properties: { kind: 'country' | 'border'; iso?: string };
  geometry: { type: string; coordinates: unknown };
}

let borderOnce: Promise<BorderFeature[]> | undefined;
const loadBorder = () =>
  (borderOnce ??= fetch('/border.json')
    .then((r) => (r.ok ? (r.json() as Promise<{ features: BorderFeature[] }>) : Promise.reject(new Error(String(r.status)))))
    .then((fc) => fc.features)
    .catch(() => {
      borderOnce = undefined;
      return [];
    }));

const STYLE: Record<ContextKind, { fill: string; stroke: string; dash?: string }> = {
  original: { fill: 'none', stroke: '#b91c1c', dash: '6 4' },
  remaining: { fill: 'remaining', stroke: '#b91c1c' },
  released: { fill: 'released', stroke: '#15803d' },
  pending: { fill: 'pending', stroke: '#1d4ed8', dash: '3 3' },
  part: { fill: 'part', stroke: '#6d28d9' },
  neighbour: { fill: 'none', stroke: '#4b5563', dash: '2 3' },
};
const LEGEND_ORDER: readonly ContextKind[] = ['neighbour', 'original', 'remaining', 'released', 'pending', 'part'];

/** The view's box around these positions, at least ~200 m across. */
const fitBox = (positions: Iterable<number[]>): Bbox | undefined => {
  const box = bboxOf(positions);
  if (!box) return undefined;
  const [[x0, y0], [x1, y1]] = box;
  const dx = Math.max((x1 - x0) * 0.25, 0.001);
  const dy = Math.max((y1 - y0) * 0.25, 0.001);
  return [
    [x0 - dx, y0 - dy],
    [x1 + dx, y1 + dy],
  ];
};

const scale = (box: Bbox, factor: number): Bbox => {
  const [[x0, y0], [x1, y1]] = box;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const hx = ((x1 - x0) / 2) * factor;
  const hy = ((y1 - y0) / 2) * factor;
  return [
    [cx - hx, cy - hy],
    [cx + hx, cy + hy],
  ];
};

const pan = (box: Bbox, fx: number, fy: number): Bbox => {
  const [[x0, y0], [x1, y1]] = box;
  const dx = (x1 - x0) * fx;
  const dy = (y1 - y0) * fy;
  return [
    [x0 + dx, y0 + dy],
    [x1 + dx, y1 + dy],
  ];
};

/** The window "my position" opens on: about 2 km across. */
const AROUND = 0.01;

function Swatch({ kind, id }: { kind: ContextKind | 'drawn'; id: string }) {
  const s = kind === 'drawn' ? { fill: 'none', stroke: '#111827' } : STYLE[kind];
  const fill = s.fill === 'none' ? 'none' : kind === 'drawn' ? 'none' : `url(#${id}-pat-${s.fill})`;
  return (
    <svg class="swatch" width="28" height="20" viewBox="0 0 28 20" aria-hidden="true" focusable="false">
      <rect x="1" y="1" width="26" height="18" fill={fill} stroke={s.stroke} stroke-width="2" stroke-dasharray={'dash' in s ? s.dash : undefined} />
      {kind === 'drawn' && <circle cx="4" cy="4" r="3" fill="#facc15" stroke="#111827" />}
    </svg>
  );
}

export interface DrawMapProps {
  /** Prefix of the element ids and test ids of this map (two maps on a page must differ). */
  id: string;
  /** The accessible name of the map. */
  label: string;
  context: ContextLayer[];
  /** The shape being drawn; without `onShape` the map only shows. */
  shape?: Shape;
  onShape?: (shape: Shape) => void;
  /** Geometry messages (the API's or the browser's check): a position they name is marked. */
  issues?: readonly string[];
}

export function DrawMap({ id, label, context, shape, onShape, issues = [] }: DrawMapProps) {
  const t = useT(planMessages);
  const editable = !!onShape && !!shape;
  const [border, setBorder] = useState<BorderFeature[]>([]);
  // The view fits the land of this form (and the shape); other hazard areas only when there is nothing else.
  const initial = () => {
    const own = context.filter((c) => c.kind !== 'neighbour');
    const positions = [...own.flatMap((c) => [...positionsOf(c.geometry)]), ...(shape?.vertices ?? [])];
    return fitBox(positions.length > 0 ? positions : context.flatMap((c) => [...positionsOf(c.geometry)])) ?? BORDER_REGION;
  };
  const [box, setBoxState] = useState<Bbox>(initial);
  /** Set once the user moved the view: a late-arriving context then no longer refits it. */
  const moved = useRef(false);
  const setBox = (next: Bbox) => {
    moved.current = true;
    setBoxState(next);
  };
  const [format, setFormat] = useState<CoordFormat>('DD');
  const [rowErrors, setRowErrors] = useState<Record<number, string>>({});
  const [adding, setAdding] = useState('');
  const [addError, setAddError] = useState<string | undefined>(undefined);
  const [geoError, setGeoError] = useState<string | undefined>(undefined);
  const past = useRef<Shape[]>([]);
  const drag = useRef<{ index: number; before: Shape; moved: boolean } | undefined>(undefined);
  const justDragged = useRef(false);
  const svg = useRef<SVGSVGElement>(null);
  const fitted = useRef(context.length > 0 || (shape?.vertices.length ?? 0) > 0);

  useEffect(() => {
    let live = true;
    void loadBorder().then((f) => live && setBorder(f));
    return () => {
      live = false;
    };
  }, []);
  // The context arrives after the first render (read from the API): fit the view to it once.
  useEffect(() => {
    if (fitted.current || moved.current || context.length === 0) return;
    fitted.current = true;
    setBoxState(initial());
  }, [context]);

  const projection = useMemo(() => projectionFor(box), [box]);
  const path = useMemo(() => pathFor(projection), [projection]);

  const change = (next: Shape) => {
    if (!shape || !onShape) return;
    past.current.push(shape);
    if (past.current.length > 100) past.current.shift();
    onShape(next);
  };
  const setVertices = (vertices: Position[]) => change({ ...shape!, vertices });

  /** Where a pointer event falls, in `[lon, lat]`. */
  const positionAt = (e: { clientX: number; clientY: number }): Position | undefined => {
    const el = svg.current;
    const ctm = el?.getScreenCTM();
    if (!el || !ctm) return undefined;
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
    const ll = projection.invert?.([p.x, p.y]);
    return ll ? [Math.round(ll[0] * 1e6) / 1e6, Math.round(ll[1] * 1e6) / 1e6] : undefined;
  };

  const onMapClick = (e: MouseEvent) => {
    if (!editable) return;
    if ((e.target as Element | null)?.closest?.('.draw-vertex')) return;
    if (justDragged.current) {
      justDragged.current = false;
      return;
    }
    const p = positionAt(e);
    if (p) setVertices([...shape!.vertices, p]);
  };

  const onVertexDown = (index: number) => (e: PointerEvent) => {
    if (!editable) return;
    e.stopPropagation();
    e.preventDefault();
    (e.currentTarget as Element).setPointerCapture?.(e.pointerId);
    drag.current = { index, before: shape!, moved: false };
  };
  const onPointerMove = (e: PointerEvent) => {
    const d = drag.current;
    if (!d || !onShape || !shape) return;
    const p = positionAt(e);
    if (!p) return;
    d.moved = true;
    onShape({ ...shape, vertices: shape.vertices.map((v, i) => (i === d.index ? p : v)) });
  };
  const onPointerUp = () => {
    const d = drag.current;
    drag.current = undefined;
    if (d?.moved) {
      past.current.push(d.before);
      justDragged.current = true;
      // A click event follows the pointerup on the map only when the pointer went down on the map.
      setTimeout(() => (justDragged.current = false), 0);
    }
  };

  const undo = () => {
    const previous = past.current.pop();
    if (previous && onShape) onShape(previous);
  };

  const myPosition = () => {
    setGeoError(undefined);
    if (!navigator.geolocation) return setGeoError(t('draw.noPosition'));
    navigator.geolocation.getCurrentPosition(
      (p) => {
        const { longitude: x, latitude: y } = p.coords;
        setBox([
          [x - AROUND, y - AROUND],
          [x + AROUND, y + AROUND],
        ]);
      },
      () => setGeoError(t('draw.noPosition')),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  };

  const commitRow = (index: number, text: string) => {
    const parsed = parseCoordinate(text, format);
    if (parsed instanceof Error) {
      setRowErrors({ ...rowErrors, [index]: t('draw.badCoordinate', { format: t(`format.${format}` as PlanKey), detail: parsed.message }) });
      return;
    }
    const { [index]: _, ...rest } = rowErrors;
    setRowErrors(rest);
    const v = shape!.vertices[index];
    if (v && v[0] === parsed[0] && v[1] === parsed[1]) return;
    setVertices(shape!.vertices.map((p, i) => (i === index ? parsed : p)));
  };
  const addTyped = (e: Event) => {
    e.preventDefault();
    const parsed = parseCoordinate(adding, format);
    if (parsed instanceof Error) {
      setAddError(t('draw.badCoordinate', { format: t(`format.${format}` as PlanKey), detail: parsed.message }));
      return;
    }
    setAddError(undefined);
    setAdding('');
    const vertices = [...shape!.vertices, parsed];
    change({ ...shape!, vertices });
    if (vertices.length === 1) setBox(fitBox([parsed]) ?? box);
  };
  const moveRow = (index: number, by: number) => {
    const vs = [...shape!.vertices];
    const [v] = vs.splice(index, 1);
    vs.splice(index + by, 0, v!);
    setVertices(vs);
  };

  const polygon = shape ? polygonOf(shape) : undefined;
  const marks = issues.map(positionIn).filter((p): p is Position => !!p);
  const kinds = LEGEND_ORDER.filter((k) => context.some((c) => c.kind === k));
  const project = (p: Position) => projection(p) ?? [NaN, NaN];
  const countries = border.filter((f) => f.properties.kind === 'country');
  const line = border.find((f) => f.properties.kind === 'border');
  const stripes = (name: string, colour: string, bg: string, d: string) => (
    <pattern id={`${id}-pat-${name}`} patternUnits="userSpaceOnUse" width="8" height="8">
      <rect width="8" height="8" fill={bg} />
      <path d={d} stroke={colour} stroke-width="1.4" fill="none" />
    </pattern>
  );

  return (
    <div class="draw" data-testid={`${id}-map`}>
      <div class="draw-tools" role="group" aria-label={t('draw.view')}>
        <button type="button" class="secondary" onClick={() => setBox(scale(box, 0.5))} data-testid={`${id}-zoom-in`}>
          {t('draw.zoomIn')}
        </button>
        <button type="button" class="secondary" onClick={() => setBox(scale(box, 2))} data-testid={`${id}-zoom-out`}>
          {t('draw.zoomOut')}
        </button>
        <button type="button" class="secondary" onClick={() => setBox(pan(box, -0.25, 0))} aria-label={t('draw.panWest')}>
          ←
        </button>
        <button type="button" class="secondary" onClick={() => setBox(pan(box, 0, 0.25))} aria-label={t('draw.panNorth')}>
          ↑
        </button>
        <button type="button" class="secondary" onClick={() => setBox(pan(box, 0, -0.25))} aria-label={t('draw.panSouth')}>
          ↓
        </button>
        <button type="button" class="secondary" onClick={() => setBox(pan(box, 0.25, 0))} aria-label={t('draw.panEast')}>
          →
        </button>
        <button type="button" class="secondary" onClick={() => setBox(initial())} data-testid={`${id}-fit`}>
          {t('draw.fit')}
        </button>
        {editable && (
          <button type="button" class="secondary" onClick={myPosition} data-testid={`${id}-here`}>
            {t('draw.myPosition')}
          </button>
        )}
        {editable && (
          <>
            <button type="button" class="secondary" onClick={undo} disabled={past.current.length === 0} data-testid={`${id}-undo`}>
              {t('draw.undo')}
            </button>
            <button
              type="button"
              class="secondary"
              onClick={() => change({ vertices: [] })}
              disabled={shape!.vertices.length === 0}
              data-testid={`${id}-clear`}
            >
              {t('draw.clear')}
            </button>
          </>
        )}
      </div>
      {geoError && <p class="error">{geoError}</p>}
      {editable && (
        <p class="hint" id={`${id}-how`}>
          {t('draw.how')}
        </p>
      )}
      {editable && (
        // What a click or a drag did, for screen readers (the table below has the vertices themselves).
        <p class="visually-hidden" role="status" aria-live="polite" data-testid={`${id}-status`}>
          {t('draw.tableCaption', { count: shape!.vertices.length })}
        </p>
      )}
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the coordinates table under the map is the keyboard way to add and move vertices */}
      <svg
        ref={svg}
        class={editable ? 'map-svg draw-svg draw-editable' : 'map-svg draw-svg'}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${id}-title`}
        data-testid={`${id}-svg`}
        data-vertices={shape?.vertices.length ?? 0}
        onClick={onMapClick}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
      >
        <title id={`${id}-title`}>{label}</title>
        <defs>
          {stripes('remaining', '#b91c1c', '#fde2e2', 'M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4')}
          {stripes('released', '#15803d', '#bbf7d0', 'M0,0 h8 M0,4 h8')}
          {stripes('pending', '#1d4ed8', '#dbeafe', 'M0,0 v8 M4,0 v8')}
          {stripes('part', '#6d28d9', '#ede9fe', 'M0,0 l8,8 M8,0 l-8,8')}
        </defs>
        <rect width={WIDTH} height={HEIGHT} class="map-sea" />
        {countries.map((f) => (
          <path
            key={f.properties.iso}
            d={path(f as never) ?? ''}
            fill={f.properties.iso === 'KH' ? '#f6f1e3' : f.properties.iso === 'TH' ? '#eaf0f6' : '#f4f4f2'}
            class="map-country"
          />
        ))}
        {line && <path d={path(line as never) ?? ''} class="map-border" />}
        {[...context]
          .sort((a, b) => LEGEND_ORDER.indexOf(a.kind === 'original' ? 'part' : a.kind) - LEGEND_ORDER.indexOf(b.kind === 'original' ? 'part' : b.kind))
          .map((c, i) => {
            const s = STYLE[c.kind];
            return (
              <path
                key={`${c.kind}-${i}`}
                d={path(forD3(c.geometry) as never) ?? ''}
                fill={s.fill === 'none' ? 'none' : `url(#${id}-pat-${s.fill})`}
                stroke={s.stroke}
                stroke-width={c.kind === 'original' ? 2 : 1.5}
                stroke-dasharray={s.dash}
                data-kind={c.kind}
                pointer-events="none"
              />
            );
          })}
        {polygon && <path d={path(forD3(polygon) as never) ?? ''} class="draw-shape" data-testid={`${id}-shape`} pointer-events="none" />}
        {shape && shape.vertices.length > 0 && shape.vertices.length < 3 && (
          <polyline points={shape.vertices.map((v) => project(v).join(',')).join(' ')} class="draw-line" pointer-events="none" />
        )}
        {shape?.vertices.map((v, i) => {
          const [x, y] = project(v);
          return Number.isFinite(x) && Number.isFinite(y) ? (
            <g key={i} class="draw-vertex" onPointerDown={onVertexDown(i)} data-testid={`${id}-vertex-${i}`}>
              <circle cx={x} cy={y} r={editable ? 9 : 5} />
              <text x={x} y={y} dy="4" aria-hidden="true">
                {i + 1}
              </text>
            </g>
          ) : null;
        })}
        {marks.map((p, i) => {
          const [x, y] = project(p);
          return (
            <path key={`m${i}`} d={`M${x - 8},${y - 8} L${x + 8},${y + 8} M${x - 8},${y + 8} L${x + 8},${y - 8}`} class="draw-issue" pointer-events="none" />
          );
        })}
      </svg>
      <section class="map-legend draw-legend" aria-labelledby={`${id}-legend`}>
        <h3 id={`${id}-legend`}>{t('legend')}</h3>
        <ul>
          {kinds.map((k) => (
            <li key={k} data-testid={`${id}-legend-${k}`}>
              <Swatch kind={k} id={id} />
              <span>{t(`legend.${k}` as PlanKey)}</span>
            </li>
          ))}
          {shape && (
            <li>
              <Swatch kind="drawn" id={id} />
              <span>{t('legend.drawn')}</span>
            </li>
          )}
        </ul>
      </section>

      {editable && (
        <div class="draw-table">
          <fieldset class="draw-format">
            <legend>{t('draw.format')}</legend>
            {COORD_FORMATS.map((f) => (
              <label key={f} class="tb-check">
                <input type="radio" name={`${id}-format`} value={f} checked={format === f} onChange={() => setFormat(f)} data-testid={`${id}-format-${f}`} />
                <span>{t(`format.${f}` as PlanKey)}</span>
              </label>
            ))}
          </fieldset>
          <div class="table-wrap" tabIndex={0} role="region" aria-label={t('draw.tableCaption', { count: shape!.vertices.length })}>
            <table data-testid={`${id}-table`}>
              <caption>{t('draw.tableCaption', { count: shape!.vertices.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t(`format.${format}` as PlanKey)}</th>
                  <th scope="col">{t('draw.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {shape!.vertices.map((v, i) => (
                  <tr key={`${i}-${format}-${v[0]}-${v[1]}`}>
                    <th scope="row">{i + 1}</th>
                    <td>
                      <input
                        type="text"
                        class="draw-coord"
                        defaultValue={formatCoordinate(v, format)}
                        aria-label={t('draw.vertexLabel', { n: i + 1 })}
                        aria-invalid={rowErrors[i] ? 'true' : undefined}
                        aria-describedby={rowErrors[i] ? `${id}-row-${i}-error` : undefined}
                        onChange={(e) => commitRow(i, (e.currentTarget as HTMLInputElement).value)}
                        onKeyDown={(e) => {
                          if (e.key === 'Enter') {
                            e.preventDefault();
                            commitRow(i, (e.currentTarget as HTMLInputElement).value);
                          }
                        }}
                        data-testid={`${id}-coord-${i}`}
                      />
                      {rowErrors[i] && (
                        <p class="error" id={`${id}-row-${i}-error`}>
                          {rowErrors[i]}
                        </p>
                      )}
                    </td>
                    <td class="draw-row-actions">
                      <button
                        type="button"
                        class="secondary"
                        disabled={i === 0}
                        onClick={() => moveRow(i, -1)}
                        aria-label={t('draw.up', { n: i + 1 })}
                        data-testid={`${id}-up-${i}`}
                      >
                        ↑
                      </button>
                      <button
                        type="button"
                        class="secondary"
                        disabled={i === shape!.vertices.length - 1}
                        onClick={() => moveRow(i, 1)}
                        aria-label={t('draw.down', { n: i + 1 })}
                        data-testid={`${id}-down-${i}`}
                      >
                        ↓
                      </button>
                      <button
                        type="button"
                        class="secondary"
                        onClick={() => setVertices(shape!.vertices.filter((_, j) => j !== i))}
                        aria-label={t('draw.remove', { n: i + 1 })}
                        data-testid={`${id}-remove-${i}`}
                      >
                        ✕
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="draw-add">
            <label for={`${id}-add`}>{t('draw.add', { format: t(`format.${format}` as PlanKey) })}</label>
            <p class="hint" id={`${id}-add-hint`}>
              {t(`format.${format}.example` as PlanKey)}
            </p>
            <div class="draw-add-row">
              <input
                id={`${id}-add`}
                type="text"
                value={adding}
                aria-describedby={addError ? `${id}-add-hint ${id}-add-error` : `${id}-add-hint`}
                aria-invalid={addError ? 'true' : undefined}
                onInput={(e) => setAdding((e.currentTarget as HTMLInputElement).value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') addTyped(e);
                }}
                data-testid={`${id}-add-input`}
              />
              <button type="button" onClick={addTyped} data-testid={`${id}-add-button`}>
                {t('draw.addButton')}
              </button>
            </div>
            {addError && (
              <p class="error" id={`${id}-add-error`} role="alert">
                {addError}
              </p>
            )}
          </div>
          {shape!.holes && shape!.holes.length > 0 && <p class="hint">{t('draw.holes', { count: shape!.holes.length })}</p>}
        </div>
      )}
    </div>
  );
}
