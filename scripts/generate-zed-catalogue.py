#!/usr/bin/python3
"""Regenerates src/core/releases/catalogues/zed.json from the Glance that Debian 12 installs.

Run on a machine with `apt-get install glance-api glance-common` done:
    /usr/bin/python3 scripts/generate-zed-catalogue.py > src/core/releases/catalogues/zed.json

Per configuration file: each option's type (with bounds and choices), whether it is secret or
deprecated for removal, and the deprecated names it replaces ("renamed"); the namespaces of upstream Glance's etc/oslo-config-generator/*.conf,
listed by the real oslo-config-generator; the Keystone password plugin's options, which
keystonemiddleware loads at run time; the backend sections of the multi-store form, keyed by
store type; and the Swift reference file, which glance_store reads with configparser.
"""
import json
import subprocess
import sys
import tempfile

from importlib.metadata import version

COMMON_API = [
    "glance.api", "glance.store", "glance.multi_store", "oslo.concurrency", "oslo.messaging",
    "oslo.db", "oslo.db.concurrency", "oslo.policy", "keystonemiddleware.auth_token", "oslo.log",
    "oslo.middleware.cors", "oslo.middleware.healthcheck", "oslo.middleware.http_proxy_to_wsgi",
    "oslo.limit",
]
FILES = {
    "glance-api.conf": COMMON_API,
    "glance-scrubber.conf": ["glance.scrubber", "glance.store", "glance.multi_store", "oslo.concurrency",
                             "oslo.db", "oslo.db.concurrency", "oslo.log", "oslo.policy"],
    # The prefetcher reads images through glance.db: oslo.db's [database] is read too.
    "glance-cache.conf": ["glance.cache", "glance.store", "glance.multi_store", "oslo.db", "oslo.log", "oslo.policy"],
    "glance-manage.conf": ["glance.manage", "oslo.db", "oslo.db.concurrency", "oslo.log"],
}
# glance_store lists the options of a backend section under these group names.
BACKEND_GROUPS = {
    "file": "file",
    "swift": "glance.store.swift.store",
    "http": "glance.store.http.store",
    "rbd": "glance.store.rbd.store",
    "s3": "glance.store.s3.store",
    "cinder": "cinder",
}


# Read by the binaries but absent from upstream's generator lists: glance/cmd/scrubber.py:90 and
# glance/cmd/cache_prefetcher.py:51 import enabled_backends from glance.common.wsgi.
EXTRA = {
    "glance-scrubber.conf": {"DEFAULT": ["enabled_backends"]},
    "glance-cache.conf": {"DEFAULT": ["enabled_backends"]},
}


def generate(namespaces):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        args = ["oslo-config-generator", "--format", "json", "--output-file", out.name]
        for ns in namespaces:
            args += ["--namespace", ns]
        subprocess.run(args, check=True, stderr=subprocess.DEVNULL)
        return json.load(open(out.name))["options"]


TYPES = {"integer value": "int", "port value": "port", "boolean value": "bool", "floating point value": "float", "list value": "list"}


def describe(opt):
    """An option as extra_config checks a value against it: type, bounds, choices, secret, removal."""
    out = {"t": TYPES.get(opt["type"], "str")}
    if opt.get("min") is not None:
        out["min"] = opt["min"]
    if opt.get("max") is not None:
        out["max"] = opt["max"]
    choices = [c[0] if isinstance(c, list) else c for c in opt.get("choices") or []]
    if choices:
        out["choices"] = [c for c in choices if c is not None]
    if opt.get("secret"):
        out["secret"] = True
    if opt.get("deprecated_for_removal"):
        out["removal"] = True
    return out


def password_plugin_options():
    from keystoneauth1 import loading
    return sorted(o.dest for o in loading.get_auth_plugin_conf_options("password")) + ["auth_type", "auth_section"]


def main():
    catalogue = {
        "release": "zed",
        "glance_version": version("glance"),
        "generated_by": "/usr/bin/python3 scripts/generate-zed-catalogue.py > src/core/releases/catalogues/zed.json",
        "files": {},
        "backend_types": {},
    }
    for fname, namespaces in FILES.items():
        groups = generate(namespaces)
        sections, deprecated, types, renamed = {}, {}, {}, {}
        for group, data in groups.items():
            if group in BACKEND_GROUPS.values() and group not in ("cinder",):
                continue
            types[group] = {o["dest"]: describe(o) for o in data["opts"]}
            for o in data["opts"]:
                for old in o.get("deprecated_opts") or []:
                    old_group = old.get("group") or group
                    old_name = (old.get("name") or o["dest"]).replace("-", "_")
                    if (old_group, old_name) != (group, o["dest"]):
                        renamed.setdefault(old_group, {})[old_name] = [group, o["dest"]]
            names = [o["dest"] for o in data["opts"]]
            sections[group] = sorted(set(names))
            deprecated[group] = sorted({o["dest"] for o in data["opts"] if o["deprecated_for_removal"]})
            if group == "keystone_authtoken":
                sections[group] = sorted(set(sections[group]) | set(password_plugin_options()))
                for name in password_plugin_options():
                    types[group].setdefault(name, {"t": "str", **({"secret": True} if name == "password" else {})})
        for group, names in EXTRA.get(fname, {}).items():
            sections[group] = sorted(set(sections.get(group, [])) | set(names))
        for group, names in EXTRA.get(fname, {}).items():
            for name in names:
                types.setdefault(group, {}).setdefault(name, {"t": "list"})
        catalogue["files"][fname] = {
            "sections": sections,
            "deprecated": {k: v for k, v in deprecated.items() if v},
            "types": types,
            "renamed": renamed,
        }
        for kind, group in BACKEND_GROUPS.items():
            if group in groups:
                catalogue["backend_types"][kind] = sorted({o["dest"] for o in groups[group]["opts"]})
                catalogue.setdefault("backend_option_types", {})[kind] = {o["dest"]: describe(o) for o in groups[group]["opts"]}
    catalogue["files"]["glance-swift.conf"] = {
        "sections": {"*": ["auth_address", "auth_version", "key", "project_domain_id", "project_domain_name",
                           "user", "user_domain_id", "user_domain_name"]},
        "deprecated": {},
    }
    json.dump(catalogue, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


main()
