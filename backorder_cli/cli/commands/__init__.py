"""The commands, one module per family, each registered on the root app by its `register`."""
