"""In-tree activity-type plugins, one package each (see app/plugins.py)."""
