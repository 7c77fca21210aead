"""The simulated Douyin open API (served under ``/douyin``, mirroring ``https://open.douyin.com``)."""

from .platform import DouyinPlatform

__all__ = ["DouyinPlatform"]
