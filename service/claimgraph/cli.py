"""The `claimgraph` command: serve, validate, export, query, check, draft."""

from __future__ import annotations

import argparse
import sys

from claimgraph import commands, ingest_command
from claimgraph.errors import ClaimgraphError, DataError, StoreUnavailable
from claimgraph.media import DATASET_FORMATS, QUERY_COMMAND
from claimgraph.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except (DataError, StoreUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # bad settings
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a missing permission: one line, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimgraph", description="A fact-checking knowledge graph service."
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the web service on an embedded store")
    serve.add_argument("--host", default=None, help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 5000)")
    serve.add_argument(
        "--store", default=None, help="on-disk store directory, rebuilt when data/ changed (default: memory)"
    )
    serve.add_argument("--base-iri", default=None, help="base of minted IRIs")
    serve.add_argument(
        "--query-timeout", type=float, default=None, help="seconds a query may run (default 10)"
    )
    serve.add_argument(
        "--production",
        action="store_true",
        help="run the production server (gunicorn, sync workers reading whole requests, on-disk store)",
    )
    serve.add_argument("--workers", type=int, default=4, help="--production: gunicorn workers (default 4)")
    serve.add_argument("--bind", default=None, help="--production: gunicorn's bind (default HOST:PORT)")
    serve.set_defaults(run=cmd_serve)

    build_store = sub.add_parser(
        "build-store", help="build or update the on-disk store that production workers open read-only"
    )
    build_store.add_argument("path", help="store directory")
    build_store.add_argument("--base-iri", default=None, help="base of minted IRIs (as the server will use)")
    build_store.set_defaults(run=cmd_build_store)

    validate = sub.add_parser(
        "validate", help="validate the data (a data folder, or an RDF file) and print a report"
    )
    suffixes = "/".join(f".{fmt.suffix}" for fmt in DATASET_FORMATS)
    validate.add_argument(
        "path",
        nargs="?",
        default=None,
        help=f"data folder, article folder (checked with the data) or {suffixes} file",
    )
    validate.add_argument("--article", default=None, help="article text the anchors point into (RDF files)")
    validate.set_defaults(run=cmd_validate)

    export = sub.add_parser("export", help="write the whole dataset")
    export_names = sorted(fmt.command_name for fmt in DATASET_FORMATS)
    export.add_argument("--format", choices=export_names, default="trig")
    export.add_argument("-o", "--output", default=None, help="file to write (default: stdout)")
    export.add_argument(
        "--nanopubs",
        action="store_true",
        help="write every released nanopublication (all versions, retractions) instead, as one bundle",
    )
    export.set_defaults(run=cmd_export)

    release = sub.add_parser(
        "release",
        help="record a release: a new version of every changed claim, a retraction of every removed one",
    )
    release.add_argument("--dry-run", action="store_true", help="show what would change, claim by claim")
    release.add_argument("--message", "-m", default="", help="why this release (kept in the release log)")
    release.add_argument(
        "--key",
        default=None,
        help=f"RSA private key (PEM) to sign new nanopublications (default: ${commands.SIGNING_KEY_ENV})",
    )
    release.add_argument("--now", default=None, help=argparse.SUPPRESS)
    release.set_defaults(run=cmd_release)

    query = sub.add_parser("query", help="run a .rq file or a named example query")
    query.add_argument("query", help="path to a .rq file, or the name of a query in queries/")
    query.add_argument(
        "--format", choices=["table", *(f.command_name for f in QUERY_COMMAND)], default="table"
    )
    query.set_defaults(run=cmd_query)

    check = sub.add_parser("check", help="run the automated checks and print their findings")
    check.add_argument("--format", choices=["table", "json"], default="table")
    check.set_defaults(run=cmd_check)

    draft = sub.add_parser(
        "draft",
        help="write a reviewable draft article folder from a plain text, and print its coverage report",
        description="Write an article folder (article.txt, article.yaml, claims.yaml) whose claims are "
        "candidates found by rules, every one `status: draft` (served labelled as not reviewed, never "
        "checked), and print a coverage report of the text's number tokens.",
    )
    draft.add_argument("text_file", help="the article's text (UTF-8 plain text; copied byte for byte)")
    draft.add_argument("-o", "--output", default=None, help="folder to write (default: ./SLUG)")
    draft.add_argument(
        "--slug", default=None, help="the article's id and folder name (default: from the file name)"
    )
    draft.add_argument("--title", default=None, help="the article's title (default: not stated)")
    draft.add_argument("--url", default=None, help="the article's URL (default: not stated)")
    draft.add_argument("--published", default=None, help="publication date, YYYY-MM-DD (default: not stated)")
    draft.add_argument("--language", default="en", help="the text's language tag (default: en)")
    draft.add_argument(
        "--context",
        default=None,
        help="shared context.yaml whose units and agents the draft reuses (default: data's)",
    )
    draft.add_argument("--force", action="store_true", help="overwrite the draft files of a non-empty folder")
    draft.set_defaults(run=cmd_draft)

    ingest = sub.add_parser(
        "ingest",
        help="add (or --replace, or --delete) an article: validated, swapped in atomically, audited",
        description="Add an article folder (or a .zip, .tar.gz, .tar or .json of one) to the configured"
        " articles_dir and store, as POST /api/articles does; or, with --url, send it to a running server"
        f" with the token in ${ingest_command.TOKEN_VARIABLE}.",
    )
    ingest.add_argument(
        "path", nargs="?", default=None, help="article folder, or an archive or JSON file of one"
    )
    ingest.add_argument("--replace", action="store_true", help="replace the ingested article of this slug")
    ingest.add_argument("--delete", metavar="SLUG", default=None, help="delete the ingested article SLUG")
    ingest.add_argument("--slug", default=None, help="the article's slug (default: the folder's name)")
    ingest.add_argument("--url", default=None, help="a running server's root URL: change it by HTTP")
    ingest.set_defaults(run=cmd_ingest)
    return parser


def _settings(**overrides: object) -> Settings:
    return Settings.from_mapping({k: v for k, v in overrides.items() if v is not None})


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(
        host=args.host,
        port=args.port,
        store_path=args.store,
        base_iri=args.base_iri,
        query_timeout=args.query_timeout,
    )
    if args.production:
        return commands.serve_production(settings, workers=args.workers, bind=args.bind)
    if args.bind:
        raise ValueError("--bind needs --production; use --host and --port")
    return commands.serve(settings)


def cmd_build_store(args: argparse.Namespace) -> int:
    return commands.build_store(_settings(store_path=args.path, base_iri=args.base_iri))


def cmd_validate(args: argparse.Namespace) -> int:
    report = commands.validate_path(args.path, args.article, _settings())
    print(report)
    return 0 if report.conforms else 1


def cmd_export(args: argparse.Namespace) -> int:
    if args.nanopubs:
        if args.format not in ("trig", "nquads"):
            raise ValueError("--nanopubs writes trig or nquads (nanopublications are named graphs)")
        return commands.export_nanopubs(args.format, args.output, _settings())
    return commands.export(args.format, args.output, _settings())


def cmd_release(args: argparse.Namespace) -> int:
    return commands.release(
        _settings(), dry_run=args.dry_run, message=args.message, key_file=args.key, now=args.now
    )


def cmd_check(args: argparse.Namespace) -> int:
    return commands.run_check_command(args.format, _settings())


def cmd_draft(args: argparse.Namespace) -> int:
    return commands.draft(
        args.text_file,
        output=args.output,
        slug=args.slug,
        title=args.title,
        url=args.url,
        published=args.published,
        language=args.language,
        context=args.context,
        force=args.force,
        settings=_settings(),
    )


def cmd_query(args: argparse.Namespace) -> int:
    return commands.run_query(args.query, args.format, _settings())


def cmd_ingest(args: argparse.Namespace) -> int:
    if (args.delete is None) == (args.path is None) or (args.delete is not None and args.replace):
        raise ValueError("give an article PATH (with --replace to replace one), or --delete SLUG")
    try:
        if args.url:
            return ingest_command.ingest_remote(
                args.url, args.path, replace=args.replace, delete=args.delete, slug=args.slug
            )
        return ingest_command.ingest(
            _settings(), args.path, replace=args.replace, delete=args.delete, slug=args.slug
        )
    except ClaimgraphError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
