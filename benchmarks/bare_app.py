"""The baseline of ``load_api.py``: a bare Flask app answering ``GET /api/v1/health`` with
``jsonify``, served by the same gunicorn configuration as the real app. Nothing of the
project is imported; what it costs is what gunicorn and Flask cost per request."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/api/v1/health")
def health():
    """The same body shape as the real health endpoint."""
    return jsonify(status="ok", data_version=1)
