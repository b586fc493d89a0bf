"""grade stage."""
