"""The fr and nl catalogs are complete: every string the pages and messages use is translated and compiled.

The catalog is extracted again from the source (as `make messages` does) into a scratch copy, so a string added to
a template or a view without its translation fails here, not in front of a carrier. The compiled .mo files must say
what the .po files say, so a translation that was written but not compiled fails too.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import translation

PACKAGE = Path(__file__).resolve().parents[2] / "haulbill"
LOCALES = ("fr", "nl")
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdf]|%[sdf]|\{[a-z_0-9]*\}")


def _catalog(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        return read_po(handle)


def _key(message) -> str:  # type: ignore[no-untyped-def]
    ident = message.id if isinstance(message.id, str) else message.id[0]
    return f"{message.context}\x04{ident}" if message.context else ident


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """msgids that `makemessages` finds in the source today, per language."""
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        pytest.skip("GNU gettext is missing: `make test` installs it (apt-get install gettext)")
    scratch = tmp_path_factory.mktemp("catalog") / "haulbill"
    shutil.copytree(PACKAGE, scratch, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "--no-obsolete", "--no-location", *sum((["-l", lang] for lang in LOCALES), [])],
        cwd=scratch,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(PACKAGE.parent)},
    )  # fmt: skip
    return {
        lang: {_key(m) for m in _catalog(scratch / "locale" / lang / "LC_MESSAGES" / "django.po") if m.id}
        for lang in LOCALES
    }


@pytest.mark.parametrize("lang", LOCALES)
def test_every_string_of_the_source_is_in_the_committed_catalog(extracted, lang):
    committed = {_key(m) for m in _catalog(PACKAGE / "locale" / lang / "LC_MESSAGES" / "django.po") if m.id}
    missing = sorted(extracted[lang] - committed)
    assert not missing, (
        f"{len(missing)} strings are not in locale/{lang}: run `make messages` and translate: {missing[:10]}"
    )


@pytest.mark.parametrize("lang", LOCALES)
def test_every_string_is_translated_with_the_same_placeholders(lang):
    catalog = _catalog(PACKAGE / "locale" / lang / "LC_MESSAGES" / "django.po")
    untranslated, fuzzy, broken = [], [], []
    for message in catalog:
        if not message.id:
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        targets = [message.string] if isinstance(message.string, str) else list(message.string)
        if not all(targets):
            untranslated.append(_key(message))
        elif message.fuzzy:
            fuzzy.append(_key(message))
        elif any(sorted(PLACEHOLDER.findall(t)) != sorted(PLACEHOLDER.findall(sources[-1])) for t in targets[1:]) or (
            sorted(PLACEHOLDER.findall(targets[0])) != sorted(PLACEHOLDER.findall(sources[0]))
            and "%(count)" not in sources[0] + sources[-1]  # a singular may spell out "one"
        ):
            broken.append(_key(message))
    assert not untranslated, f"{len(untranslated)} untranslated in {lang}: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy (unchecked) in {lang}: {fuzzy[:10]}"
    assert not broken, f"placeholders differ from the source in {lang}: {broken[:10]}"


@pytest.mark.parametrize("lang", LOCALES)
def test_the_compiled_catalog_says_what_the_po_says(lang):
    folder = PACKAGE / "locale" / lang / "LC_MESSAGES"
    mo = folder / "django.mo"
    assert mo.exists(), f"locale/{lang} is not compiled: run `make messages`"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for message in _catalog(folder / "django.po"):
        if not message.id or isinstance(message.id, (tuple, list)):
            continue
        got = compiled.pgettext(message.context, message.id) if message.context else compiled.gettext(message.id)
        if got != message.string:
            stale.append(message.id)
    assert not stale, f"locale/{lang}/django.mo is older than its .po: run `make messages` ({stale[:5]})"


@pytest.mark.parametrize("lang", LOCALES)
def test_the_pages_speak_the_language(lang, client, django_user_model):
    with translation.override(lang):
        assert translation.gettext("Sign in to Haulbill") != "Sign in to Haulbill"
        expected = translation.gettext("Sign in to Haulbill")
    body = client.get("/login/", headers={"accept-language": lang}).content.decode()
    assert f'lang="{lang}"' in body
    assert expected in body
