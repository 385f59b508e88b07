"""Platform adapters: platform event -> Request, Reply -> platform message."""
