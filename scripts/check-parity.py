#!/usr/bin/env python3
"""Checks docs/parity.md against what each front end really exports.

The table in docs/parity.md has one row per capability and one column per front end. A cell names
the symbols that provide the capability in `backticks`, or says `n/a: <why>`. This script fails when

  * a named symbol does not exist where the column says (C header, generated Kotlin/Swift/Python
    bindings, the Qt wrapper's header, the CLI's --help, the core's sources);
  * a cell is empty, or says n/a without a reason;
  * a public method of the core's Client, PendingMfa, Session or Config, or a public free function at
    the core's root, appears in no row (a capability added to Rust but not to the table).

Run from anywhere: python3 scripts/check-parity.py [--self-test]. Needs the release CLI built
(scripts/test-all.sh builds it first) for the CLI column.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["rust", "c", "uniffi", "qt", "cli"]


def read_all(paths):
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in paths)


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


class Sources:
    """Where each column's symbols are looked up."""

    def __init__(self, root):
        self.root = root
        core = sorted((root / "crates/core/src").rglob("*.rs"))
        self.rust = read_all(core)
        self.c = (root / "include/garmin_sso.h").read_text()
        self.python = read_all(sorted((root / "bindings/python/src").rglob("*.py")))
        self.kotlin = read_all(sorted((root / "bindings/kotlin/src").rglob("*.kt")))
        self.swift = read_all(sorted((root / "bindings/swift/Sources").rglob("*.swift")))
        self.qt = read_all(sorted((root / "examples-qt/src").glob("*.h")))
        self._cli_help = {}

    def cli_binary(self):
        target = os.environ.get("CARGO_TARGET_DIR")
        if not target:
            meta = subprocess.run(
                ["cargo", "metadata", "--format-version", "1", "--no-deps"],
                cwd=self.root, check=True, capture_output=True, text=True,
            )
            target = json.loads(meta.stdout)["target_directory"]
        return Path(target) / "release" / "garmin-sso"

    def cli_help(self, subcommand):
        if subcommand not in self._cli_help:
            out = subprocess.run(
                [str(self.cli_binary()), subcommand, "--help"],
                capture_output=True, text=True,
            )
            self._cli_help[subcommand] = out.stdout if out.returncode == 0 else None
        return self._cli_help[subcommand]

    def has(self, column, symbol):
        word = lambda text, w: re.search(r"(?<![A-Za-z0-9_])" + re.escape(w) + r"(?![A-Za-z0-9_])", text)
        if column == "rust":
            # `Type::method` or `free_function` or `Type`.
            parts = symbol.split("::")
            name = parts[-1]
            if name[:1].isupper():
                return bool(re.search(r"pub (struct|enum|trait|type) " + re.escape(name) + r"\b", self.rust))
            if len(parts) == 2 and not re.search(
                r"pub (struct|enum|trait|type) " + re.escape(parts[0]) + r"\b", self.rust
            ):
                return False
            # A function, a re-export under its public name, or a public module.
            return bool(
                re.search(r"pub fn " + re.escape(name) + r"\b", self.rust)
                or re.search(r"pub use [\w:]+ as " + re.escape(name) + r";", self.rust)
                or re.search(r"pub mod " + re.escape(name) + r"\b", self.rust)
            )
        if column == "c":
            return bool(word(self.c, symbol))
        if column == "uniffi":
            # snake_case as in Rust and Python; Kotlin and Swift use camelCase of the same name.
            if symbol[:1].isupper():
                return all(word(t, symbol) for t in (self.python, self.kotlin, self.swift))
            c = camel(symbol)
            return bool(
                re.search(r"def " + re.escape(symbol) + r"\(", self.python)
                and re.search(r"fun `?" + re.escape(c) + r"`?\(", self.kotlin)
                and re.search(r"func " + re.escape(c) + r"\(", self.swift)
            )
        if column == "qt":
            return bool(word(self.qt, symbol))
        if column == "cli":
            # `subcommand` or `subcommand --flag`
            sub, *flags = symbol.split()
            text = self.cli_help(sub)
            return text is not None and all(word(text, f) for f in flags)
        raise ValueError(column)


def parse_table(text):
    rows = []
    for line in text.splitlines():
        if not line.startswith("|") or set(line.replace("|", "").strip()) <= set("-: "):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0].lower() == "capability":
            continue
        if len(cells) != 1 + len(COLUMNS):
            raise SystemExit(f"parity: row has {len(cells)} cells, want {1 + len(COLUMNS)}: {line}")
        rows.append((cells[0], dict(zip(COLUMNS, cells[1:]))))
    return rows


def core_public_api(rust):
    """`Type::method` for the pub methods of the core's main handles, and pub free functions."""
    wanted = {"Client", "PendingMfa", "Session", "Config"}
    found = set()
    for m in re.finditer(r"^impl (\w+) \{(.*?)^\}", rust, re.S | re.M):
        if m.group(1) in wanted:
            for f in re.finditer(r"^    pub fn (\w+)", m.group(2), re.M):
                found.add(f"{m.group(1)}::{f.group(1)}")
    return found


def check(text, src):
    problems = []
    rows = parse_table(text)
    if not rows:
        problems.append("no table rows found")
    listed = set()
    for cap, cells in rows:
        for col in COLUMNS:
            cell = cells[col]
            symbols = re.findall(r"`([^`]+)`", cell)
            if not symbols:
                if not re.match(r"n/a: \S", cell):
                    problems.append(f"{cap} / {col}: neither symbols nor 'n/a: <why>': {cell!r}")
                continue
            for s in symbols:
                if col == "rust":
                    listed.add(s)
                if not src.has(col, s):
                    problems.append(f"{cap} / {col}: `{s}` not found")
    for api in sorted(core_public_api(src.rust)):
        if api not in listed:
            problems.append(f"core's `{api}` is in no row of the table")
    return problems


def self_test(src):
    """The checker must fail on a missing symbol, a bare n/a and an unlisted core method."""
    bad = "\n".join([
        "| capability | rust | c | uniffi | qt | cli |",
        "|---|---|---|---|---|---|",
        "| x | `Client::login` | `garmin_sso_no_such_function` | n/a | `login` | `login` |",
    ])
    problems = check(bad, src)
    assert any("garmin_sso_no_such_function" in p for p in problems), problems
    assert any("'n/a: <why>'" in p for p in problems), problems
    assert any("Session::refresh" in p for p in problems), problems
    print("parity self-test: the checker catches what it must")


def main():
    src = Sources(ROOT)
    if "--self-test" in sys.argv:
        self_test(src)
        return
    self_test(src)
    problems = check((ROOT / "docs/parity.md").read_text(), src)
    if problems:
        print("docs/parity.md does not match the front ends:", file=sys.stderr)
        for p in problems:
            print("  - " + p, file=sys.stderr)
        sys.exit(1)
    print(f"parity: {len(parse_table((ROOT / 'docs/parity.md').read_text()))} capabilities, every front end checked")


if __name__ == "__main__":
    main()
