#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Compare the project's ABI headers with mainline Linux's.

    abi-check.py --src SRC --mainline-env ENV --out DIR

Ours: SRC/hvabi.h and SRC/uapi/linux/mshv.h.  Mainline: the headers
testvm/mainline.sh unpacked (include/uapi/linux/mshv.h and
include/hyperv/*.h), described by ENV.

Every structure and union of ours: its size, and every member's bit offset
and bit width (bitfields included), must equal mainline's.  Every
integer constant of ours (macros and enumerators: ioctl numbers, hypercall
codes, statuses, register names, message types, flags, property codes, ...)
must equal mainline's constant of the same name.  Names that differ, and
names mainline does not have, are listed with a reason in
testvm/abi-mainline.map (the only place such exceptions live); an entry
that no longer matches anything is itself a difference.

The MSHV_ROOT_HVCALL allow-lists of SRC/mshv_root_main.c (partition and VP
fds, /dev/mshv) must equal the lists of mainline's
drivers/hv/mshv_root_main.c.

Both sides are compiled (gcc) into a small program that prints every
value; the programs run on this host (x86-64, the ABI's architecture) and
their outputs are compared.  Names are enumerated with clang's AST dump
and gcc -dD, minus what the same includes define without the ABI headers.

Prints one line per difference ("DIFF ..."), then
    abi: N structs, M constants, K differences
    allow-list: P partition, V vp, S self, K differences
    mainline: VERSION (PACKAGE=VERSION)
and exits 1 when anything differs or cannot be checked.
"""

import argparse
import fnmatch
import json
import os
import re
import subprocess
import sys

CC = os.environ.get("CC", "gcc")
CLANG = os.environ.get("CLANG", "clang-14")

# The kernel-internal basics mainline's include/hyperv/*.h use, for a
# userspace compile.  The fixed-width types and BIT() are those of
# hvsim/user/kshim.h (the kernel's choices); added here: GENMASK(),
# __packed, static_assert and an x86-64 configuration.  The
# flexible-array helpers (__TRAILING_OVERLAP, ...) come from mainline's own
# include/linux/stddef.h, included before kshim.h's <stdbool.h> (it
# declares false and true itself).
SHIM = {
    "linux/types.h": """\
#ifndef ABI_SHIM_TYPES_H
#define ABI_SHIM_TYPES_H
#include_next <linux/types.h>
#include <stddef.h>
#include <linux/stddef.h>
#include "kshim.h"
#define __packed __attribute__((__packed__))
#define __aligned(x) __attribute__((__aligned__(x)))
#define CONFIG_X86 1
#define CONFIG_X86_64 1
#define IS_ENABLED(x) x
typedef unsigned long ulong;
#define BITS_PER_LONG 64
#endif
""",
    "linux/bits.h": """\
#ifndef ABI_SHIM_BITS_H
#define ABI_SHIM_BITS_H
#include <linux/types.h>
#define GENMASK(h, l) (((~0UL) - (1UL << (l)) + 1) & (~0UL >> (63 - (h))))
#define GENMASK_ULL(h, l) (((~0ULL) - (1ULL << (l)) + 1) & (~0ULL >> (63 - (h))))
#endif
""",
    "linux/build_bug.h": """\
#ifndef ABI_SHIM_BUILD_BUG_H
#define ABI_SHIM_BUILD_BUG_H
#include <assert.h>
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#endif
""",
}


class Side:
    """One side of the comparison: how to compile its headers."""

    def __init__(self, name, includes, cflags, headers):
        self.name = name
        self.includes = includes  # the #include lines of the ABI headers
        self.cflags = cflags
        self.headers = headers  # files whose macros count as this side's
        # name -> (tag, [(path, kind, type)]); kind: field|bitfield|flex
        self.records = {}
        self.consts = set()
        self.baseline = set()  # records of the includes, not the ABI's
        self.not_integer = []  # macros that are no integer constant

    def member_kind(self, rec, path):
        """Kind of member PATH of record REC (following named record
        types of members), or None if there is no such member."""
        fields = {p: (k, t) for p, k, t in self.records.get(rec, ("", []))[1]}
        if path in fields:
            return fields[path][0]
        parts = path.split(".")
        for i in range(len(parts) - 1, 0, -1):
            head = ".".join(parts[:i])
            if head in fields:
                m = re.match(r"(?:struct|union) (\w+)$", fields[head][1])
                if m:
                    return self.member_kind(m.group(1), ".".join(parts[i:]))
                return None
        return None

    def compile(self, out, src, run=False):
        cfile = os.path.join(out, f"{self.name}.c")
        with open(cfile, "w") as f:
            f.write(src)
        exe = os.path.join(out, self.name)
        cmd = [CC, "-std=gnu11", "-O0", "-w", *self.cflags, "-o", exe, cfile]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            return None, r.stderr
        if not run:
            return "", ""
        r = subprocess.run([exe], capture_output=True, text=True)
        if r.returncode:
            return None, f"{exe} exited {r.returncode}: {r.stderr}"
        return r.stdout, ""


def tu(includes, body=""):
    return "".join(f"#include {i}\n" for i in includes) + body


def clang_ast(side, out, includes):
    cfile = os.path.join(out, f"{side.name}-ast.c")
    with open(cfile, "w") as f:
        f.write(tu(includes))
    r = subprocess.run([CLANG, "-fsyntax-only", "-w", "-Xclang", "-ast-dump=json",
                        *side.cflags, cfile], capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"clang on {side.name}'s headers failed:\n{r.stderr}")
    return json.loads(r.stdout)


def walk_records(node, found):
    """Collect every named, complete record: name -> its AST node."""
    if node.get("kind") == "RecordDecl" and node.get("name") and \
            node.get("completeDefinition"):
        found.setdefault(node["name"], node)
    if node.get("kind") == "EnumConstantDecl":
        found.setdefault("enum " + node["name"], node)
    for c in node.get("inner", []):
        walk_records(c, found)


def record_fields(rec, prefix=""):
    """The member paths of a record, descending into anonymous records and
    into members whose type is defined inline (the first element of an
    array of them)."""
    fields = []
    pending = None
    for c in rec.get("inner", []):
        kind = c.get("kind")
        if kind == "RecordDecl" and not c.get("name"):
            pending = c
            continue
        if kind != "FieldDecl":
            continue
        name = c.get("name")
        qual = c.get("type", {}).get("qualType", "")
        inline = pending is not None and ("unnamed" in qual or "anonymous" in qual)
        if inline and not name:
            fields += record_fields(pending, prefix)
        elif name:
            path = prefix + name
            kind = "field"
            if c.get("isBitfield"):
                kind = "bitfield"
            elif qual.endswith("[]"):
                kind = "flex"
            fields.append((path, kind, qual))
            if inline:
                sub = path + ("[0]" if re.search(r"\]\s*$", qual) else "")
                fields += record_fields(pending, sub + ".")
        pending = None
    return fields


def macros(side, out, includes):
    """Object-like macros the includes define: name -> file."""
    cfile = os.path.join(out, f"{side.name}-dd.c")
    with open(cfile, "w") as f:
        f.write(tu(includes))
    r = subprocess.run([CC, "-E", "-dD", *side.cflags, cfile], capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"{CC} -E on {side.name}'s headers failed:\n{r.stderr}")
    found = {}
    cur = ""
    for line in r.stdout.splitlines():
        m = re.match(r'# \d+ "([^"]*)"', line)
        if m:
            cur = m.group(1)
            continue
        m = re.match(r"#define ([A-Za-z_][A-Za-z0-9_]*)(\(?)(.*)", line)
        if m and not m.group(2) and m.group(3).strip():
            found[m.group(1)] = cur
    return found


def integer_constants(side, out, names):
    """The subset of names that are integer constant expressions."""
    names = sorted(names)
    for _ in range(5):
        body = "".join(f"static const unsigned long long abi_c_{i} = "
                       f"(unsigned long long)({n});\n" for i, n in enumerate(names))
        body += "int main(void) { return 0; }\n"
        res, err = side.compile(out, tu(side.includes, body))
        if res is not None:
            return set(names)
        bad = set()
        # the error is reported in the header; the line of the probe
        # is in the notes of the expansion
        for m in re.finditer(re.escape(side.name) + r"\.c:(\d+):\d+: ", err):
            line = int(m.group(1)) - len(side.includes) - 1
            if 0 <= line < len(names):
                bad.add(names[line])
        if not bad:
            raise SystemExit(f"cannot classify {side.name}'s constants:\n{err[:3000]}")
        names = [n for n in names if n not in bad]
    raise SystemExit(f"cannot classify {side.name}'s constants")


def enumerate_side(side, out, baseline_includes):
    ast = clang_ast(side, out, side.includes)
    base = clang_ast(side, out, baseline_includes)
    found, basefound = {}, {}
    walk_records(ast, found)
    walk_records(base, basefound)
    for name, node in found.items():
        if name in basefound:
            continue
        if name.startswith("enum "):
            side.consts.add(name[5:])
        else:
            side.records[name] = (node.get("tagUsed", "struct"), record_fields(node))
    for name, node in basefound.items():
        if not name.startswith("enum "):
            side.records.setdefault(name, (node.get("tagUsed", "struct"), record_fields(node)))
            side.baseline.add(name)
    mac = macros(side, out, side.includes)
    basemac = macros(side, out, baseline_includes)
    cands = {n for n, f in mac.items() if n not in basemac and
             any(f.endswith(h) for h in side.headers)}
    ints = integer_constants(side, out, cands)
    side.consts |= ints
    side.not_integer = sorted(cands - ints)


def values_program(side, records, consts, bits=()):
    """C source printing, for records: "S name size" and per member
    "F key bit-offset bit-width" (flexible arrays: "F key bit-offset
    []element-size"); for constants "C name value"; for bitfields named
    by constants (bits): "F key bit-offset bit-width"."""
    lines = ["#include <stdio.h>", "#include <string.h>", "#include <stddef.h>"]
    lines += [f"#include {i}" for i in side.includes]
    lines.append("static void bits(const char *n, const unsigned char *p, size_t sz)")
    lines.append("{ size_t i; int first = -1, w = 0;")
    lines.append("  for (i = 0; i < sz * 8; i++)")
    lines.append("    if (p[i / 8] & (1u << (i % 8))) { if (first < 0) first = i; w++; }")
    lines.append('  printf("F %s %d %d\\n", n, first, w); }')
    lines.append("int main(void) {")

    def member(t, key, path, kind):
        if kind == "bitfield":
            return (f"{{ union {{ {t} v; unsigned char b[sizeof({t})]; }} u; "
                    f"memset(&u, 0, sizeof(u)); u.v.{path} = -1; "
                    f'bits("{key}", u.b, sizeof(u)); }}')
        if kind == "flex":
            return (f'printf("F %s %zu []%zu\\n", "{key}", 8 * offsetof({t}, {path}), '
                    f"sizeof((({t} *)0)->{path}[0]));")
        return (f'printf("F %s %zu %zu\\n", "{key}", 8 * offsetof({t}, {path}), '
                f"8 * sizeof((({t} *)0)->{path}));")

    for (tag, name), key_name, fields in records:
        t = f"{tag} {name}"
        lines.append(f'printf("S %s %zu\\n", "{key_name}", sizeof({t}));')
        for key, path, kind in fields:
            lines.append(member(t, key, path, kind))
    for key, (tag, name), path, kind in bits:
        lines.append(member(f"{tag} {name}", key, path, kind))
    for key, expr in consts:
        lines.append(f'printf("C %s %#llx\\n", "{key}", (unsigned long long)({expr}));')
    lines.append("return 0; }")
    return "\n".join(lines) + "\n"


def parse_values(text):
    """-> {(kind, key): [values...]} (a key printed twice: both kept)"""
    vals = {}
    for line in text.splitlines():
        kind, key, *rest = line.split()
        vals.setdefault((kind, key), []).append(tuple(rest))
    return vals


def merge_bits(parts):
    """Several mainline members standing for one of ours: they must be
    adjacent; -> (start, width) as strings, or None."""
    if len(parts) == 1:
        return parts[0]
    try:
        spans = sorted((int(a), int(b)) for a, b in parts)
    except ValueError:
        return None
    start, end = spans[0][0], spans[0][0]
    for a, b in spans:
        if a != end:
            return None
        end = a + b
    return (str(start), str(end - start))


class Map:
    """testvm/abi-mainline.map, one entry a line:
        const  OURS  MAINLINE|-  REASON    constant renamed / ours only
        struct OURS  MAINLINE|-  REASON    record renamed / ours only
        field  REC.PATH  MPATH[+MPATH...]|-  REASON
                                           member renamed (paths inside
                                           mainline's record; several
                                           adjacent members joined by +)
        bit    OURS  MREC.MPATH[>>N]  REASON
                                           our mask constant is mainline's
                                           bitfield (bit offset minus N)
        shift  OURS  MREC.MPATH[>>N]  REASON
                                           our shift constant is the bit
                                           offset of mainline's bitfield
    OURS may hold shell wildcards when MAINLINE is "-"."""

    KINDS = ("const", "struct", "field", "bit", "shift")

    def __init__(self, path):
        self.rename = {k: {} for k in self.KINDS}
        self.only = {k: [] for k in self.KINDS}
        self.used = set()
        self.errors = []
        with open(path) as f:
            for no, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                parts = line.split(None, 3)
                if len(parts) < 4 or parts[0] not in self.KINDS:
                    self.errors.append(f"map line {no}: want 'KIND OURS MAINLINE|- REASON'")
                    continue
                kind, ours, theirs, reason = parts
                if len(reason.split()) < 3:
                    self.errors.append(f"map line {no}: {ours}: the reason is missing or too short")
                entry = (kind, ours, no)
                if theirs == "-":
                    self.only[kind].append((ours, entry))
                elif kind in ("bit", "shift"):
                    self.rename["bit"][ours] = ((kind, theirs), entry)
                elif ours in self.rename[kind]:
                    self.errors.append(f"map line {no}: {kind} {ours} listed twice")
                else:
                    self.rename[kind][ours] = (theirs, entry)

    def lookup(self, kind, ours, mainline_has=False):
        """Mainline's name for ours; None if ours only; ours if unlisted.
        A name mainline has is compared even when a wildcard lists it as
        ours only; listed by its exact name, that is an error."""
        if ours in self.rename[kind]:
            theirs, entry = self.rename[kind][ours]
            self.used.add(entry)
            return theirs
        for pattern, entry in self.only[kind]:
            if fnmatch.fnmatchcase(ours, pattern):
                self.used.add(entry)
                if not mainline_has:
                    return None
                if pattern == ours:
                    self.errors.append(f"map line {entry[2]}: {kind} {ours} is listed as "
                                       "ours only, but mainline has it")
        return ours

    def unused(self):
        out = []
        for kind in self.KINDS:
            for ours, (theirs, entry) in self.rename[kind].items():
                if entry not in self.used:
                    out.append(f"map line {entry[2]}: {entry[0]} {ours} matches nothing")
            for pattern, entry in self.only[kind]:
                if entry not in self.used:
                    out.append(f"map line {entry[2]}: {kind} {pattern} (ours only) matches nothing")
        return out


def allow_lists_mainline(path):
    text = open(path).read()

    def array(name):
        m = re.search(r"\b" + name + r"\[\]\s*=\s*\{(.*?)\};", text, re.S)
        if not m:
            raise SystemExit(f"{path}: no array {name}[]")
        return set(re.findall(r"HVCALL_\w+", m.group(1)))

    def async_calls():
        m = re.search(r"mshv_hvcall_is_async\(u16 code\)\s*\{(.*?)\n\}", text, re.S)
        if not m:
            raise SystemExit(f"{path}: no mshv_hvcall_is_async()")
        return set(re.findall(r"case (HVCALL_\w+):", m.group(1)))

    part = array("mshv_passthru_hvcalls")
    self_ = array("mshv_self_passthru_hvcalls")
    return {"self": self_, "partition": part, "vp": part - async_calls()}


def allow_lists_ours(path):
    """Our mshv_hvcall_allowed(): each group of case labels ends with a
    return whose expression says which fd kinds the group is for."""
    text = open(path).read()
    m = re.search(r"static bool mshv_hvcall_allowed\([^)]*\)\s*\{(.*?)\n\}", text, re.S)
    if not m:
        raise SystemExit(f"{path}: no mshv_hvcall_allowed()")
    targets = {
        "true": {"self", "partition", "vp"},
        "target == MSHV_HVCALL_PARTITION": {"partition"},
        "target != MSHV_HVCALL_SELF": {"partition", "vp"},
    }
    lists = {"self": set(), "partition": set(), "vp": set()}
    group = []
    for tok in re.finditer(r"case (HVCALL_\w+):|return ([^;]*);|default:", m.group(1)):
        if tok.group(1):
            group.append(tok.group(1))
        elif tok.group(2) is not None:
            expr = " ".join(tok.group(2).split())
            if expr == "false":
                group = []
                continue
            if expr not in targets:
                raise SystemExit(f"{path}: mshv_hvcall_allowed(): unknown 'return {expr};'")
            for t in targets[expr]:
                lists[t] |= set(group)
            group = []
    return lists


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--mainline-env", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--map", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "abi-mainline.map"))
    args = ap.parse_args()
    src = os.path.abspath(args.src)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    env = {}
    for line in open(args.mainline_env):
        k, _, v = line.strip().partition("=")
        env[k] = v
    minc = env["MAINLINE_INC"]
    version = env["MAINLINE_VERSION"]
    for k, v in SHIM.items():
        os.makedirs(os.path.join(out, "shim", os.path.dirname(k)), exist_ok=True)
        with open(os.path.join(out, "shim", k), "w") as f:
            f.write(v)

    ours = Side("ours", ["<linux/ioctl.h>", '"hvabi.h"', '"uapi/linux/mshv.h"'],
                [f"-I{src}"], ["/hvabi.h", "/uapi/linux/mshv.h"])
    theirs = Side("mainline", ["<linux/ioctl.h>", "<linux/mshv.h>", "<hyperv/hvhdk.h>"],
                  [f"-I{out}/shim", f"-I{src}/hvsim/user", f"-I{minc}", f"-I{minc}/uapi"],
                  ["/include/uapi/linux/mshv.h", "/include/hyperv/hvgdk_mini.h",
                   "/include/hyperv/hvgdk.h", "/include/hyperv/hvgdk_ext.h",
                   "/include/hyperv/hvhdk_mini.h", "/include/hyperv/hvhdk.h"])
    # What the ABI headers include, without them: subtracted
    base_ours = ["<linux/ioctl.h>", "<linux/const.h>", "<linux/types.h>", "<assert.h>",
                 "<stddef.h>", "<asm/processor-flags.h>"]
    base_theirs = ["<linux/ioctl.h>", "<linux/types.h>", "<linux/stddef.h>", "<linux/bits.h>",
                   "<linux/build_bug.h>"]
    enumerate_side(ours, out, base_ours)
    enumerate_side(theirs, out, base_theirs)

    amap = Map(args.map)
    diffs = []

    # Pair the records and their members
    rec_o, rec_t = [], []  # values_program arguments
    merged = {}  # our field key -> number of mainline members
    nrec = 0
    for name in sorted(set(ours.records) - ours.baseline):
        tag, fields = ours.records[name]
        mname = amap.lookup("struct", name, name in theirs.records and
                            name not in theirs.baseline)
        if mname is None:
            continue
        if mname not in theirs.records or mname in theirs.baseline:
            diffs.append(f"struct {name}: mainline has no struct or union {mname} (not in the map)")
            continue
        nrec += 1
        mtag = theirs.records[mname][0]
        fo, ft = [], []
        for path, kind, _ in fields:
            key = f"{name}.{path}"
            mpaths = amap.lookup("field", key, theirs.member_kind(mname, path) is not None)
            if mpaths is None:
                continue
            mpaths = [path] if mpaths == key else mpaths.split("+")
            ok = True
            for mp in mpaths:
                mk = theirs.member_kind(mname, mp)
                if mk is None:
                    diffs.append(f"field {key}: mainline's {mtag} {mname} has no member "
                                 f"{mp} (not in the map)")
                    ok = False
                else:
                    ft.append((key, mp, mk))
            if ok:
                fo.append((key, path, kind))
                merged[key] = len(mpaths)
        rec_o.append(((tag, name), name, fo))
        rec_t.append(((mtag, mname), name, ft))
    consts_o, consts_t, bits_t = [], [], []
    bitkind = {}
    for name in sorted(ours.consts):
        mname = amap.lookup("bit", name)
        if mname != name and mname is not None:
            kind, spec = mname
            target, _, shift = spec.partition(">>")
            mrec, _, mpath = target.partition(".")
            mk = theirs.member_kind(mrec, mpath)
            if mk is None or mrec in theirs.baseline:
                diffs.append(f"{kind} {name}: mainline has no {target}")
                continue
            consts_o.append((name, name))
            bits_t.append((name, (theirs.records[mrec][0], mrec), mpath, mk))
            bitkind[name] = (kind, int(shift or 0), target)
            continue
        if mname is None:
            continue
        mname = amap.lookup("const", name, name in theirs.consts)
        if mname is None:
            continue
        if mname not in theirs.consts:
            diffs.append(f"const {name}: mainline has no {mname} (not in the map)")
            continue
        consts_o.append((name, name))
        consts_t.append((name, mname))
    diffs += amap.errors + amap.unused()

    res_o, err = ours.compile(out, values_program(ours, rec_o, consts_o), run=True)
    if res_o is None:
        raise SystemExit(f"our values program failed:\n{err[:3000]}")
    res_t, err = theirs.compile(out, values_program(theirs, rec_t, consts_t, bits_t), run=True)
    if res_t is None:
        raise SystemExit(f"mainline's values program failed:\n{err[:3000]}")
    vo, vt = parse_values(res_o), parse_values(res_t)
    for (kind, key), a in sorted(vo.items()):
        a = a[0]
        if kind == "S":
            b = vt.get(("S", key), [("?",)])[0]
            if a != b:
                diffs.append(f"struct {key}: size ours {a[0]}, mainline {b[0]}")
        elif kind == "F":
            parts = vt.get(("F", key), [])
            b = merge_bits(parts) if len(parts) == merged.get(key) else None
            if a != b:
                theirs_s = "not adjacent" if b is None else f"bits {b[0]}+{b[1]}"
                diffs.append(f"field {key}: ours bits {a[0]}+{a[1]}, mainline {theirs_s}")
        elif kind == "C" and key in bitkind:
            bkind, shift, target = bitkind[key]
            v = int(a[0], 16)
            start, width = (int(x) for x in vt[("F", key)][0])
            want = start - shift if bkind == "shift" else ((1 << width) - 1) << (start - shift)
            if v != want:
                diffs.append(f"{bkind} {key}: ours {v:#x}, mainline's {target} gives {want:#x}")
        elif kind == "C":
            b = vt.get(("C", key), [("?",)])[0]
            if a != b:
                diffs.append(f"const {key}: ours {a[0]}, mainline {b[0]}")
    ndiff_abi = len(diffs)
    nconst = len(consts_o)
    print(f"our macros that are no integer constant (not compared): "
          f"{' '.join(ours.not_integer) or 'none'}")
    print(f"ours only (abi-mainline.map): "
          f"{len(set(ours.records) - ours.baseline) - nrec} structs, "
          f"{len(ours.consts) - nconst} constants")

    # ROOT_HVCALL allow-lists
    al_diffs = []
    lo = allow_lists_ours(os.path.join(src, "mshv_root_main.c"))
    lt = allow_lists_mainline(os.path.join(env["MAINLINE_SRC"], "drivers/hv/mshv_root_main.c"))
    fdname = {"self": "/dev/mshv", "partition": "partition fd", "vp": "VP fd"}
    for t in ("self", "partition", "vp"):
        for c in sorted(lo[t] - lt[t]):
            al_diffs.append(f"allow-list ({fdname[t]}): {c} passes ours, not mainline's")
        for c in sorted(lt[t] - lo[t]):
            al_diffs.append(f"allow-list ({fdname[t]}): {c} passes mainline's, not ours")

    for d in diffs + al_diffs:
        print(f"DIFF {d}")
    print(f"abi: {nrec} structs, {nconst} constants, {ndiff_abi} differences")
    print(f"allow-list: {len(lt['partition'])} partition, {len(lt['vp'])} vp, "
          f"{len(lt['self'])} self, {len(al_diffs)} differences")
    print(f"mainline: {version} ({env['MAINLINE_PKG']})")
    return 1 if diffs or al_diffs else 0


if __name__ == "__main__":
    sys.exit(main())
