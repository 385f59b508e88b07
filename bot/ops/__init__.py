"""Operator tools: `ostbot db backup`, `ostbot doctor`. Not used while serving."""
