#!/usr/bin/env python3
"""The layering of src/, checked: every #include "folder/file.h" points to
the same folder or one lower in LAYERS, and no two headers include each
other, however indirectly. Prints each include that points up and each
cycle, and exits 1 when there is one. Also prints the include graph of
the folders (`--graph`)."""

import os
import re
import sys

# Lowest first. main.c and cli.c sit at the top, in src/ itself.
LAYERS = ["base", "decode", "protocol", "core", "sinks", "lua", "pipeline", "ops", ""]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_of(path):
    parts = path.split("/")
    return parts[0] if len(parts) > 1 else ""


def main():
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    src = os.path.normpath(src)
    files = {}
    for root, _, names in os.walk(src):
        for name in names:
            if name.endswith((".c", ".h")):
                rel = os.path.relpath(os.path.join(root, name), src)
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    files[rel] = INCLUDE.findall(f.read())
    problems = []
    edges = {}
    for rel, includes in sorted(files.items()):
        mine = folder_of(rel)
        if mine not in LAYERS:
            problems.append(f"{rel}: folder {mine!r} is not a layer of tests/layers.py")
            continue
        for inc in includes:
            if inc not in files:
                continue  # generated (walhook_test_lua.h) or a system header
            theirs = folder_of(inc)
            edges.setdefault(mine, set()).add(theirs)
            if theirs not in LAYERS:
                problems.append(f"{rel}: includes {inc}, in no layer")
            elif LAYERS.index(theirs) > LAYERS.index(mine):
                problems.append(f"{rel} ({mine or 'top'}) includes {inc}, a layer above it")
    # Cycles between files: a depth-first walk over the include graph.
    state = {}

    def walk(node, stack):
        state[node] = "open"
        for nxt in files.get(node, []):
            if nxt not in files:
                continue
            if state.get(nxt) == "open":
                cycle = stack[stack.index(nxt):] + [nxt] if nxt in stack else [node, nxt]
                problems.append("include cycle: " + " -> ".join(cycle))
            elif nxt not in state:
                walk(nxt, stack + [nxt])
        state[node] = "done"

    for rel in sorted(files):
        if rel not in state:
            walk(rel, [rel])
    if "--graph" in sys.argv:
        for layer in LAYERS:
            below = sorted(edges.get(layer, set()) - {layer}, key=LAYERS.index)
            print(f"{layer or '(top)'}: {', '.join(b or '(top)' for b in below) or '-'}")
    for p in problems:
        print(p)
    print(f"{len(files)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
