"""Export the JSON Schema of every event: ``python -m warta.contracts.schemas DIR``.

Outside subscribers that do not use Python read these files; a test keeps them equal to the models.
"""

import json
import sys
from pathlib import Path

from .catalogue import CATALOGUE


def schema_documents() -> dict[str, str]:
    """File name → JSON text, for every event in the catalogue."""
    return {
        f"{cls.event_type()}.json": json.dumps(
            cls.model_json_schema(mode="serialization"), indent=2, sort_keys=True, ensure_ascii=False
        )
        + "\n"
        for cls in CATALOGUE
    }


def main(argv: list[str]) -> int:
    target = Path(argv[1] if len(argv) > 1 else "contracts/schemas")
    target.mkdir(parents=True, exist_ok=True)
    for stale in target.glob("*.json"):
        stale.unlink()
    for name, text in schema_documents().items():
        (target / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(CATALOGUE)} schemas to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
