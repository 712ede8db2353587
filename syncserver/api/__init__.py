"""HTTP API v1 blueprints: ``devices`` (enrollment), ``sync`` (push, pull), ``health``."""
