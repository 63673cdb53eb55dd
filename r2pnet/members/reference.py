"""Countries and languages from pycountry, time zones from zoneinfo: never hand-written lists."""
import zoneinfo
from functools import lru_cache

import pycountry


@lru_cache(maxsize=1)
def countries():
    """ISO 3166-1 alpha-2 code -> common name, sorted by name."""
    pairs = ((c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries)
    return dict(sorted(pairs, key=lambda pair: pair[1]))


@lru_cache(maxsize=1)
def languages():
    """ISO 639-1 code -> English name, for the languages that have a two-letter code."""
    pairs = ((lang.alpha_2, lang.name) for lang in pycountry.languages
             if hasattr(lang, "alpha_2"))
    return dict(sorted(pairs, key=lambda pair: pair[1]))


@lru_cache(maxsize=1)
def timezones():
    """IANA time zone names, sorted."""
    return sorted(z for z in zoneinfo.available_timezones()
                  if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/", "posix", "right"))
                  ) + ["UTC"]


UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")


@lru_cache(maxsize=1)
def language_groups():
    """Languages for choosing: the six official UN languages first, then every other one."""
    names = languages()
    return {"Official UN languages": {code: names[code] for code in UN_LANGUAGES},
            "Other languages": {c: n for c, n in names.items() if c not in UN_LANGUAGES}}


def country_name(code):
    """The name of a country code, or the code itself when unknown."""
    return countries().get(code or "", code or "")


def language_name(code):
    """The name of a language code, or the code itself when unknown."""
    return languages().get(code, code)
