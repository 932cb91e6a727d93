#!/usr/bin/env python3
"""Checks that the C++ of an HLS project's firmware/ is what a synthesis
tool takes: no dynamic allocation (new, delete, malloc, calloc, realloc,
free), no library containers or other std:: code, no system headers (the
types header, qcc_hls_types.h, is the one include), no recursion (every
function calls only functions defined before it, so the call graph has no
cycle), and arrays of constant sizes only.

Usage: check_synthesizable.py FIRMWARE_DIR
Prints "synthesizable: N files, M functions" or each violation (exit 1).
"""
import os
import re
import sys

FORBIDDEN = [
    (re.compile(r"\bnew\b"), "dynamic allocation (new)"),
    (re.compile(r"\bdelete\b"), "dynamic allocation (delete)"),
    (re.compile(r"\b(malloc|calloc|realloc|free|alloca)\s*\("),
     "dynamic allocation"),
    (re.compile(r"\bstd::"), "the C++ library (std::)"),
    (re.compile(r"#\s*include\s*<"), "a system header"),
    (re.compile(r"\b(goto|throw|try|catch|virtual)\b"), "unsynthesizable C++"),
    (re.compile(r"\[\s*\]"), "an array of unknown size"),
]
DEFINITION = re.compile(r"^(?:static\s+)?void\s+(\w+)\s*\(", re.M)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def main():
    firmware = sys.argv[1]
    problems = []
    files = functions = 0
    for root, _, names in os.walk(firmware):
        for name in sorted(names):
            if name == "qcc_hls_types.h" or not name.endswith((".cpp", ".h")):
                continue
            path = os.path.join(root, name)
            files += 1
            text = strip_comments(open(path).read())
            for lineno, line in enumerate(text.splitlines(), 1):
                for pattern, what in FORBIDDEN:
                    if pattern.search(line):
                        problems.append("%s:%d: %s: %s" %
                                        (path, lineno, what, line.strip()))
            # Calls only of functions defined earlier: no recursion.
            defined = set()
            starts = []
            for m in DEFINITION.finditer(text):
                rest = text[m.end():]
                brace, semi = rest.find("{"), rest.find(";")
                if brace >= 0 and (semi < 0 or brace < semi):
                    starts.append((m.start(), m.group(1)))
            for i, (start, fn) in enumerate(starts):
                end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
                body = text[text.index("{", start):end]
                functions += 1
                for call in re.findall(r"\b(\w+_layer\d+|qcc_model\w*)\s*\(",
                                       body):
                    if call not in defined:
                        problems.append("%s: %s calls %s, not defined before "
                                        "it (recursion?)" % (path, fn, call))
                defined.add(fn)
    if problems:
        print("\n".join(problems))
        return 1
    print("synthesizable: %d files, %d functions" % (files, functions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
