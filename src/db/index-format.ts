/**
 * Streams images as a table (the columns of Glance's own index, plus status), JSON or CSV, with
 * back-pressure: memory stays flat however many rows there are. JSON and CSV keep every byte of
 * what the database holds; the table, which goes to a terminal, shows control characters escaped:
 * an image name is chosen by any tenant, and a raw ESC or bidi override would reach the terminal.
 */
import { TABLE_COLUMNS, type Image, type IndexLineFormat } from "./images.js";

export type IndexFormat = "table" | "json" | "csv";

export interface Sink {
  /** Returns false when the caller should wait for drain(). */
  write: (chunk: string) => boolean;
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

const tableLine = (values: string[]): string =>
  `${values
    .map((raw, n) => {
      const v = terminalSafe(raw);
      const column = TABLE_COLUMNS[n];
      if (column === undefined || n === TABLE_COLUMNS.length - 1) return v;
      return column.right === true ? v.padStart(column.width) : v.padEnd(column.width);
    })
    .join(" ")
    .trimEnd()}\n`;

const tableRow = (image: Image): string => tableLine(TABLE_COLUMNS.map((c) => (image[c.field] === null ? "" : String(image[c.field]))));

/** A line the database laid out that a terminal shows as it is: printable ASCII, no backslash (which terminalSafe doubles). */
const isPlainTableLine = (line: string): boolean => /^[\x20-\x5b\x5d-\x7e]*$/u.test(line);

const CSV_FIELDS = ["id", "name", "disk_format", "container_format", "size", "status", "checksum", "visibility", "created_at", "deleted"] as const;

/** RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled; nothing else is. */
const NEEDS_QUOTES = /[",\r\n]/u;

export const csvField = (value: unknown): string => {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- database values are strings, numbers or bigints
  const text = value === null || value === undefined ? "" : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

const csvRow = (image: Image): string => `${CSV_FIELDS.map((f) => csvField(image[f])).join(",")}\r\n`;

/**
 * Whether `line`, the CSV fields' text joined by commas, is already its CSV row: exactly one comma
 * between each two fields and no quote or line break, so that no field needs quoting.
 */
export const isPlainCsvLine = (line: string): boolean => {
  let commas = 0;
  for (let at = line.indexOf(","); at !== -1; at = line.indexOf(",", at + 1)) if (++commas === CSV_FIELDS.length) return false;
  return commas === CSV_FIELDS.length - 1 && !line.includes('"') && !line.includes("\n") && !line.includes("\r");
};

const row = (format: IndexFormat, image: Image, first: boolean): string => {
  if (format === "table") return tableRow(image);
  if (format === "csv") return csvRow(image);
  return `${first ? "\n" : ",\n"}  ${JSON.stringify(image)}`;
};

const indexHeader = (format: IndexFormat): string => {
  if (format === "table") return tableLine(TABLE_COLUMNS.map((c) => c.header)) + tableLine(TABLE_COLUMNS.map((c) => "-".repeat(c.width)));
  if (format === "csv") return `${CSV_FIELDS.join(",")}\r\n`;
  return "[";
};

/** The whole listing as text, a chunk per batch of images (the table, and the API's listings). */
export async function* formatIndex(batches: AsyncIterable<Image[]>, format: IndexFormat): AsyncGenerator<string> {
  let count = 0;
  // The first batch is read before anything is written: a listing that fails at once prints nothing.
  const iterator = batches[Symbol.asyncIterator]();
  let next = await iterator.next();
  yield indexHeader(format);
  for (; next.done !== true; next = await iterator.next()) {
    let chunk = "";
    for (const image of next.value) chunk += row(format, image, count++ === 0);
    if (chunk !== "") yield chunk;
  }
  if (format === "json") yield count === 0 ? "]\n" : "\n]\n";
}

/**
 * CSV, JSON or a table from lines the database built (listImageLines), printing what formatIndex
 * prints for the same images. A JSON line is its object. A CSV or table line is tagged with its
 * row: a plain one is its own row; any other (a CSV field holding a comma, quote or line break; a
 * table line with anything but printable ASCII) is read again whole (`reread`) and laid out here.
 */
export async function* formatLines(lines: AsyncIterable<string[]>, format: IndexLineFormat, reread: (tag: string) => Promise<Image>): AsyncGenerator<string> {
  const iterator = lines[Symbol.asyncIterator]();
  let next = await iterator.next();
  yield indexHeader(format);
  let count = 0;
  let chunk = "";
  for (; next.done !== true; next = await iterator.next()) {
    if (format === "json") for (const line of next.value) chunk += `${count++ === 0 ? "\n" : ",\n"}  ${line}`;
    else
      for (const tagged of next.value) {
        const cut = tagged.indexOf(",");
        const line = tagged.slice(cut + 1);
        if (format === "csv") chunk += isPlainCsvLine(line) ? `${line}\r\n` : csvRow(await reread(tagged.slice(0, cut)));
        else chunk += isPlainTableLine(line) ? `${line}\n` : tableRow(await reread(tagged.slice(0, cut)));
      }
    // Chunks of about 64 KiB: fewer, larger writes.
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = "";
    }
  }
  if (format === "json") chunk += count === 0 ? "]\n" : "\n]\n";
  if (chunk !== "") yield chunk;
}

/** Writes every chunk, waiting whenever the sink asks. */
export const writeChunks = async (chunks: AsyncIterable<string>, sink: Sink): Promise<void> => {
  for await (const chunk of chunks) if (!sink.write(chunk)) await sink.drain();
};
