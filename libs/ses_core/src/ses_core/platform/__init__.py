"""Adapters shared by every service.

Database, messaging, gRPC kit, identity, telemetry, settings and the service host.
"""
