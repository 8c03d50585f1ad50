"""The web server: the chat page at / and the REST API under /api, over one shared index."""

from qa.server.app import create_app, serve

__all__ = ["create_app", "serve"]
