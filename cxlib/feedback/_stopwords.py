"""Stop-word lists that need no download: scikit-learn's English list and a German list written here."""

from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

__all__ = ["stop_words"]

# Common German function words (articles, pronouns, prepositions, conjunctions, auxiliaries, particles).
GERMAN_STOP_WORDS = frozenset(["aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an", "ander", "andere", "anderem", "anderen", "anderer", "anderes", "anderm", "andern", "anders", "auch", "auf", "aus", "bei", "beim", "bin", "bis", "bist", "da", "damit", "dann", "das", "dass", "daß", "dasselbe", "dazu", "dein", "deine", "deinem", "deinen", "deiner", "deines", "dem", "demselben", "den", "denn", "denselben", "der", "derer", "derselbe", "derselben", "des", "desselben", "dessen", "dich", "die", "dies", "diese", "dieselbe", "dieselben", "diesem", "diesen", "dieser", "dieses", "dir", "doch", "dort", "du", "durch", "ein", "eine", "einem", "einen", "einer", "eines", "einig", "einige", "einigem", "einigen", "einiger", "einiges", "einmal", "er", "es", "etwas", "euch", "euer", "eure", "eurem", "euren", "eurer", "eures", "für", "gegen", "gewesen", "hab", "habe", "haben", "hat", "hatte", "hatten", "hier", "hin", "hinter", "ich", "ihm", "ihn", "ihnen", "ihr", "ihre", "ihrem", "ihren", "ihrer", "ihres", "im", "in", "indem", "ins", "ist", "jede", "jedem", "jeden", "jeder", "jedes", "jene", "jenem", "jenen", "jener", "jenes", "jetzt", "kann", "kein", "keine", "keinem", "keinen", "keiner", "keines", "können", "könnte", "machen", "man", "manche", "manchem", "manchen", "mancher", "manches", "mein", "meine", "meinem", "meinen", "meiner", "meines", "mich", "mir", "mit", "muss", "musste", "nach", "nicht", "nichts", "noch", "nun", "nur", "ob", "oder", "ohne", "sehr", "sein", "seine", "seinem", "seinen", "seiner", "seines", "selbst", "sich", "sie", "sind", "so", "solche", "solchem", "solchen", "solcher", "solches", "soll", "sollte", "sondern", "sonst", "über", "um", "und", "uns", "unser", "unsere", "unserem", "unseren", "unserer", "unseres", "unter", "viel", "vom", "von", "vor", "während", "war", "waren", "warst", "was", "weg", "weil", "weiter", "welche", "welchem", "welchen", "welcher", "welches", "wenn", "werde", "werden", "wie", "wieder", "will", "wir", "wird", "wirst", "wo", "wollen", "wollte", "würde", "würden", "zu", "zum", "zur", "zwar", "zwischen", "schon", "mal", "ja", "ne", "nee", "halt", "eben", "gibt", "gab", "geht", "ging", "wurde", "wurden", "worden", "sei", "seien", "bzw", "ca", "usw", "dass", "rt", "via", "amp", "http", "https", "www", "com", "de", "re", "fw", "aw"])


def stop_words(language: str = "english") -> list[str]:
    """Stop words for topic labels: ``"english"``, ``"german"`` or ``"both"`` (no download needed).

    Parameters
    ----------
    language : {"english", "german", "both"} or ISO code {"en", "de"}, default "english"
        Which list.

    Returns
    -------
    list of str
        Sorted lower-case stop words.

    Examples
    --------
    >>> "und" in stop_words("german") and "the" in stop_words("en")
    True
    """
    key = {"en": "english", "de": "german"}.get(language, language)
    extra = {"rt", "amp", "http", "https", "www", "com"}
    if key == "english":
        words = set(ENGLISH_STOP_WORDS) | extra
    elif key == "german":
        words = set(GERMAN_STOP_WORDS)
    elif key == "both":
        words = set(ENGLISH_STOP_WORDS) | set(GERMAN_STOP_WORDS) | extra
    else:
        from .._errors import CxInputError

        raise CxInputError(f"unknown stop-word language {language!r}; expected english, german or both.",
                           column="language")
    return sorted(words)
