"""Private simulation engine: the only place in neurolib with a time loop."""
