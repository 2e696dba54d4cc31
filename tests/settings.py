"""Test settings: the product's settings with a throw-away var/ and Huey tasks run in-process."""

import os
import tempfile

os.environ.setdefault("HAULBILL_VAR_DIR", os.path.join(tempfile.gettempdir(), "haulbill-test-var"))
os.environ.setdefault("HAULBILL_HUEY_IMMEDIATE", "1")
os.environ.setdefault("HAULBILL_LOGIN_THROTTLE_ATTEMPTS", "5")

from haulbill.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; never used outside tests
