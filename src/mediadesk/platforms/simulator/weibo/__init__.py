"""The simulated Weibo API (served under ``/weibo``, mirroring ``https://api.weibo.com``)."""

from .platform import WeiboPlatform

__all__ = ["WeiboPlatform"]
