/**
 * A mergeable count of unique visitors that stores nothing per visitor: HyperLogLog with 2^14
 * registers (a relative standard error of 1.04/√16384 ≈ 0.81%), kept sparse at 2^25 while small
 * (HyperLogLog++), and read with Ertl's improved estimator ("New cardinality estimation algorithms
 * for HyperLogLog sketches", 2017), which needs no empirical bias tables. Sketches of several
 * instances and days merge by register maximum, so unique counts add up without double counting.
 * Pure: no Strapi import.
 */
import { createHash } from 'node:crypto';

const PRECISION = 14;
const REGISTERS = 1 << PRECISION;
/** Bits of the 64-bit hash after the register index; a register holds 0..MAX_RANK. */
const RANK_BITS = 64 - PRECISION;
const SPARSE_PRECISION = 25;
const SPARSE_REGISTERS = 2 ** SPARSE_PRECISION;
/** Past this many sparse entries (12 KB) the dense form (16 KB) is smaller to keep and faster to merge. */
const SPARSE_LIMIT = 3000;
const FORMAT = 'hll1';

export const SKETCH_RELATIVE_STANDARD_ERROR = 1.04 / Math.sqrt(REGISTERS);
export const SKETCH_PRECISION = PRECISION;

/** The first 64 bits of SHA-256, as two unsigned 32-bit halves. */
export function hash64(value: string): [number, number] {
  const digest = createHash('sha256').update(value).digest();
  return [digest.readUInt32BE(0), digest.readUInt32BE(4)];
}

/** Leading zeros of the low `width` bits of `bits` (width ≤ 32), plus one; `width + 1` when all are zero. */
function rankIn(bits: number, width: number): number {
  return bits === 0 ? width + 1 : Math.clz32(bits) - (32 - width) + 1;
}

export class UniqueCountSketch {
  /** Sparse entries: 25-bit index → rank of the 39 bits after it. Null once dense. */
  private sparse: Map<number, number> | null = new Map();
  private dense: Uint8Array | null = null;

  /** Counts a value; the same value any number of times counts once. */
  add(value: string): void {
    const [high, low] = hash64(value);
    this.addHash(high, low);
  }

  addHash(high: number, low: number): void {
    if (this.sparse) {
      const index = high >>> (32 - SPARSE_PRECISION);
      const tail = high & ((1 << (32 - SPARSE_PRECISION)) - 1);
      const rank = tail !== 0 ? rankIn(tail, 32 - SPARSE_PRECISION) : 32 - SPARSE_PRECISION + rankIn(low, 32);
      if ((this.sparse.get(index) ?? 0) < rank) this.sparse.set(index, rank);
      if (this.sparse.size > SPARSE_LIMIT) this.densify();
      return;
    }
    const index = high >>> (32 - PRECISION);
    const tail = high & ((1 << (32 - PRECISION)) - 1);
    const rank = tail !== 0 ? rankIn(tail, 32 - PRECISION) : 32 - PRECISION + rankIn(low, 32);
    if (this.dense![index] < rank) this.dense![index] = rank;
  }

  /** Adds every value `other` counted (register maximum); `other` is left as it was. */
  merge(other: UniqueCountSketch): this {
    if (this.sparse && other.sparse) {
      for (const [index, rank] of other.sparse) {
        if ((this.sparse.get(index) ?? 0) < rank) this.sparse.set(index, rank);
      }
      if (this.sparse.size > SPARSE_LIMIT) this.densify();
      return this;
    }
    this.densify();
    const registers = other.registers();
    for (let index = 0; index < REGISTERS; index += 1) {
      if (this.dense![index] < registers[index]) this.dense![index] = registers[index];
    }
    return this;
  }

  isEmpty(): boolean {
    return this.sparse !== null && this.sparse.size === 0;
  }

  /** The estimated number of distinct values added. */
  estimate(): number {
    if (this.sparse) {
      // Linear counting over 2^25 registers: a few thousand entries almost never collide.
      const size = this.sparse.size;
      return size === 0 ? 0 : SPARSE_REGISTERS * Math.log(SPARSE_REGISTERS / (SPARSE_REGISTERS - size));
    }
    return ertlEstimate(this.dense!);
  }

  serialize(): string {
    if (this.sparse) {
      const words = new Uint32Array(this.sparse.size);
      let position = 0;
      for (const [index, rank] of [...this.sparse].sort((a, b) => a[0] - b[0])) words[position++] = ((index << 6) | rank) >>> 0;
      return `${FORMAT}:s:${Buffer.from(words.buffer).toString('base64')}`;
    }
    return `${FORMAT}:d:${Buffer.from(this.dense!).toString('base64')}`;
  }

  /** A sketch from `serialize`; anything else (null, empty, another format) is an empty sketch. */
  static parse(text: unknown): UniqueCountSketch {
    const sketch = new UniqueCountSketch();
    if (typeof text !== 'string') return sketch;
    const [format, form, data = ''] = text.split(':');
    if (format !== FORMAT) return sketch;
    const bytes = Buffer.from(data, 'base64');
    if (form === 'd' && bytes.length === REGISTERS) {
      sketch.sparse = null;
      sketch.dense = new Uint8Array(bytes);
    } else if (form === 's' && bytes.length % 4 === 0) {
      const words = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
      for (const word of words) sketch.sparse!.set(word >>> 6, word & 0x3f);
      if (sketch.sparse!.size > SPARSE_LIMIT) sketch.densify();
    }
    return sketch;
  }

  private registers(): Uint8Array {
    if (this.dense) return this.dense;
    const registers = new Uint8Array(REGISTERS);
    for (const [index, rank] of this.sparse!) {
      const { index: denseIndex, rank: denseRank } = denseOfSparse(index, rank);
      if (registers[denseIndex] < denseRank) registers[denseIndex] = denseRank;
    }
    return registers;
  }

  private densify(): void {
    if (this.dense) return;
    this.dense = this.registers();
    this.sparse = null;
  }
}

/** A sparse entry's register and rank at the dense precision: the 11 extra index bits lead its tail. */
function denseOfSparse(sparseIndex: number, sparseRank: number): { index: number; rank: number } {
  const extraBits = SPARSE_PRECISION - PRECISION;
  const extra = sparseIndex & ((1 << extraBits) - 1);
  return {
    index: sparseIndex >>> extraBits,
    rank: extra !== 0 ? rankIn(extra, extraBits) : extraBits + sparseRank,
  };
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const previous = z;
    z += x * y;
    y += y;
    if (z === previous) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === previous) return z / 3;
  }
}

function ertlEstimate(registers: Uint8Array): number {
  const counts = new Array<number>(RANK_BITS + 2).fill(0);
  for (const rank of registers) counts[rank] += 1;
  const m = REGISTERS;
  let z = m * tau((m - counts[RANK_BITS + 1]) / m);
  for (let rank = RANK_BITS; rank >= 1; rank -= 1) z = 0.5 * (z + counts[rank]);
  z += m * sigma(counts[0] / m);
  return (m * m) / (2 * Math.LN2 * z);
}
