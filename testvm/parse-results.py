#!/usr/bin/env python3
"""Turn test VM console logs (and host-side results) into a test summary.

Usage:
  parse-results.py [--host FILE] [--vm NAME=LOG[:kunit]]... [--tail N]
  parse-results.py --demo LOG

--host FILE     lines "PASS <name>", "FAIL <name>" or "SKIP <name>" written by
                testvm/check.sh for host-side checks (builds, sparse, ...)
--vm NAME=LOG   console log of a check-mode VM run of kernel NAME; append
                ":kunit" when the kernel must produce KUnit results and
                ":qemu" when the VM must run the QEMU cases
                (testvm/qemu-mshv.sh; both may be given).  A NAME
                ending in "-pinned" is a run with mshv_root.pin_regions=1:
                the guest must report that the parameter took effect
--demo LOG      print the output of a demo-mode run; exit with the demo's rc

The last output line is "N passed, N failed" (", N skipped" if any); the exit
status is non-zero if anything failed.  Marker protocol: see testvm/init.
"""

import argparse
import re
import sys

MARK = "@@MSHVTEST "
KTIME = re.compile(r"^\[\s*\d+\.\d+\]\s?")
TAP_RESULT = re.compile(
    r"^(?P<indent>\s*)(?P<status>not ok|ok)\s+(?P<num>\d+)\s*-?\s*"
    r"(?P<name>[^#]*?)\s*(?:#\s*(?P<directive>\S+)\s*(?P<reason>.*))?$")
TAP_PLAN = re.compile(r"^(?P<indent>\s*)1\.\.(?P<count>\d+)")

SPLAT_PATTERNS = [re.compile(p) for p in (
    r"WARNING:",
    r"BUG:",
    r"\bOops\b",
    r"general protection fault",
    r"KASAN",
    r"UBSAN",
    r"KFENCE",
    r"possible circular locking",
    r"possible recursive locking",
    r"inconsistent lock state",
    r"INFO: trying to register non-static key",
    r"INFO: possible irq lock inversion",
    r"suspicious RCU usage",
    r"kmemleak: \d+ new suspected memory leak",
    r"unreferenced object 0x",
    r"INFO: task .* blocked for more than",
    r"rcu: INFO: .*detected stall",
    r"self-detected stall",
    r"watchdog: BUG: soft lockup",
    r"Call Trace:",
    r"Kernel panic",
    r"list_(add|del) corruption",
    r"kernel BUG at",
)]


class Summary:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def add(self, passed, failed=0, skipped=0):
        self.passed += passed
        self.failed += failed
        self.skipped += skipped

    def line(self):
        text = f"{self.passed} passed, {self.failed} failed"
        if self.skipped:
            text += f", {self.skipped} skipped"
        return text


def report(ok, text):
    print(f"{'PASS' if ok else 'FAIL'} {text}")


def strip_ktime(line):
    return KTIME.sub("", line, count=1)


def read_log(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        return None, str(e)
    # Serial consoles end lines with \r\n; QEMU may add stray \r.
    lines = [ln.rstrip("\r") for ln in text.replace("\r\n", "\n").split("\n")]
    return lines, None


def blocks(lines, begin, end):
    """Yield (arg, body_lines, end_line_or_None) for BEGIN/END marker pairs."""
    cur = None
    body = []
    for ln in lines:
        s = strip_ktime(ln)
        if s.startswith(MARK + begin + " ") or s == MARK + begin:
            if cur is not None:
                yield cur, body, None
            cur = s[len(MARK + begin):].strip()
            body = []
        elif cur is not None and (s.startswith(MARK + end + " ") or s == MARK + end):
            yield cur, body, s[len(MARK + end):].strip()
            cur = None
        elif cur is not None:
            body.append(ln)
    if cur is not None:
        yield cur, body, None


def tap_results(body):
    """Return ([(indent, ok, name, directive)], [(indent, planned)])."""
    results, plans = [], []
    for ln in body:
        if KTIME.match(ln):
            continue  # a kernel message interleaved with the test output
        m = TAP_RESULT.match(ln.expandtabs(8))
        if m:
            directive = (m.group("directive") or "").upper()
            results.append((len(m.group("indent")), m.group("status") == "ok",
                            m.group("name").strip(), directive))
            continue
        m = TAP_PLAN.match(ln.expandtabs(8))
        if m:
            plans.append((len(m.group("indent")), int(m.group("count"))))
    return results, plans


def parse_kunit(kname, suite, body, end, summary):
    results, plans = tap_results(body)
    if not results:
        summary.add(0, 1)
        report(False, f"{kname} kunit {suite}: no results")
        return
    top = min(r[0] for r in results)
    deeper = sorted({r[0] for r in results if r[0] > top})
    cases = [r for r in results if deeper and r[0] == deeper[0]] or \
        [r for r in results if r[0] == top]
    planned = [p for i, p in plans if deeper and i == deeper[0]] or \
        [p for i, p in plans if i == top]
    failed = [r[2] for r in cases if not r[1] and r[3] != "SKIP"]
    skipped = [r[2] for r in cases if r[3] == "SKIP"]
    passed = len(cases) - len(failed) - len(skipped)
    missing = planned[0] - len(cases) if planned and planned[0] > len(cases) else 0
    if end is None:
        missing = max(missing, 1)
    summary.add(passed, len(failed) + missing, len(skipped))
    counted = len(cases) + missing
    text = f"{kname} kunit {suite}: {passed}/{counted - len(skipped)}"
    if skipped:
        text += f" ({len(skipped)} skipped)"
    if failed:
        text += " failed: " + ", ".join(failed)
    if missing:
        text += f" ({missing} case(s) never reported)"
    report(not failed and not missing, text)


def parse_selftest(kname, binary, body, end, summary):
    results, plans = tap_results(body)
    rc = None
    if end is not None:
        m = re.search(r"rc=(\d+)", end)
        rc = int(m.group(1)) if m else None
    top = [r for r in results if r[0] == 0]
    planned = [p for i, p in plans if i == 0]
    failed = [r[2] for r in top if not r[1] and r[3] != "SKIP"]
    skipped = [r[2] for r in top if r[3] == "SKIP"]
    passed = len(top) - len(failed) - len(skipped)
    why = ""
    if rc is None:
        why = "binary never finished (VM died?)"
    elif rc in (124, 137, 143):
        why = f"timed out or killed (rc={rc})"
    elif rc not in (0, 4) and not failed:
        why = f"exited with rc={rc}"
    missing = 0
    if not top:
        missing = 1
        why = "no TAP output" + (f"; {why}" if why else "")
    elif planned and planned[0] > len(top):
        missing = planned[0] - len(top)
    elif why:
        missing = 1  # count the crash/timeout/exit status itself
    summary.add(passed, len(failed) + missing, len(skipped))
    text = f"{kname} selftest {binary}: {passed}/{len(top) - len(skipped) + missing}"
    if skipped:
        text += f" ({len(skipped)} skipped)"
    if failed:
        text += " failed: " + ", ".join(failed)
    if missing:
        parts = []
        if top and planned and planned[0] > len(top):
            parts.append(f"{missing} test(s) never reported")
        if why:
            parts.append(why)
        text += f" ({'; '.join(parts)})"
    report(not failed and not missing, text)
    parse_selftest_line(kname, binary, body, not failed and not missing,
                        summary)


# One-line summaries some selftests print besides their TAP results (after
# "# " when printed through the harness's log): binary -> (pattern, predicate
# of a clean run).  Each becomes a result of its own, passed when the line is
# there, says the run was clean, and the binary's TAP results passed.
SELFTEST_LINES = {
    "mshv_fail_nth_test": (
        re.compile(r"^(?P<text>fail-nth: \d+ injection points over \d+ "
                   r"scenarios, (?P<bad>\d+) leaks.*)$"),
        lambda m: m.group("bad") == "0"),
    "mshv_bad_input_test": (
        re.compile(r"^(?P<text>bad input: \d+ cases, (?P<verdict>.+))$"),
        lambda m: m.group("verdict") == "all exact"),
    "mshv_fuzz": (
        re.compile(r"^(?P<text>ioctl fuzz: \d+ calls, \d+ distinct ioctl\+errno "
                   r"pairs, (?P<bad>\d+) splats)$"),
        lambda m: m.group("bad") == "0"),
    "mshv_guest_1tib_test": (
        re.compile(r"^(?P<text>1tib: \d+ chunks of 2 MiB over 1 TiB, \d+ MiB "
                   r"in \d+ MiB of memory, (?P<pages>\d+) pages verified 3 "
                   r"times, (?P<bad>\d+) mismatches)$"),
        lambda m: m.group("bad") == "0" and m.group("pages") != "0"),
    "mshv_stress_test": (
        re.compile(r"^(?P<text>stress: \d+ operations in \d+ s, "
                   r"(?P<checks>\d+) guest checks, (?P<bad>\d+) violations)$"),
        lambda m: m.group("bad") == "0" and m.group("checks") != "0"),
}


def parse_selftest_line(kname, binary, body, ok, summary):
    """The summary line of a selftest that prints one (SELFTEST_LINES)."""
    spec = SELFTEST_LINES.get(binary)
    if spec is None:
        return
    pattern, good = spec
    found = [m for m in (pattern.match(re.sub(r"^#\s*", "",
                                              strip_ktime(ln).strip()))
                         for ln in body) if m]
    if not found:
        summary.add(0, 1)
        report(False, f"{kname} {binary}: no summary line")
        return
    passed = ok and good(found[-1])
    summary.add(1 if passed else 0, 0 if passed else 1)
    report(passed, f"{kname} {found[-1].group('text')}")


INVARIANTS = ("lost_writes", "stale_entries", "stale_accesses")


def parse_invariants(kname, marks, summary):
    """One result line per VM: hvsim's invariant counters, each must be 0."""
    found = [m for m in marks if m.startswith("INVARIANTS")]
    values = {}
    if found:
        for word in found[-1].split()[1:]:
            name, _, value = word.partition("=")
            values[name] = value
    shown = ", ".join(f"{n} {values.get(n, '?')}" for n in INVARIANTS)
    ok = bool(found) and all(values.get(n) == "0" for n in INVARIANTS)
    summary.add(1 if ok else 0, 0 if ok else 1)
    report(ok, f"hvsim invariants ({kname}): {shown}"
           + ("" if found else " (not reported)"))


QEMU_RESULT = re.compile(r"^(?P<name>qemu-mshv(?: [^:]+)?): (?P<verdict>ok|FAIL|SKIP)\b ?(?P<why>.*)$")


def parse_qemu(kname, lines, summary):
    """One result per "qemu-mshv <case>: ok|FAIL ...|SKIP ..." line between
    QEMU-BEGIN cases=N and QEMU-END; cases never reported fail."""
    runs = list(blocks(lines, "QEMU-BEGIN", "QEMU-END"))
    if not runs:
        summary.add(0, 1)
        report(False, f"{kname} qemu-mshv: no QEMU cases ran")
        return
    for arg, body, end in runs:
        m = re.search(r"cases=(\d+)", arg)
        planned = int(m.group(1)) if m else 0
        seen = 0
        for ln in body:
            if KTIME.match(ln):
                continue
            r = QEMU_RESULT.match(ln.strip())
            if not r:
                continue
            seen += 1
            verdict = r.group("verdict")
            text = f"{kname} {r.group('name')}"
            if verdict == "SKIP":
                summary.add(0, 0, 1)
                print(f"SKIP {text}: {r.group('why')}")
            elif verdict == "ok":
                summary.add(1)
                report(True, text)
            else:
                summary.add(0, 1)
                report(False, f"{text}: {r.group('why')}")
        missing = max(planned - seen, 1 if end is None else 0)
        if missing:
            summary.add(0, missing)
            report(False, f"{kname} qemu-mshv: {missing} case(s) never reported"
                   + ("" if end is not None else " (the QEMU run never finished)"))


def markers(lines):
    for ln in lines:
        s = strip_ktime(ln)
        if s.startswith(MARK):
            yield s[len(MARK):]


def print_durations(kname, tests, most=8):
    """One line of the selftest binaries that took longest (s=N of the
    SELFTEST-END marker), for finding where a VM's time goes."""
    took = []
    for binary, _, end in tests:
        m = re.search(r"\bs=(\d+)", end or "")
        if m:
            took.append((int(m.group(1)), binary))
    if not took:
        return
    took.sort(reverse=True)
    slow = ", ".join(f"{b} {t}" for t, b in took[:most])
    print(f"TIME {kname}: selftests {sum(t for t, _ in took)} s; slowest: {slow}")


def parse_vm(kname, path, want_kunit, summary, tail, want_qemu=False):
    lines, err = read_log(path)
    if lines is None:
        summary.add(0, 1)
        report(False, f"{kname} VM run: cannot read {path}: {err}")
        return
    marks = list(markers(lines))

    began = any(m.startswith("BEGIN") for m in marks)
    ended = "END" in marks
    summary.add(1 if ended else 0, 0 if ended else 1)
    report(ended, f"{kname} VM ran to completion"
           + ("" if ended else (" (no end marker: guest timed out, crashed or never reached /init)"
                                if began else " (guest never reached /init)")))
    if not ended:
        print(f"---- last {tail} console lines of {path} ----")
        for ln in lines[-tail:]:
            print(f"    {ln}")
        print("----")

    # module load / unload
    for mod in ("hvsim", "mshv_root"):
        ok = f"INSMOD-OK {mod}" in marks
        summary.add(1 if ok else 0, 0 if ok else 1)
        report(ok, f"{kname} insmod {mod}")
    for mod in ("mshv_root", "hvsim"):
        if f"INSMOD-OK {mod}" not in marks:
            continue
        ok = f"RMMOD-OK {mod}" in marks
        summary.add(1 if ok else 0, 0 if ok else 1)
        report(ok, f"{kname} rmmod {mod}")

    # a pinned-regions run must really have run with pinned regions
    if kname.endswith("-pinned") and "INSMOD-OK mshv_root" in marks:
        ok = "PARAM mshv_root.pin_regions=Y" in marks
        summary.add(1 if ok else 0, 0 if ok else 1)
        report(ok, f"{kname} runs with mshv_root.pin_regions=Y")

    # KUnit
    suites = list(blocks(lines, "KUNIT-BEGIN", "KUNIT-END"))
    for suite, body, end in suites:
        parse_kunit(kname, suite, body, end, summary)
    if want_kunit and not suites:
        summary.add(0, 1)
        report(False, f"{kname} kunit: no KUnit results at all")

    # selftests
    tests = list(blocks(lines, "SELFTEST-BEGIN", "SELFTEST-END"))
    for binary, body, end in tests:
        parse_selftest(kname, binary, body, end, summary)
    if not tests:
        summary.add(0, 1)
        report(False, f"{kname} selftests: no selftest binary ran")
    print_durations(kname, tests)

    # hvsim's invariant counters after the tests: all must be 0
    if "INSMOD-OK hvsim" in marks:
        parse_invariants(kname, marks, summary)

    # QEMU with -accel mshv
    if want_qemu:
        parse_qemu(kname, lines, summary)

    # kmemleak
    for _, body, end in blocks(lines, "KMEMLEAK-BEGIN", "KMEMLEAK-END"):
        leaks = [ln for ln in body if ln.strip() and not KTIME.match(ln)]
        ok = end is not None and not leaks
        summary.add(1 if ok else 0, 0 if ok else 1)
        report(ok, f"{kname} kmemleak clean")
        for ln in leaks[:60]:
            print(f"    {ln}")

    # kernel splats anywhere in the log
    # Inside the marker blocks only kernel messages (timestamped) count: the
    # test output itself may well print "WARNING:" or kmemleak's report.
    bad = []
    in_block = False
    for i, ln in enumerate(lines):
        s = strip_ktime(ln)
        if s.startswith(MARK):
            word = s[len(MARK):].split(" ", 1)[0]
            if word.endswith("-BEGIN"):
                in_block = True
            elif word.endswith("-END"):
                in_block = False
            continue
        if in_block and not KTIME.match(ln):
            continue
        if any(p.search(s) for p in SPLAT_PATTERNS):
            bad.append(i)
    ok = not bad
    summary.add(1 if ok else 0, 0 if ok else 1)
    report(ok, f"no kernel splats ({kname})")
    if bad:
        shown = set()
        for i in bad[:20]:
            for j in range(max(0, i - 1), min(len(lines), i + 3)):
                if j not in shown:
                    shown.add(j)
                    print(f"    {path}:{j + 1}: {lines[j]}")


def parse_host(path, summary):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            rows = [ln.rstrip("\n") for ln in f if ln.strip()]
    except OSError as e:
        summary.add(0, 1)
        report(False, f"host results: cannot read {path}: {e}")
        return
    for row in rows:
        verdict, _, name = row.partition(" ")
        if verdict == "PASS":
            summary.add(1)
        elif verdict == "SKIP":
            summary.add(0, 0, 1)
        else:
            summary.add(0, 1)
        print(f"{verdict if verdict in ('PASS', 'SKIP') else 'FAIL'} {name}")


def demo(path):
    lines, err = read_log(path)
    if lines is None:
        print(f"demo: cannot read {path}: {err}", file=sys.stderr)
        return 1
    for _, body, end in blocks(lines, "DEMO-BEGIN", "DEMO-END"):
        for ln in body:
            print(ln)
        if end is None:
            print("demo: the demo never finished (see the console log)", file=sys.stderr)
            return 1
        m = re.search(r"rc=(\d+)", end)
        rc = int(m.group(1)) if m else 1
        if rc != 0:
            print(f"demo: mshv_demo exited with status {rc}", file=sys.stderr)
        return 0 if rc == 0 else 1
    for ln in lines:
        s = strip_ktime(ln)
        if s.startswith(MARK + "INSMOD-FAIL"):
            print(f"demo: {s[len(MARK):]}", file=sys.stderr)
    print(f"demo: no demo output in {path}; last console lines:", file=sys.stderr)
    for ln in lines[-30:]:
        print(f"    {ln}", file=sys.stderr)
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host")
    ap.add_argument("--vm", action="append", default=[])
    ap.add_argument("--demo")
    ap.add_argument("--tail", type=int, default=40)
    args = ap.parse_args()

    if args.demo:
        return demo(args.demo)

    summary = Summary()
    if args.host:
        parse_host(args.host, summary)
    for spec in args.vm:
        name, _, rest = spec.partition("=")
        flags = set()
        while rest.endswith((":kunit", ":qemu")):
            rest, _, flag = rest.rpartition(":")
            flags.add(flag)
        parse_vm(name, rest, "kunit" in flags, summary, args.tail,
                 want_qemu="qemu" in flags)
    print(summary.line())
    return 1 if summary.failed or (summary.passed == 0 and summary.skipped == 0) else 0


if __name__ == "__main__":
    sys.exit(main())
