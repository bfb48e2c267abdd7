/**
 * Converts a 5-field cron schedule to systemd OnCalendar= expressions. Each field is expanded to the
 * explicit values cron would fire on, which systemd accepts as comma lists; cron fires when either
 * day-of-month or day-of-week matches if both are restricted, systemd only when both do, so that
 * case becomes two expressions.
 */
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const SYSTEMD_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

interface FieldSpec {
  min: number;
  max: number;
  names?: string[];
  /** Value of the first name (months start at 1, days at 0). */
  nameBase?: number;
}

const FIELDS: FieldSpec[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { min: 0, max: 7, names: DAYS, nameBase: 0 },
];

const parseValue = (text: string, spec: FieldSpec): number => {
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  const value = named >= 0 ? named + (spec.nameBase ?? 0) : Number(text);
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) throw new Error(`cron value ${text} out of range`);
  return value;
};

const expandField = (field: string, spec: FieldSpec): { values: number[]; restricted: boolean } => {
  const values = new Set<number>();
  for (const part of field.split(",")) {
    const [range = "*", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`cron step ${stepText} is invalid`);
    let from = spec.min;
    let to = spec.max;
    if (range !== "*") {
      const [a, b] = range.split("-");
      from = parseValue(a ?? "", spec);
      to = b === undefined ? (stepText === undefined ? from : spec.max) : parseValue(b, spec);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return { values: [...values].sort((x, y) => x - y), restricted: !field.startsWith("*") };
};

const list = (values: number[], full: number): string => (values.length === full ? "*" : values.join(","));


export const cronToOnCalendar = (schedule: string): string[] => {
  const parts = schedule.trim().split(/\s+/u);
  if (parts.length !== 5) throw new Error("systemd timers take 5-field cron schedules");
  const [minute, hour, dom, month, dow] = parts.map((part, i) => expandField(part, FIELDS[i] as FieldSpec)) as [
    ReturnType<typeof expandField>,
    ReturnType<typeof expandField>,
    ReturnType<typeof expandField>,
    ReturnType<typeof expandField>,
    ReturnType<typeof expandField>,
  ];
  const days = [...new Set(dow.values.map((d) => d % 7))].sort((x, y) => x - y);
  const time = `${list(hour.values, 24)}:${list(minute.values, 60)}:00`;
  const date = (withDom: boolean): string => `*-${list(month.values, 12)}-${withDom ? list(dom.values, 31) : "*"}`;
  const weekday = days.length === 7 ? "" : `${days.map((d) => SYSTEMD_DAYS[d]).join(",")} `;
  if (dom.restricted && dow.restricted && days.length < 7) return [`${date(true)} ${time}`, `${weekday}${date(false)} ${time}`];
  return [`${dow.restricted ? weekday : ""}${date(true)} ${time}`];
};
