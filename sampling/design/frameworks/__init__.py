"""The inspection frameworks shipped with the toolkit (TOML); load them with :func:`sampling.load_framework`."""
