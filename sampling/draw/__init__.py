"""The draw: frames, allocation, selection with reserves, balance, the draw workbook, substitution and verification."""
