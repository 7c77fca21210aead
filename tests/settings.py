"""Test settings: the production settings on a throw-away data directory."""

import os
import tempfile

os.environ.setdefault("MEDIADESK_DATA_DIR", tempfile.mkdtemp(prefix="mediadesk-test-"))

from mediadesk.core.i18n import compile_catalogues
from mediadesk.settings import *  # noqa: F403

# Before Django loads the catalogues: a fresh clone has no .mo files yet.
compile_catalogues()

# Hashing with the production hasher makes every login in a test cost ~0.3 s.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# SQLite's default in-memory test database (shared cache) fails concurrent writers with "table is
# locked" instead of waiting; the job runner's threads need a real file, as in production (WAL).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.mkdtemp(prefix="mediadesk-testdb-"), "test.sqlite3")
    }
