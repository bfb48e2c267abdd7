/**
 * The one cron grammar: what validation accepts is exactly what the cron line, the systemd
 * OnCalendar= conversion and the foreground scheduler get. Five fields as in /etc/cron.d (minute
 * hour day month weekday), or six with a leading seconds field for the foreground scheduler. Each
 * field is `*`, a value, a range `a-b` (a <= b: cron's own parser rejects ranges that wrap), any of
 * them with a step `/n` (`*` and ranges only), or a comma list of those; months and weekdays also
 * by their three-letter names. Pure: no dependency, so the core does not load a scheduler.
 */
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
/** The most days each month can have (February in a leap year). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Value of the first name (months start at 1, days at 0). */
  nameBase?: number;
}

const SECONDS: FieldSpec = { name: "second", min: 0, max: 59 };
const FIELDS: FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: "day of week", min: 0, max: 7, names: DAYS, nameBase: 0 },
];

interface CronField {
  /** The values it fires on, ascending. */
  values: number[];
  /** Whether it names values (not `*` or `*\/n`): cron fires when either restricted day field matches. */
  restricted: boolean;
}

export interface CronSchedule {
  seconds: CronField | undefined;
  minute: CronField;
  hour: CronField;
  dayOfMonth: CronField;
  month: CronField;
  /** 0-6, Sunday 0 (7 is folded onto 0). */
  dayOfWeek: CronField;
}

class CronSyntaxError extends Error {}

const parseValue = (text: string, spec: FieldSpec): number => {
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (spec.nameBase ?? 0);
  if (!/^\d{1,2}$/u.test(text)) throw new CronSyntaxError(`${spec.name} "${text}" is not a number${spec.names ? " or a three-letter name" : ""}`);
  const value = Number(text);
  if (value < spec.min || value > spec.max) throw new CronSyntaxError(`${spec.name} ${value} is outside ${spec.min}-${spec.max}`);
  return value;
};

const parseField = (field: string, spec: FieldSpec): CronField => {
  const values = new Set<number>();
  for (const part of field.split(",")) {
    const match = /^([^/]+)(?:\/(\d{1,3}))?$/u.exec(part);
    if (match === null) throw new CronSyntaxError(`${spec.name} "${part}" is not a value, range or step`);
    const range = match[1] as string;
    const step = match[2] === undefined ? 1 : Number(match[2]);
    if (step < 1) throw new CronSyntaxError(`${spec.name} step must be at least 1`);
    let from = spec.min;
    let to = spec.max;
    if (range !== "*") {
      const bounds = range.split("-");
      if (bounds.length > 2) throw new CronSyntaxError(`${spec.name} "${range}" is not a range`);
      from = parseValue(bounds[0] ?? "", spec);
      if (bounds.length === 2) to = parseValue(bounds[1] ?? "", spec);
      else if (match[2] !== undefined) throw new CronSyntaxError(`${spec.name} step "${part}" needs a range or *, e.g. ${range}-${spec.max}/${step}`);
      else to = from;
      if (from > to)
        throw new CronSyntaxError(`${spec.name} range ${range} runs backwards: write it as two ranges, e.g. ${bounds[0]}-${spec.max},${spec.min}-${bounds[1]}`);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return { values: [...values].sort((x, y) => x - y), restricted: !field.startsWith("*") };
};

const fieldsOf = (text: string): string[] => text.trim().split(/\s+/u);

export const cronFieldCount = (schedule: string): number => fieldsOf(schedule).length;

/** Parses a schedule; throws an Error whose message says what is wrong. */
export const parseCron = (text: string): CronSchedule => {
  if (text.trim() !== text || text === "") throw new CronSyntaxError("must not be empty or start or end with white space");
  const parts = fieldsOf(text);
  if (parts.length !== 5 && parts.length !== 6) throw new CronSyntaxError("must have 5 fields (minute hour day month weekday), or 6 with leading seconds");
  const seconds = parts.length === 6 ? parseField(parts.shift() as string, SECONDS) : undefined;
  const [minute, hour, dayOfMonth, month, dow] = parts.map((part, i) => parseField(part, FIELDS[i] as FieldSpec)) as [
    CronField,
    CronField,
    CronField,
    CronField,
    CronField,
  ];
  const dayOfWeek = { ...dow, values: [...new Set(dow.values.map((d) => d % 7))].sort((x, y) => x - y) };
  // A day of month no chosen month has (31 in February) never fires unless the weekday can.
  if (!dayOfWeek.restricted || !dayOfMonth.restricted) {
    const longest = Math.max(...month.values.map((m) => MONTH_DAYS[m - 1] ?? 31));
    if (dayOfMonth.values.every((d) => d > longest)) throw new CronSyntaxError(`day of month ${dayOfMonth.values.join(",")} never occurs in the chosen months`);
  }
  return { seconds, minute, hour, dayOfMonth, month, dayOfWeek };
};

/** Why a schedule is not valid, or undefined when it is. */
export const cronError = (text: string): string | undefined => {
  try {
    parseCron(text);
    return undefined;
  } catch (error) {
    if (error instanceof CronSyntaxError) return error.message;
    throw error;
  }
};
