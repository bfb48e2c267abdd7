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

/** Batches small writes; waits whenever the sink asks. */
const batched = (sink: Sink) => {
  let buffer = "";
  return {
    push: async (text: string) => {
      buffer += text;
      if (buffer.length >= 64 * 1024) {
        const ok = sink.write(buffer);
        buffer = "";
        if (!ok) await sink.drain();
      }
    },
    flush: async () => {
      if (buffer !== "" && !sink.write(buffer)) await sink.drain();
      buffer = "";
    },
  };
};

export const writeIndex = async (images: AsyncIterable<Image>, format: IndexFormat, sink: Sink): Promise<number> => {
  const out = batched(sink);
  let count = 0;
  if (format === "table") {
    await out.push(tableLine(COLUMNS.map((c) => c.header)));
    await out.push(tableLine(COLUMNS.map((c) => "-".repeat(c.width))));
    for await (const image of images) {
      await out.push(tableLine(COLUMNS.map((c) => c.value(image))));
      count++;
    }
  } else if (format === "csv") {
    await out.push(`${CSV_FIELDS.join(",")}\r\n`);
    for await (const image of images) {
      await out.push(`${CSV_FIELDS.map((f) => csvField(image[f])).join(",")}\r\n`);
      count++;
    }
  } else {
    await out.push("[");
    for await (const image of images) {
      await out.push(`${count === 0 ? "\n" : ",\n"}  ${JSON.stringify(image)}`);
      count++;
    }
    await out.push(count === 0 ? "]\n" : "\n]\n");
  }
  await out.flush();
  return count;
};
