/**
 * A fixed-size set of small integers (operation ids within one partition), used as half of the
 * memoization key of the search: "which operations are already linearized".
 *
 * The hash is kept incrementally as the XOR of a per-bit mix, so it costs O(1) per `set`/`clear`
 * instead of O(size / 32) per lookup. Equal sets always have equal hashes.
 */
export class Bitset {
  readonly size: number;
  private readonly words: Uint32Array;
  private hashValue = 0;
  private countValue = 0;

  /** Creates an empty set over `0 .. size - 1`. */
  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad bitset size ${size}`);
    this.size = size;
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  /** Number of members. */
  get count(): number {
    return this.countValue;
  }

  /** An order-independent 32-bit hash of the members. */
  get hash(): number {
    return this.hashValue;
  }

  has(bit: number): boolean {
    this.assertInRange(bit);
    return ((this.words[bit >>> 5]! >>> (bit & 31)) & 1) === 1;
  }

  /** Adds `bit`; adding a member twice is a caller bug and throws. */
  set(bit: number): void {
    if (this.has(bit)) throw new Error(`bit ${bit} already set`);
    this.words[bit >>> 5] = this.words[bit >>> 5]! | (1 << (bit & 31));
    this.hashValue ^= mixBit(bit);
    this.countValue += 1;
  }

  /** Removes `bit`; removing a non-member is a caller bug and throws. */
  clear(bit: number): void {
    if (!this.has(bit)) throw new Error(`bit ${bit} not set`);
    this.words[bit >>> 5] = this.words[bit >>> 5]! & ~(1 << (bit & 31));
    this.hashValue ^= mixBit(bit);
    this.countValue -= 1;
  }

  equals(other: Bitset): boolean {
    if (other.size !== this.size || other.hashValue !== this.hashValue) return false;
    for (let i = 0; i < this.words.length; i += 1) {
      if (this.words[i] !== other.words[i]) return false;
    }
    return true;
  }

  clone(): Bitset {
    const copy = new Bitset(this.size);
    copy.words.set(this.words);
    copy.hashValue = this.hashValue;
    copy.countValue = this.countValue;
    return copy;
  }

  private assertInRange(bit: number): void {
    if (!Number.isInteger(bit) || bit < 0 || bit >= this.size) {
      throw new RangeError(`bit ${bit} outside 0..${this.size - 1}`);
    }
  }
}

/** A 32-bit integer mix (a variant of the murmur3 finalizer) so that nearby bits hash far apart. */
function mixBit(bit: number): number {
  let h = Math.imul(bit + 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
