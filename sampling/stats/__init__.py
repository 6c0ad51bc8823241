"""Pure arithmetic on counts: proportion intervals, differences, multinomial counts, pool statistics, interval options."""
