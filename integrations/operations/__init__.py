"""Operating a Whispr installation: backups of the state folder (``whispr backup`` / ``restore``)."""
