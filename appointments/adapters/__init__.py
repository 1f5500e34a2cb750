"""What talks to the outside: SQL (sql/), Twilio, agent notifiers, Rasa's HTTP API,
Redis clients. Each implements a port of appointments.domain.ports."""
