"""Sub-commands of the `callcenter` CLI, one module each."""
