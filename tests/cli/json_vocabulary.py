"""json_vocabulary.py MANPAGE DOCUMENT...: checks JSON documents against capinspect-json(5).

The page is the schema: its KEYS section has one ".TP" / ".BR key " (type)"" per key.
Every key of every document must be there, every value (unless null) of its type, and
every document must start with schema_version 2. Prints one line per problem; exits 1 if
there is any.
"""
import json
import re
import sys


def vocabulary(page):
    lines = open(page).read().split("\n")
    keys, on = {}, False
    for i, line in enumerate(lines):
        if line.startswith(".SH"):
            on = line == ".SH KEYS"
        m = re.match(r'^\.BR (\S+) " \(([a-z ]+)\)"$', line)
        if on and m and lines[i - 1] == ".TP":
            keys[m.group(1).replace("\\-", "-")] = m.group(2)
    assert len(keys) > 50, keys
    return keys


def is_names(v):
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


TYPES = {
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "name": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "capabilities": is_names,
    "strings": is_names,
    "numbers": lambda v: isinstance(v, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in v),
    "id map": lambda v: isinstance(v, list) and all(isinstance(x, dict) and list(x) == ["inside", "outside", "count"] for x in v),
    "object": lambda v: isinstance(v, dict),
    "objects": lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v),
}


def check(vocab, files):
    errors = []

    def walk(o, path):
        if isinstance(o, dict):
            for k, v in o.items():
                if k not in vocab:
                    errors.append(f"{path}.{k}: not in capinspect-json(5)")
                elif v is not None and not TYPES[vocab[k]](v):
                    errors.append(f"{path}.{k}: {json.dumps(v)[:80]} is not of type {vocab[k]}")
                walk(v, f"{path}.{k}")
        elif isinstance(o, list):
            for x in o:
                walk(x, path + "[]")

    for f in files:
        doc = json.load(open(f))
        if not isinstance(doc, dict) or list(doc)[:1] != ["schema_version"] or doc["schema_version"] != 2:
            errors.append(f"{f}: schema_version 2 is not its first key")
        walk(doc, f)
    return errors


if __name__ == "__main__":
    problems = check(vocabulary(sys.argv[1]), sys.argv[2:])
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)
