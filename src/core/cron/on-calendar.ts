/**
 * Converts a 5-field cron schedule to systemd OnCalendar= expressions, from the values the cron
 * grammar expands each field to (systemd accepts them as comma lists). Cron fires when either
 * day-of-month or day-of-week matches if both are restricted, systemd only when both do, so that
 * case becomes two expressions.
 */
import { parseCron } from "./grammar.js";

const SYSTEMD_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

const list = (values: number[], full: number): string => (values.length === full ? "*" : values.join(","));

export const cronToOnCalendar = (schedule: string): string[] => {
  const cron = parseCron(schedule);
  if (cron.seconds !== undefined) throw new Error("systemd timers take 5-field cron schedules");
  const { minute, hour, dayOfMonth: dom, month, dayOfWeek: dow } = cron;
  const days = dow.values;
  const time = `${list(hour.values, 24)}:${list(minute.values, 60)}:00`;
  const date = (withDom: boolean): string => `*-${list(month.values, 12)}-${withDom ? list(dom.values, 31) : "*"}`;
  const weekday = days.length === 7 ? "" : `${days.map((d) => SYSTEMD_DAYS[d]).join(",")} `;
  if (dom.restricted && dow.restricted)
    // Either day field: a weekday list naming every day makes it every day, whatever the day of month.
    return days.length === 7 ? [`${date(false)} ${time}`] : [`${date(true)} ${time}`, `${weekday}${date(false)} ${time}`];
  // cron matches a weekday field that starts with * (such as */2) together with the day of month.
  return [`${weekday}${date(true)} ${time}`];
};
