"""Human handoff: summaries of the conversation and the notifiers that reach the agents."""
