"""The ports: every Protocol a service speaks to; adapters implement them, tests fake them.

- `uow`: the unit of work and its repositories (`customer_stores`, `staff_stores`, `call_stores`)
- `pbx`: commands to Asterisk in call-center words
- `push`: the typed messages pushed to desktops and the wallboard, and the notifier that sends them
- `routing`: the router's snapshot and presence sources and its callback sink
- `screen_pop`: the screen-pop's fast read of a caller's record
"""
