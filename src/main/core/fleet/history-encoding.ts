// How one history field is stored: float32, or a 16-bit fixed-point code where the field's
// range and the precision the views show allow it (half the bytes). Each encoding states its
// error bound; the history store holds what it is given to within that bound.
//
// - float32: any value, relative error ≤ 2^-24 (about 6e-8); NaN is missing.
// - fixed(perUnit, offset): value = offset + code / perUnit with code 0..65534, so the range is
//   [offset, offset + 65534 / perUnit] and the error is at most half a step, 0.5 / perUnit.
//   Values outside the range saturate at its ends; code 65535 is missing.

export type FixedPointEncoding = { kind: 'fixed'; perUnit: number; offset: number };
export type FieldEncoding = { kind: 'float32' } | FixedPointEncoding;

export const FLOAT32: FieldEncoding = { kind: 'float32' };

export function fixedPoint(perUnit: number, offset = 0): FixedPointEncoding {
  if (!(perUnit > 0) || !Number.isFinite(perUnit)) throw new RangeError('fixedPoint needs a positive step count per unit');
  if (!Number.isFinite(offset)) throw new RangeError('fixedPoint needs a finite offset');
  return { kind: 'fixed', perUnit, offset };
}

/** Stored columns: one value per slot, left as allocated (zero) until the store writes the slot. */
export type Column = Float32Array | Uint16Array;

export interface FieldCodec {
  readonly bytesPerValue: 2 | 4;
  column(buffer: ArrayBuffer, byteOffset: number, length: number): Column;
  /** NaN (missing) in, the column's missing code out. */
  encode(value: number): number;
  /** The column's missing code in, NaN out. */
  decode(stored: number): number;
  /** The largest |stored - given| for a value inside the encoding's range (0 for float32: relative only). */
  readonly maxAbsError: number;
}

const MISSING_CODE = 0xffff;
const MAX_CODE = 0xfffe;

class Float32Codec implements FieldCodec {
  readonly bytesPerValue = 4 as const;
  readonly maxAbsError = 0;
  column(buffer: ArrayBuffer, byteOffset: number, length: number): Column {
    return new Float32Array(buffer, byteOffset, length);
  }
  encode(value: number): number {
    return value;
  }
  decode(stored: number): number {
    return stored;
  }
}

class FixedCodec implements FieldCodec {
  readonly bytesPerValue = 2 as const;
  readonly maxAbsError: number;
  constructor(private readonly perUnit: number, private readonly offset: number) {
    this.maxAbsError = 0.5 / perUnit;
  }
  column(buffer: ArrayBuffer, byteOffset: number, length: number): Column {
    return new Uint16Array(buffer, byteOffset, length);
  }
  encode(value: number): number {
    if (Number.isNaN(value)) return MISSING_CODE;
    const code = Math.round((value - this.offset) * this.perUnit);
    return code < 0 ? 0 : code > MAX_CODE ? MAX_CODE : code;
  }
  decode(stored: number): number {
    // Dividing by the integer step count (not multiplying by its inverse) gives the double
    // nearest to code / perUnit, so 4322 at 100 per unit reads back as 43.22, not 43.220000000000006.
    return stored === MISSING_CODE ? NaN : this.offset + stored / this.perUnit;
  }
}

const FLOAT32_CODEC = new Float32Codec();

export function codecFor(encoding: FieldEncoding): FieldCodec {
  return encoding.kind === 'float32' ? FLOAT32_CODEC : new FixedCodec(encoding.perUnit, encoding.offset);
}

/**
 * One ArrayBuffer holding a per-slot header array (times or stamps) and one column per codec:
 * the header first, then 4-byte columns, then 2-byte ones, so every view is aligned.
 */
export function allocateColumns(
  length: number,
  headerBytesPerSlot: 4 | 8,
  codecs: readonly FieldCodec[],
): { buffer: ArrayBuffer; columns: Column[] } {
  const buffer = new ArrayBuffer(columnBytes(length, headerBytesPerSlot, codecs));
  const columns = new Array<Column>(codecs.length);
  let offset = length * headerBytesPerSlot;
  for (const width of [4, 2] as const) {
    codecs.forEach((codec, i) => {
      if (codec.bytesPerValue !== width) return;
      columns[i] = codec.column(buffer, offset, length);
      offset += length * width;
    });
  }
  return { buffer, columns };
}

export function columnBytes(length: number, headerBytesPerSlot: number, codecs: readonly FieldCodec[]): number {
  let perSlot = headerBytesPerSlot;
  for (const codec of codecs) perSlot += codec.bytesPerValue;
  return length * perSlot;
}
