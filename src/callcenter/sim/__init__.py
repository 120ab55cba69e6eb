"""The simulated Asterisk: AMI server, trace replay, call generator."""
