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

/** RFC 4180: quote a field holding a comma, quote, line break or edge space; double its quotes. */
export const csvField = (value: unknown): string => {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]|^\s|\s$/u.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

const row = (format: IndexFormat, image: Image, first: boolean): string => {
  if (format === "table") return tableLine(COLUMNS.map((c) => c.value(image)));
  if (format === "csv") return `${CSV_FIELDS.map((f) => csvField(image[f])).join(",")}\r\n`;
  return `${first ? "\n" : ",\n"}  ${JSON.stringify(image)}`;
};

const header = (format: IndexFormat): string => {
  if (format === "table") return tableLine(COLUMNS.map((c) => c.header)) + tableLine(COLUMNS.map((c) => "-".repeat(c.width)));
  if (format === "csv") return `${CSV_FIELDS.join(",")}\r\n`;
  return "[";
};

/** One write per batch of rows; waits whenever the sink asks. */
export const writeIndex = async (batches: AsyncIterable<Image[]>, format: IndexFormat, sink: Sink): Promise<number> => {
  let count = 0;
  const write = async (text: string): Promise<void> => {
    if (!sink.write(text)) await sink.drain();
  };
  await write(header(format));
  for await (const batch of batches) {
    let chunk = "";
    for (const image of batch) chunk += row(format, image, count++ === 0);
    if (chunk !== "") await write(chunk);
  }
  if (format === "json") await write(count === 0 ? "]\n" : "\n]\n");
  return count;
};
