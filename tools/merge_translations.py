"""Add English translations to idp/translations/en.json from JSON files given as arguments,
keeping the catalog's layout (one-space indent, sorted keys)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

CATALOG = Path(__file__).resolve().parent.parent / "idp" / "translations" / "en.json"


def main(paths: list[str]) -> None:
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    for path in paths:
        catalog.update(json.loads(Path(path).read_text(encoding="utf-8")))
    text = json.dumps(catalog, ensure_ascii=False, indent=1, sort_keys=True)
    CATALOG.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
