"""The simulated WeChat OA API, served at the root: ``/cgi-bin/…``, ``/datacube/…``."""

from .platform import WeChatPlatform

__all__ = ["WeChatPlatform"]
