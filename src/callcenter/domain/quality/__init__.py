"""Quality scoring: scorecards per group, supervisors' evaluations of calls, calibration."""
