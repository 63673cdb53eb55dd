"""Entry point: `gunicorn app:app` in production; `python app.py` serves with the scheduler."""
import sys

from r2pnet import create_app
from r2pnet.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    sys.exit(str(exc))

if __name__ == "__main__":
    from r2pnet.serve import serve
    serve(app)
