"""Chinese names in the order people look them up: by pinyin, as a dictionary orders them.

A name's sort key (:func:`pinyin_key`) is its pinyin, syllable by syllable, each with its
tone number (南湖东路 → ``nan2hu2dong1lu4``; the neutral tone is 5, ü is written v), so
安 (an1) < 昂 (ang2) < 白 (bai2) < 沙 (sha1) < 张 (zhang1), whatever the characters' code
points. The key is made of a-z and 0-9 only, so every database compares it the same way,
whatever its collation. A polyphonic character takes pypinyin's most common reading, read
in context for the phrases pypinyin knows (重庆 is chong2qing4); a surname read otherwise
(曾 as zēng, 单 as shàn) sorts under its common reading (ceng2, dan1).

The key is stored beside the name (:class:`PinyinSortKeyField`, indexed where lists sort by
it) and filled whenever the row is written: by ``save()`` and by ``bulk_create`` (Django
calls each field's ``pre_save`` for both), and by the import's ``bulk_update``, which asks
:func:`with_sort_keys` for the keys of the names it changes. A stored key rather than a
collation: the same order on SQLite and PostgreSQL, a plain B-tree index that serves
``ORDER BY … LIMIT 50`` for lists of any size, and no ICU needed on the server.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.db import models
from pypinyin import Style, lazy_pinyin

KEY_LENGTH = 255
_NOT_KEY = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)
def pinyin_key(text) -> str:
    """The pinyin sort key of ``text`` (see the module's docstring): ``"安德门"`` →
    ``"an1de2men2"``. Letters and digits in the name are kept (lower-cased, full-width
    folded), punctuation and spaces dropped."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    if not text:
        return ""
    syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)
    return _NOT_KEY.sub("", "".join(syllables))[:KEY_LENGTH]


class PinyinSortKeyField(models.CharField):
    """The pinyin sort key of the model's ``source`` field (its name), computed on every
    write; not edited by anyone. Order lists by it (then by a unique column)."""

    description = "Pinyin sort key"

    def __init__(self, *args, source: str = "name", **kwargs):
        kwargs.setdefault("max_length", KEY_LENGTH)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        self.source = source
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (
            ("max_length", KEY_LENGTH),
            ("editable", False),
            ("blank", True),
            ("default", ""),
        ):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = pinyin_key(getattr(model_instance, self.source, ""))
        setattr(model_instance, self.attname, value)
        return value


def sort_key_fields(model) -> list[PinyinSortKeyField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, PinyinSortKeyField)]


def with_sort_keys(model, names, objs=()) -> list[str]:
    """``names`` (fields about to be written by ``bulk_update``) plus the sort keys of any
    name among them, filled on ``objs``: a bulk update of names keeps their keys right."""
    names = list(names)
    for field in sort_key_fields(model):
        if field.source in names and field.name not in names:
            names.append(field.name)
            for obj in objs:
                field.pre_save(obj, add=False)
    return names


def fill_sort_keys(model, field_name: str = "name_pinyin", source: str = "name") -> None:
    """Fills the sort key of every stored row of ``model`` (a migration's historical model:
    the data migration that adds a key), in batches, whatever the table's size."""
    batch = []
    rows = model._base_manager.order_by("pk").values_list("pk", source)
    for pk, name in rows.iterator(chunk_size=2000):
        batch.append(model(pk=pk, **{field_name: pinyin_key(name)}))
        if len(batch) == 2000:
            model._base_manager.bulk_update(batch, [field_name])
            batch = []
    if batch:
        model._base_manager.bulk_update(batch, [field_name])
