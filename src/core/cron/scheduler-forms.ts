/**
 * Converts a schedule to the 6-field expressions node-cron (the foreground scheduler) is given: every
 * field spelled as the values the one grammar expanded it to, so that node-cron never reads the
 * operator's text with its own rules. node-cron, like systemd, fires only when both day fields match,
 * so cron's "either" case becomes two expressions, as in on-calendar.ts.
 */
import { parseCron } from "./grammar.js";

export const cronToSchedulerForms = (schedule: string): string[] => {
  const cron = parseCron(schedule);
  const list = (values: number[]): string => values.join(",");
  const head = `${cron.seconds === undefined ? "0" : list(cron.seconds.values)} ${list(cron.minute.values)} ${list(cron.hour.values)}`;
  const month = list(cron.month.values);
  const dom = list(cron.dayOfMonth.values);
  const dow = list(cron.dayOfWeek.values);
  if (cron.dayOfMonth.restricted && cron.dayOfWeek.restricted)
    // Either day field: a weekday list naming every day makes it every day, whatever the day of month.
    return cron.dayOfWeek.values.length === 7 ? [`${head} * ${month} *`] : [`${head} ${dom} ${month} *`, `${head} * ${month} ${dow}`];
  return [`${head} ${dom} ${month} ${dow}`];
};
