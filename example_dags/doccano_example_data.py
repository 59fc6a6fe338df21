"""Dataset preparation for the example DAGs and the demo: Poem Sentiment and WNUT-17.

Nothing here imports Airflow or talks to Doccano, so the DAG tasks, the demo runner and the
tests share one implementation. The example DAGs copy no data into the checkout: they read the
dataset folder they are given and write converted files to a work folder.

* Poem Sentiment (Sheng and Uthus, 2020; CC BY 4.0): TSV ``id<TAB>verse<TAB>label`` without a
  header, labels -1/0/1/2. :func:`poem_sentiment_to_jsonl` writes Doccano JSONL with the label
  names. :func:`fetch_poem_sentiment` downloads the files from the pinned upstream commit and
  checks their SHA-256.
* WNUT-17 emerging entities (CC BY 4.0): CoNLL ``token<TAB>tag``, a blank line between
  sentences, BIO tags. :func:`check_conll` validates a file the way Doccano's CoNLL importer
  needs it, :func:`conll_spans` gives the text and character spans Doccano builds from a sentence.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from doccano_provider.client.exceptions import InvalidArgumentError

ROOT = Path(__file__).resolve().parent.parent

POEM_SENTIMENT_LABELS: dict[str, str] = {"-1": "negative", "0": "no impact", "1": "positive", "2": "mixed"}
"""Label ids of the Poem Sentiment TSV files and their names (from the dataset card of the paper)."""

POEM_SENTIMENT_SPLITS = ("train", "dev", "test")

# The upstream repository at the commit the local copies were taken from. The copies are
# byte-identical to these blobs, so the same SHA-256 sums hold for a download.
POEM_SENTIMENT_SOURCE = (
    "https://raw.githubusercontent.com/google-research-datasets/poem-sentiment/"
    "612e9a1f86799126c68f0c5d9c3f1fc28f88068f/"
)
POEM_SENTIMENT_SHA256: dict[str, str] = {
    "data/train.tsv": "09503a850796736a8e63504ae2c8de983f57dceebc2342ea93a7f7ad06af56d0",
    "data/dev.tsv": "0770bd7b80e04c92da82e78f9f93ce35d38b334b4830fca2b9b4d7e174f152e5",
    "data/test.tsv": "a406d87b62a6b7c9615468a8b66e69c027fa8f2f03a4f8f6c79df26c260de620",
    "LICENSE": "7e7170e3cebf88a9f60c7b8421418323c09304da1af4d5e90f4da1dc1c8a2661",
}

WNUT17_ENTITY_TYPES = ("person", "location", "group", "corporation", "product", "creative-work")
"""The six WNUT-17 entity types, used as Doccano span labels."""


@contextlib.contextmanager
def _atomic_text_file(path: Path) -> Iterator[TextIO]:
    """Open a temporary UTF-8 file next to ``path`` and rename it to ``path`` when the block ends.

    A retried task therefore never uploads a half-written file. The folder is created, and the
    temporary file is removed when the block raises.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".part"
    ) as out:
        try:
            yield out
        except BaseException:
            out.close()
            os.unlink(out.name)
            raise
    os.replace(out.name, path)


@dataclass(frozen=True)
class Verse:
    """One Poem Sentiment record."""

    verse_id: str
    text: str
    label: str
    split: str


def read_poem_sentiment(
    data_dir: str | os.PathLike[str], splits: Iterable[str] = POEM_SENTIMENT_SPLITS
) -> Iterator[Verse]:
    """Yield the verses of the given splits from a Poem Sentiment folder.

    :param data_dir: the folder that contains ``data/<split>.tsv`` (or the ``data`` folder itself).
    :param splits: any of ``train``, ``dev``, ``test``.
    :raises InvalidArgumentError: for an unknown split, a missing file or a malformed line.
    """
    folder = Path(data_dir)
    if (folder / "data").is_dir():
        folder = folder / "data"
    for split in splits:
        if split not in POEM_SENTIMENT_SPLITS:
            raise InvalidArgumentError(
                f"Split {split!r} is invalid: use one of {', '.join(POEM_SENTIMENT_SPLITS)}."
            )
        path = folder / f"{split}.tsv"
        if not path.is_file():
            raise InvalidArgumentError(
                f"Poem Sentiment file {path} is missing: point the data directory at the dataset folder."
            )
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                line = line.rstrip("\n")
                if not line:
                    continue
                columns = line.split("\t")
                if len(columns) != 3 or columns[2] not in POEM_SENTIMENT_LABELS:
                    raise InvalidArgumentError(
                        f"{path}:{number} is invalid: expected 'id<TAB>verse<TAB>label' with a label in "
                        f"{sorted(POEM_SENTIMENT_LABELS)}, got {line[:80]!r}."
                    )
                verse_id, text, label = columns
                yield Verse(verse_id=verse_id, text=text, label=POEM_SENTIMENT_LABELS[label], split=split)


def poem_sentiment_to_jsonl(
    data_dir: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    splits: Iterable[str] = POEM_SENTIMENT_SPLITS,
    limit: int | None = None,
    include_labels: bool = False,
) -> int:
    """Convert Poem Sentiment TSV files into one Doccano JSONL file and return the record count.

    Every record has ``text``, ``verse_id``, ``split`` and ``label``. Doccano keeps the extra keys
    as the example's ``meta``. ``label`` is the gold label name when ``include_labels`` is set, else
    an empty list, so that the import finds a label column and reports no "Column label not found".

    :param data_dir: the Poem Sentiment folder (see :func:`read_poem_sentiment`).
    :param output: the JSONL file to write; its folder is created.
    :param splits: the splits to include, in order.
    :param limit: the maximum number of records, or ``None``/``0`` for all.
    :param include_labels: upload the gold labels as the uploader's annotations.
    """
    if limit is not None and limit < 0:
        raise InvalidArgumentError(f"limit={limit!r} is invalid: pass a count >= 0 (0 means all).")
    count = 0
    with _atomic_text_file(Path(output)) as out:
        for verse in read_poem_sentiment(data_dir, splits):
            if limit and count >= limit:
                break
            record = {
                "text": verse.text,
                "label": [verse.label] if include_labels else [],
                "verse_id": verse.verse_id,
                "split": verse.split,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def poem_sentiment_gold(
    data_dir: str | os.PathLike[str], splits: Iterable[str] = POEM_SENTIMENT_SPLITS
) -> dict[str, str]:
    """Return ``{verse text: label name}``; for a text that occurs twice, the later label wins."""
    return {verse.text: verse.label for verse in read_poem_sentiment(data_dir, splits)}


def verify_sha256(folder: str | os.PathLike[str], expected: dict[str, str]) -> None:
    """Check files under ``folder`` against ``{relative path: sha256 hex}``.

    :raises InvalidArgumentError: naming the first missing or mismatching file.
    """
    for relative, digest in expected.items():
        path = Path(folder) / relative
        if not path.is_file():
            raise InvalidArgumentError(f"{path} is missing; download the dataset again.")
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != digest:
            raise InvalidArgumentError(
                f"{path} has SHA-256 {actual}, expected {digest}: the file is corrupt or changed upstream."
            )


def read_sha256sums(path: str | os.PathLike[str]) -> dict[str, str]:
    """Parse a ``sha256sum`` output file into ``{relative path: digest}``."""
    sums = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        digest, _, name = line.strip().partition("  ")
        if digest and name:
            sums[name.removeprefix("./")] = digest
    return sums


def fetch_poem_sentiment(
    destination: str | os.PathLike[str],
    *,
    source: str = POEM_SENTIMENT_SOURCE,
    expected: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Path:
    """Download Poem Sentiment into ``destination`` and verify every file's SHA-256.

    Files already present with the right digest are kept. Each file is written to a temporary
    name and renamed only after its digest matches, so an interrupted or corrupt download never
    leaves a file that looks complete.

    :param destination: the folder to fill (``data/*.tsv`` and ``LICENSE``).
    :param source: base URL the relative paths are appended to (``file://`` works too).
    :param expected: ``{relative path: sha256}``; defaults to the pinned upstream files.
    :param timeout: seconds per request.
    :returns: ``destination`` as a :class:`Path`.
    :raises InvalidArgumentError: when a downloaded file's digest does not match.
    :raises OSError: when a download fails (``urllib.error.URLError`` is an ``OSError``).
    """
    sums = expected or POEM_SENTIMENT_SHA256
    folder = Path(destination)
    for relative, digest in sums.items():
        target = folder / relative
        if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == digest:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        url = source.rstrip("/") + "/" + relative
        partial = target.with_name(target.name + ".part")
        with urllib.request.urlopen(url, timeout=timeout) as response, partial.open("wb") as out:  # noqa: S310
            shutil.copyfileobj(response, out)
        actual = hashlib.sha256(partial.read_bytes()).hexdigest()
        if actual != digest:
            partial.unlink()
            raise InvalidArgumentError(
                f"Downloaded {url} has SHA-256 {actual}, expected {digest}; not using it. "
                "Retry, or place the dataset folder yourself and set DOCCANO_POEM_SENTIMENT_DIR."
            )
        os.replace(partial, target)
    return folder


def locate_poem_sentiment(
    download_to: str | os.PathLike[str] | None = None, *, source: str = POEM_SENTIMENT_SOURCE
) -> Path:
    """Return a verified Poem Sentiment folder, downloading it only when no local copy exists.

    Looks in order at ``$DOCCANO_POEM_SENTIMENT_DIR``, ``$DOCCANO_SHARED_DIR/data/poem_sentiment``
    and ``<checkout>/../shared/data/poem_sentiment``; otherwise downloads into ``download_to``
    (default ``<checkout>/.demo/data/poem_sentiment``). A local copy is checked against its own
    ``SHA256SUMS`` when it has one, else against the pinned digests.
    """
    candidates = []
    if os.environ.get("DOCCANO_POEM_SENTIMENT_DIR"):
        candidates.append(Path(os.environ["DOCCANO_POEM_SENTIMENT_DIR"]))
    if os.environ.get("DOCCANO_SHARED_DIR"):
        candidates.append(Path(os.environ["DOCCANO_SHARED_DIR"]) / "data" / "poem_sentiment")
    candidates.append(ROOT.parent / "shared" / "data" / "poem_sentiment")
    for candidate in candidates:
        if (candidate / "data").is_dir():
            sums_file = candidate / "SHA256SUMS"
            sums = read_sha256sums(sums_file) if sums_file.is_file() else POEM_SENTIMENT_SHA256
            verify_sha256(
                candidate, {name: digest for name, digest in sums.items() if name.startswith("data/")}
            )
            return candidate
    target = Path(download_to) if download_to else ROOT / ".demo" / "data" / "poem_sentiment"
    return fetch_poem_sentiment(target, source=source)


# -- CoNLL -----------------------------------------------------------------------------------


@dataclass
class ConllSummary:
    """Counts that :func:`check_conll` found in a CoNLL file."""

    sentences: int = 0
    tokens: int = 0
    entity_counts: Counter[str] = field(default_factory=Counter)


def read_conll(path: str | os.PathLike[str]) -> Iterator[list[tuple[str, str]]]:
    """Yield each sentence of a ``token<TAB>tag`` CoNLL file as a list of ``(token, tag)``.

    :raises InvalidArgumentError: for a line that is not exactly two tab-separated columns
        (Doccano 1.8.4 rejects such a file), or a tag that is not ``O``, ``B-x`` or ``I-x``.
    """
    sentence: list[tuple[str, str]] = []
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                if sentence:
                    yield sentence
                    sentence = []
                continue
            columns = line.split("\t")
            if len(columns) != 2 or not columns[0]:
                raise InvalidArgumentError(
                    f"{path}:{number} is invalid: expected 'token<TAB>tag', got {line[:80]!r}. "
                    "Doccano's CoNLL importer needs exactly two tab-separated columns."
                )
            token, tag = columns
            if tag != "O" and not (tag[:2] in ("B-", "I-") and len(tag) > 2):
                raise InvalidArgumentError(
                    f"{path}:{number} has tag {tag!r}; expected O, B-<type> or I-<type>."
                )
            sentence.append((token, tag))
    if sentence:
        yield sentence


def conll_spans(
    sentence: list[tuple[str, str]], delimiter: str = " "
) -> tuple[str, list[tuple[int, int, str]]]:
    """Return the text Doccano builds from a CoNLL sentence and its entity spans.

    Doccano joins the tokens with ``delimiter`` and turns IOB2 chunks into character offsets.
    An ``I-`` tag without a matching ``B-`` starts a new entity (the usual IOB2 repair).
    """
    text_parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    offset = 0
    current: list[int | str] | None = None
    for index, (token, tag) in enumerate(sentence):
        if index:
            offset += len(delimiter)
        start, end = offset, offset + len(token)
        text_parts.append(token)
        offset = end
        kind = tag[2:]
        if tag.startswith("I-") and current is not None and current[2] == kind:
            current[1] = end
            continue
        if current is not None:
            spans.append((int(current[0]), int(current[1]), str(current[2])))
            current = None
        if tag != "O":
            current = [start, end, kind]
    if current is not None:
        spans.append((int(current[0]), int(current[1]), str(current[2])))
    return delimiter.join(text_parts), spans


def check_conll(
    path: str | os.PathLike[str], entity_types: Iterable[str] | None = WNUT17_ENTITY_TYPES
) -> ConllSummary:
    """Validate a CoNLL file for Doccano's importer and count sentences, tokens and entities.

    :param path: the file.
    :param entity_types: the allowed entity types, or ``None`` to allow any.
    :raises InvalidArgumentError: for a malformed line, an unknown entity type or an empty file.
    """
    allowed = set(entity_types) if entity_types is not None else None
    summary = ConllSummary()
    for sentence in read_conll(path):
        summary.sentences += 1
        summary.tokens += len(sentence)
        for _, _, kind in conll_spans(sentence)[1]:
            if allowed is not None and kind not in allowed:
                raise InvalidArgumentError(
                    f"{path} has entity type {kind!r}, which is not one of {sorted(allowed)}."
                )
            summary.entity_counts[kind] += 1
    if summary.sentences == 0:
        raise InvalidArgumentError(f"{path} contains no sentences.")
    return summary


def subset_conll(
    source: str | os.PathLike[str], output: str | os.PathLike[str], limit: int | None = None
) -> int:
    """Copy the first ``limit`` sentences (all for ``None``/``0``) of a CoNLL file; return the count.

    The copy uses ``\\n`` line ends and a blank line between sentences, which Doccano reads.
    """
    count = 0
    with _atomic_text_file(Path(output)) as out:
        for sentence in read_conll(source):
            if limit and count >= limit:
                break
            out.write("".join(f"{token}\t{tag}\n" for token, tag in sentence) + "\n")
            count += 1
    return count


def conll_gold(path: str | os.PathLike[str], delimiter: str = " ") -> dict[str, list[tuple[int, int, str]]]:
    """Return ``{sentence text: spans}`` as Doccano's CoNLL import builds them."""
    gold = {}
    for sentence in read_conll(path):
        text, spans = conll_spans(sentence, delimiter)
        gold[text] = spans
    return gold


# -- exports ---------------------------------------------------------------------------------


def summarize_jsonl_export(files: Iterable[str | os.PathLike[str]]) -> dict[str, object]:
    """Count the records and labels in Doccano JSONL export files.

    Classification rows carry ``label: [names]``; sequence-labeling rows carry
    ``label: [[start, end, name], ...]``. A row counts as labeled when its list is not empty.

    :returns: ``{"files": {name: rows}, "examples": rows, "labeled": rows with a label,
        "label_distribution": {name: count}}``.
    """
    per_file: dict[str, int] = {}
    distribution: Counter[str] = Counter()
    examples = 0
    labeled = 0
    for file in files:
        path = Path(file)
        if path.suffix != ".jsonl":
            continue
        rows = 0
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                row = json.loads(line)
                rows += 1
                labels = row.get("label") or []
                if labels:
                    labeled += 1
                for label in labels:
                    distribution[label[2] if isinstance(label, list) else str(label)] += 1
        per_file[path.name] = rows
        examples += rows
    return {
        "files": per_file,
        "examples": examples,
        "labeled": labeled,
        "label_distribution": dict(distribution.most_common()),
    }


def find_export_files(event_extras: Iterable[dict], exports_root: str | os.PathLike[str]) -> list[Path]:
    """Return the JSONL files of the newest export.

    :param event_extras: ``extra`` dicts of the triggering Asset events, oldest first. The last
        one with a ``files`` list of existing files wins.
    :param exports_root: the folder with one sub-folder per export, searched when no event names
        files; the most recently modified sub-folder with ``*.jsonl`` files wins.
    :raises FileNotFoundError: when neither gives a JSONL file.
    """
    for extra in reversed(list(event_extras)):
        files = [Path(name) for name in extra.get("files") or [] if str(name).endswith(".jsonl")]
        existing = [path for path in files if path.is_file()]
        if existing:
            return sorted(existing)
    root = Path(exports_root)
    candidates = [folder for folder in root.rglob("*") if folder.is_dir() and any(folder.glob("*.jsonl"))]
    if not candidates:
        raise FileNotFoundError(
            f"No export found: the Asset events name no existing JSONL files and {root} has no folder "
            "with *.jsonl files. Run the producer DAG first or set DOCCANO_WORK_DIR to its work folder."
        )
    newest = max(candidates, key=lambda folder: folder.stat().st_mtime)
    return sorted(newest.glob("*.jsonl"))
