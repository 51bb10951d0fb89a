#!/usr/bin/env python3
"""Checks Package.swift (repository root) against the files it names, as far as a machine without
Swift can:
  1. every source target's path is a folder holding Swift files, and together they hold every
     generated Swift file under bindings/swift/Sources;
  2. the binary target's path is where scripts/build-xcframework.sh writes the xcframework;
  3. every target a product or a dependency names is declared;
  4. every C module the Swift sources import is declared in bindings/swift/include/module.modulemap,
     the map the xcframework carries, and every header that map names exists.
Usage: python3 bindings/swift/check-package.py (from anywhere)."""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "Package.swift"
XCFRAMEWORK_SCRIPT = ROOT / "scripts" / "build-xcframework.sh"
INCLUDE = ROOT / "bindings" / "swift" / "include"


def main():
    text = PACKAGE.read_text()
    # Drop // comments so that a path named only in a comment does not count.
    code = "\n".join(line.split("//", 1)[0] for line in text.splitlines())
    errors = []

    sources = re.findall(r'\.target\(\s*name:\s*"([^"]+)"(.*?)\)\s*,?\s*(?=\.|\])', code, re.S)
    binaries = re.findall(r'\.binaryTarget\(\s*name:\s*"([^"]+)"\s*,\s*path:\s*"([^"]+)"', code)
    declared = {name for name, _ in sources} | {name for name, _ in binaries}
    if not sources:
        errors.append("no .target(name:…) found")
    if not binaries:
        errors.append("no .binaryTarget(name:path:) found")

    covered = set()
    for name, rest in sources:
        m = re.search(r'path:\s*"([^"]+)"', rest)
        if not m:
            errors.append(f"target {name} has no path: (SwiftPM would look in Sources/{name})")
            continue
        folder = ROOT / m.group(1)
        swift = sorted(folder.glob("*.swift")) if folder.is_dir() else []
        if not swift:
            errors.append(f"target {name}: {m.group(1)} is not a folder with .swift files")
        covered.update(swift)
        for dep in re.findall(r'"([^"]+)"', rest.split("path:", 1)[0].split("dependencies:", 1)[-1]):
            if dep not in declared:
                errors.append(f"target {name} depends on undeclared target {dep}")
    generated = set((ROOT / "bindings" / "swift" / "Sources").rglob("*.swift"))
    for f in sorted(generated - covered):
        errors.append(f"{f.relative_to(ROOT)} is in no target")

    script = XCFRAMEWORK_SCRIPT.read_text()
    m = re.search(r"^out=(\S+)$", script, re.M)
    built = m.group(1) if m else None
    for name, path in binaries:
        if not path.endswith(".xcframework"):
            errors.append(f"binary target {name}: {path} is not an .xcframework")
        if path != built:
            errors.append(f"binary target {name}: {path} is not what scripts/build-xcframework.sh builds ({built})")

    for product, targets in re.findall(r'\.library\(\s*name:\s*"([^"]+)"\s*,\s*targets:\s*\[([^\]]*)\]', code):
        for t in re.findall(r'"([^"]+)"', targets):
            if t not in declared:
                errors.append(f"product {product} names undeclared target {t}")

    modulemap = (INCLUDE / "module.modulemap").read_text()
    modules = set(re.findall(r"^module\s+(\S+)\s*\{", modulemap, re.M))
    for header in re.findall(r'header\s+"([^"]+)"', modulemap):
        if not (INCLUDE / header).is_file():
            errors.append(f"module.modulemap names missing header {header}")
    imported = set()
    for f in covered:
        imported.update(re.findall(r"^import\s+(\w+FFI)\s*$", f.read_text(), re.M))
    if not imported:
        errors.append("the Swift sources import no FFI module")
    for mod in sorted(imported - modules):
        errors.append(f"the Swift sources import {mod}, which module.modulemap does not declare")

    if errors:
        for e in errors:
            print(f"check-package: {e}", file=sys.stderr)
        sys.exit(1)
    print(
        f"check-package: Package.swift: {len(sources)} source target(s) with {len(covered)} Swift files, "
        f"binary target {binaries[0][1]} (built by scripts/build-xcframework.sh), "
        f"C modules {', '.join(sorted(imported))} declared in module.modulemap"
    )


if __name__ == "__main__":
    main()
