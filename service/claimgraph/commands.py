"""What the `claimgraph` commands do: serve, build-store, validate, export, check, query.

cli.py parses the command line and calls these; each returns the exit status.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Dataset, URIRef
from werkzeug.serving import run_simple

from claimgraph import paths
from claimgraph.app import create_app
from claimgraph.build.checks import CheckRun, Finding, review_iri
from claimgraph.build.drafting import run_draft
from claimgraph.build.pipeline import build_dataset, build_reviewed, serialize_dataset
from claimgraph.build.sources import (
    ARTICLE_FILE,
    ARTICLES_DIR,
    DataSources,
    article_folders,
    read_configured,
    read_sources,
)
from claimgraph.build.validation import (
    RDF_INPUT_FORMATS,
    Report,
    claimed_articles,
    parse_rdf_file,
    validate_dataset,
)
from claimgraph.build.versions import CHANGED, REMOVED, Change, plan_release
from claimgraph.errors import DataError
from claimgraph.iris import Iris, is_version_graph
from claimgraph.loading import ensure_current, load_dataset
from claimgraph.media import QUERY_COMMAND
from claimgraph.nanopubs import PREFIXES as NANOPUB_PREFIXES
from claimgraph.nanopubs import content_key
from claimgraph.querylib import load_library
from claimgraph.releaselog import read_release_log, write_release_file
from claimgraph.settings import Settings
from claimgraph.store.backends import open_store
from claimgraph.store.oxigraph import OxigraphStore
from claimgraph.versiondiff import diff, summary
from claimgraph.wording import HONESTY


def serve(settings: Settings) -> int:

    app = create_app(_as_config(settings))
    where = f"store {settings.store_path}" if settings.store_path else "in-memory store"
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(
        f"claimgraph: serving {settings.base} at http://{host}:{settings.port}/ ({where})",
        flush=True,
    )
    run_simple(settings.host, settings.port, app, threaded=True, use_reloader=False)
    return 0


def serve_production(settings: Settings, *, workers: int, bind: str | None) -> int:
    """The production server (service/claimgraph/production.py) on the on-disk store (or a remote
    one), which is brought up to date first, in this process, unless it is configured read-only."""
    from claimgraph.production import serve_production as run

    if not settings.store_path and settings.store_backend != "sparql":
        raise ValueError("serve --production needs --store PATH (or CLAIMGRAPH_STORE_PATH): an on-disk store")
    if not settings.store_read_only:
        # In a process of its own: the store's engine keeps threads and state that a worker forked
        # from this process would inherit half-made (and crash on at exit).
        builder = multiprocessing.get_context("spawn").Process(target=build_store, args=(settings,))
        builder.start()
        builder.join()
        if builder.exitcode != 0:
            return 1
    return run(settings, workers=workers, bind=bind)


def build_store(settings: Settings) -> int:
    """Bring the on-disk store up to date with the data; a no-op when it already is."""

    store = open_store(settings)
    try:
        loaded = ensure_current(store, Iris(settings.base), settings.data_dir, settings.articles_dir)
        stats = store.stats()
    finally:
        store.close()
    action = "built" if loaded else "already current:"
    where = settings.store_path or settings.sparql_query_url
    print(
        f"claimgraph: {action} {where} ({stats.quads} quads, {stats.named_graphs} named graphs,"
        f" data version {(stats.data_version or '?')[:12]})",
        flush=True,
    )
    return 0


def _as_config(settings: Settings) -> dict[str, object]:
    return asdict(settings)


#: Largest RDF file `validate` reads: a 50 MB Turtle file took 102 s and 4 GB (measured).
MAX_RDF_INPUT_BYTES = 10 * 1024 * 1024


def validate_path(path: str | None, article: str | None, settings: Settings) -> Report:
    """Validate; raises DataError (file and line) when the input cannot even be read."""
    iris = Iris(settings.base)
    if path is None or Path(path).is_dir():
        return build_dataset(_folder_sources(path, settings), iris).report
    file = Path(path)
    fmt = RDF_INPUT_FORMATS.get(file.suffix)
    if fmt is None:
        raise DataError(f"unknown file type {file.suffix!r}; expected {sorted(RDF_INPUT_FORMATS)}", file=path)
    size = file.stat().st_size
    if size > MAX_RDF_INPUT_BYTES:
        raise DataError(
            f"the file is {size} bytes; `validate` reads RDF files of at most {MAX_RDF_INPUT_BYTES} bytes "
            "(parsing and SHACL hold the whole graph in memory, some 80 times its size): split it",
            file=path,
        )
    dataset = parse_rdf_file(file, fmt)
    for graph in list(dataset.graphs()):  # released versions (a dump holds them) were checked when released
        if is_version_graph(str(graph.identifier)):
            dataset.remove_graph(graph)
    return validate_dataset(dataset, iris, _article_texts(dataset, file, article, settings))


def _folder_sources(path: str | None, settings: Settings) -> DataSources:
    """What `validate` builds: the configured data; a data folder (with context.yaml) alone; or an
    article folder (with article.yaml) beside the configured data, in place of the configured article
    of its slug, so an article is checked against the shared context before it is added."""
    if path is None:
        return read_configured(settings.data_dir, settings.articles_dir)
    folder = Path(path)
    if (folder / ARTICLE_FILE).exists():
        data = Path(settings.data_dir) if settings.data_dir else paths.data_dir()
        if folder.resolve().parent == (data / ARTICLES_DIR).resolve():
            return read_configured(settings.data_dir, settings.articles_dir)
        added = [f for f in article_folders(settings.articles_dir) if f.name != folder.name]
        return read_sources(settings.data_dir, [*added, folder])
    return read_sources(folder)


def _article_texts(
    dataset: Dataset, file: Path, article: str | None, settings: Settings
) -> Mapping[URIRef, str]:
    """The texts an RDF file's anchors are checked against: the one ``--article`` names, else the data's."""
    if article is None:
        return read_configured(settings.data_dir, settings.articles_dir).article_texts(Iris(settings.base))
    articles = claimed_articles(dataset)
    if len(articles) > 1:
        raise DataError(
            f"its claims appear in {len(articles)} articles; --article gives one text", file=str(file)
        )
    text = Path(article).read_text(encoding="utf-8")
    return dict.fromkeys(articles, text)


def export(fmt: str, output: str | None, settings: Settings) -> int:
    built = build_reviewed(read_configured(settings.data_dir, settings.articles_dir), Iris(settings.base))
    data = serialize_dataset(built.dataset, fmt)
    if output:
        Path(output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def run_check_command(fmt: str, settings: Settings) -> int:
    iris = Iris(settings.base)
    run = build_reviewed(read_configured(settings.data_dir, settings.articles_dir), iris).check_run
    print(as_json(run, iris) if fmt == "json" else as_table(run, iris))
    return 0


def claim_key(finding: Finding, iris: Iris) -> str:
    """The claim's id, or ``<slug>/<id>`` for an article other than the shipped one."""
    scope = iris.claim_scope(str(finding.claim))
    return f"{scope[0]}/{finding.claim_id}" if scope and scope[0] else finding.claim_id


def as_table(run: CheckRun, iris: Iris) -> str:
    header = f"{'claim':6} {'rule':26} {'verdict':21} explanation"
    lines = [header, "-" * len(header)]
    for finding in run.findings:
        wrapped = textwrap.wrap(finding.explanation, 70) or [""]
        key = claim_key(finding, iris)
        lines.append(f"{key:6} {finding.rule.id:26} {finding.verdict_id:21} {wrapped[0]}")
        lines.extend(" " * 56 + more for more in wrapped[1:])
    counts: dict[str, int] = {}
    for finding in run.findings:
        counts[finding.verdict_id] = counts.get(finding.verdict_id, 0) + 1
    summary = ", ".join(f"{verdict} {n}" for verdict, n in sorted(counts.items()))
    lines += ["", f"{len(run.findings)} findings from {len(run.rules)} rules: {summary}"]
    if run.drafts:
        lines.append(f"not checked: {len(run.drafts)} draft claims (status: draft, not reviewed)")
    lines.append(HONESTY)
    return "\n".join(lines)


def as_json(run: CheckRun, iris: Iris) -> str:
    return json.dumps(
        {
            "started": run.started.isoformat(),
            "ended": run.ended.isoformat(),
            "note": HONESTY,
            "rules": [
                {
                    "id": r.id,
                    "title": r.title,
                    "checks": r.checks,
                    "verdicts": list(r.verdicts),
                    "version": r.version,
                }
                for r in run.rules
            ],
            "findings": [
                {
                    "review": str(review_iri(f, iris)),
                    "claim": f.claim_id,
                    "key": claim_key(f, iris),
                    "claimIri": str(f.claim),
                    "rule": f.rule.id,
                    "verdict": f.verdict_id,
                    "explanation": f.explanation,
                    "computation": f.computation,
                    "evidence": [str(e) for e in f.evidence],
                }
                for f in run.findings
            ],
            "notChecked": [{"claimIri": str(claim), "reason": "draft"} for claim in run.drafts],
        },
        indent=2,
        ensure_ascii=False,
    )


#: The results formats `claimgraph query --format` writes (beside its table), by name.
QUERY_OUTPUT_MEDIA = {fmt.command_name: fmt.media_type for fmt in QUERY_COMMAND}


def run_query(name_or_path: str, fmt: str, settings: Settings) -> int:
    iris = Iris(settings.base)
    path = Path(name_or_path)
    if path.suffix == ".rq" and path.exists():
        text = path.read_text(encoding="utf-8")
    else:
        library = load_library()
        if name_or_path not in library:
            print(f"error: no query file or named query {name_or_path!r}; named queries:", file=sys.stderr)
            for name, q in library.items():
                print(f"  {name}: {q.title}", file=sys.stderr)
            return 2
        text = library[name_or_path].text
    store = OxigraphStore(base_iri=iris.base, prefixes=iris.prefixes())
    load_dataset(store, build_dataset(read_configured(settings.data_dir, settings.articles_dir), iris))
    if fmt == "table":
        print_table(store.select(text))
    else:
        result = store.sparql(text, media_type=QUERY_OUTPUT_MEDIA[fmt])
        for chunk in result.chunks:
            sys.stdout.buffer.write(chunk)
    return 0


def print_table(rows: list[dict]) -> None:
    if not rows:
        print("(no rows)")
        return
    names = list(dict.fromkeys(name for row in rows for name in row))
    cells = [[str(row.get(n, "")) for n in names] for row in rows]
    widths = [min(60, max(len(n), *(len(c[i]) for c in cells))) for i, n in enumerate(names)]
    print("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
    for row in cells:
        print("  ".join(c[:60].ljust(w) for c, w in zip(row, widths, strict=True)))
    print(f"({len(rows)} rows)")


def draft(
    text_file: str, *, output: str | None, force: bool, settings: Settings, **options: str | None
) -> int:
    """`claimgraph draft`: write the draft folder and print where, and the coverage report."""
    data = Path(settings.data_dir) if settings.data_dir else None
    drafted, folder = run_draft(text_file, output, force=force, data_dir=data, **options)
    print(f"claimgraph: wrote a draft of {len(drafted.reading.candidates)} candidate claims to {folder}/")
    print(drafted.report)
    return 0


#: The environment variable naming the file of the RSA private key releases are signed with.
SIGNING_KEY_ENV = "CLAIMGRAPH_SIGNING_KEY_FILE"


def release(settings: Settings, *, dry_run: bool, message: str, key_file: str | None, now: str | None) -> int:
    """Record a release of the validated data in data/releases/ (append-only); with ``dry_run``, only
    show what it would record, claim by claim. Refuses data that fails validation (exit 1)."""
    folder = Path(settings.data_dir) if settings.data_dir else paths.data_dir()
    iris = Iris(settings.base)
    sources = read_sources(folder)
    built = build_dataset(sources, iris)
    if not built.report.conforms:
        print(built.report, file=sys.stderr)
        print("error: the data fails validation; nothing was released", file=sys.stderr)
        return 1
    key_path = key_file or os.environ.get(SIGNING_KEY_ENV) or None
    key = Path(key_path).read_bytes() if key_path and not dry_run else None
    if now is not None and datetime.fromisoformat(now).tzinfo is None:  # ValueError: not a date-time
        raise ValueError(f"--now {now!r} needs a time zone (e.g. 2026-12-01T10:00:00Z)")
    issued = now or datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    plan = plan_release(built.dataset, sources.releases, iris, issued, message, key)
    for change in plan.changed:
        print(_describe_change(change))
    unchanged = len(plan.changes) - len(plan.changed)
    if not plan.changed:
        print(f"claimgraph: nothing changed since release {plan.number - 1}; nothing to release")
        return 0
    if dry_run:
        counts = f"{len(plan.changed)} change(s), {unchanged} unchanged"
        print(f"claimgraph: release {plan.number} would record {counts}")
        return 0
    path = write_release_file(folder, plan.number, plan.lines)
    signed = " (signed)" if key else ""
    counts = f"{len(plan.changed)} change(s), {unchanged} unchanged"
    print(f"claimgraph: release {plan.number}{signed}: {counts} -> {path}")
    return 0


def _describe_change(change: Change) -> str:
    old = summary(content_key(change.old), change.claim) if change.old else []
    new = summary(content_key(change.new), change.claim) if change.new and change.kind != REMOVED else []
    head = f"{change.kind} <{change.claim}>"
    if change.new is not None:
        head += f" -> <{change.new.iri}>" if change.kind != REMOVED else f" (retracts <{change.old.iri}>)"  # type: ignore[union-attr]
    if change.kind == CHANGED and change.old is not None:
        head += f" supersedes <{change.old.iri}>"
    return "\n".join([head, *(f"    {line}" for line in diff(old, new))])


def export_nanopubs(fmt: str, output: str | None, settings: Settings) -> int:
    """Every released nanopublication (all versions and retractions) as one TriG or N-Quads bundle."""
    folder = Path(settings.data_dir) if settings.data_dir else paths.data_dir()
    log = read_release_log(folder)
    if log.problems:
        raise DataError("; ".join(f"{file}: {message}" for file, message in log.problems))
    bundle = Dataset()
    for prefix, namespace in {**Iris(settings.base).prefixes(), **NANOPUB_PREFIXES}.items():
        bundle.bind(prefix, namespace, replace=True)
    for nanopub in log.nanopubs.values():
        for g, s, p, o in nanopub.quads:
            bundle.add((s, p, o, g))  # type: ignore[arg-type]
    data = serialize_dataset(bundle, fmt)
    if output:
        Path(output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0
