"""ostbot: Korean drama OST recommendations in chat."""

__version__ = "0.1.0"
