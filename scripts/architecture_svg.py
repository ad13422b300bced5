"""Draw docs/architecture.svg from the real import graph: the four layers and fundmgr.lib, and how
many imports run between them.

    .venv/bin/python scripts/architecture_svg.py [--output docs/architecture.svg]

grimp (installed with import-linter) reads the sources statically: nothing is imported, no
database or network is needed, and the same sources always give the same file. An arrow A -> B
means modules of A import modules of B; its number counts the (importing module, imported module)
pairs. The layers run one way (pyproject.toml [tool.importlinter]), so every arrow points down or
to fundmgr.lib; an import against that direction is reported instead of drawn.
"""

import argparse
import sys
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

import grimp

ROOT = Path(__file__).resolve().parent.parent
LIB = "fundmgr.lib"
LAYERS = ["fundmgr", "indicators", "projects", "units"]  # top to bottom: each may import the ones below it
ROLES = {
    "fundmgr": ["the site: settings, URLs, dashboards, exports,", "workbook, review, JSON summary, history, demo"],
    "indicators": ["indicators and their results,", "the scoring rules and their one selector"],
    "projects": ["the ledger: items, lines, expenditures, approvals,", "closing, rollups, availability, budget arithmetic"],
    "units": ["departments, years, units, roles,", "the access rule and the lock order"],
    LIB: ["small helpers every", "layer may import:", "money, env, cells,", "logs, validators, ...", "", "imports none of", "the layers"],
}

WIDTH, HEIGHT = 900, 650
BOX_LEFT, BOX_WIDTH, BOX_HEIGHT, BOX_TOP, BOX_STEP = 250, 340, 84, 76, 130
LIB_LEFT, LIB_WIDTH = 700, 170
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"


def group_of(module: str) -> str:
    return LIB if module == LIB or module.startswith(LIB + ".") else module.split(".")[0]


def import_counts() -> tuple[Counter, Counter]:
    """Modules per group, and imports per (importing group, imported group)."""
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*LAYERS, cache_dir=None)
    modules, imports = Counter(), Counter()
    for module in sorted(graph.modules):
        modules[group_of(module)] += 1
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            source, target = group_of(module), group_of(imported)
            if source != target:
                imports[source, target] += 1
    return modules, imports


def against_the_layers(imports: Counter) -> list[str]:
    rank = {layer: position for position, layer in enumerate(LAYERS)}
    return sorted(
        f"{source} -> {target} ({count})"
        for (source, target), count in imports.items()
        if source == LIB or (target != LIB and rank[target] < rank[source])
    )


def text(x: float, y: float, content: str, *, size: int = 12, weight: str = "normal", anchor: str = "middle", fill: str = "#222") -> str:
    return (
        f'<text x="{x:g}" y="{y:g}" font-size="{size}" font-weight="{weight}" text-anchor="{anchor}" '
        f'fill="{fill}">{escape(content)}</text>'
    )


def box(left: float, top: float, width: float, height: float, name: str, modules: int, fill: str) -> list[str]:
    parts = [
        f'<rect x="{left}" y="{top}" width="{width}" height="{height}" rx="8" fill="{fill}" stroke="#445" stroke-width="1.5"/>',
        text(left + width / 2, top + 22, name, size=16, weight="bold"),
        text(left + width / 2, top + 38, f"{modules} modules", size=11, fill="#555"),
    ]
    parts += [text(left + width / 2, top + 56 + 15 * line, words) for line, words in enumerate(ROLES[name])]
    return parts


def arrow(path: str, label_x: float, label_y: float, count: int) -> list[str]:
    return [
        f'<path d="{path}" fill="none" stroke="#335" stroke-width="1.6" marker-end="url(#head)"/>',
        f'<rect x="{label_x - 15:g}" y="{label_y - 10:g}" width="30" height="18" rx="4" fill="#fff" stroke="#99a"/>',
        text(label_x, label_y + 4, str(count), size=12, weight="bold", fill="#335"),
    ]


def drawing(modules: Counter, imports: Counter) -> str:
    top = {layer: BOX_TOP + BOX_STEP * position for position, layer in enumerate(LAYERS)}
    middle_y = {layer: top[layer] + BOX_HEIGHT / 2 for layer in LAYERS}
    centre_x = BOX_LEFT + BOX_WIDTH / 2
    lib_top, lib_bottom = BOX_TOP - 10, top[LAYERS[-1]] + BOX_HEIGHT + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'font-family="{FONT}">',
        '<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#335"/></marker></defs>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        text(WIDTH / 2, 30, "fundmgr: the layers and the imports between them", size=18, weight="bold"),
        text(WIDTH / 2, 52, "A -> B: modules of A import modules of B; the number counts module pairs", size=12, fill="#555"),
    ]
    for layer in LAYERS:
        parts += box(BOX_LEFT, top[layer], BOX_WIDTH, BOX_HEIGHT, layer, modules[layer], "#eef3fb")
    parts += box(LIB_LEFT, lib_top, LIB_WIDTH, lib_bottom - lib_top, LIB, modules[LIB], "#f4f1e6")

    # Down to the next layer: straight, through the middle of the boxes.
    for upper, lower in zip(LAYERS, LAYERS[1:]):
        if imports[upper, lower]:
            start, end = top[upper] + BOX_HEIGHT, top[lower]
            parts += arrow(f"M{centre_x},{start} L{centre_x},{end}", centre_x, (start + end) / 2, imports[upper, lower])
    # Down past a layer: curves on the left, the longer the jump the wider the curve.
    for position, upper in enumerate(LAYERS):
        for lower in LAYERS[position + 2 :]:
            if imports[upper, lower]:
                jump = LAYERS.index(lower) - position
                bend = BOX_LEFT - 70 * jump - 20 * position
                # The outer curve leaves its box higher and reaches its target lower: no crossing.
                start = middle_y[upper] + 8 - 16 * (jump - 2)
                end = middle_y[lower] + 8 - 16 * position
                parts += arrow(
                    f"M{BOX_LEFT},{start} C{bend},{start} {bend},{end} {BOX_LEFT},{end}",
                    BOX_LEFT + 0.75 * (bend - BOX_LEFT),
                    (start + end) / 2,
                    imports[upper, lower],
                )
    # Across to fundmgr.lib.
    for layer in LAYERS:
        if imports[layer, LIB]:
            y = middle_y[layer]
            parts += arrow(f"M{BOX_LEFT + BOX_WIDTH},{y} L{LIB_LEFT},{y}", (BOX_LEFT + BOX_WIDTH + LIB_LEFT) / 2, y, imports[layer, LIB])

    parts += [
        text(WIDTH / 2, HEIGHT - 56, "Kept by import-linter (pyproject.toml, run by make test): the layers run one way,", size=12),
        text(WIDTH / 2, HEIGHT - 38, "fundmgr.lib imports no layer, and no cycles among the modules of any package.", size=12),
        text(WIDTH / 2, HEIGHT - 16, "Drawn from the sources by scripts/architecture_svg.py (grimp)", size=11, fill="#777"),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "architecture.svg")
    args = parser.parse_args(argv)
    modules, imports = import_counts()
    wrong_way = against_the_layers(imports)
    if wrong_way:
        print("imports against the layers (lint-imports fails on them too): " + ", ".join(wrong_way), file=sys.stderr)
        return 1
    args.output.write_text(drawing(modules, imports), encoding="utf-8", newline="\n")
    print(f"{args.output}: " + ", ".join(f"{source} -> {target} {count}" for (source, target), count in sorted(imports.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
