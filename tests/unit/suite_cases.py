#!/usr/bin/python3
# Prints the bad_cases table of tests/unit/test_suite.c: the expected
# messages, written by hand, get the line:col of each marker in the suite
# text. Regenerate and paste after editing:
#   /usr/bin/python3 tests/unit/suite_cases.py
# Computes line:col of each § marker (1-based, characters) in the suite texts
# below and prints the C table for tests/unit/test_suite.c.
import re
CFG = '  "configurations": [{"name": "bare", "kind": "bare"}],\n'
WL = '  "workloads": [{"kind": "startup"}]\n'
cases = [
 ("unknown top-level key", '{\n  "name": "t",\n  §"workload": [{"kind": "cpu"}],\n' + '  "configurations": [{"name": "bare", "kind": "bare"}]\n}\n', None,
  ["{0}: top level: unknown key `workload` (did you mean `workloads`?)",
   ": workloads: missing (add at least one workload, e.g. {\"kind\": \"startup\"})"]),
 ("unknown workload kind", '{\n  "name": "t",\n' + CFG + '  "workloads": [\n    {"kind": "cpu"},\n    {"kind": "memory"},\n    {"kind": §"membandwith"}\n  ]\n}\n', None,
  ["{0}: workloads[2].kind: unknown workload `membandwith` (did you mean `membw`?)"]),
 ("unknown param", '{\n  "name": "t",\n' + CFG + '  "workloads": [\n    {"kind": "memory", "params": {§"sise": "64M"}},\n    {"kind": "cpu", "params": {§"zzz": 1}}\n  ]\n}\n', None,
  ["{0}: workloads[0].params: unknown param `sise` for workload memory (did you mean `size`?)",
   "{1}: workloads[1].params: unknown param `zzz` for workload cpu (its params: duration and slowdown)"]),
 ("bad size", '{\n  "name": "t",\n' + CFG + '  "workloads": [{"kind": "membw", "params": {"size": §"12Q"}}]\n}\n', None,
  ["{0}: workloads[0].params.size: `12Q`: expected a size such as 4096, 64K, 64M or 1G"]),
 ("size out of range", '{\n  "name": "t",\n' + CFG + '  "workloads": [{"kind": "membw", "params": {"size": §1024, "passes": §"0"}}]\n}\n', None,
  ["{0}: workloads[0].params.size: `1024`: must be between 64K and 16G",
   "{1}: workloads[0].params.passes: `0`: must be between 1 and 10000"]),
 ("bad bool", '{\n  "name": "t",\n' + CFG + '  "workloads": [\n    {"kind": "fileio", "params": {"direct": §"yes"}},\n    {"kind": "fileio", "name": "f2", "params": {"direct": §1}}\n  ]\n}\n', None,
  ["{0}: workloads[0].params.direct: `\"yes\"`: expected true or false (a JSON boolean, without quotes)",
   "{1}: workloads[1].params.direct: `1`: expected true or false"]),
 ("repetitions 0", '{\n  "name": "t",\n  "repetitions": §0,\n' + CFG + WL + '}\n', None,
  ["{0}: repetitions: must be an integer between 1 and 100000, got 0"]),
 ("repetitions -2", '{\n  "name": "t",\n  "repetitions": §-2,\n' + CFG + WL + '}\n', None,
  ["{0}: repetitions: must be an integer between 1 and 100000, got -2"]),
 ("repetitions five", '{\n  "name": "t",\n  "repetitions": §"five",\n' + CFG + WL + '}\n', None,
  ["{0}: repetitions: must be an integer between 1 and 100000, got \"five\""]),
 ("warmup, seed, timeout, pinning", '{\n  "name": "t",\n  "warmup": §2.5,\n  "seed": §-1,\n  "timeout_s": §0,\n  "pinning": §"1,",\n' + CFG + WL + '}\n', None,
  ["{0}: warmup: must be an integer between 0 and 1000, got 2.5",
   "{1}: seed: must be an integer between 0 and 999999999999999, got -1",
   "{2}: timeout_s: must be a number of seconds greater than 0, got 0",
   "{3}: pinning: must be \"auto\", \"none\" or a cpu list such as \"1\" or \"2-3\", got \"1,\""]),
 ("precision types", '{\n  "name": "t",\n  "precision": §2,\n  "max_repetitions": §0,\n  "max_time": §"5m",\n' + CFG + WL + '}\n', None,
  ["{0}: precision: must be a percentage above 0% and below 100% such as \"2%\", got 2",
   "{1}: max_repetitions: must be an integer between 1 and 100000, got 0",
   "{2}: max_time: must be a number of seconds greater than 0, got \"5m\""]),
 ("precision 100%", '{\n  "name": "t",\n  "precision": §"100%",\n' + CFG + WL + '}\n', None,
  ["{0}: precision: must be a percentage above 0% and below 100% such as \"2%\", got \"100%\""]),
 ("precision without its sign", '{\n  "name": "t",\n  "precision": §"0.5",\n' + CFG + WL + '}\n', None,
  ["{0}: precision: must be a percentage above 0% and below 100% such as \"2%\", got \"0.5\""]),
 ("caps without precision", '{\n  "name": "t",\n  §"max_repetitions": 20,\n  §"max_time": 60,\n' + CFG + WL + '}\n', None,
  ["{0}: max_repetitions: has no effect without `precision` (add e.g. \"precision\": \"2%\", or remove it)",
   "{1}: max_time: has no effect without `precision` (add e.g. \"precision\": \"2%\", or remove it)"]),
 ("max_repetitions below repetitions", '{\n  "name": "t",\n  "repetitions": 10,\n  "precision": "5%",\n  "max_repetitions": §8,\n' + CFG + WL + '}\n', None,
  ["{0}: max_repetitions: 8 is below the 10 repetitions measured first (set at least 10)"]),
 ("default max_repetitions below repetitions", '{\n  "name": "t",\n  "repetitions": 200,\n  "precision": "5%",\n' + CFG + WL + '}\n', None,
  [": max_repetitions: the default 100 is below the 200 repetitions measured first (set \"max_repetitions\" to at least 200, or give --max-repetitions)"]),
 ("missing configurations", '{\n  "name": "t",\n' + WL + '}\n', None,
  [": configurations: missing (add at least one configuration, e.g. {\"name\": \"bare\", \"kind\": \"bare\"})"]),
 ("empty workloads", '{\n  "name": "t",\n' + CFG + '  "workloads": §[]\n}\n', None,
  ["{0}: workloads: empty (add at least one workload, e.g. {\"kind\": \"startup\"})"]),
 ("missing name and kinds", '{\n  "configurations": [§{"name": "c"}],\n  "workloads": [§{"name": "w"}]\n}\n', None,
  ["{0}: configurations[0]: missing `kind` (one of bare, container, vm or oci)",
   "{1}: workloads[0]: missing `kind` (one of startup, memory, cpu, membw, memlat, fileio, metadata, copyup or density)",
   ": name: missing (add e.g. \"name\": \"startup-overhead\")"]),
 ("unknown kind option", '{\n  "name": "t",\n  "configurations": [\n    {"name": "bare", "kind": "bare", §"memory": "64M"},\n    {"name": "c", "kind": "container",\n     §"memroy": "64M"}\n  ],\n' + WL + '}\n', None,
  ["{0}: configurations[0]: unknown key `memory` for kind bare (its options: stack)",
   "{1}: configurations[1]: unknown key `memroy` for kind container (did you mean `memory`?)"]),
 ("unknown configuration kind", '{\n  "name": "t",\n  "configurations": [{"name": "c", "kind": §"contianer"}],\n' + WL + '}\n', None,
  ["{0}: configurations[0].kind: unknown kind `contianer` (did you mean `container`?)"]),
 ("memory below the kind minimum", '{\n  "name": "t",\n  "configurations": [\n    {"name": "c", "kind": "container", "memory": §"1M"},\n    {"name": "v", "kind": "vm", "memory": §33554432}\n  ],\n' + WL + '}\n', None,
  ["{0}: configurations[0].memory: `1M`: must be at least 4M",
   "{1}: configurations[1].memory: `33554432`: must be at least 64M"]),
 ("option types", '{\n  "name": "t",\n  "configurations": [\n    {"name": "c", "kind": "container", "capabilities": ["CAP_CHOWN", §5],\n     "layers": §0, "network": §"host", "userns": §"true"}\n  ],\n' + WL + '}\n', None,
  ["{0}: configurations[0].capabilities[1]: expected a non-empty string, got 5",
   "{1}: configurations[0].layers: `0`: must be between 1 and 500",
   "{2}: configurations[0].network: `host`: expected none or loopback",
   "{3}: configurations[0].userns: `\"true\"`: expected true or false (a JSON boolean, without quotes)"]),
 ("duplicate names", '{\n  "name": "t",\n  "configurations": [\n    {"name": "bare", "kind": "bare"},\n    {"name": §"bare", "kind": "container"}\n  ],\n  "workloads": [\n    {"kind": "cpu"},\n    §{"kind": "cpu"},\n    {"kind": "memory", "name": §"cpu"}\n  ]\n}\n', None,
  ["{0}: configurations[1].name: `bare` is already the name of configurations[0] (names must be unique)",
   "{1}: workloads[1]: its name `cpu` (the default: its kind) is already the name of workloads[0] (add a unique \"name\")",
   "{2}: workloads[2].name: `cpu` is already the name of workloads[0] (names must be unique)"]),
 ("bad names", '{\n  "name": "t",\n  "configurations": [{"name": §"my config", "kind": "bare"}],\n  "workloads": [{"kind": "cpu", "name": §""}]\n}\n', None,
  ["{0}: configurations[0].name: `my config`: use only letters, digits, `_`, `.` and `-` (and at least one)",
   "{1}: workloads[0].name: ``: use only letters, digits, `_`, `.` and `-` (and at least one)"]),
 ("duplicate keys", '{\n  §"name": "t",\n  §"name": "u",\n' + '  "configurations": [{"name": "bare", §"kind": "bare", §"kind": "vm"}],\n' + WL + '}\n', None,
  ["{1}: top level: duplicate key `name` (already set at {0}; keep one)",
   "{3}: configurations[0]: duplicate key `kind` (already set at {2}; keep one)"]),
 ("trailing comma", '{\n  "name": "t",\n' + CFG + '  "workloads": [{"kind": "startup"}§,]\n}\n', None,
  ["{0}: invalid JSON: trailing comma before `]` (JSON allows none; remove the comma)"]),
 ("missing comma", '{\n  "name": "t"\n  §"configurations": []\n}\n', None,
  ["{0}: invalid JSON: missing `,` before this key"]),
 ("single quotes", "{\n  §'name': 't'\n}\n", None,
  ["{0}: invalid JSON: strings and keys need double quotes (\"), not single quotes"]),
 ("unquoted size", '{\n  "name": "t",\n' + CFG + '  "workloads": [{"kind": "membw", "params": {"size": §64K}}]\n}\n', None,
  ["{0}: invalid JSON: `64K` is not a JSON number; write it as a string: \"64K\""]),
 ("never closed", '{\n  "name": "t",\n  "workloads": §[{"kind": "cpu"}\n§', None,
  ["{1}: invalid JSON: unexpected end of file: the `[` at {0} is never closed"]),
 ("not an object", '§["name"]\n', None,
  ["{0}: top level: a suite must be a JSON object {\"name\": ..., \"configurations\": [...], \"workloads\": [...]}, got an array"]),
 ("empty", ' \n\n', None,
  [": the file is empty (a suite is a JSON object such as {\"name\": \"quick\", \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}], \"workloads\": [{\"kind\": \"startup\"}]})"]),
 ("three problems", '{\n  "name": "t",\n  §"repetitons": 3,\n  "configurations": [{"name": "c", "kind": "container", "memory": §"lots"}],\n  "workloads": [{"kind": §"cpux"}]\n}\n', None,
  ["{0}: top level: unknown key `repetitons` (did you mean `repetitions`?)",
   "{1}: configurations[0].memory: `lots`: expected a size such as 4096, 64K, 64M or 1G",
   "{2}: workloads[0].kind: unknown workload `cpux` (did you mean `cpu`?)"]),
 ("tmpfs sizes", '{\n  "name": "t",\n  "configurations": [\n    {"name": "c", "kind": "container", "tmpfs_size": §"lots",\n     "upper": "tmpfs", "upper_size": §"4K"}\n  ],\n' + WL + '}\n', None,
  ["{0}: configurations[0].tmpfs_size: `lots`: expected a size such as 4096, 64K, 64M or 1G",
   "{1}: configurations[0].upper_size: `4K`: must be at least 1M"]),
 ("workload configurations", '{\n  "name": "t",\n  "configurations": [\n    {"name": "bare", "kind": "bare"},\n    {"name": "container", "kind": "container"}\n  ],\n  "workloads": [\n    {"kind": "cpu", "configurations": [§"bare", §"contaner", §"bare"]},\n    {"kind": "memory", "configurations": §[]},\n    {"kind": "startup", "configurations": [§7]},\n    {"kind": "metadata", "configurations": §"bare"}\n  ]\n}\n', None,
  ["{1}: workloads[0].configurations[1]: unknown configuration `contaner` (did you mean `container`?)",
   "{2}: workloads[0].configurations[2]: `bare` is listed twice (keep one)",
   "{3}: workloads[1].configurations: empty (name at least one configuration, or drop the key to run it in all)",
   "{4}: workloads[2].configurations[0]: expected a configuration's name, got 7",
   "{5}: workloads[3].configurations: must be an array of configuration names such as [\"bare\"], got \"bare\""]),
 ("--configs unknown", '{\n  "name": "t",\n  "configurations": [\n    {"name": "bare", "kind": "bare"},\n    {"name": "container", "kind": "container"}\n  ],\n' + WL + '}\n', "bare,contaner,zzz",
  [": --configs: unknown configuration `contaner` (did you mean `container`?)",
   ": --configs: unknown configuration `zzz` (the suite has bare and container)"]), ("density counts", '{\n  "name": "t",\n' + CFG + '  "workloads": [\n    {"kind": "density", "params": {"n": §"8,1"}},\n    {"kind": "density", "name": "d2", "params": {"n": §"1,,8"}},\n    {"kind": "density", "name": "d3", "params": {"n": §"0"}}\n  ]\n}\n', None,
  ["{0}: workloads[0].params.n: counts must rise (each larger than the one before): 1 after 8",
   "{1}: workloads[1].params.n: expected counts such as \"1,8,32\" (numbers separated by commas)",
   "{2}: workloads[2].params.n: each count must be from 1 to 100000, got 0"]),
]

def fmt(m, pos):
    for i, p in enumerate(pos):
        m = m.replace('{%d}' % i, p)
    return m

def cstr(text, indent):
    lines = text.split('\n')
    out = []
    for i, l in enumerate(lines):
        if i == len(lines) - 1 and l == '':
            break
        nl = '\\n' if i < len(lines) - 1 else ''
        out.append(indent + '"' + l.replace('\\', '\\\\').replace('"', '\\"') + nl + '"')
    return '\n'.join(out) if out else indent + '""'

print('static const struct bad_case bad_cases[] = {')
for label, text, configs, msgs in cases:
    pos = []
    clean = ''
    for ch in text:
        if ch == '§':
            lines = clean.split('\n')
            pos.append('%d:%d' % (len(lines), len(lines[-1]) + 1))
        else:
            clean += ch
    print('        {')
    print('                "%s",' % label)
    print(cstr(clean, '                ') + ',')
    print('                %s,' % ('"%s"' % configs if configs else 'NULL'))
    print('                {')
    for m in msgs:
        full = 'suite.json' + (':' if m.startswith('{') else '') + fmt(m, pos)
        print('                        "%s",' % full.replace('\\', '\\\\').replace('"', '\\"'))
    print('                },')
    print('        },')
print('};')
