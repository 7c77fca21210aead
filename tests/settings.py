"""Test settings: the production settings on a throw-away data directory."""

import os
import tempfile

os.environ.setdefault("MEDIADESK_DATA_DIR", tempfile.mkdtemp(prefix="mediadesk-test-"))

from mediadesk.settings import *  # noqa: F403

# Hashing with the production hasher makes every login in a test cost ~0.3 s.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
