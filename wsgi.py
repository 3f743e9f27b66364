"""WSGI entry point for gunicorn: ``gunicorn wsgi:app``."""

from matcher import create_app

app = create_app()
