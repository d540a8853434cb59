/**
 * Plain SVG for the mine-action views: a points map (longitude/latitude scaled into a box, a
 * label beside each point) and grouped bars. No chart library: a few elements, drawn offline,
 * and every number is also written out in the tables beside them.
 */
export interface MapPoint {
  id: string;
  lon: number;
  lat: number;
  label: string;
  title: string;
  tone?: 'killed' | 'injured' | 'rank';
}

const W = 480;
const H = 300;
const PAD = 24;

/** Points on a plain lon/lat box (equirectangular, scaled to fit), each with its label and a title for hover and screen readers. */
export function PointsMap({ points, label, testid }: { points: readonly MapPoint[]; label: string; testid: string }) {
  if (points.length === 0) return null;
  const lons = points.map((p) => p.lon);
  const lats = points.map((p) => p.lat);
  const [minLon, maxLon, minLat, maxLat] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const spanLon = Math.max(maxLon - minLon, 0.02);
  const spanLat = Math.max(maxLat - minLat, 0.02);
  const scale = Math.min((W - 2 * PAD) / spanLon, (H - 2 * PAD) / spanLat);
  const x = (lon: number) => PAD + (lon - minLon) * scale + (W - 2 * PAD - spanLon * scale) / 2;
  const y = (lat: number) => H - PAD - (lat - minLat) * scale - (H - 2 * PAD - spanLat * scale) / 2;
  return (
    <svg class="ma-map" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} data-testid={testid}>
      <rect x="0" y="0" width={W} height={H} fill="none" stroke="currentColor" stroke-opacity="0.2" />
      {points.map((p) => (
        <g key={p.id} data-testid={`${testid}-point`}>
          <title>{p.title}</title>
          <circle
            cx={x(p.lon)}
            cy={y(p.lat)}
            r={p.tone === 'rank' ? 9 : 5}
            fill={p.tone === 'killed' ? '#b00020' : p.tone === 'injured' ? '#e08a00' : '#1f5fa8'}
            fill-opacity="0.85"
          />
          <text
            x={x(p.lon) + (p.tone === 'rank' ? 0 : 8)}
            y={y(p.lat) + 4}
            font-size="11"
            text-anchor={p.tone === 'rank' ? 'middle' : 'start'}
            fill={p.tone === 'rank' ? '#fff' : 'currentColor'}
          >
            {p.label}
          </text>
        </g>
      ))}
    </svg>
  );
}

/** Two bars per group (e.g. killed and injured per age band), the values written above them. */
export function PairedBars({
  groups,
  series,
  label,
  testid,
}: {
  groups: readonly { key: string; label: string; values: readonly (number | null)[] }[];
  series: readonly string[];
  label: string;
  testid: string;
}) {
  const max = Math.max(1, ...groups.flatMap((g) => g.values.map((v) => v ?? 0)));
  const bw = 18;
  const gw = series.length * bw + 24;
  const height = 160;
  const colours = ['#b00020', '#e08a00'];
  return (
    <svg class="ma-bars" viewBox={`0 0 ${groups.length * gw + 20} ${height + 60}`} role="img" aria-label={label} data-testid={testid}>
      {groups.map((g, i) => (
        <g key={g.key}>
          {g.values.map((v, k) => {
            const h = ((v ?? 0) / max) * height;
            const bx = 10 + i * gw + k * bw;
            return (
              <g key={k}>
                <rect x={bx} y={20 + height - h} width={bw - 4} height={h} fill={colours[k % colours.length]} />
                <text x={bx + (bw - 4) / 2} y={16 + height - h} font-size="10" text-anchor="middle" fill="currentColor">
                  {v === null ? '<5' : v}
                </text>
              </g>
            );
          })}
          <text x={10 + i * gw + (series.length * bw) / 2} y={height + 36} font-size="11" text-anchor="middle" fill="currentColor">
            {g.label}
          </text>
        </g>
      ))}
      {series.map((s, k) => (
        <g key={s}>
          <rect x={10 + k * 90} y={height + 46} width="10" height="10" fill={colours[k % colours.length]} />
          <text x={24 + k * 90} y={height + 55} font-size="11" fill="currentColor">
            {s}
          </text>
        </g>
      ))}
    </svg>
  );
}
