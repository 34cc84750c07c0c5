"""Neural mass models. Import each model from its own module, e.g. ``neurolib.models.hopf``."""
