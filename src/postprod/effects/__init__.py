"""Effect and preset specs: frozen, versioned parameter objects in a registry, separate from the code that runs them."""
