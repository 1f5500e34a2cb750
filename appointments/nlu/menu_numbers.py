"""Reading a reply to the numbered main menu: "4", "4.", "4️⃣", "opción 4", "#4".

Rasa's CountVectorsFeaturizer turns every number into the same __NUMBER__ token, so DIET
cannot tell "1" from "4"; this reads them exactly instead.
"""
from __future__ import annotations

import re
from typing import Mapping, Optional

_MENU_REPLY = re.compile(
    r"^\s*(?:(?:(?:la|el)\s+)?(?:opci[oó]n|opc|op|n[uú]mero|num|n[oº°]\.?|#)\s*)?(\d{1,2})\s*"
    r"(?:\ufe0f?\u20e3)?\s*[.)]?\s*$",
    re.IGNORECASE,
)


def menu_choice(text: Optional[str], options: Mapping[str, str]) -> Optional[str]:
    """The intent bound to the menu number the text is, or None."""
    match = _MENU_REPLY.match(text or "")
    return options.get(str(int(match.group(1)))) if match else None
