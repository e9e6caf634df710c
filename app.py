"""Vraagbaak entry point: `python app.py` starts the chat page; `vraagbaak ...` runs commands.

Only wiring lives here: parse the command line, build components from the settings, call the
packages, print. Known failures become one clear message and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXIT_USAGE, EXIT_FAILED = 2, 1


def _settings():  # noqa: ANN202 - imported lazily so `--help` stays instant
    from store.settings import load_settings

    return load_settings()


def cmd_models(args: argparse.Namespace) -> int:
    from store.models import DEFAULT_MODELS, fetch, verify

    settings = _settings()
    if args.action == "fetch":
        fetch(settings.models_dir, say=lambda s: print(s, file=sys.stderr))
    else:
        for spec in DEFAULT_MODELS:
            verify(settings.models_dir, spec)
            print(f"{spec.name}: sha256 ok")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from chat.factory import build_embedder
    from ingest.pipeline import ingest
    from store.language import get_detector

    settings = _settings()
    paths = [Path(p) for p in args.paths] or [settings.corpus_dir]
    embedder = build_embedder(settings, cache=True)
    bar = tqdm(total=0, unit="chunk", desc="embedding", file=sys.stderr, disable=None)
    report = ingest(paths, settings, embedder, get_detector(settings.language_detector).detect,
                    progress=bar.update, on_total=lambda n: bar.reset(total=n))
    bar.close()
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        per_lang = ", ".join(f"{k}: {v}" for k, v in report.chunks_per_language.items())
        print(f"{report.documents} documents, {report.chunks} chunks ({per_lang}); "
              f"embedded {report.embedded}, removed {report.removed}, {report.seconds} s")
    return EXIT_FAILED if report.errors else 0


def _read_history(path: str | None) -> list[dict[str, str]]:
    if not path:
        return []
    from chat.history import HistoryError, parse_history

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HistoryError(f"Cannot read the history file {path}: {exc}") from exc
    return parse_history(data)


def cmd_ask(args: argparse.Namespace) -> int:
    from chat.chain import QuestionError
    from chat.factory import build_chain
    from chat.render import render_plain

    history = _read_history(args.history)
    chain = build_chain(_settings())
    try:
        answer = chain.ask(args.question, history)
    except QuestionError as exc:
        if args.json:
            print(json.dumps({"question": args.question, "language": exc.language,
                              "error": str(exc), "kind": exc.kind}, ensure_ascii=False))
        else:
            print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_plain(answer, chain.prompts.message(answer.language, "sources")))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    import subprocess

    from tqdm import tqdm

    from chat.factory import build_chain
    from eval.report import write_report
    from eval.run import format_table, load_questions, run_eval

    settings = _settings()
    items = load_questions([Path(p) for p in args.qa])
    if args.limit:
        items = items[: args.limit]
    if args.pipeline == "starter":
        from eval.starter import StarterPipeline

        chain = StarterPipeline(settings)
    else:
        chain = build_chain(settings)
    # the code that answers is the code at the start of a long run
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    with tqdm(total=len(items), unit="q", desc="eval", file=sys.stderr, disable=None) as bar:
        metrics = run_eval(chain, items, Path(args.out), args.retrieval_only, bar.update)
    print(format_table(metrics))
    if args.report:
        about = {
            "pipeline": "llama-index starter (eval/starter.py)" if args.pipeline == "starter"
            else "vraagbaak (chat/chain.py)",
            "commit": commit, "questions": ", ".join(args.qa), "items": len(items),
            "mode": "retrieval only" if args.retrieval_only else "full answers",
            "embedding": str(settings.embedding_dir().name),
            "llm": settings.llm_model if settings.llm_mode == "openai"
            else settings.gguf_file().name,
        }
        print(f"report: {write_report(metrics, Path(args.report), about)}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from chat.factory import build_chain
    from chat.server import build_server

    settings = _settings()
    if args.host:
        settings.host = args.host
    if args.port:
        settings.port = args.port
    app = build_server(settings, build_chain(settings))
    print(f"Vraagbaak is ready: http://{settings.host}:{settings.port}{settings.root_path}/",
          file=sys.stderr)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                access_log=False)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vraagbaak",
        description="Questions about Belgian asylum and migration policy, answered with "
        "citations from the documents (nl/fr/en), offline.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    models = sub.add_parser("models", help="fetch or verify the default local models")
    models.add_argument("action", choices=["fetch", "verify"])
    models.set_defaults(func=cmd_models)

    ing = sub.add_parser("ingest", help="chunk documents into the index (default: the corpus)")
    ing.add_argument("paths", nargs="*", help="files or folders (default: the bundled corpus)")
    ing.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    ing.set_defaults(func=cmd_ingest)

    ask = sub.add_parser("ask", help="answer one question with citations")
    ask.add_argument("question")
    ask.add_argument("--history", help="JSON file: a list of {role, content} turns")
    ask.add_argument("--json", action="store_true", help="print the full answer as JSON")
    ask.set_defaults(func=cmd_ask)

    serve = sub.add_parser("serve", help="start the chat page, the API and the widget")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 7860)")
    serve.set_defaults(func=cmd_serve)

    ev = sub.add_parser("eval", help="run question files through the chain and score them")
    ev.add_argument("--qa", nargs="+", required=True, help="JSONL question files")
    ev.add_argument("--out", required=True, help="results, one JSON line per item")
    ev.add_argument("--report", help="folder for report.md, chart.png and metrics.json")
    ev.add_argument("--limit", type=int, help="only the first N items")
    ev.add_argument("--retrieval-only", action="store_true",
                    help="stop after retrieval (no answers): fast retrieval metrics")
    ev.add_argument("--pipeline", choices=["vraagbaak", "starter"], default="vraagbaak",
                    help="vraagbaak (default) or starter: the plain llama-index starter over "
                    "the same corpus and models, for comparison (eval/starter.py)")
    ev.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None, exit_hard: bool | None = None) -> int:
    """Run one command. From the command line (`exit_hard`, the default when argv is None),
    `ask` and `eval` end the process themselves once their output is written: the
    in-process llama.cpp server can hang the interpreter's shutdown (seen once in CI, an
    `ask` that had answered waited 15 minutes on a thread)."""
    args = build_parser().parse_args(argv)
    code = _run(args)
    if (argv is None if exit_hard is None else exit_hard) and \
            getattr(args, "func", None) in (cmd_ask, cmd_eval):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _run(args: argparse.Namespace) -> int:
    from chat.errors import KNOWN_ERRORS

    try:
        return int(args.func(args) or 0)
    except KNOWN_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback in front of a user, unless asked for
        if os.environ.get("VRAAGBAAK_DEBUG"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc}\n"
              "Run again with VRAAGBAAK_DEBUG=1 to see the details.", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["serve"], exit_hard=True))
