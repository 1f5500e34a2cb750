"""Use cases (scheduling, the handoff desk): they depend on the domain and its ports
only; the adapters that implement the ports are chosen in appointments/bootstrap.py."""
