/** Where a node keeps what the plan installs, and how a managed file says so: shared by planner and engine. */
export const SYSTEMD_DIR = "/etc/systemd/system";
export const CRON_DIR = "/etc/cron.d";
export const MANAGED_MARKER = "Managed by glance-barclamp";
/** glance-barclamp's own state inside a root: lock, backups, generated passwords. */
export const STATE_DIR = "/var/lib/glance-barclamp";
