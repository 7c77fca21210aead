"""mediadesk: enterprise new-media operations management (企业新媒体运营管理系统)."""

__version__ = "0.1.0"
