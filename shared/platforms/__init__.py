"""Platform adapters: one module per platform behind the `Platform` interface in `base`."""
