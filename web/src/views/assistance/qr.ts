/**
 * The QR code of a registration code, as the path of an SVG drawn by Preact (no markup injected).
 * The encoder (`uqr`: small, no dependencies, maintained by UnJS) is loaded on first use, in its
 * own chunk: only a relief agency printing a card pays for it.
 */
export interface QrPath {
  /** Modules across, quiet zone included. */
  size: number;
  /** One `M x y h1 v1 h-1 z` square per dark module. */
  d: string;
}

const QUIET_ZONE = 4;

export async function qrPath(text: string): Promise<QrPath> {
  const { encode } = await import('uqr');
  // Medium error correction: a card survives some wear and folding.
  const { data, size } = encode(text, { ecc: 'M', border: 0 });
  let d = '';
  for (const [y, row] of data.entries()) {
    for (const [x, dark] of row.entries()) if (dark) d += `M${x + QUIET_ZONE} ${y + QUIET_ZONE}h1v1h-1z`;
  }
  return { size: size + 2 * QUIET_ZONE, d };
}
