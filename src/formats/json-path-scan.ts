/**
 * Values at a few dotted paths of a JSON document, found in one pass without building the document.
 *
 * Input: the bytes of one JSON document (UTF-8), in as many pieces as they arrive, and the paths wanted
 * (`meta.next` as ['meta', 'next']; an array element by its index, `pages.0.cursor`; [] is the whole
 * document). Output, at `end()`: whether the bytes are one JSON document as JSON.parse would accept it
 * (decoded as UTF-8), and for each path what JSON.parse-then-walk would find there: nothing, a string
 * or number (with its value), true/false/null, an object, or an array and whether it is empty.
 *
 * Why: a polled page is only read for its next cursor and to tell an empty page; parsing it whole builds
 * every record as an object (a 50 MiB page of `{}` is 17 million of them: seconds of blocked event loop
 * and more than a gigabyte). This is a byte-level state machine: linear in the input, no recursion, and
 * it keeps only the open brackets (one byte each) and the values at the wanted paths. Duplicate keys
 * resolve as JSON.parse resolves them (the last one wins), at every level of a path.
 *
 * With `elementsOf`, it also tells where each element of the arrays at that path lies (byte offsets
 * from the document's start, and the offset of the array they belong to): a reader can then parse one
 * record at a time instead of the whole document (json-reader.ts). Elements of an array a duplicate key
 * replaced are reported too, with their array's offset; `arrayAt` names the array that won.
 */

/** What a path leads to, as JSON.parse and a walk of the result would see it. */
export type JsonPathValue =
  | { kind: 'absent' }
  | { kind: 'scalar'; value: string | number | boolean | null }
  | { kind: 'object' }
  | { kind: 'array'; empty: boolean };

/** Where an element of the array at `elementsOf` lies: `array` is the array's offset, [start, end) the element's bytes. */
export type JsonElementSink = (array: number, start: number, end: number) => void;

export interface JsonPathScanResult {
  /** The bytes are one well-formed JSON document; when false, `values` mean nothing. */
  valid: boolean;
  /** One per path given to the constructor, in the same order. */
  values: JsonPathValue[];
}

// States: what the next significant byte may be.
const VALUE = 0; // a value (after ':' or an array's ',', or the document's start)
const ARRAY_FIRST = 1; // a value or ']'
const OBJECT_FIRST = 2; // a key or '}'
const KEY = 3; // a key (after an object's ',')
const COLON = 4;
const AFTER = 5; // ',' or the closing bracket of the container
const STRING = 6;
const NUMBER = 7;
const LITERAL = 8;
const DONE = 9; // the document's value is complete: only whitespace may follow
const ERROR = 10;

// Number sub-states (RFC 8259 grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?).
const N_MINUS = 0;
const N_ZERO = 1;
const N_INT = 2;
const N_DOT = 3;
const N_FRAC = 4;
const N_E = 5;
const N_ESIGN = 6;
const N_EXP = 7;
const NUMBER_MAY_END = [false, true, true, false, true, false, false, true];

const ARRAY = 0;
const OBJECT = 1;

const LITERALS: Record<number, { rest: Buffer; value: boolean | null }> = {
  0x74: { rest: Buffer.from('rue'), value: true },
  0x66: { rest: Buffer.from('alse'), value: false },
  0x6e: { rest: Buffer.from('ull'), value: null },
};

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

function isHex(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
}

/** After a backslash: " \ / b f n r t (u is handled apart). */
function isEscapable(b: number): boolean {
  return b === 0x22 || b === 0x5c || b === 0x2f || b === 0x62 || b === 0x66 || b === 0x6e || b === 0x72 || b === 0x74;
}

/** The text of a string's content (between its quotes), decoded as JSON.parse decodes it. */
function decodeString(raw: Buffer, escaped: boolean): string {
  const text = raw.toString('utf8');
  return escaped ? (JSON.parse(`"${text}"`) as string) : text;
}

export class JsonPathScan {
  private readonly paths: string[][];
  private readonly values: JsonPathValue[];
  /** Deepest path: containers deeper than this have no child on a path, so nothing is kept for them. */
  private readonly maxLen: number;
  /** Longest key, in bytes of source text, that could equal a path segment (a character written as a six-byte \u escape counts six). */
  private readonly keyCap: number;

  private state = VALUE;
  /** Open containers: kinds[c] is ARRAY or OBJECT for the container at depth c (the document is depth 0). */
  private kinds = new Uint8Array(64);
  private depth = 0;
  /** For containers at depth c < maxLen: the paths (bit i) whose first c segments led to it, and its element count. */
  private readonly masks: number[];
  private readonly indexes: number[];
  /** The paths the next value lies on (computed from its key or index). */
  private childMask = 0;
  /** For each path: the depth of the open array found at it, or -1. */
  private readonly openArray: number[];
  /** How many of openArray are open (0: no element needs looking at). */
  private openArrays = 0;

  // String state.
  private stringIsKey = false;
  private escape = 0; // 0 none, 1 after a backslash, 2..5 reading the 4 hex digits of \u
  private sawEscape = false;
  // Number and literal state.
  private numberState = N_MINUS;
  private literal: { rest: Buffer; value: boolean | null } | null = null;
  private literalAt = 0;
  // Capture of a key (to compare with path segments) or of a scalar at a path.
  private capturing = false;
  private captured: Buffer[] = [];
  private capturedBytes = 0;
  private captureOverflow = false;
  /** Paths (bits) the scalar being captured is the value of. */
  private captureFor = 0;

  /** Bytes of the document before the piece being scanned, and the offset of the byte being read. */
  private base = 0;
  private pos = 0;
  /** For each path: the offset of the array found at it (the last, when a duplicate key replaced one), or -1. */
  private readonly arrayStart: number[];
  /** The element of an array at `elementsOf` being read: its depth (-1: none), start and array. */
  private elementDepth = -1;
  private elementStart = 0;
  private elementArray = 0;

  /**
   * `paths`: the values wanted. `elements`: report each element of the arrays at `paths[elements.of]`
   * to `elements.sink` once the element's last byte is read.
   */
  constructor(
    paths: string[][],
    private readonly elements?: { of: number; sink: JsonElementSink },
  ) {
    if (paths.length > 30) throw new Error('JsonPathScan: at most 30 paths');
    this.paths = paths;
    this.values = paths.map(() => ({ kind: 'absent' }));
    this.maxLen = Math.max(0, ...paths.map((p) => p.length));
    this.keyCap = 12 * Math.max(0, ...paths.flat().map((s) => s.length)) + 16;
    this.masks = new Array<number>(this.maxLen).fill(0);
    this.indexes = new Array<number>(this.maxLen).fill(0);
    this.openArray = paths.map(() => -1);
    this.arrayStart = paths.map(() => -1);
  }

  /** The offset of the array at path `p` (the one JSON.parse keeps), or -1 when there is none. */
  arrayAt(p: number): number {
    return this.values[p]!.kind === 'array' ? this.arrayStart[p]! : -1;
  }

  /** Scan the next piece of the document. */
  scan(bytes: Uint8Array): void {
    this.scanPiece(bytes);
    this.base += bytes.length;
  }

  private scanPiece(bytes: Uint8Array): void {
    const n = bytes.length;
    let i = 0;
    while (i < n) {
      const state = this.state;
      if (state === ERROR) return;
      if (state === STRING) {
        i = this.scanString(bytes, i);
        continue;
      }
      const b = bytes[i]!;
      if (state === NUMBER) {
        if (this.numberByte(b)) {
          i++;
          continue;
        }
        if (!NUMBER_MAY_END[this.numberState]) return this.fail(this.base + i);
        this.endScalar(() => Number(this.takeCapture().toString('latin1')), this.base + i);
        continue; // the byte after the number is read in the state that follows it
      }
      if (state === LITERAL) {
        const lit = this.literal!;
        if (b !== lit.rest[this.literalAt]) return this.fail(this.base + i);
        i++;
        if (++this.literalAt === lit.rest.length) this.endScalar(() => lit.value, this.base + i);
        continue;
      }
      this.pos = this.base + i;
      i++;
      if (isWhitespace(b)) continue;
      switch (state) {
        case VALUE:
          this.beginValue(b);
          break;
        case ARRAY_FIRST:
          if (b === 0x5d) this.close();
          else {
            this.elementMask(0);
            this.beginValue(b);
          }
          break;
        case OBJECT_FIRST:
          if (b === 0x7d) this.close();
          else if (b === 0x22) this.beginKey();
          else this.fail();
          break;
        case KEY:
          if (b === 0x22) this.beginKey();
          else this.fail();
          break;
        case COLON:
          if (b === 0x3a) this.state = VALUE;
          else this.fail();
          break;
        case AFTER: {
          const kind = this.kinds[this.depth - 1];
          if (b === 0x2c) {
            if (kind === ARRAY) {
              const c = this.depth - 1;
              const index = c < this.maxLen ? ++this.indexes[c]! : 0;
              this.elementMask(index);
              this.state = VALUE;
            } else this.state = KEY;
          } else if (b === 0x5d && kind === ARRAY) this.close();
          else if (b === 0x7d && kind === OBJECT) this.close();
          else this.fail();
          break;
        }
        default: // DONE: nothing but whitespace may follow the document
          this.fail();
      }
    }
  }

  /** The result, once every piece was scanned. */
  end(): JsonPathScanResult {
    if (this.state === NUMBER && this.depth === 0) {
      if (NUMBER_MAY_END[this.numberState]) this.endScalar(() => Number(this.takeCapture().toString('latin1')), this.base);
      else this.fail(this.base);
    }
    if (this.state !== DONE && this.state !== ERROR) this.fail(this.base);
    return { valid: this.state === DONE, values: this.values };
  }

  /** Where the document stopped being JSON: the offset of the byte that broke it, or its length when it ended too soon. */
  get failedAt(): number {
    return this.failed;
  }
  private failed = -1;

  private fail(at = this.pos): void {
    this.state = ERROR;
    this.failed = at;
    this.captured = [];
  }

  /** The paths an array element at `index` of the innermost container lies on. */
  private elementMask(index: number): void {
    const c = this.depth - 1;
    const parent = c < this.maxLen ? this.masks[c]! : 0;
    let mask = 0;
    if (parent !== 0) {
      const key = String(index);
      for (let p = 0; p < this.paths.length; p++) if (parent & (1 << p) && this.paths[p]![c] === key) mask |= 1 << p;
    }
    this.childMask = mask;
  }

  private beginKey(): void {
    const c = this.depth - 1;
    this.stringIsKey = true;
    this.state = STRING;
    this.escape = 0;
    this.sawEscape = false;
    this.startCapture(c < this.maxLen && this.masks[c] !== 0, 0);
  }

  /** A value starts with byte `b`, at depth `this.depth`, on the paths of `childMask` (or all, at the top). */
  private beginValue(b: number): void {
    const d = this.depth;
    const mask = d === 0 ? (1 << this.paths.length) - 1 : this.childMask;
    // An element of an array found at a path: that array is not empty.
    if (this.openArrays !== 0) {
      for (let p = 0; p < this.openArray.length; p++) {
        if (this.openArray[p] !== d - 1) continue;
        (this.values[p] as { empty: boolean }).empty = false;
        if (this.elements?.of === p) {
          this.elementDepth = d;
          this.elementStart = this.pos;
          this.elementArray = this.arrayStart[p]!;
        }
      }
    }
    let target = 0; // paths this value is the value of
    if (mask !== 0) {
      for (let p = 0; p < this.paths.length; p++) {
        if (!(mask & (1 << p))) continue;
        // A value at a path, or at a prefix of one, replaces what an earlier duplicate key left there.
        this.values[p] = { kind: 'absent' };
        this.arrayStart[p] = -1;
        if (this.paths[p]!.length === d) target |= 1 << p;
      }
    }
    if (b === 0x7b || b === 0x5b) {
      const kind = b === 0x5b ? ARRAY : OBJECT;
      if (d >= this.kinds.length) {
        const grown = new Uint8Array(this.kinds.length * 2);
        grown.set(this.kinds);
        this.kinds = grown;
      }
      this.kinds[d] = kind;
      this.depth = d + 1;
      if (d < this.maxLen) {
        this.masks[d] = mask & ~target;
        this.indexes[d] = 0;
      }
      for (let p = 0; target !== 0 && p < this.paths.length; p++) {
        if (!(target & (1 << p))) continue;
        if (kind === ARRAY) {
          this.values[p] = { kind: 'array', empty: true };
          this.arrayStart[p] = this.pos;
          this.openArray[p] = d;
          this.openArrays++;
        } else this.values[p] = { kind: 'object' };
      }
      this.state = kind === ARRAY ? ARRAY_FIRST : OBJECT_FIRST;
      return;
    }
    if (b === 0x22) {
      this.stringIsKey = false;
      this.state = STRING;
      this.escape = 0;
      this.sawEscape = false;
      this.startCapture(target !== 0, target);
      return;
    }
    if (b === 0x2d || isDigit(b)) {
      this.state = NUMBER;
      this.numberState = b === 0x2d ? N_MINUS : b === 0x30 ? N_ZERO : N_INT;
      this.startCapture(target !== 0, target);
      if (this.capturing) this.capture(Buffer.of(b));
      return;
    }
    const lit = LITERALS[b];
    if (lit) {
      this.state = LITERAL;
      this.literal = lit;
      this.literalAt = 0;
      this.captureFor = target;
      return;
    }
    this.fail();
  }

  private close(): void {
    const c = --this.depth;
    if (c === this.elementDepth) this.endElement(this.pos + 1);
    if (this.openArrays !== 0) {
      for (let p = 0; p < this.openArray.length; p++) {
        if (this.openArray[p] === c) {
          this.openArray[p] = -1;
          this.openArrays--;
        }
      }
    }
    this.state = c === 0 ? DONE : AFTER;
  }

  /** A string, number or literal value ended: keep it for the paths it is the value of. */
  private endScalar(value: () => string | number | boolean | null, end: number): void {
    if (this.depth === this.elementDepth) this.endElement(end);
    const target = this.captureFor;
    if (target !== 0) {
      const v = value();
      for (let p = 0; p < this.paths.length; p++) if (target & (1 << p)) this.values[p] = { kind: 'scalar', value: v };
    }
    this.captureFor = 0;
    this.capturing = false;
    this.state = this.depth === 0 ? DONE : AFTER;
  }

  private endElement(end: number): void {
    this.elementDepth = -1;
    this.elements!.sink(this.elementArray, this.elementStart, end);
  }

  private numberByte(b: number): boolean {
    switch (this.numberState) {
      case N_MINUS:
        if (b === 0x30) this.numberState = N_ZERO;
        else if (isDigit(b)) this.numberState = N_INT;
        else return false;
        break;
      case N_ZERO:
      case N_INT:
        if (isDigit(b) && this.numberState === N_INT) break;
        if (b === 0x2e) this.numberState = N_DOT;
        else if (b === 0x65 || b === 0x45) this.numberState = N_E;
        else return false;
        break;
      case N_DOT:
      case N_FRAC:
        if (isDigit(b)) this.numberState = N_FRAC;
        else if ((b === 0x65 || b === 0x45) && this.numberState === N_FRAC) this.numberState = N_E;
        else return false;
        break;
      case N_E:
        if (b === 0x2b || b === 0x2d) this.numberState = N_ESIGN;
        else if (isDigit(b)) this.numberState = N_EXP;
        else return false;
        break;
      default: // N_ESIGN, N_EXP
        if (isDigit(b)) this.numberState = N_EXP;
        else return false;
    }
    if (this.capturing) this.capture(Buffer.of(b));
    return true;
  }

  /** Reads string content from `start`; returns where scanning goes on. */
  private scanString(bytes: Uint8Array, start: number): number {
    const n = bytes.length;
    let escape = this.escape;
    let j = start;
    for (; j < n; j++) {
      let c = bytes[j]!;
      if (escape === 0) {
        // Plain characters, the bulk of any page, in a loop of their own.
        while (c !== 0x22 && c !== 0x5c && c >= 0x20 && ++j < n) c = bytes[j]!;
        if (j === n) break;
        if (c === 0x22) break;
        if (c === 0x5c) {
          escape = 1;
          this.sawEscape = true;
        } else if (c < 0x20) {
          this.fail(this.base + j);
          return n;
        }
      } else if (escape === 1) {
        if (c === 0x75) escape = 2;
        else if (isEscapable(c)) escape = 0;
        else {
          this.fail(this.base + j);
          return n;
        }
      } else {
        if (!isHex(c)) {
          this.fail(this.base + j);
          return n;
        }
        escape = escape === 5 ? 0 : escape + 1;
      }
    }
    this.escape = escape;
    if (this.capturing && j > start) this.capture(bytes.subarray(start, j));
    if (j === n) return n;
    // The closing quote.
    if (this.stringIsKey) this.endKey();
    else {
      const escaped = this.sawEscape;
      this.endScalar(() => decodeString(this.takeCapture(), escaped), this.base + j + 1);
    }
    return j + 1;
  }

  private endKey(): void {
    const c = this.depth - 1;
    let mask = 0;
    if (this.capturing) {
      const overflow = this.captureOverflow;
      const raw = this.takeCapture();
      if (!overflow) {
        const key = decodeString(raw, this.sawEscape);
        const parent = this.masks[c]!;
        for (let p = 0; p < this.paths.length; p++) if (parent & (1 << p) && this.paths[p]![c] === key) mask |= 1 << p;
      }
    }
    this.capturing = false;
    this.childMask = mask;
    this.state = COLON;
  }

  private startCapture(on: boolean, target: number): void {
    this.capturing = on;
    this.captureFor = target;
    this.captured = [];
    this.capturedBytes = 0;
    this.captureOverflow = false;
  }

  private capture(piece: Uint8Array): void {
    // A key longer than any segment could be cannot match: stop keeping it. A value is kept whole.
    if (this.stringIsKey && this.state === STRING && this.capturedBytes + piece.length > this.keyCap) {
      this.captureOverflow = true;
      this.captured = [];
      return;
    }
    if (this.captureOverflow) return;
    this.captured.push(Buffer.from(piece));
    this.capturedBytes += piece.length;
  }

  private takeCapture(): Buffer {
    const buf = Buffer.concat(this.captured);
    this.captured = [];
    this.capturedBytes = 0;
    this.captureOverflow = false;
    return buf;
  }
}
