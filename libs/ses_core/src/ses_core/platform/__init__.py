"""Adapters shared by every service: database, messaging, gRPC kit, identity, telemetry, settings."""
