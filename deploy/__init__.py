"""Deployment: nginx and gunicorn configuration and the local stack (deploy/stack.py)."""
