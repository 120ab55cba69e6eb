"""The cluster bus between `callcenter serve` processes (Redis pub/sub)."""
