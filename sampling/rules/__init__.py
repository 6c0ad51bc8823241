"""Rating rule files (TOML) shipped with the toolkit; load them with
:func:`sampling.framework.load_rules`."""
