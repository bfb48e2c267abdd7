#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache-2.0 (see the repository's package.json)
"""Runs the glance-barclamp CLI on a node and maps its versioned JSON report to Ansible's result."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: glance_barclamp
short_description: Validate, provision, apply and verify a glance-barclamp proposal on a node
description:
  - Runs the glance-barclamp CLI with C(--json) on the node and maps its report to C(changed),
    C(diff) (the CLI's unified diffs, secrets already masked) and check mode.
  - Secrets reach the CLI through its environment (the proposal's and inventory's
    C(env) secret references), never its command line.
  - The proposal and inventory are given as data and written to a private 0600 file in the module's
    temporary directory for the run, so check mode leaves nothing on the node.
version_added: "0.1.0"
author: glance-barclamp developers
options:
  command:
    description: What to run.
    type: str
    required: true
    choices: [validate, apply, verify, db_provision, db_sync]
  proposal_data:
    description: The proposal file's bytes, base64-encoded (C(lookup('file', f) | b64encode) keeps them exact).
    type: str
  proposal:
    description: A proposal file already on the node (instead of I(proposal_data)).
    type: path
  proposal_name:
    description: Name of the proposal in messages (default the controller's file name, or I(proposal)).
    type: str
  inventory_data:
    description: The inventory file's bytes, base64-encoded.
    type: str
  inventory:
    description: An inventory file already on the node (instead of I(inventory_data)).
    type: path
  inventory_name:
    description: Name of the inventory in messages.
    type: str
  node:
    description: The node's name in the proposal (C(--node)).
    type: str
  root:
    description: Root directory to converge (C(--root)); C(/) is the live system.
    type: path
    default: /
  cli:
    description: The command that runs the CLI on the node, as a string (split like a shell would) or a list.
    type: raw
    default: glance-barclamp
  secrets:
    description: Environment variables for the CLI, read by the C(env) secret references of the proposal and inventory.
    type: dict
    default: {}
  timeout:
    description: Seconds the CLI may run.
    type: int
    default: 1800
"""

EXAMPLES = r"""
- name: Apply the proposal on this node
  glance_barclamp:
    command: apply
    proposal_data: "{{ lookup('file', 'proposal.json') | b64encode }}"
    inventory_data: "{{ lookup('file', 'inventory.json') | b64encode }}"
    node: "{{ inventory_hostname }}"
    secrets: "{{ glance_barclamp_secrets }}"
"""

RETURN = r"""
report:
  description: The CLI's JSON report (C(report_version) first), secrets masked.
  returned: for validate, apply, db_provision and db_sync
  type: dict
changes:
  description: The changes apply or provisioning made (or would make, in check mode), one line each.
  returned: for apply and db_provision
  type: list
  elements: str
checks:
  description: verify's checks.
  returned: for verify
  type: list
  elements: dict
"""

import base64
import json
import os
import shlex
import signal
import subprocess

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

PENDING = ("create", "update", "remove", "run")
REPORT_VERSION = 1


def write_private(module, directory, name, data, label):
    """The decoded bytes in a 0600 file of the module's own temporary directory."""
    try:
        content = base64.b64decode(data, validate=True)
    except (ValueError, TypeError) as error:
        module.fail_json(msg="%s is not base64 (pass lookup('file', F) | b64encode): %s" % (label, to_native(error)))
    path = os.path.join(directory, os.path.basename(name) or label)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return path


def run_cli(module, argv, env, timeout):
    """Runs the CLI without a shell; its environment gets the secrets, its argv never does."""
    environ = dict(os.environ)
    environ.update(env)
    environ.pop("FORCE_COLOR", None)
    environ["NO_COLOR"] = "1"
    try:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ, start_new_session=True)
    except OSError as error:
        module.fail_json(msg="cannot run %s: %s" % (argv[0], to_native(error)), hint="set glance_barclamp_cli to the command that runs the CLI on the node")
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        process.communicate()
        module.fail_json(msg="%s did not finish within %d s" % (" ".join(argv[:2]), timeout))
    return process.returncode, to_native(stdout, errors="surrogate_or_strict"), to_native(stderr, errors="surrogate_or_strict")


def parse_report(module, rc, stdout, stderr, rename):
    try:
        report = json.loads(stdout)
    except ValueError:
        module.fail_json(msg="the CLI printed no JSON report (exit %d): %s" % (rc, rename(stderr.strip()[-2000:])), rc=rc)
    if not isinstance(report, dict) or report.get("report_version") != REPORT_VERSION:
        module.fail_json(msg="the CLI's report has version %r; this module reads version %d" % (report.get("report_version") if isinstance(report, dict) else None, REPORT_VERSION), rc=rc)
    return report


def fail_with_error(module, rc, report, rename):
    error = report.get("error") or {}
    message = rename("%s: %s" % (error.get("code", "error"), error.get("message", "")))
    result = dict(msg=message, rc=rc, report=report)
    if error.get("hint"):
        result["hint"] = rename(error["hint"])
    if error.get("issues"):
        result["issues"] = error["issues"]
    module.fail_json(**result)


def describe(change):
    details = "; ".join(change.get("details") or [])
    return "%s %s %s%s" % (change.get("action"), change.get("kind"), change.get("target"), ": " + details if details else "")


def main():
    module = AnsibleModule(
        argument_spec=dict(
            command=dict(type="str", required=True, choices=["validate", "apply", "verify", "db_provision", "db_sync"]),
            proposal_data=dict(type="str", no_log=True),
            proposal=dict(type="path"),
            proposal_name=dict(type="str"),
            inventory_data=dict(type="str", no_log=True),
            inventory=dict(type="path"),
            inventory_name=dict(type="str"),
            node=dict(type="str"),
            root=dict(type="path", default="/"),
            cli=dict(type="raw", default="glance-barclamp"),
            secrets=dict(type="dict", default={}, no_log=True),
            timeout=dict(type="int", default=1800),
        ),
        mutually_exclusive=[("proposal_data", "proposal"), ("inventory_data", "inventory")],
        required_one_of=[("proposal_data", "proposal")],
        supports_check_mode=True,
    )
    params = module.params
    command = params["command"]
    cli = params["cli"]
    cli = shlex.split(cli) if isinstance(cli, str) else [to_native(word) for word in cli]
    if not cli:
        module.fail_json(msg="cli is empty")
    secrets = dict((to_native(k), to_native(v)) for k, v in (params["secrets"] or {}).items())

    if module.check_mode and command in ("verify", "db_sync"):
        # Nothing was applied in check mode: there is nothing to verify, and a schema sync writes.
        module.exit_json(changed=False, msg="%s does not run in check mode" % command.replace("_", " "), report={})

    names = {}
    proposal = params["proposal"]
    if params["proposal_data"] is not None:
        proposal = write_private(module, module.tmpdir, params["proposal_name"] or "proposal.json", params["proposal_data"], "proposal_data")
        names[proposal] = params["proposal_name"] or "proposal.json"
    inventory = params["inventory"]
    if params["inventory_data"] is not None:
        inventory = write_private(module, module.tmpdir, params["inventory_name"] or "inventory.json", params["inventory_data"], "inventory_data")
        names[inventory] = params["inventory_name"] or "inventory.json"

    def rename(text):
        """Messages name the controller's files, not the private copies."""
        for private, shown in names.items():
            text = text.replace(private, shown)
        return text

    words = {"validate": ["validate"], "apply": ["apply"], "verify": ["verify"], "db_provision": ["db", "provision"], "db_sync": ["db", "sync"]}[command]
    argv = cli + words + [proposal, "--json"]
    if inventory is not None:
        argv += ["--inventory", inventory]
    if command != "validate" and params["node"]:
        argv += ["--node", params["node"]]
    if command in ("apply", "verify", "db_provision"):
        argv += ["--root", params["root"]]
    if module.check_mode and command in ("apply", "db_provision"):
        argv.append("--check")

    rc, stdout, stderr = run_cli(module, argv, secrets, params["timeout"])
    for private, shown in names.items():
        stdout = stdout.replace(json.dumps(private)[1:-1], json.dumps(shown)[1:-1])
    report = parse_report(module, rc, stdout, stderr, rename)
    warnings = [line for line in rename(stderr).splitlines() if line.startswith("warning")]
    for warning in warnings:
        module.warn(warning)

    if command == "validate":
        if rc != 0 or report.get("valid") is not True:
            issues = [issue for entry in report.get("files", []) for issue in entry.get("issues", []) if issue.get("severity") == "error"]
            if "error" in report:
                fail_with_error(module, rc, report, rename)
            module.fail_json(
                msg=rename("the proposal is invalid: " + "; ".join("%s:%s:%s: %s: %s" % (i.get("file"), i.get("line"), i.get("column"), i.get("path"), i.get("message")) for i in issues)),
                rc=rc,
                report=report,
            )
        module.exit_json(changed=False, report=report)

    if rc != 0 and command != "verify":
        fail_with_error(module, rc, report, rename)

    if command == "verify":
        if "error" in report:
            fail_with_error(module, rc, report, rename)
        checks = report.get("checks", [])
        failed = [c for c in checks if c.get("outcome") == "fail"]
        if rc != 0 or failed:
            module.fail_json(msg="verify failed: " + "; ".join("%s: %s" % (c.get("check"), c.get("detail")) for c in failed), rc=rc, checks=checks)
        module.exit_json(changed=False, checks=checks)

    if command == "db_sync":
        migrations = report.get("migrations") or {}
        module.exit_json(changed=bool(migrations.get("ran")), migrations=migrations, report=report)

    # A check-mode preview stands in for secrets it cannot resolve and says so.
    for note in report.get("notes", []):
        module.warn(rename(note))
    pending = [c for c in report.get("changes", []) if c.get("action") in PENDING]
    result = dict(changed=bool(pending), changes=[describe(c) for c in pending], report=report)
    if module._diff:
        result["diff"] = [
            dict(before_header=c.get("target"), after_header=c.get("target"), prepared=c["diff"])
            for c in pending
            if c.get("diff")
        ]
    module.exit_json(**result)


if __name__ == "__main__":
    main()
