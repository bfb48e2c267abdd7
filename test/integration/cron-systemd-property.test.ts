/**
 * The one cron grammar against systemd: for generated schedules, the next firings that cron's own
 * rules give (an independent reading of crontab(5), below) equal the ones the real
 * `systemd-analyze calendar --iterations` computes for the OnCalendar= forms we render, and the
 * foreground scheduler's node-cron matches exactly those minutes for the forms it is given.
 */
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import cron from "node-cron";
import { describe, expect, it } from "vitest";
import { cronError } from "../../src/core/cron/grammar.js";
import { cronToOnCalendar } from "../../src/core/cron/on-calendar.js";
import { cronToSchedulerForms } from "../../src/core/cron/scheduler-forms.js";

const ITERATIONS = 8;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** crontab(5) read directly: values, ranges, steps on * and ranges, lists, names; 7 is Sunday. */
const expand = (field: string, min: number, max: number, names: string[] = [], base = 0): Set<number> => {
  const value = (s: string): number => (names.includes(s) ? names.indexOf(s) + base : Number(s));
  const out = new Set<number>();
  for (const item of field.split(",")) {
    const [range = "", step = "1"] = item.split("/");
    const [a, b] = range === "*" ? [min, max] : range.includes("-") ? range.split("-").map(value) : [value(range), value(range)];
    for (let v = a as number; v <= (b as number); v += Number(step)) out.add(v);
  }
  return out;
};

/** The next firings after `base` (UTC), as cron computes them: day fields OR-ed when both are restricted. */
const cronFirings = (schedule: string, base: Date, count: number): string[] => {
  const [mi = "", ho = "", dom = "", mo = "", dow = ""] = schedule.split(" ");
  const minutes = [...expand(mi, 0, 59)].sort((x, y) => x - y);
  const hours = [...expand(ho, 0, 23)].sort((x, y) => x - y);
  const days = expand(dom, 1, 31);
  const months = expand(mo, 1, 12, MONTHS, 1);
  const weekdays = new Set([...expand(dow, 0, 7, DAYS, 0)].map((d) => d % 7));
  const either = !dom.startsWith("*") && !dow.startsWith("*");
  const out: string[] = [];
  const day = new Date(Date.UTC(base.getUTCFullYear(), base.getUTCMonth(), base.getUTCDate()));
  for (let n = 0; n < 366 * 40 && out.length < count; n++, day.setUTCDate(day.getUTCDate() + 1)) {
    if (!months.has(day.getUTCMonth() + 1)) continue;
    const d = days.has(day.getUTCDate());
    const w = weekdays.has(day.getUTCDay());
    if (!(either ? d || w : d && w)) continue;
    for (const h of hours)
      for (const m of minutes) {
        const at = new Date(day.getTime() + (h * 60 + m) * 60_000);
        if (at > base && out.length < count) out.push(at.toISOString().slice(0, 16));
      }
  }
  return out;
};

/** What systemd computes for our OnCalendar= forms: every expression's firings, merged. */
const systemdFirings = (schedule: string, base: Date, count: number): string[] => {
  const expressions = cronToOnCalendar(schedule);
  const result = spawnSync(
    "systemd-analyze",
    ["calendar", `--iterations=${count}`, `--base-time=@${Math.floor(base.getTime() / 1000)}`, ...expressions],
    { encoding: "utf8", env: { ...process.env, TZ: "UTC" } },
  );
  if (result.status !== 0) throw new Error(`systemd-analyze refused ${expressions.join(" | ")}: ${result.stderr}`);
  const times = [...result.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d):00 UTC/gu)].map((m) =>
    (m[1] as string).replace(" ", "T"),
  );
  return [...new Set(times)].sort().slice(0, count);
};

const item = (min: number, max: number, names?: string[], base = 0): fc.Arbitrary<string> => {
  const v = fc.integer({ min, max });
  const show = (n: number): fc.Arbitrary<string> =>
    names === undefined ? fc.constant(String(n)) : fc.oneof(fc.constant(String(n)), fc.constant(names[(n - base) % names.length] as string));
  const range = fc.tuple(v, v).map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a]));
  return fc.oneof(
    fc.constant("*"),
    v.chain(show),
    range.chain(([a, b]) => fc.tuple(show(a), show(b)).map(([x, y]) => `${x}-${y}`)),
    fc.integer({ min: 2, max: Math.max(2, Math.ceil((max - min) / 2)) }).map((s) => `*/${s}`),
    fc.tuple(range, fc.integer({ min: 2, max: 9 })).map(([[a, b], s]) => `${a}-${b}/${s}`),
  );
};

const field = (min: number, max: number, names?: string[], base = 0): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: item(min, max, names, base) },
    { weight: 1, arbitrary: fc.array(item(min, max, names, base), { minLength: 2, maxLength: 3 }).map((items) => (items.includes("*") ? "*" : items.join(","))) },
  );

const schedule = fc
  .tuple(field(0, 59), field(0, 23), field(1, 31), field(1, 12, MONTHS, 1), field(0, 7, DAYS, 0))
  .map((fields) => fields.join(" "))
  .filter((s) => cronError(s) === undefined);

const baseTime = fc.date({ min: new Date("2026-01-01T00:00:00Z"), max: new Date("2035-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => {
  const t = new Date(Math.floor(d.getTime() / 60_000) * 60_000 + 30_000);
  return t;
});

describe("cron schedules and their OnCalendar= forms fire at the same times (systemd-analyze calendar)", () => {
  it.each([
    ["0 22-23,0-2 * * *"],
    ["0 0 * * 5-7,0-1"],
    ["*/15 2 * * *"],
    ["0 12 13 * 5"],
    ["0 0 29 2 *"],
    ["30 1-3/2 * * */2"],
    ["0 0 1,15 * mon"],
    // Both day fields restricted, the weekdays all seven: cron fires every day.
    ["0 0 1 * 0-0/2,sun-sat"],
    ["0 0 31 * 1-7"],
  ])("%s", (expression) => {
    const base = new Date("2026-03-01T00:00:30Z");
    expect(systemdFirings(expression, base, ITERATIONS)).toEqual(cronFirings(expression, base, ITERATIONS));
  });

  it("for generated schedules", () => {
    fc.assert(
      fc.property(schedule, baseTime, (expression, base) => {
        expect(systemdFirings(expression, base, ITERATIONS), expression).toEqual(cronFirings(expression, base, ITERATIONS));
      }),
      { numRuns: 150 },
    );
  });

  it("the comparison can fail: a day-of-month and weekday schedule read as systemd's AND differs from cron", () => {
    const base = new Date("2026-03-01T00:00:30Z");
    const anded = spawnSync("systemd-analyze", ["calendar", `--iterations=${ITERATIONS}`, `--base-time=@${base.getTime() / 1000}`, "Mon *-*-01,15 00:00:00"], {
      encoding: "utf8",
      env: { ...process.env, TZ: "UTC" },
    }).stdout;
    const times = [...anded.matchAll(/: \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d):00 UTC/gu)].map((m) => (m[1] as string).replace(" ", "T"));
    expect(times).not.toEqual(cronFirings("0 0 1,15 * mon", base, ITERATIONS));
  });
});

/** Whether node-cron, given our forms, fires at this minute. */
const schedulerFiresAt = (schedule: string, at: Date): boolean =>
  cronToSchedulerForms(schedule).some((form) => {
    const task = cron.createTask(form, () => undefined, { timezone: "UTC" });
    const fires = task.match(at);
    void task.destroy();
    return fires;
  });

describe("the foreground scheduler fires at the same minutes as cron", () => {
  it("for generated schedules, at each of cron's firings and at the minute before each", () => {
    fc.assert(
      fc.property(schedule, baseTime, (expression, base) => {
        for (const firing of cronFirings(expression, base, 4)) {
          const at = new Date(`${firing}:00Z`);
          const before = new Date(at.getTime() - 60_000);
          expect(schedulerFiresAt(expression, at), `${expression} at ${firing}`).toBe(true);
          const cronFiresBefore = cronFirings(expression, new Date(before.getTime() - 30_000), 1)[0] === before.toISOString().slice(0, 16);
          expect(schedulerFiresAt(expression, before), `${expression} a minute before ${firing}`).toBe(cronFiresBefore);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("the check can fail: node-cron given the schedule's own text ANDs the day fields", () => {
    const task = cron.createTask("0 0 0 1,15 * mon", () => undefined, { timezone: "UTC" });
    // 2026-03-15 is a Sunday: cron fires (day 15), node-cron reading the text itself does not.
    expect(task.match(new Date("2026-03-15T00:00:00Z"))).toBe(false);
    void task.destroy();
    expect(schedulerFiresAt("0 0 1,15 * mon", new Date("2026-03-15T00:00:00Z"))).toBe(true);
  });
});
