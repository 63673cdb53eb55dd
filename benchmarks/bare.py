"""The baseline: a bare Flask route that returns a short string, served the same way."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def bare():
    """A short string, nothing else."""
    return "ok"
