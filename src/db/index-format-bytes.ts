/**
 * MariaDB's listings laid out from the bytes the server sent (see mysqlFieldsExpression in
 * images.ts), into bytes written as they are: no UTF-8 decoding of a million rows and no encoding
 * back, which were most of what a listing cost in JavaScript. The output is what formatIndex prints
 * for the same rows: CSV and JSON keep every byte of the values (quoted and escaped as RFC 4180
 * and JSON.stringify do), the table shows a row holding anything but printable ASCII through
 * tableLine (control characters escaped). A row whose value holds the separator is read again.
 */
import { FIELDS_SEPARATOR, type Column, type IndexLineFormat, type Row } from "./images.js";
import { indexHeader, rowText, tableLine } from "./index-format.js";

const US = FIELDS_SEPARATOR;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const SPACE = 0x20;
const ZERO = 0x30;
const HEX = "0123456789abcdef";

/** Bytes of output a chunk gathers before it is written. */
const CHUNK = 65_536;

/**
 * The output being gathered: rows are written into it a byte at a time (a JS loop beats a native
 * call per value). Past `pos` it holds spaces, so that a table's padding is a step, not a write
 * (a third of a table's bytes are padding).
 */
interface Out {
  buffer: Buffer;
  pos: number;
}

const freshOut = (): Out => ({ buffer: Buffer.allocUnsafe(2 * CHUNK).fill(SPACE), pos: 0 });

/** Makes room for n more bytes. */
const room = (out: Out, n: number): void => {
  if (out.pos + n <= out.buffer.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(2 * out.buffer.length, out.pos + n));
  out.buffer.copy(bigger, 0, 0, out.pos);
  bigger.fill(SPACE, out.pos);
  out.buffer = bigger;
};

const writeText = (out: Out, text: string): void => {
  room(out, Buffer.byteLength(text));
  out.pos += out.buffer.write(text, out.pos);
};

/** A row given up part-way (written otherwise, or read again): the spaces past `pos` back. */
const abandon = (out: Out, p: number): void => {
  out.buffer.fill(SPACE, out.pos, p);
};

/** What each format needs of the columns, worked out once. */
interface Layout {
  kinds: ReadonlyArray<Column["kind"]>;
  widths: readonly number[];
  right: readonly boolean[];
  /** JSON: `{"id":`, `,"name":` as bytes. */
  keys: readonly Buffer[];
  /** Bytes a row adds beyond its values, at most (keys, separators, padding, a null or a boolean per value). */
  extra: number;
}

const layoutOf = (columns: readonly Column[]): Layout => {
  const keys = columns.map((c, n) => Buffer.from(`${n === 0 ? "{" : ","}${JSON.stringify(c.name)}:`));
  return {
    kinds: columns.map((c) => c.kind),
    widths: columns.map((c) => c.width),
    right: columns.map((c) => c.right === true),
    keys,
    extra: keys.reduce((sum, k) => sum + k.length, 0) + columns.reduce((sum, c) => sum + c.width + 8, 0) + 8,
  };
};

/** Where a row's values start, its tag and the NULL bits; undefined for a row not made by mysqlFieldsExpression. */
interface Head {
  tagStart: number;
  tagEnd: number;
  bits: number;
  start: number;
}

const headOf = (line: Buffer): Head | undefined => {
  let i = 0;
  let length = 0;
  for (; i < line.length && line[i] !== US; i++) length = 10 * length + (line[i] as number) - ZERO;
  const tagStart = i + 1;
  const tagEnd = tagStart + length;
  if (line[tagEnd] !== US) return undefined;
  let bits = 0;
  for (i = tagEnd + 1; i < line.length && line[i] !== US; i++) bits = 10 * bits + (line[i] as number) - ZERO;
  return { tagStart, tagEnd, bits, start: i + 1 };
};

const tagOf = (line: Buffer): string => {
  const head = headOf(line);
  return head === undefined ? "" : line.toString("utf8", head.tagStart, head.tagEnd);
};

/** Whether value n is NULL. */
const isNull = (bits: number, n: number): boolean => ((bits >>> n) & 1) === 1;

/** The end of the value starting at i: the next US, or the row's end. */
const endOf = (line: Buffer, i: number): number => {
  let end = i;
  while (end < line.length && line[end] !== US) end++;
  return end;
};

/** A boolean's text: the server prints a TINYINT, false only for 0; a NULL one is false too (as SQLite's listing and toRow make it). */
const isFalse = (line: Buffer, start: number, end: number): boolean => end === start + 1 && line[start] === ZERO;

const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");
const NULL = Buffer.from("null");

const put = (b: Buffer, p: number, bytes: Buffer): number => {
  for (let k = 0; k < bytes.length; k++) b[p++] = bytes[k] as number;
  return p;
};

/** The JSON row; false when a value holds US (the row is read again). */
const writeJsonRow = (out: Out, line: Buffer, layout: Layout, first: boolean): boolean => {
  const head = headOf(line);
  if (head === undefined) return false;
  // At worst every byte of a value becomes \u00XX.
  room(out, 6 * line.length + layout.extra);
  const b = out.buffer;
  let p = out.pos;
  if (!first) b[p++] = COMMA;
  b[p++] = 0x0a;
  b[p++] = SPACE;
  b[p++] = SPACE;
  let i = head.start;
  for (let n = 0; n < layout.kinds.length; n++) {
    p = put(b, p, layout.keys[n] as Buffer);
    if (isNull(head.bits, n)) {
      p = put(b, p, layout.kinds[n] === "bool" ? FALSE : NULL);
      continue;
    }
    const kind = layout.kinds[n];
    if (kind === "text") {
      b[p++] = QUOTE;
      for (; i < line.length; i++) {
        const x = line[i] as number;
        if (x === US) break;
        if (x >= SPACE && x !== QUOTE && x !== BACKSLASH) b[p++] = x;
        else {
          b[p++] = BACKSLASH;
          if (x === QUOTE || x === BACKSLASH) b[p++] = x;
          else if (x === 0x08) b[p++] = 0x62;
          else if (x === 0x09) b[p++] = 0x74;
          else if (x === 0x0a) b[p++] = 0x6e;
          else if (x === 0x0c) b[p++] = 0x66;
          else if (x === 0x0d) b[p++] = 0x72;
          else {
            b[p++] = 0x75;
            b[p++] = ZERO;
            b[p++] = ZERO;
            b[p++] = HEX.charCodeAt(x >> 4);
            b[p++] = HEX.charCodeAt(x & 15);
          }
        }
      }
      b[p++] = QUOTE;
    } else if (kind === "int") for (; i < line.length && line[i] !== US; i++) b[p++] = line[i] as number;
    else {
      const end = endOf(line, i);
      p = put(b, p, isFalse(line, i, end) ? FALSE : TRUE);
      i = end;
    }
    i++;
  }
  b[p++] = 0x7d;
  if (i !== line.length + 1) return false;
  out.pos = p;
  return true;
};

/** The CSV row (RFC 4180: a value holding a comma, a quote or a line break is quoted); false when a value holds US. */
const writeCsvRow = (out: Out, line: Buffer, layout: Layout): boolean => {
  const head = headOf(line);
  if (head === undefined) return false;
  // At worst every byte is a doubled quote.
  room(out, 2 * line.length + layout.extra);
  const b = out.buffer;
  let p = out.pos;
  let i = head.start;
  for (let n = 0; n < layout.kinds.length; n++) {
    if (n > 0) b[p++] = COMMA;
    if (isNull(head.bits, n)) {
      if (layout.kinds[n] === "bool") p = put(b, p, FALSE);
      continue;
    }
    if (layout.kinds[n] === "bool") {
      const end = endOf(line, i);
      p = put(b, p, isFalse(line, i, end) ? FALSE : TRUE);
      i = end + 1;
      continue;
    }
    // One pass copies the value; the rare value that needs quotes is written again, quoted.
    const start = i;
    const from = p;
    let quoted = false;
    for (; i < line.length; i++) {
      const x = line[i] as number;
      if (x === US) break;
      if (x === COMMA || x === QUOTE || x === 0x0a || x === 0x0d) quoted = true;
      b[p++] = x;
    }
    if (quoted) {
      p = from;
      b[p++] = QUOTE;
      for (let k = start; k < i; k++) {
        const x = line[k] as number;
        b[p++] = x;
        if (x === QUOTE) b[p++] = QUOTE;
      }
      b[p++] = QUOTE;
    }
    i++;
  }
  if (i !== line.length + 1) return false;
  b[p++] = 0x0d;
  b[p++] = 0x0a;
  out.pos = p;
  return true;
};

/** The table row of a row holding anything but printable ASCII: its values decoded, through tableLine (escapes, widths in characters). False when a value holds US. */
const writeEscapedTableRow = (out: Out, line: Buffer, head: Head, layout: Layout, columns: readonly Column[]): boolean => {
  let i = head.start;
  const values = layout.kinds.map((kind, n) => {
    if (isNull(head.bits, n)) return layout.kinds[n] === "bool" ? "false" : "";
    const start = i;
    i = endOf(line, i) + 1;
    if (kind === "bool") return isFalse(line, start, i - 1) ? "false" : "true";
    return line.toString("utf8", start, i - 1);
  });
  if (i !== line.length + 1) return false;
  writeText(out, tableLine(columns, values));
  return true;
};

/**
 * The table row: plain ASCII (no backslash) padded here, in one pass; a row holding anything else
 * goes through tableLine. False when a value holds US.
 */
const writeTableRow = (out: Out, line: Buffer, layout: Layout, columns: readonly Column[]): boolean => {
  const head = headOf(line);
  if (head === undefined) return false;
  room(out, line.length + layout.extra);
  const b = out.buffer;
  const last = layout.kinds.length - 1;
  let p = out.pos;
  let i = head.start;
  for (let n = 0; n <= last; n++) {
    const width = n === last ? 0 : (layout.widths[n] as number);
    const from = p;
    if (isNull(head.bits, n)) {
      if (layout.kinds[n] === "bool") p = put(b, p, FALSE);
    } else if (layout.kinds[n] === "bool") {
      const end = endOf(line, i);
      p = put(b, p, isFalse(line, i, end) ? FALSE : TRUE);
      i = end + 1;
    } else if (layout.right[n] === true) {
      const end = endOf(line, i);
      if (end - i < width) p += width - (end - i);
      for (; i < end; i++) b[p++] = line[i] as number;
      i++;
    } else {
      for (; i < line.length; i++) {
        const x = line[i] as number;
        if (x === US) break;
        if (x < SPACE || x > 0x7e || x === BACKSLASH) {
          abandon(out, p);
          return writeEscapedTableRow(out, line, head, layout, columns);
        }
        b[p++] = x;
      }
      i++;
    }
    // The padding and the space between columns are there already.
    if (p - from < width) p = from + width;
    if (n < last) p++;
  }
  if (i !== line.length + 1) {
    abandon(out, p);
    return false;
  }
  // tableLine's trimEnd: on plain ASCII, trailing spaces.
  while (p > out.pos && b[p - 1] === SPACE) p--;
  b[p++] = 0x0a;
  out.pos = p;
  return true;
};

/**
 * CSV, JSON or a table from MariaDB's rows (listImageLines), in chunks of bytes (and the text of
 * the few rows read again, `reread`, in their place).
 */
export async function* formatFieldRows(
  rows: AsyncIterable<Buffer[]>,
  format: IndexLineFormat,
  columns: readonly Column[],
  reread: (tags: readonly string[]) => Promise<Map<string, Row>>,
): AsyncGenerator<string | Uint8Array> {
  const iterator = rows[Symbol.asyncIterator]();
  // The first batch is read before anything is written: a listing that fails at once prints nothing.
  let next = await iterator.next();
  yield indexHeader(format, columns);
  const layout = layoutOf(columns);
  let out = freshOut();
  let count = 0;
  for (; next.done !== true; next = await iterator.next()) {
    const odd: Array<{ at: number; tag: string; first: boolean }> = [];
    for (const line of next.value) {
      const first = count++ === 0;
      const written =
        format === "json" ? writeJsonRow(out, line, layout, first) : format === "csv" ? writeCsvRow(out, line, layout) : writeTableRow(out, line, layout, columns);
      if (!written) odd.push({ at: out.pos, tag: tagOf(line), first });
    }
    if (odd.length > 0) {
      // The batch's odd rows are read again together, in one query, and put in their places.
      const again = await reread(odd.map((o) => o.tag));
      let from = 0;
      for (const o of odd) {
        if (o.at > from) yield out.buffer.subarray(from, o.at);
        yield rowText(format, columns, again.get(o.tag) as Row, o.first);
        from = o.at;
      }
      if (out.pos > from) yield out.buffer.subarray(from, out.pos);
      out = freshOut();
    } else if (out.pos >= CHUNK) {
      yield out.buffer.subarray(0, out.pos);
      out = freshOut();
    }
  }
  if (format === "json") writeText(out, count === 0 ? "]\n" : "\n]\n");
  if (out.pos > 0) yield out.buffer.subarray(0, out.pos);
}
