"""Ratings: bands, the lowest-question rule, the overall rating, graded flags, rating probabilities and their wording."""
