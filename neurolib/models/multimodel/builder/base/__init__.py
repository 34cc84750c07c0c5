"""Base classes of the MultiModel builder: neural masses, nodes, networks and their backends."""
