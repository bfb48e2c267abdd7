import { describe, expect, it } from "vitest";
import { cronToOnCalendar } from "../../src/core/cron/on-calendar.js";

describe("cronToOnCalendar", () => {
  it.each([
    ["1 * * * *", ["*-*-* *:1:00"]],
    ["*/15 2 * * *", ["*-*-* 2:0,15,30,45:00"]],
    ["0 3 * * mon-fri", ["Mon,Tue,Wed,Thu,Fri *-*-* 3:0:00"]],
    ["0 0 1 jan,jul *", ["*-1,7-1 0:0:00"]],
    ["5 4 * * 0,7", ["Sun *-*-* 4:5:00"]],
    ["0 12 13 * 5", ["*-*-13 12:0:00", "Fri *-*-* 12:0:00"]],
    ["30 1-3/2 * * *", ["*-*-* 1,3:30:00"]],
  ])("converts %s", (cron, expected) => {
    expect(cronToOnCalendar(cron)).toEqual(expected);
  });

  it("refuses seconds-level schedules", () => {
    expect(() => cronToOnCalendar("*/5 * * * * *")).toThrow(/5-field/u);
  });
});
