"""``make bench``: speed and quality figures. Each module here exposes ``run() -> None``."""
