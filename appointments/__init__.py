"""The product's own code: scheduling rules, storage, NLU components, channels.

Nothing here imports rasa_sdk, and importing a module does no work (no engines,
clients or Duckling tables are built on import).
"""
