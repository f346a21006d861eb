#!/usr/bin/python3
"""advtree: tree helpers for the netcap --advanced tests.

advtree.py render WIDTH   < OUTLINE   draws an outline (two blanks of indentation per
                                      level, one node per line) as libcap-ng 0.9.5 draws
                                      its trees: box glyphs on every level, node texts
                                      wrapped at WIDTH bytes at the last ',' or blank that
                                      fits (hard cut for a long word), room at least 10,
                                      continuation blanks dropped, trailing blanks kept.
advtree.py subtree NODE... < TREE     prints the lines of the node at that path (one
                                      argument per level, node texts without colours) and
                                      of everything below it.
"""
import re
import sys

BRANCH, LAST, PIPE, BLANK = "├─ ", "└─ ", "│  ", "   "
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def blen(text):
    return len(text.encode())


def wrap(text, first, cont, width):
    lines, prefix, is_first = [], first, True
    while True:
        if not is_first:
            prefix = cont
            text = text.lstrip(" ")
        room = max(width - blen(prefix), 10)
        cut = len(text)
        if blen(text) > room:
            cut = room
            for j in range(room, 0, -1):
                if text[j - 1] in ", ":
                    cut = j
                    break
        lines.append(prefix + text[:cut])
        text = text[cut:]
        is_first = False
        if not text.strip(" "):
            return lines


def render(width):
    nodes = []  # (depth, text)
    for line in sys.stdin.read().splitlines():
        if not line.strip():
            continue
        stripped = line.lstrip(" ")
        nodes.append(((len(line) - len(stripped)) // 2, stripped))
    out = []

    def emit(i, prefix):
        """Draws the children of node i-1 (those from i at its depth); returns the next index."""
        depth = nodes[i][0]
        while i < len(nodes) and nodes[i][0] == depth:
            j = i + 1
            while j < len(nodes) and nodes[j][0] > depth:
                j += 1
            last = j >= len(nodes) or nodes[j][0] < depth
            first = prefix + (LAST if last else BRANCH)
            cont = prefix + (BLANK if last else PIPE)
            out.extend(wrap(nodes[i][1], first, cont, width))
            if i + 1 < j:
                emit(i + 1, cont)
            i = j
        return i

    if nodes:
        emit(0, "")
    for line in out:
        print(line)


def subtree(path):
    stack, out, inside = [], [], False
    for raw in sys.stdin.read().split("\n"):
        line = ANSI.sub("", raw)
        depth, i = 0, 0
        while line[i:i + 3] in (PIPE, BLANK):
            i += 3
            depth += 1
        if line[i:i + 3] in (BRANCH, LAST):
            if inside and depth < len(path):
                break
            del stack[depth:]
            stack.append(line[i + 3:])
            if not inside and stack == path:
                inside = True
        if inside:
            out.append(raw)
    print("\n".join(out))


def main(argv):
    if len(argv) >= 2 and argv[0] == "render":
        render(int(argv[1]))
    elif argv and argv[0] == "subtree":
        subtree(argv[1:])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
