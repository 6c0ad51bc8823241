"""The inspection's design as data: frameworks, rating rules and the inspection folder (inspection.toml)."""
