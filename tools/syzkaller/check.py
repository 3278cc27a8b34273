#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check tools/syzkaller/mshv.txt against this repository's headers.

  check.py [--update]

* every ioctl defined in uapi/linux/mshv.h has at least one ioctl$ line;
* every constant the description names (const[], flags lists, ranges,
  array sizes) exists in uapi/linux/mshv.h, hvabi.h or <fcntl.h>, and
  mshv.txt.const holds exactly their values (the values syzkaller uses
  without running syz-extract); --update rewrites mshv.txt.const;
* every struct of the description whose name is a C structure has the size
  of that structure (syzlang layout rules: natural alignment unless
  [packed], variable-length arrays count 0 bytes).

Prints "syzkaller description: <i> ioctls, <c> constants, <s> structs,
0 differences" and exits 0, or lists the differences and exits 1.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DESC = os.path.join(HERE, "mshv.txt")
CONST = os.path.join(HERE, "mshv.txt.const")

INT_SIZES = {"int8": 1, "int16": 2, "int32": 4, "int64": 8}
# syzkaller type names and syntax words that look like constants
NOT_CONSTS = {"AT_FDCWD"}


def strip_comments(text):
    return "\n".join(ln.split("#", 1)[0] for ln in text.splitlines())


def parse(text):
    """Return (ioctl cmd consts, all consts, flag sets, structs)."""
    body = strip_comments(text)
    cmds = set(re.findall(r"^ioctl\$\w+\(.*?cmd const\[(\w+)\]", body, re.M))
    flags = {}
    for name, vals in re.findall(r"^(\w+)\s*=\s*(.+)$", body, re.M):
        flags[name] = [v.strip() for v in vals.split(",")]
    structs = {}
    for m in re.finditer(r"^(\w+)\s*([{\[])\n(.*?)^([}\]])\s*(\[[^\]]*\])?", body,
                         re.M | re.S):
        fields = []
        for ln in m.group(3).splitlines():
            parts = ln.split(None, 1)
            if len(parts) == 2:
                fields.append((parts[0], parts[1].strip()))
        structs[m.group(1)] = {
            "union": m.group(2) == "[",
            "packed": "packed" in (m.group(5) or ""),
            "varlen": "varlen" in (m.group(5) or ""),
            "fields": fields,
        }
    consts = set(re.findall(r"\b([A-Z][A-Z0-9_]{2,})\b", body)) - NOT_CONSTS
    return cmds, consts, flags, structs


def split_args(s):
    """Split "a, b[c, d], e" at top-level commas."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        depth += ch == "["
        depth -= ch == "]"
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def type_layout(t, structs, values):
    """(size, align) of a syzlang type; size 0 for variable length."""
    m = re.match(r"^(\w+)(?:\[(.*)\])?$", t)
    name, args = m.group(1), split_args(m.group(2) or "")
    if name in INT_SIZES:
        return INT_SIZES[name], INT_SIZES[name]
    if name in ("const", "flags", "len", "bytesize"):
        size = INT_SIZES[args[1]] if len(args) > 1 else 8
        return size, size
    if name in ("ptr64", "vma64"):
        return 8, 8
    if name in ("fd", "fd_event") or name.startswith("fd_"):
        return 4, 4
    if name == "array":
        esize, ealign = type_layout(args[0], structs, values)
        if len(args) < 2 or ":" in args[1]:
            return 0, ealign
        n = values.get(args[1], None)
        n = int(args[1], 0) if n is None else n
        return esize * n, ealign
    if name in structs:
        return struct_layout(name, structs, values)
    raise ValueError(f"unknown type {t}")


def struct_layout(name, structs, values):
    s = structs[name]
    off, align = 0, 1
    for _, t in s["fields"]:
        size, a = type_layout(t, structs, values)
        if s["packed"]:
            a = 1
        align = max(align, a)
        if s["union"]:
            off = max(off, size)
        else:
            off = (off + a - 1) // a * a + size
    if not s["packed"]:
        off = (off + align - 1) // align * align
    return off, align


def c_values(consts, structs):
    """Compile a program printing each constant and struct size."""
    lines = ["#include <stdio.h>", "#include <fcntl.h>", "#include <sys/ioctl.h>",
             "#include <linux/mshv.h>", '#include "hvabi.h"',
             "int main(void)", "{"]
    for c in sorted(consts):
        lines.append(f'\tprintf("const {c} %llu\\n", (unsigned long long)({c}));')
    for s in sorted(structs):
        lines.append(f'\tprintf("size {s} %zu\\n", sizeof(struct {s}));')
    lines += ["\treturn 0;", "}"]
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "v.c")
        exe = os.path.join(d, "v")
        with open(src, "w") as f:
            f.write("\n".join(lines) + "\n")
        r = subprocess.run(["cc", "-w", "-I", os.path.join(REPO, "uapi"), "-I", REPO,
                            "-o", exe, src], capture_output=True, text=True)
        if r.returncode:
            print(r.stderr, file=sys.stderr)
            sys.exit("check.py: a constant or structure of mshv.txt is not in the headers")
        out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
    values, sizes = {}, {}
    for ln in out.splitlines():
        kind, name, val = ln.split()
        (values if kind == "const" else sizes)[name] = int(val)
    return values, sizes


def c_struct_names(structs):
    """Structs of the description that are C structures of the headers."""
    hdrs = ""
    for h in (os.path.join(REPO, "uapi/linux/mshv.h"), os.path.join(REPO, "hvabi.h")):
        with open(h) as f:
            hdrs += f.read()
    return {s for s, v in structs.items()
            if not v["union"] and re.search(rf"\bstruct {s}\s*{{", hdrs)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    with open(DESC) as f:
        text = f.read()
    cmds, consts, flags, structs = parse(text)
    diffs = []

    with open(os.path.join(REPO, "uapi/linux/mshv.h")) as f:
        uapi = f.read()
    ioctls = set(re.findall(r"^#define\s+(MSHV_\w+)\s+_IO[RW]*\(", uapi, re.M))
    for i in sorted(ioctls - cmds):
        diffs.append(f"ioctl {i} of uapi/linux/mshv.h has no ioctl$ line")
    for i in sorted(cmds - ioctls):
        diffs.append(f"ioctl$ line for {i}, which uapi/linux/mshv.h does not define")

    cstructs = c_struct_names(structs)
    values, sizes = c_values(consts, cstructs)
    for s in sorted(cstructs):
        mine = struct_layout(s, structs, values)[0]
        if mine != sizes[s]:
            diffs.append(f"struct {s}: {mine} bytes in mshv.txt, {sizes[s]} in the headers")

    want = "arches = amd64\n" + "".join(f"{c} = {values[c]}\n" for c in sorted(values))
    if args.update:
        with open(CONST, "w") as f:
            f.write(want)
    try:
        with open(CONST) as f:
            have = f.read()
    except OSError:
        have = ""
    if have != want:
        hv = dict(ln.split(" = ") for ln in have.splitlines() if " = " in ln)
        for c in sorted(values):
            if hv.get(c) != str(values[c]):
                diffs.append(f"const {c}: {hv.get(c, 'missing')} in mshv.txt.const, "
                             f"{values[c]} in the headers")
        for c in sorted(set(hv) - set(values) - {"arches"}):
            diffs.append(f"const {c} in mshv.txt.const is not used by mshv.txt")

    for d in diffs:
        print("DIFF " + d)
    print(f"syzkaller description: {len(cmds)} ioctls, {len(values)} constants, "
          f"{len(cstructs)} structs, {len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
