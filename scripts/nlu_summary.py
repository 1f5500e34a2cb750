"""Print the headline numbers of `rasa test nlu` (intent accuracy/F1, entity F1)."""
from __future__ import annotations

import json
import sys
from pathlib import Path


# Which entity each extractor is responsible for (the reports also score the others).
EXTRACTED_BY = {"DucklingTimeExtractor": "time", "RegexEntityExtractor": "appointment_code"}


def main(results: Path) -> None:
    intents = json.loads((results / "intent_report.json").read_text())
    print(f"intent accuracy     {intents['accuracy']:.3f}")
    print(f"intent weighted F1  {intents['weighted avg']['f1-score']:.3f}")
    print(f"intent macro F1     {intents['macro avg']['f1-score']:.3f}")
    for report in sorted(results.glob("*Extractor_report.json")):
        entities = json.loads(report.read_text())
        extractor = report.name.replace("_report.json", "")
        for name, scores in entities.items():
            if isinstance(scores, dict) and name == EXTRACTED_BY.get(extractor):
                print(
                    f"{extractor:<24} {name:<18} precision {scores['precision']:.3f}  "
                    f"recall {scores['recall']:.3f}  F1 {scores['f1-score']:.3f}  "
                    f"(n={scores['support']})"
                )
    worst = sorted(
        (v["f1-score"], k) for k, v in intents.items() if isinstance(v, dict) and "support" in v
        and k not in ("micro avg", "macro avg", "weighted avg")
    )[:3]
    print("weakest intents     " + ", ".join(f"{name} ({f1:.2f})" for f1, name in worst))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "results/nlu"))
