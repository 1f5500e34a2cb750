"""Launchers of the servers: they read secrets from the environment and hand them to the
server in-process, so no secret ever appears in a command line (`ps`)."""
