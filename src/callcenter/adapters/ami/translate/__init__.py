"""AMI messages -> domain events: the only package that knows Asterisk's header names."""

from callcenter.adapters.ami.translate.messages import stream_time, translate, wanted_frame

__all__ = ["stream_time", "translate", "wanted_frame"]
