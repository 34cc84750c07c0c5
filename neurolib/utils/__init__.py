"""Public helpers: datasets, analysis functions and parameter containers."""
