#!/usr/bin/env python3
"""Turns a Lua source file into a C header holding it as a string, so the
binary carries its Lua half and works from any directory.

    embed.py INPUT.lua OUTPUT.h NAME
"""
import sys

src, out, name = sys.argv[1:4]
data = open(src, "rb").read()
with open(out, "w") as f:
    f.write(f"/* Generated from {src.split('/')[-1]} by lua/embed.py. */\n")
    f.write(f"static const char {name}[] = {{\n")
    for i in range(0, len(data), 16):
        f.write("\t" + ", ".join(str(b) for b in data[i:i + 16]) + ",\n")
    f.write("};\n")
