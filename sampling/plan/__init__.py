"""Planning: sample sizes, achieved margins, implied populations and misrating risk."""
