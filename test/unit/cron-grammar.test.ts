/** The one cron grammar: what it accepts and refuses, and the values it expands each field to. */
import { describe, expect, it } from "vitest";
import { cronError, parseCron } from "../../src/core/cron/grammar.js";
import { cronToOnCalendar } from "../../src/core/cron/on-calendar.js";

describe("cron grammar", () => {
  it.each(["1 * * * *", "*/15 2 * * *", "0 3 * * mon-fri", "0 0 1 jan,jul *", "5 4 * * 0,7", "30 1-3/2 * * *", "00 01 * * *", "*/5 * * * * *", "0 0 29 2 *"])(
    "accepts %s",
    (schedule) => expect(cronError(schedule)).toBeUndefined(),
  );

  it.each([
    ["0 22-2 * * *", "hour range 22-2 runs backwards"],
    ["0 0 * * 5-1", "day of week range 5-1 runs backwards"],
    ["60 * * * *", "minute 60 is outside 0-59"],
    ["0 24 * * *", "hour 24 is outside 0-23"],
    ["0 0 0 * *", "day of month 0 is outside 1-31"],
    ["0 0 * 13 *", "month 13 is outside 1-12"],
    ["*/0 * * * *", "minute step must be at least 1"],
    ["5/15 * * * *", "needs a range or *"],
    ["0 0 L * *", 'day of month "L" is not a number'],
    ["0 0 * * 1#2", "is not a number or a three-letter name"],
    ["0 0 * * monday", 'day of week "monday" is not a number or a three-letter name'],
    ["0 0 31 2 *", "never occurs in the chosen months"],
    ["1 * * *", "must have 5 fields"],
    [" 1 * * * *", "white space"],
  ])("refuses %s: %s", (schedule, message) => {
    expect(cronError(schedule)).toContain(message);
  });

  it("expands each field to the values cron fires on, Sunday as 0", () => {
    const cron = parseCron("*/20 1-3 * * sun,7");
    expect(cron.minute.values).toEqual([0, 20, 40]);
    expect(cron.hour.values).toEqual([1, 2, 3]);
    expect(cron.dayOfWeek).toEqual({ values: [0], restricted: true });
    expect(cron.dayOfMonth.restricted).toBe(false);
  });

  it("keeps a weekday field that starts with * in the timer, as cron matches it with the day", () => {
    expect(cronToOnCalendar("0 0 * * */2")).toEqual(["Sun,Tue,Thu,Sat *-*-* 0:0:00"]);
  });
});
