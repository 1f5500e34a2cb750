"""Custom actions: thin rasa-sdk glue, one module per concern.

Each action reads slots, calls a service (appointments.services) and picks
a response from domain.yml. The action server loads every module of this package.
"""
