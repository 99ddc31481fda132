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

/** Percent 0..655.34 at 0.01 (± 0.005 pp). */
export const PERCENT_ENCODING = fixedPoint(100);
/** Ratios 0..6.5534 at 0.0001 (± 0.00005, i.e. 0.005 pp). */
export const RATIO_ENCODING = fixedPoint(10_000);
/** Watts 0..6,553.4 at 0.1 (± 0.05 W). */
export const WATTS_ENCODING = fixedPoint(10);
/** °C -100..555.34 at 0.01 (± 0.005 °C). */
export const CELSIUS_ENCODING = fixedPoint(100, -100);

/**
 * The columns of one ring or block in a single ArrayBuffer: a per-slot header (times or stamps)
 * first, then the 4-byte columns, then the 2-byte ones, so every value is aligned. Values are
 * reached through two views of the whole buffer rather than a view per column: a typed-array
 * view costs about 100 bytes of heap, which for 12 fields in 25 blocks a GPU was more than the
 * 2-byte columns saved. Left as allocated (zero) until the store writes a slot.
 */
export class ColumnBuffer {
  readonly buffer: ArrayBuffer;
  readonly f32: Float32Array;
  readonly u16: Uint16Array;

  constructor(readonly length: number, layout: ColumnLayout) {
    const bytes = layout.bytes(length);
    this.buffer = new ArrayBuffer(bytes);
    this.f32 = new Float32Array(this.buffer, 0, Math.floor(bytes / 4));
    this.u16 = new Uint16Array(this.buffer, 0, Math.floor(bytes / 2));
  }
}

/** Where each column starts in a ColumnBuffer of any length: element index length × start[column]. */
export class ColumnLayout {
  private readonly perSlot: number;
  private readonly start: Int32Array;

  constructor(readonly headerBytesPerSlot: 4 | 8, readonly codecs: readonly FieldCodec[]) {
    this.start = new Int32Array(codecs.length);
    // 4-byte columns count in f32 elements after the header, 2-byte ones in u16 elements after those.
    let f32 = headerBytesPerSlot / 4;
    codecs.forEach((codec, i) => {
      if (codec.bytesPerValue === 4) this.start[i] = f32++;
    });
    let u16 = f32 * 2;
    codecs.forEach((codec, i) => {
      if (codec.bytesPerValue === 2) this.start[i] = u16++;
    });
    this.perSlot = u16 * 2;
  }

  bytes(length: number): number {
    return length * this.perSlot;
  }

  /** Element index of column `column`, slot `slot`, in a buffer of `length` slots (f32 or u16 by the codec's width). */
  at(column: number, length: number, slot: number): number {
    return length * this.start[column] + slot;
  }

  read(buffer: ColumnBuffer, column: number, slot: number): number {
    return this.codecs[column].read(buffer, this.at(column, buffer.length, slot));
  }

  write(buffer: ColumnBuffer, column: number, slot: number, value: number): void {
    this.codecs[column].write(buffer, this.at(column, buffer.length, slot), value);
  }
}

export interface FieldCodec {
  readonly bytesPerValue: 2 | 4;
  /** NaN is missing. */
  write(buffer: ColumnBuffer, at: number, value: number): void;
  /** NaN for missing. */
  read(buffer: ColumnBuffer, at: number): number;
  /** The largest |stored - given| for a value inside the encoding's range (0 for float32: relative only). */
  readonly maxAbsError: number;
  encode(value: number): number;
  decode(stored: number): number;
}

const MISSING_CODE = 0xffff;
const MAX_CODE = 0xfffe;

class Float32Codec implements FieldCodec {
  readonly bytesPerValue = 4 as const;
  readonly maxAbsError = 0;
  write(buffer: ColumnBuffer, at: number, value: number): void {
    buffer.f32[at] = value;
  }
  read(buffer: ColumnBuffer, at: number): number {
    return buffer.f32[at];
  }
  encode(value: number): number {
    return Math.fround(value);
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
  write(buffer: ColumnBuffer, at: number, value: number): void {
    buffer.u16[at] = this.encode(value);
  }
  read(buffer: ColumnBuffer, at: number): number {
    return this.decode(buffer.u16[at]);
  }
  /** The 16-bit code: NaN (missing) is 65535. */
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
