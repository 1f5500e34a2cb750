"""Code Rasa loads by name: input channels (credentials.yml), NLU components (config.yml),
the tracker and lock stores and the event broker (endpoints.yml)."""
