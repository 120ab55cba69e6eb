"""Access: API tokens, roles and permissions, and source-address allow-lists."""
