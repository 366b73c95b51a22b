#!/usr/bin/python3
"""Checks a bench result file: the JSON Schema, then named sanity checks.

usage: check_result.py RESULT [--check NAME]...
"""
import json
import math
import os
import sys

import jsonschema


def series(doc, configuration, workload, metric):
    for r in doc["results"]:
        if r["configuration"] == configuration and r["workload"] == workload and r["metric"] == metric:
            return r
    return None


def need(cond, msg):
    if not cond:
        print("check failed: " + msg, file=sys.stderr)
        sys.exit(1)


def check_quickstart_bare(doc):
    ready = series(doc, "bare", "startup", "ready_ms")
    total = series(doc, "bare", "startup", "total_ms")
    need(ready and total, "bare startup ready_ms/total_ms present")
    need(0 < ready["stats"]["median"] < total["stats"]["median"], "0 < ready_ms < total_ms (medians)")
    for a, b in zip(ready["samples"], total["samples"]):
        need(a < b, "every ready_ms sample below its total_ms sample")
    for name in ("copy", "scale", "add", "triad"):
        s = series(doc, "bare", "membw", name + ".mb_per_s")
        need(s and s["stats"]["min"] > 0, "membw %s > 0" % name)
    lat = series(doc, "bare", "memlat", "ns_per_access")
    need(lat and all(math.isfinite(x) and x > 0 for x in lat["samples"]), "memlat finite and > 0")
    cpu = series(doc, "bare", "cpu", "ops_per_s")
    need(cpu and cpu["stats"]["min"] > 0, "cpu ops_per_s > 0")
    fp = series(doc, "bare", "memory", "footprint_kib")
    size_kib = 32 * 1024
    need(fp and fp["stats"]["min"] >= size_kib, "memory footprint >= the 32 MiB the agent holds")
    need(fp["stats"]["max"] < size_kib * 2, "memory footprint < twice what the agent holds")
    for metric in ("seq_read.mib_per_s", "seq_write.mib_per_s", "rand_read.iops", "rand_write.iops"):
        s = series(doc, "bare", "fileio", metric)
        need(s and s["stats"]["min"] > 0, "fileio %s > 0" % metric)
    for metric in ("create", "open", "stat", "unlink"):
        s = series(doc, "bare", "metadata", metric + ".ops_per_s")
        need(s and s["stats"]["min"] > 0, "metadata %s > 0" % metric)
    reps = doc["suite"]["repetitions"]
    runs = 10
    need(len(ready["samples"]) == reps * runs, "startup has repetitions x runs samples")
    need(len(cpu["samples"]) == reps, "cpu has one sample per repetition")
    for r in doc["results"]:
        st = r["stats"]
        need(st["n"] == len(r["samples"]), "stats.n matches samples")
        need(st["min"] <= st["p05"] <= st["median"] <= st["p95"] <= st["max"], "order of stats in " + r["metric"])
        need(st["ci95_low"] <= st["median"] <= st["ci95_high"], "median inside its interval")
    # pinning: what the harness chose is what the agent saw
    pin = doc["pinning"]
    seen = pin.get("seen", {}).get("bare")
    need(seen is not None, "the agent's view of bare is recorded")
    if pin["workload_cpus"]:
        need(seen["cpus"] == pin["workload_cpus"], "agent saw cpus %s, harness chose %s" % (seen["cpus"], pin["workload_cpus"]))


def check_quickstart_container(doc):
    ready = series(doc, "container", "startup", "ready_ms")
    need(ready is not None, "container startup ready_ms present (not skipped)")
    total = series(doc, "container", "startup", "total_ms")
    need(0 < ready["stats"]["median"] < total["stats"]["median"], "container: 0 < ready_ms < total_ms")
    phases = [r["metric"] for r in doc["results"] if r["configuration"] == "container" and r["metric"].startswith("phase.")]
    for p in ("cgroup", "clone", "mounts", "pivot_root", "caps", "exec"):
        need("phase.%s_ms" % p in phases, "container phase %s recorded" % p)
    psum = sum(series(doc, "container", "startup", m)["stats"]["median"] for m in phases)
    need(psum <= ready["stats"]["median"] * 1.5, "the phases (%.3f ms) fit in ready_ms (%.3f ms)" % (psum, ready["stats"]["median"]))
    fp = series(doc, "container", "memory", "footprint_kib")
    need(fp and fp["stats"]["min"] >= 32 * 1024, "container memory footprint >= what the agent holds")
    ov = series(doc, "container", "memory", "overhead_kib")
    need(ov is not None, "container overhead_kib derived against bare")
    for metric in ("seq_read.mib_per_s", "rand_read.iops", "create.ops_per_s"):
        wl = "fileio" if "." in metric and not metric.startswith("create") else "metadata"
        s = series(doc, "container", wl, metric)
        need(s and s["stats"]["min"] > 0, "container %s %s > 0" % (wl, metric))
    seen = doc["pinning"]["seen"].get("container")
    need(seen and seen["pid"] == 1, "the agent is PID 1 in the container")
    need(not [e for e in doc["errors"] if e["configuration"] == "container"], "no container errors")


def check_complete(doc):
    need(doc["complete"] is True and doc["interrupted"] is None, "run complete")
    if "adaptive" in doc:  # repetitions is the minimum, the stop rule decided the rest
        need(doc["suite"]["repetitions"] <= doc["repetitions_done"] <= doc["adaptive"]["max_repetitions"],
             "repetitions done between the minimum and the cap")
    else:
        need(doc["repetitions_done"] == doc["suite"]["repetitions"], "all repetitions done")
    need(doc["finished_at"] is not None, "finished_at set")


def adaptive(doc):
    """The adaptive block and every precision record, recomputed from the stats."""
    a = doc.get("adaptive")
    need(a is not None, "the result has an adaptive block")
    need(a["repetitions"] == doc["repetitions_done"], "adaptive.repetitions is repetitions_done")
    need(a["precision"] == float(doc["suite"]["precision"].rstrip("%")) / 100, "the target is the suite's precision")
    worst = None
    for r in doc["results"]:
        p = r.get("precision")
        if r["metric"] == "overhead_kib" and r["config_kind"] != "bare":
            need(p is None, "a derived series has no precision record")
            continue
        need(p is not None, "%s/%s has a precision record" % (r["workload"], r["metric"]))
        st = r["stats"]
        want = None
        if st and st["ci_level"] >= 0.95:
            half = max(st["median"] - st["ci95_low"], st["ci95_high"] - st["median"])
            want = half / abs(st["median"]) if st["median"] != 0 else (0.0 if half == 0 else None)
        need(p["reached"] == want or (want is not None and p["reached"] is not None and
                                      abs(p["reached"] - want) <= 1e-12 * max(want, 1e-300)),
             "%s reached %s, from its stats %s" % (r["metric"], p["reached"], want))
        need(p["met"] == (p["reached"] is not None and p["reached"] <= a["precision"]),
             "%s met agrees with reached and the target" % r["metric"])
        key = (p["reached"] is None, p["reached"] or 0)
        if worst is None or key > worst[0]:
            worst = (key, r)
    if worst:
        w = a["worst"]
        need((w["workload"], w["configuration"], w["metric"]) ==
             (worst[1]["workload"], worst[1]["configuration"], worst[1]["metric"]), "worst is the farthest series")
    return a


def check_adaptive_precision(doc):
    a = adaptive(doc)
    need(a["stopped_by"] == "precision", "stopped by the target, not %s" % a["stopped_by"])
    need(all(r["precision"]["met"] for r in doc["results"] if "precision" in r), "every series met the target")
    need(a["worst"]["met"] is True, "the worst met it too")
    need(6 <= a["repetitions"] < a["max_repetitions"], "stopped between 6 (a 95%% interval) and the cap: %d" % a["repetitions"])
    check_complete(doc)


def check_adaptive_max_repetitions(doc):
    a = adaptive(doc)
    need(a["stopped_by"] == "max_repetitions", "stopped by max_repetitions, not %s" % a["stopped_by"])
    need(a["repetitions"] == a["max_repetitions"], "ran exactly max_repetitions")
    need(any(not r["precision"]["met"] for r in doc["results"] if "precision" in r), "a series did not meet the target")
    need(a["worst"]["met"] is False, "the worst did not meet it")
    check_complete(doc)


def check_adaptive_max_time(doc):
    a = adaptive(doc)
    need(a["stopped_by"] == "max_time", "stopped by max_time, not %s" % a["stopped_by"])
    need(doc["suite"]["repetitions"] <= a["repetitions"] < a["max_repetitions"], "stopped before the count cap")
    need(a["max_time_s"] == doc["suite"]["max_time"], "max_time_s is the suite's max_time")
    check_complete(doc)


def check_adaptive_interrupted(doc):
    a = adaptive(doc)
    need(a["stopped_by"] == "interrupted", "stopped_by interrupted, not %s" % a["stopped_by"])
    check_interrupted(doc)


def check_interrupted(doc):
    need(doc["complete"] is False, "an interrupted run is not complete")
    need(doc["interrupted"] == "INT", "interrupted names SIGINT")
    need(doc["repetitions_done"] >= 1, "at least one repetition kept")
    need(len(doc["results"]) > 0, "the samples gathered so far are kept")


def check_skips(doc):
    skipped = {s["configuration"]: s["reason"] for s in doc["skipped"]}
    # kinds without a driver yet are skips with the reason, never errors
    for s in doc["suite"]["configurations"]:
        has = any(r["configuration"] == s["name"] for r in doc["results"])
        need(has or s["name"] in skipped, "configuration %s measured or skipped" % s["name"])
        if s["name"] in skipped:
            need(len(skipped[s["name"]]) > 10, "skip of %s has a reason" % s["name"])


CHECKS = {
    "quickstart-bare": check_quickstart_bare,
    "quickstart-container": check_quickstart_container,
    "complete": check_complete,
    "interrupted": check_interrupted,
    "skips": check_skips,
    "adaptive-precision": check_adaptive_precision,
    "adaptive-max-repetitions": check_adaptive_max_repetitions,
    "adaptive-max-time": check_adaptive_max_time,
    "adaptive-interrupted": check_adaptive_interrupted,
}


def main():
    path = sys.argv[1]
    checks = [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--check"]
    doc = json.load(open(path))
    schema = json.load(open(os.path.join(os.environ["BENCH_SOURCE_DIR"], "results", "result.schema.json")))
    jsonschema.validate(doc, schema)
    for c in checks:
        CHECKS[c](doc)
    print("%s: schema ok%s" % (path, "".join(", " + c + " ok" for c in checks)))


main()
