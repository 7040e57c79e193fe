"""`flask credentials rotate-key`: a new signing key; the old ones stay published for verifying."""
from __future__ import annotations

import click

from . import bp, keys


@bp.cli.command("rotate-key")
def rotate_key() -> None:
    """Make a new Ed25519 key: it signs from now on, the old keys still verify."""
    key = keys.new_key()
    click.echo(f"New signing key {key.thumbprint}; {len(keys.all_keys())} key(s) published in the JWKS.")
