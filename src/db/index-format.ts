/**
 * Streams images as a table (the columns of Glance's own index, plus status), JSON or CSV, with
 * back-pressure: memory stays flat however many rows there are.
 */
import type { Image } from "./images.js";

export type IndexFormat = "table" | "json" | "csv";

export interface Sink {
  /** Returns false when the caller should wait for drain(). */
  write: (chunk: string) => boolean;
  drain: () => Promise<void>;
}

const COLUMNS: Array<{ header: string; width: number; value: (image: Image) => string; right?: boolean }> = [
  { header: "ID", width: 36, value: (i) => i.id },
  { header: "Name", width: 30, value: (i) => i.name ?? "" },
  { header: "Disk Format", width: 20, value: (i) => i.disk_format ?? "" },
  { header: "Container Format", width: 20, value: (i) => i.container_format ?? "" },
  { header: "Size", width: 14, value: (i) => (i.size === null ? "" : String(i.size)), right: true },
  { header: "Status", width: 14, value: (i) => i.status },
];

const tableLine = (values: string[]): string =>
  `${values
    .map((v, n) => {
      const column = COLUMNS[n];
      if (column === undefined) return v;
      return column.right === true ? v.padStart(column.width) : v.padEnd(column.width);
    })
    .join(" ")
    .trimEnd()}\n`;

const CSV_FIELDS = ["id", "name", "disk_format", "container_format", "size", "status", "checksum", "visibility", "created_at", "deleted"] as const;

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/u;

/** RFC 4180: quote a field holding a comma, quote, line break or edge space; double its quotes. */
export const csvField = (value: unknown): string => {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- database values are strings, numbers or bigints
  const text = value === null || value === undefined ? "" : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

const csvRow = (image: Image): string => `${CSV_FIELDS.map((f) => csvField(image[f])).join(",")}\r\n`;

/**
 * Whether `line`, the CSV fields' text joined by commas, is already its CSV row: exactly one comma
 * between each two fields and no field that csvField would quote.
 */
export const isPlainCsvLine = (line: string): boolean => {
  let commas = 0;
  for (let at = line.indexOf(","); at !== -1; at = line.indexOf(",", at + 1)) commas++;
  return commas === CSV_FIELDS.length - 1 && !/["\r\n]|^\s|\s$|\s,|,\s/u.test(line);
};

const row = (format: IndexFormat, image: Image, first: boolean): string => {
  if (format === "table") return tableLine(COLUMNS.map((c) => c.value(image)));
  if (format === "csv") return csvRow(image);
  return `${first ? "\n" : ",\n"}  ${JSON.stringify(image)}`;
};

const indexHeader = (format: IndexFormat): string => {
  if (format === "table") return tableLine(COLUMNS.map((c) => c.header)) + tableLine(COLUMNS.map((c) => "-".repeat(c.width)));
  if (format === "csv") return `${CSV_FIELDS.join(",")}\r\n`;
  return "[";
};

/** The whole listing as text, a chunk per batch of images. */
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
 * CSV from rowid-tagged text lines (listImageLines): a plain line is its own row; any other is
 * read again whole (`reread`) and quoted field by field, so the output equals formatIndex's.
 */
export async function* formatCsvLines(lines: AsyncIterable<string[]>, reread: (rowid: number) => Promise<Image>): AsyncGenerator<string> {
  yield indexHeader("csv");
  for await (const batch of lines) {
    let chunk = "";
    for (const tagged of batch) {
      const cut = tagged.indexOf(",");
      const line = tagged.slice(cut + 1);
      chunk += isPlainCsvLine(line) ? `${line}\r\n` : csvRow(await reread(Number(tagged.slice(0, cut))));
    }
    yield chunk;
  }
}

/** Writes every chunk, waiting whenever the sink asks. */
export const writeChunks = async (chunks: AsyncIterable<string>, sink: Sink): Promise<void> => {
  for await (const chunk of chunks) if (!sink.write(chunk)) await sink.drain();
};
