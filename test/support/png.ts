import { inflateSync } from 'node:zlib';

/** The eight bytes every PNG starts with (PNG specification, 5.2). */
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export interface DecodedPng {
  readonly width: number;
  readonly height: number;
  /** RGBA, row by row. */
  readonly rgba: Uint8Array;
}

/**
 * Decodes an 8-bit RGBA, non-interlaced PNG (what resvg writes): its chunks, the zlib stream of its IDAT chunks,
 * and the five row filters of the PNG specification (9.2). Enough to look at pixels in a test; throws on others.
 */
export function decodePng(png: Uint8Array): DecodedPng {
  const bytes = Buffer.from(png);
  if (!PNG_SIGNATURE.every((b, i) => bytes[i] === b)) throw new Error('not a PNG');
  let [width, height] = [0, 0];
  const data: Buffer[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      [width, height] = [body.readUInt32BE(0), body.readUInt32BE(4)];
      if (body[8] !== 8 || body[9] !== 6 || body[12] !== 0)
        throw new Error('only 8-bit RGBA, not interlaced');
    }
    if (type === 'IDAT') data.push(body);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * 4;
  const rgba = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x] ?? 0;
      const left = x >= 4 ? (rgba[y * stride + x - 4] ?? 0) : 0;
      const up = y > 0 ? (rgba[(y - 1) * stride + x] ?? 0) : 0;
      const upLeft = x >= 4 && y > 0 ? (rgba[(y - 1) * stride + x - 4] ?? 0) : 0;
      rgba[y * stride + x] = (value + predictor(filter ?? 0, left, up, upLeft)) & 0xff;
    }
  }
  return { width, height, rgba };
}

function predictor(filter: number, left: number, up: number, upLeft: number): number {
  switch (filter) {
    case 0:
      return 0;
    case 1:
      return left;
    case 2:
      return up;
    case 3:
      return Math.floor((left + up) / 2);
    case 4: {
      const p = left + up - upLeft;
      const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
      return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
    }
    default:
      throw new Error(`unknown PNG filter ${filter}`);
  }
}

/**
 * The pixels of one colour (within `tolerance` per channel) above row `belowY`: their count and mean row, for where a
 * line lies (leave the legend's swatches out with `belowY`).
 */
export function pixelsOf(
  png: DecodedPng,
  hex: string,
  belowY = png.height,
  tolerance = 24,
): { count: number; meanY: number } {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  let [count, sumY] = [0, 0];
  for (let i = 0; i < png.rgba.length; i += 4) {
    const near =
      Math.abs((png.rgba[i] ?? 0) - (r ?? 0)) <= tolerance &&
      Math.abs((png.rgba[i + 1] ?? 0) - (g ?? 0)) <= tolerance &&
      Math.abs((png.rgba[i + 2] ?? 0) - (b ?? 0)) <= tolerance;
    const y = Math.floor(i / 4 / png.width);
    if (!near || y >= belowY) continue;
    count++;
    sumY += y;
  }
  return { count, meanY: count === 0 ? Number.NaN : sumY / count };
}
