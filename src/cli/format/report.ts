/**
 * The one JSON shape every command's --json report shares: `report_version` first, then the
 * command's own fields; an error is `{"report_version", "error": {"code", "message", "hint", "issues"}}`.
 * The version rises whenever a field changes meaning or goes away.
 */
export const REPORT_VERSION = 1;

export const jsonReport = (body: object): string => `${JSON.stringify({ report_version: REPORT_VERSION, ...body }, null, 2)}\n`;
