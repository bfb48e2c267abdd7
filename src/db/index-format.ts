/**
 * Streams a listing as a table, JSON or CSV, with back-pressure: memory stays flat however many
 * rows there are. JSON and CSV keep every byte of what the database holds; the table, which goes to
 * a terminal, shows control characters escaped: an image name is chosen by any tenant, and a raw
 * ESC or bidi override would reach the terminal.
 */
import { type Column, type IndexLineFormat, type JoinedLines, type Row, type SummaryRow } from "./images.js";

export type IndexFormat = "table" | "json" | "csv";

export interface Sink {
  /** Returns false when the caller should wait for drain(). */
  write: (chunk: string | Uint8Array) => boolean;
  drain: () => Promise<void>;
}

/** C0, DEL, C1, the line and paragraph separators, and the bidirectional controls (overrides, isolates, marks). */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]/gu;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\" };

/** Text safe to print on a terminal: every control character as an escape (\x1b, \n, \u202e), a backslash doubled. */
export const terminalSafe = (text: string): string =>
  text.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });

const textOf = (value: Row[string] | undefined): string => (value === null || value === undefined ? "" : String(value));

export const tableLine = (columns: readonly Column[], values: readonly string[]): string =>
  `${values
    .map((raw, n) => {
      const v = terminalSafe(raw);
      const column = columns[n];
      if (column === undefined || n === columns.length - 1) return v;
      return column.right === true ? v.padStart(column.width) : v.padEnd(column.width);
    })
    .join(" ")
    .trimEnd()}\n`;

const tableRow = (columns: readonly Column[], row: Row): string => tableLine(columns, columns.map((c) => textOf(row[c.name])));

/** A line the database laid out that a terminal shows as it is: printable ASCII, no backslash (which terminalSafe doubles). */
const isPlainTableLine = (line: string): boolean => /^[\x20-\x5b\x5d-\x7e]*$/u.test(line);

/** The bytes isPlainTableLine refuses, as a table for plainTablePage: C0 (the newline apart: it ends lines), backslash, DEL and above. */
const REFUSED = new Uint8Array(256).map((_, b) => (b < 0x20 && b !== 0x0a) || b === 0x5c || b >= 0x7f ? 1 : 0);

/**
 * A joined page of table lines (sqliteRowidRanges) as it is printed, when each of its `count` lines
 * is plain (isPlainTableLine): the newlines are its lines' ends and no other byte is refused; a
 * line's trailing spaces (an empty last column) are dropped in place. Undefined when a line is not
 * plain. One pass over the bytes, which costs less than decoding them.
 */
export const plainTablePage = ({ count, bytes }: JoinedLines): Buffer | undefined => {
  let ends = 0;
  let refused = 0;
  let padded = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x0a) {
      ends++;
      if (i > 0 && bytes[i - 1] === 0x20) padded = true;
    } else refused |= REFUSED[b] as number;
  }
  if (refused !== 0 || ends !== count || bytes[bytes.length - 1] !== 0x0a) return undefined;
  if (!padded) return bytes;
  // tableLine's trimEnd, line by line, moving the bytes down over the spaces dropped.
  let w = 0;
  for (let r = 0; r < bytes.length; r++) {
    const b = bytes[r] as number;
    if (b === 0x0a) while (w > 0 && bytes[w - 1] === 0x20) w--;
    bytes[w++] = b;
  }
  return bytes.subarray(0, w);
};

/** RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled; nothing else is. */
const NEEDS_QUOTES = /[",\r\n]/u;

export const csvField = (value: Row[string] | undefined): string => {
  const text = textOf(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

const csvRow = (columns: readonly Column[], row: Row): string => `${columns.map((c) => csvField(row[c.name])).join(",")}\r\n`;

/**
 * Whether `line`, the CSV fields' text joined by commas, is already its CSV row: exactly one comma
 * between each two fields and no quote or line break, so that no field needs quoting.
 */
export const isPlainCsvLine = (line: string, fields: number): boolean => {
  let commas = 0;
  for (let at = line.indexOf(","); at !== -1; at = line.indexOf(",", at + 1)) if (++commas === fields) return false;
  return commas === fields - 1 && !line.includes('"') && !line.includes("\n") && !line.includes("\r");
};

export const indexHeader = (format: IndexFormat, columns: readonly Column[]): string => {
  if (format === "table") return tableLine(columns, columns.map((c) => c.header)) + tableLine(columns, columns.map((c) => "-".repeat(c.width)));
  if (format === "csv") return `${columns.map((c) => c.name).join(",")}\r\n`;
  return "[";
};

export const rowText = (format: IndexFormat, columns: readonly Column[], value: Row, first: boolean): string => {
  if (format === "table") return tableRow(columns, value);
  if (format === "csv") return csvRow(columns, value);
  return `${first ? "\n" : ",\n"}  ${JSON.stringify(value)}`;
};

/** The whole listing as text, a chunk per batch of rows (the API's listings). */
export async function* formatIndex(batches: AsyncIterable<Row[]>, format: IndexFormat, columns: readonly Column[]): AsyncGenerator<string> {
  let count = 0;
  // The first batch is read before anything is written: a listing that fails at once prints nothing.
  const iterator = batches[Symbol.asyncIterator]();
  let next = await iterator.next();
  yield indexHeader(format, columns);
  for (; next.done !== true; next = await iterator.next()) {
    let chunk = "";
    for (const value of next.value) chunk += rowText(format, columns, value, count++ === 0);
    if (chunk !== "") yield chunk;
  }
  if (format === "json") yield count === 0 ? "]\n" : "\n]\n";
}

/**
 * CSV, JSON or a table from SQLite's rows, one string each (listImageLines), printing what
 * formatIndex prints for the same rows: each line is tagged with its row, unless the listing's
 * `tagsOf` gives a batch's tags; a JSON line is its object, a plain CSV or table line is its own
 * row (a table's without the padding at its end); any other (a CSV field holding a comma, quote or
 * line break; a table line with anything but printable ASCII) is read again whole (`reread`) and
 * laid out here. A page the database joined (JoinedLines) is written as its bytes, unless a table's
 * has a line that is not plain: it is then `split` into its lines and taken as a batch of them.
 */
export async function* formatLines(
  {
    lines,
    split,
    tagsOf,
  }: { lines: Iterable<string[] | JoinedLines>; split?: ((page: JoinedLines) => string[]) | undefined; tagsOf?: ((batch: readonly string[]) => readonly string[]) | undefined },
  format: IndexLineFormat,
  columns: readonly Column[],
  reread: (tags: readonly string[]) => Promise<Map<string, Row>>,
): AsyncGenerator<string | Uint8Array> {
  const iterator = lines[Symbol.iterator]();
  try {
    // The first batch is read before anything is written: a listing that fails at once prints nothing.
    let next = iterator.next();
    yield indexHeader(format, columns);
    let count = 0;
    let chunk = "";
    const plain = format === "csv" ? (line: string) => isPlainCsvLine(line, columns.length) : isPlainTableLine;
    const asItIs = format === "csv" ? (line: string) => `${line}\r\n` : (line: string) => (line.endsWith(" ") ? `${line.trimEnd()}\n` : `${line}\n`);
    const lineOf = tagsOf === undefined ? (tagged: string) => tagged.slice(tagged.indexOf(",") + 1) : (line: string) => line;
    for (; next.done !== true; next = iterator.next()) {
      let batch = next.value;
      if (!Array.isArray(batch)) {
        // A joined page: JSON's as it is (led by ",\n  ", the first object by "\n  "), a table's when plain.
        const bytes = format === "json" ? (count === 0 ? batch.bytes.subarray(1) : batch.bytes) : plainTablePage(batch);
        if (bytes !== undefined) {
          count += batch.count;
          if (chunk !== "") yield chunk;
          chunk = "";
          yield bytes;
          continue;
        }
        if (split === undefined) throw new Error("a joined page of lines came without a way to split it");
        batch = split(batch);
      }
      if (format === "json") for (const tagged of batch) chunk += `${count++ === 0 ? "\n" : ",\n"}  ${lineOf(tagged)}`;
      else {
        // The batch as it comes; its odd rows, if any, are read again together, in one query.
        let text = "";
        const odd: number[] = [];
        let n = 0;
        for (const tagged of batch) {
          const line = lineOf(tagged);
          if (plain(line)) text += asItIs(line);
          else odd.push(n);
          n++;
        }
        if (odd.length === 0) chunk += text;
        else {
          const tags = tagsOf === undefined ? batch.map((tagged) => tagged.slice(0, tagged.indexOf(","))) : tagsOf(batch);
          const again = await reread(odd.map((at) => tags[at] ?? ""));
          const oddAt = new Set(odd);
          batch.forEach((tagged, at) => {
            const row = oddAt.has(at) ? again.get(tags[at] ?? "") : undefined;
            chunk += row === undefined ? asItIs(lineOf(tagged)) : format === "csv" ? csvRow(columns, row) : tableRow(columns, row);
          });
        }
      }
      // Chunks of about 64 KiB: fewer, larger writes.
      if (chunk.length >= 65_536) {
        yield chunk;
        chunk = "";
      }
    }
    if (format === "json") chunk += count === 0 ? "]\n" : "\n]\n";
    if (chunk !== "") yield chunk;
  } finally {
    // A listing left early (a closed pipe) ends the database's read too.
    iterator.return?.();
  }
}

const SUMMARY_COLUMNS: Column[] = [
  { name: "group", header: "Group", kind: "text", sql: "", width: 12 },
  { name: "value", header: "Value", kind: "text", sql: "", width: 20 },
  { name: "images", header: "Images", kind: "int", sql: "", width: 12, right: true },
  { name: "size", header: "Total size", kind: "int", sql: "", width: 20, right: true },
];

/** index --summary: one line per group and value. */
export const formatSummary = (rows: readonly SummaryRow[], format: IndexFormat): string => {
  const asRows = rows.map((r): Row => ({ group: r.group, value: r.value, images: r.images, size: r.size }));
  if (format === "json") return `${JSON.stringify(asRows, null, 2)}\n`;
  return indexHeader(format, SUMMARY_COLUMNS) + asRows.map((r) => rowText(format, SUMMARY_COLUMNS, r, false)).join("");
};

/** Writes every chunk, waiting whenever the sink asks. */
export const writeChunks = async (chunks: AsyncIterable<string | Uint8Array>, sink: Sink): Promise<void> => {
  for await (const chunk of chunks) if (!sink.write(chunk)) await sink.drain();
};
