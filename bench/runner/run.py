#!/usr/bin/env python3
"""Runner benchmark: the no-op re-run of a 10-stage pipeline with 20,000 artifact files, vitrine vs DVC.

Generates the same pipeline for both tools in a temporary folder under /tmp: a chain of STAGES shell
stages, each writing FILES small files into its output folder (stage k reads one line of stage k-1's
output, so a change propagates down the chain). Each tool runs the pipeline once to populate its
state, then the nothing-changed re-run is timed REPS times per tool, interleaved (vitrine, DVC,
vitrine, DVC, ...) so machine noise hits both alike:

    vitrine run p.yaml --no-report --log-format plain      (state in .vitrine/ beside p.yaml)
    dvc repro                                               (in a `git init` + `dvc init` folder)

Then, unless --skip-changed, "one stage changed": stage 5's command parameter (tag=...) is edited in
both pipeline files (a fresh value every time, so neither tool can restore a cached result) and the
re-run is timed; stages 5..10 run again in both. The bare cost of those 6 commands, run straight
from a shell, is measured too, as the floor.

Usage (from the repository root; scripts/bench.sh runner does all of it):
    python3 bench/runner/run.py --vitrine .build/release/vitrine --dvc .bench/venv/bin/dvc [--reps 5]
Without a usable --dvc only vitrine's numbers are printed. --json FILE writes every timing.
"""
import argparse, json, os, platform, re, resource, shutil, statistics, subprocess, sys, tempfile, time
from datetime import datetime, timezone

GEN_AWK = r"""BEGIN {
    head = ""
    if (src != "") { if ((getline head < src) <= 0) head = ""; close(src) }
    for (i = 0; i < n; i++) {
        f = sprintf("%s/f%04d.txt", out, i)
        printf "stage %d item %d tag %s from [%s]\n", k, i, tag, head > f
        close(f)
    }
}
"""


def vitrine_yaml(stages, files, awk, tag5):
    lines = ["# Runner benchmark: a chain of shell stages, each writing its files into one output folder.", "stages:"]
    for k in range(1, stages + 1):
        tag = tag5 if k == 5 else "v0"
        src = '"$VITRINE_IN_0/f0000.txt"' if k > 1 else '""'
        lines.append(f"  s{k}:")
        lines.append(f"    run: mkdir -p \"$VITRINE_OUT/files\" && awk -v k={k} -v n={files} -v tag={tag} "
                     f"-v out=\"$VITRINE_OUT/files\" -v src={src} -f {awk}")
        if k > 1:
            lines.append(f"    inputs: [s{k - 1}.files]")
        lines.append("    outputs: [files]")
    return "\n".join(lines) + "\n"


def dvc_yaml(stages, files, awk, tag5):
    lines = ["stages:"]
    for k in range(1, stages + 1):
        tag = tag5 if k == 5 else "v0"
        src = f"stage{k - 1}/f0000.txt" if k > 1 else '""'
        lines.append(f"  stage{k}:")
        lines.append(f"    cmd: mkdir -p stage{k} && awk -v k={k} -v n={files} -v tag={tag} -v out=stage{k} -v src={src} -f {awk}")
        if k > 1:
            lines.append(f"    deps: [stage{k - 1}]")
        lines.append(f"    outs: [stage{k}]")
    return "\n".join(lines) + "\n"


CPU = []  # CPU seconds (user + sys, the command and its children) of every run(), in order


def run(cmd, cwd, env=None, check=True):
    """Runs cmd; returns (wall seconds, completed process); appends its CPU seconds to CPU."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    if check and p.returncode != 0:
        sys.exit(f"runner bench: {' '.join(cmd)} exited {p.returncode} in {cwd}\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return wall, p


RAN = re.compile(r"(\d+) ran, (\d+) up to date")


def vitrine_counts(p):
    """(stages run, stages up to date) from vitrine's closing line, or None."""
    m = RAN.search(p.stdout + p.stderr)
    return (int(m.group(1)), int(m.group(2))) if m else None


def vitrine_settle(vcmd, vdir, stages, limit):
    """Re-runs vitrine until a run reports every stage up to date; returns the runs it took as
    (wall, exit code, counts). Needed only when a run stops early (see the warning it leads to)."""
    runs = []
    for _ in range(limit):
        t, p = run(vcmd, vdir, check=False)
        runs.append((t, p.returncode, vitrine_counts(p)))
        if p.returncode == 0 and vitrine_counts(p) == (0, stages):
            return runs
    sys.exit(f"runner bench: vitrine did not reach 'all {stages} stages up to date' in {limit} runs: {runs}")


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt(xs):
    return "[" + ", ".join(f"{x:.3f}" for x in xs) + "]"


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "date_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def loadavg():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vitrine", required=True, help="the vitrine binary (release build)")
    ap.add_argument("--dvc", default="", help="the dvc executable; empty or missing: vitrine only")
    ap.add_argument("--stages", type=int, default=10)
    ap.add_argument("--files", type=int, default=2000, help="files each stage writes")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--skip-changed", action="store_true", help="time only the no-op re-run")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--json", help="write every timing to this file")
    a = ap.parse_args()
    if a.stages < 5 and not a.skip_changed:
        sys.exit("runner bench: the changed-stage run edits stage 5; use --stages >= 5 or --skip-changed")

    vitrine = os.path.abspath(a.vitrine)
    if not os.access(vitrine, os.X_OK):
        sys.exit(f"runner bench: no vitrine binary at {vitrine}")
    dvc = shutil.which(a.dvc) if a.dvc else None
    if a.dvc and dvc is None:
        print(f"runner bench: DVC not found ({a.dvc}): measuring vitrine only", flush=True)
    dvc = os.path.abspath(dvc) if dvc else None

    info = machine()
    info["load_start"] = loadavg()
    root = tempfile.mkdtemp(prefix="vitrine-runner-bench.", dir="/tmp")
    awk = os.path.join(root, "gen.awk")
    with open(awk, "w") as f:
        f.write(GEN_AWK)
    vdir, ddir = os.path.join(root, "vitrine"), os.path.join(root, "dvc")
    os.makedirs(vdir)
    os.makedirs(ddir)
    vfile = os.path.join(vdir, "p.yaml")
    dfile = os.path.join(ddir, "dvc.yaml")
    write = lambda path, text: open(path, "w").write(text)
    write(vfile, vitrine_yaml(a.stages, a.files, awk, "v0"))
    vcmd = [vitrine, "run", "p.yaml", "--no-report", "--log-format", "plain"]
    denv = dict(os.environ, DVC_NO_ANALYTICS="1")
    dcmd = [dvc, "repro"] if dvc else None
    total = a.stages * a.files
    print(f"runner bench: {a.stages} stages x {a.files} files = {total:,} artifact files; temp folder {root}", flush=True)
    print(f"machine: {info['nproc']} cores, {info['cpu']}, load average {info['load_start']}, {info['date_utc']}", flush=True)

    res = {"machine": info, "stages": a.stages, "files_per_stage": a.files, "reps": a.reps,
           "vitrine_cmd": " ".join(["vitrine"] + vcmd[1:]), "dvc_cmd": "dvc repro" if dvc else None}
    try:
        # Versions and process-start floors.
        _, p = run([vitrine, "--version"], vdir)
        res["vitrine_version"] = p.stdout.strip()
        res["vitrine_start"] = [run([vitrine, "--version"], vdir)[0] for _ in range(a.reps)]
        if dvc:
            _, p = run([dvc, "--version"], ddir, env=denv)
            res["dvc_version"] = p.stdout.strip()
            res["dvc_start"] = [run([dvc, "--version"], ddir, env=denv)[0] for _ in range(a.reps)]
            run(["git", "init", "-q"], ddir)
            run([dvc, "init", "-q"], ddir, env=denv)
            run([dvc, "config", "core.analytics", "false"], ddir, env=denv)
            write(dfile, dvc_yaml(a.stages, a.files, awk, "v0"))

        # Populate.
        res["vitrine_populate"], p = run(vcmd, vdir, check=False)
        counts = vitrine_counts(p)
        print(f"populate: vitrine {res['vitrine_populate']:.2f} s (exit {p.returncode}, ran/up to date: {counts})", flush=True)
        if p.returncode != 0 or counts != (a.stages, 0):
            extra = vitrine_settle(vcmd, vdir, a.stages, 3 * a.stages)
            res["vitrine_populate_broken"] = [(round(t, 3), rc, c) for t, rc, c in extra]
            print(f"WARNING: vitrine's first run did not run all {a.stages} stages (exit {p.returncode}, counts {counts}); "
                  f"it took {len(extra)} more runs (exit codes {[rc for _, rc, _ in extra]}) to get every stage up to date. "
                  "The populate time is not valid; the no-op below still is (no stage runs in it).", flush=True)
        if dvc:
            res["dvc_populate"], _ = run(dcmd, ddir, env=denv)
            print(f"populate: dvc repro {res['dvc_populate']:.2f} s", flush=True)

        # No-op re-runs, interleaved; check that nothing ran.
        res["vitrine_noop"], res["dvc_noop"], res["vitrine_noop_cpu"], res["dvc_noop_cpu"] = [], [], [], []
        for i in range(a.reps):
            t, p = run(vcmd, vdir)
            res["vitrine_noop"].append(t)
            res["vitrine_noop_cpu"].append(CPU[-1])
            if vitrine_counts(p) != (0, a.stages):
                sys.exit(f"runner bench: vitrine's no-op re-run did not report 0 ran, {a.stages} up to date:\n{p.stdout[-1500:]}")
            if i == 0:
                res["vitrine_noop_output"] = (p.stdout + p.stderr).strip()[-1500:]
            if dvc:
                t, p = run(dcmd, ddir, env=denv)
                res["dvc_noop"].append(t)
                res["dvc_noop_cpu"].append(CPU[-1])
                if i == 0:
                    res["dvc_noop_output"] = (p.stdout + p.stderr).strip()[-1500:]
                    if "up to date" not in p.stdout:
                        print("warning: dvc repro did not say the pipeline is up to date:\n" + p.stdout[-1500:], flush=True)
            print(f"no-op {i + 1}: vitrine {res['vitrine_noop'][-1]:.3f} s" +
                  (f", dvc repro {res['dvc_noop'][-1]:.3f} s" if dvc else ""), flush=True)

        # Status commands (secondary): what would run, without running.
        res["vitrine_status"] = [run([vitrine, "status", "p.yaml"], vdir, check=False)[0] for _ in range(a.reps)]
        if dvc:
            res["dvc_status"] = [run([dvc, "status"], ddir, env=denv)[0] for _ in range(a.reps)]

        # One stage changed: stage 5's tag, a fresh value each time; stages 5..N run again.
        if not a.skip_changed:
            res["vitrine_changed"], res["dvc_changed"], res["bare_changed"] = [], [], []
            for i in range(a.reps):
                tag = f"v{i + 1}"
                # Rotate the order (vitrine, DVC, bare shell) so that the one that runs right after DVC's
                # heavy writes (page-cache writeback) changes from repeat to repeat.
                order = ["vitrine", "dvc", "bare"]
                order = order[i % 3:] + order[:i % 3]
                for who in order:
                    if who == "vitrine":
                        write(vfile, vitrine_yaml(a.stages, a.files, awk, tag))
                        t, p = run(vcmd, vdir, check=False)
                        counts = vitrine_counts(p)
                        if p.returncode == 0 and counts == (a.stages - 4, 4):
                            res["vitrine_changed"].append(t)
                        else:  # a run that stopped early is no measurement; settle the state for the next repeat
                            res.setdefault("vitrine_changed_broken", []).append({"wall": round(t, 3), "rc": p.returncode, "counts": counts})
                            print(f"WARNING: vitrine's changed-stage run exited {p.returncode} with ran/up to date {counts} "
                                  f"(expected {(a.stages - 4, 4)}): not counted", flush=True)
                            vitrine_settle(vcmd, vdir, a.stages, 3 * a.stages)
                    elif who == "dvc" and dvc:
                        write(dfile, dvc_yaml(a.stages, a.files, awk, tag))
                        t, p = run(dcmd, ddir, env=denv)
                        res["dvc_changed"].append(t)
                    elif who == "bare":  # the floor: the same commands for stages 5..N straight from a shell
                        bare = os.path.join(root, f"bare{i}")
                        os.makedirs(os.path.join(bare, "stage4"))
                        write(os.path.join(bare, "stage4/f0000.txt"), "stage 4 item 0 tag v0 from [...]\n")
                        script = " && ".join(
                            f"mkdir -p stage{k} && awk -v k={k} -v n={a.files} -v tag={tag if k == 5 else 'v0'} -v out=stage{k} "
                            f"-v src=stage{k - 1}/f0000.txt -f {awk}" for k in range(5, a.stages + 1))
                        t, _ = run(["/bin/sh", "-c", script], bare)
                        res["bare_changed"].append(t)
                t = res["bare_changed"][-1]
                vlast = f"{res['vitrine_changed'][-1]:.3f} s" if len(res["vitrine_changed"]) == i + 1 else "not valid"
                print(f"stage 5 changed {i + 1}: vitrine {vlast}" +
                      (f", dvc repro {res['dvc_changed'][-1]:.3f} s" if dvc else "") +
                      f", bare commands {t:.3f} s", flush=True)
        info["load_end"] = loadavg()
    finally:
        if a.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)

    # Summary.
    vn, dn = med(res["vitrine_noop"]), med(res["dvc_noop"])
    vs = med(res["vitrine_start"])
    print()
    print(f"== runner benchmark: no-op re-run, {a.stages} stages, {total:,} artifact files (medians of {a.reps}) ==")
    print(f"machine: {info['nproc']} cores, {info['cpu']}, load average {info['load_start']} -> {info['load_end']}, {info['date_utc']}")
    print(f"vitrine: {res['vitrine_version']} ({vitrine}); dvc: {res.get('dvc_version', 'not installed')}")
    print(f"vitrine run p.yaml --no-report --log-format plain : {vn * 1000:8.1f} ms  runs {fmt(res['vitrine_noop'])}"
          f"  CPU {med(res['vitrine_noop_cpu']) * 1000:.0f} ms")
    print(f"  process start (vitrine --version)              : {vs * 1000:8.1f} ms  -> {(vn - vs) * 1000:.1f} ms beyond process start")
    if dvc:
        print(f"dvc repro                                         : {dn * 1000:8.1f} ms  runs {fmt(res['dvc_noop'])}"
              f"  CPU {med(res['dvc_noop_cpu']) * 1000:.0f} ms")
        print(f"  process start (dvc --version)                  : {med(res['dvc_start']) * 1000:8.1f} ms")
        print(f"ratio no-op (dvc repro / vitrine run)             : {dn / vn:8.1f}x   (goal >= 100x)")
        print(f"status: vitrine status {med(res['vitrine_status']) * 1000:.1f} ms, dvc status {med(res['dvc_status']) * 1000:.1f} ms "
              f"-> {med(res['dvc_status']) / med(res['vitrine_status']):.1f}x")
    else:
        print("dvc: not measured (not installed)")
    print(f"populate (first run): vitrine {res['vitrine_populate']:.2f} s" +
          (" (NOT VALID: the run stopped early)" if res.get("vitrine_populate_broken") else "") +
          (f", dvc repro {res['dvc_populate']:.2f} s" if dvc else ""))
    if not a.skip_changed:
        vc, dc, bc = med(res["vitrine_changed"]), med(res["dvc_changed"]), med(res["bare_changed"])
        vtext = (f"vitrine {vc:.3f} s {fmt(res['vitrine_changed'])}" if res["vitrine_changed"] else
                 "vitrine NOT MEASURED (no run re-ran stages 5..N and exited 0)")
        print(f"stage 5 changed (stages 5..{a.stages} rerun): {vtext}" +
              (f", dvc repro {dc:.3f} s {fmt(res['dvc_changed'])}" if dvc else "") +
              (f" -> {dc / vc:.1f}x" if dvc and res["vitrine_changed"] else "") + f"; bare commands {bc:.3f} s")
        if res.get("vitrine_changed_broken"):
            print(f"  vitrine runs not counted (stopped early or crashed): {res['vitrine_changed_broken']}")
    if res.get("vitrine_populate_broken"):
        print(f"WARNING: vitrine's first run stopped early; it needed {len(res['vitrine_populate_broken'])} more runs "
              f"(wall s, exit code, ran/up to date): {res['vitrine_populate_broken']}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
