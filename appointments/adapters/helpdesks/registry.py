"""The helpdesks HELPDESK may name, and how each reads its settings and is built.

Adding a product: its module beside this one (a `PRODUCT`: its settings read from the
environment (every variable it reads named as a string literal in its module: the
README check finds them there), and how to build its adapter), one line in
`PRODUCTS`, its fake API and tests, its README section.
"""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Tuple

from appointments.adapters.helpdesks import chatwoot
from appointments.adapters.helpdesks import freshdesk
from appointments.adapters.helpdesks import zendesk
from appointments.adapters.helpdesks import intercom
from appointments.adapters.helpdesks.common import Product
from appointments.domain.helpdesk import Helpdesk
from appointments.settings_values import SettingsError


PRODUCTS: Dict[str, Product] = {
    "chatwoot": chatwoot.PRODUCT,
    "freshdesk": freshdesk.PRODUCT,
    "zendesk": zendesk.PRODUCT,
    "intercom": intercom.PRODUCT,
}

HelpdeskSettings = Tuple[Tuple[str, Any], ...]  # ((name, its settings), ...) in HELPDESK order


def read_helpdesks(names: Optional[str], env: Mapping[str, str]) -> HelpdeskSettings:
    """HELPDESK ("chatwoot", "chatwoot,zendesk"; unset or "none": none) and the settings
    of each product named."""
    raw = (names or "").strip().lower()
    if raw in ("", "none"):
        return ()
    chosen = []
    for name in (part.strip() for part in raw.split(",")):
        if not name or name in chosen:
            continue
        if name not in PRODUCTS:
            raise SettingsError(f"HELPDESK: unknown helpdesk '{name}'; use any of "
                                f"{','.join(PRODUCTS)}, or none")
        chosen.append(name)
    return tuple((name, PRODUCTS[name].read_settings(env)) for name in chosen)


def build_helpdesks(configured: HelpdeskSettings,
                    console_url: Optional[str] = None) -> Dict[str, Helpdesk]:
    """The adapters of the configured helpdesks, by name."""
    return {name: PRODUCTS[name].build(config, console_url) for name, config in configured}

