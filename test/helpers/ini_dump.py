#!/usr/bin/env python3
"""Reads INI files the way their Glance reader does and prints {path: {section: {key: value}}} as JSON.

An independent check of the renderer: Python's own configparser, plus each reader's documented
rules. Usage: ini_dump.py DIALECT PATH [DIALECT PATH ...]
  paste  Glance 2011.3 via paste.deploy: ConfigParser with interpolation (%% is a literal %)
  oslo   Glance 25 via oslo.config: no % interpolation; matching quotes stripped; $$ is a literal $
  swift  glance_store's Swift reference file: ConfigParser with interpolation; a leading quote
         must be closed and is stripped
"""
import configparser
import json
import sys


def unquote(value, leading_only):
    if value and value[0] in "\"'" and (leading_only or value[-1] == value[0]):
        return value[1:-1]
    return value


def read(dialect, path):
    if dialect == "oslo":
        parser = configparser.RawConfigParser(strict=True, interpolation=None)
    else:
        parser = configparser.ConfigParser(strict=True)
    parser.optionxform = str
    with open(path, encoding="utf-8") as handle:
        parser.read_file(handle)

    def value(section, key):
        raw = parser.get(section, key)
        if dialect == "oslo":
            return unquote(raw, False).replace("$$", "$")
        if dialect == "swift":
            return unquote(raw, True)
        return raw

    out = {"DEFAULT": {k: value("DEFAULT", k) for k in parser.defaults()}}
    for section in parser.sections():
        out[section] = {k: value(section, k) for k in parser._sections[section]}
    return out


args = sys.argv[1:]
print(json.dumps({args[i + 1]: read(args[i], args[i + 1]) for i in range(0, len(args), 2)}))
