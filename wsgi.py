"""Entry point for gunicorn: `gunicorn wsgi:app` (set LIFE_ENV=production and SECRET_KEY)."""
from app import create_app

app = create_app()
