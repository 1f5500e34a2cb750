"""NLU components named in config.yml, and the Duckling child process they use."""
