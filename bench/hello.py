"""The ceiling: a bare Flask app answering "hello", served with the same gunicorn settings."""
from flask import Flask

app = Flask("hello")


@app.get("/")
def hello() -> str:
    return "hello"
