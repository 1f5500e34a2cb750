"""Print one phone number's WhatsApp conversation from the message log.

    make export-conversation PHONE=whatsapp:+5215512345678 [FORMAT=json]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appointments.settings import Settings  # noqa: E402
from appointments.adapters.sql.database import create_database_engine, create_schema  # noqa: E402
from appointments.adapters.sql.message_log import SqlMessageLog  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("phone")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    engine = create_database_engine(Settings.from_env().database_url)
    create_schema(engine)
    rows = SqlMessageLog(engine).conversation(args.phone)
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    for row in rows:
        arrow = "→" if row["direction"] == "in" else "←"
        when = row["created_at"].strftime("%Y-%m-%d %H:%M:%S")
        print(f"{when} {arrow} [{row['status']}] {row['body']}")


if __name__ == "__main__":
    main()
