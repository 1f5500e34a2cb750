"""A reply to the numbered main menu, and a reply to WhatsApp's numbered buttons.

Rasa's CountVectorsFeaturizer turns every number into one token, so DIET cannot tell
"1" from "4": the menu number is read here exactly.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Mapping, Optional, Sequence

from appointments.interpret.text import normalize

# "4", "4.", "4)", "4️⃣", "opción 4", "la opción 4", "#4", "número 4", "no. 4",
# "option 4", "number 4", "the option 4"
_MENU_REPLY = re.compile(r"^(?:(?:la |el |the )?(?:opcion|opc|op|numero|num|no|#"
                         r"|option|opt|number|nr) )?(\d{1,2})$")


def menu_choice(text: Optional[str], options: Mapping[str, str]) -> Optional[str]:
    """The intent bound to the menu number the text is, or None."""
    if not text or len(text) > 40:
        return None
    match = _MENU_REPLY.match(normalize(text))
    return options.get(str(int(match.group(1)))) if match else None


def button_payload(reply: str, buttons: Sequence[Dict[str, Any]]) -> Optional[str]:
    """The payload of the button a reply picks ("2", "2.", the title), or None."""
    answer = normalize(reply)
    if answer.isdigit() and 1 <= int(answer) <= len(buttons):
        return buttons[int(answer) - 1].get("payload")
    for button in buttons:
        if answer and answer == normalize(button.get("title", "")):
            return button.get("payload")
    return None
