"""Telemarketing campaigns: what a campaign is, its list, who may be dialled when, and pacing."""
