"""Typed models of the services' answers, one module per service, generated from their OpenAPI
documents by ``python -m warta.devstack console-clients``."""
