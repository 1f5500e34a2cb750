"""Helpdesk adapters (appointments/domain/helpdesk.py): one module per product, listed in
registry.py, chosen by HELPDESK."""
