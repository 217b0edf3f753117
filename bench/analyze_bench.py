"""Speed of `wildwatch analyze`: documents and syllables per second, and where the time goes.

Reads nothing; writes a generated corpus of realistic Vietnamese and English snippets (seizure
reports, ads, chat posts, unrelated news) to a temporary directory and prints figures:

1. the real command line (`wildwatch analyze -i corpus -o out`), model loading included, with
   and without word segmentation, and with several workers;
2. in one process, the time spent in word segmentation versus everything else (normalisation,
   language, species, enforcement, trade signal, prices, quantities, places, contacts).

Usage: .venv/bin/python bench/analyze_bench.py [--docs 10000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENTENCES_VI = [
    "Chi cục Hải quan cửa khẩu sân bay quốc tế Nội Bài phát hiện, thu giữ {n} kg {product}.",
    "Đội Kiểm soát Hải quan cửa khẩu Móng Cái bắt giữ xe tải chở {n} kg {product} ngụy trang "
    "dưới lớp hàng nông sản.",
    "Công an tỉnh {place} đã khởi tố vụ án, bắt tạm giam {person} về tội vi phạm quy định về "
    "bảo vệ động vật nguy cấp, quý, hiếm.",
    "TAND tỉnh {place} đưa ra xét xử và tuyên phạt bị cáo {person} {n} năm tù.",
    "Theo quy định, người vi phạm có thể bị phạt tù đến 15 năm và phạt tiền đến 2 tỷ đồng.",
    "Bán {product} nguyên chất, giá {n} triệu/kg, ib zalo 0912 345 678, ship toàn quốc.",
    "ban {plain} gia re, hang chuan, lh 0987 654 321",
    "Tài xế khai được thuê vận chuyển sang Trung Quốc với giá {n} triệu đồng mỗi chuyến.",
    "Vụ việc đang được cơ quan chức năng tiếp tục điều tra, làm rõ.",
    "Vườn thú Hà Nội vừa đón {n} hổ con chào đời khỏe mạnh.",
    "Trung tâm cứu hộ đã thả về rừng {n} cá thể khỉ đuôi dài và cu li nhỏ.",
    "Đội tuyển Việt Nam thắng 2-0, những chú hổ Mã Lai không thể ghi bàn.",
    "Giá vàng hôm nay tăng mạnh, nhà đầu tư đổ xô đi mua vàng miếng.",
    "Thời tiết miền Bắc nắng nhẹ, nhiệt độ cao nhất 30 độ C.",
    "Ủy ban nhân dân tỉnh {place} tổ chức hội nghị tổng kết công tác năm.",
]
SENTENCES_EN = [
    "Customs officers at {place} seized {n} kg of {en} hidden in a shipment from Nigeria.",
    "Two Vietnamese nationals were arrested and charged with wildlife trafficking.",
    "A court sentenced the smuggler to {n} years in prison.",
    "Traffickers can face up to 10 years in prison under the new law.",
]
PRODUCTS = [
    "ngà voi",
    "vảy tê tê",
    "sừng tê giác",
    "cao hổ cốt",
    "mật gấu",
    "gỗ trắc",
    "vây cá mập",
    "cá ngựa khô",
    "mỏ hồng hoàng",
    "da báo hoa mai",
]
PLAIN = ["vay te te", "nga voi", "sung te giac", "cao ho cot", "mat gau"]
EN_PRODUCTS = ["ivory", "pangolin scales", "rhino horn", "tiger bones", "shark fin"]
PLACES = ["Nghệ An", "Quảng Ninh", "Lạng Sơn", "Hà Tĩnh", "Quảng Trị", "Hải Phòng"]
PERSONS = ["Nguyễn Văn Tùng", "Lê Thị Lan", "Trần Văn Hải", "Phạm Văn Bảo"]
_SYLLABLE = re.compile(r"\w+")


def generate(count: int, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    docs = []
    for index in range(count):
        english = rng.random() < 0.15
        pool = SENTENCES_EN if english else SENTENCES_VI
        sentences = [rng.choice(pool) for _ in range(rng.randint(4, 10))]
        text = " ".join(
            s.format(
                n=rng.randint(2, 900),
                product=rng.choice(PRODUCTS),
                plain=rng.choice(PLAIN),
                en=rng.choice(EN_PRODUCTS),
                place=rng.choice(PLACES),
                person=rng.choice(PERSONS),
            )
            for s in sentences
        )
        docs.append({"id": f"doc-{index}", "text": text})
    return docs


def run_cli(corpus: Path, out: Path, *extra: str) -> float:
    command = [str(ROOT / ".venv/bin/wildwatch"), "analyze", "-i", str(corpus), "-o", str(out)]
    started = time.perf_counter()
    subprocess.run([*command, *extra], check=True, env=dict(os.environ))
    return time.perf_counter() - started


def split_costs(docs: list[dict[str, str]]) -> tuple[float, float, float]:
    """Seconds for: model/vocabulary loading, analysis without segmentation, segmentation."""
    started = time.perf_counter()
    from pipelines.analysis import analyze
    from pipelines.normalize import normalize_text
    from pipelines.segment import segment_words

    analyze("Thu giữ vảy tê tê tại cửa khẩu.")  # vocabularies and the segmenter
    analyze("Customs officers seized two tonnes of ivory at the port.")  # py3langid
    loading = time.perf_counter() - started
    # Interleaved per document, so both figures see the same load from other processes.
    rest = segmentation = 0.0
    for doc in docs:
        started = time.perf_counter()
        analyze(doc["text"], segment=False)
        middle = time.perf_counter()
        segment_words(normalize_text(doc["text"]))
        rest += middle - started
        segmentation += time.perf_counter() - middle
    return loading, rest, segmentation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--split-only", action="store_true", help="skip the command-line runs")
    args = parser.parse_args()
    docs = generate(args.docs)
    syllables = sum(len(_SYLLABLE.findall(d["text"])) for d in docs)
    print(
        f"corpus: {len(docs)} documents, {syllables} syllables "
        f"({syllables / len(docs):.0f} per document)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        corpus.write_text(
            "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8"
        )
        out = Path(tmp) / "out.jsonl"
        runs: list[tuple[str, tuple[str, ...]]] = [
            ("wildwatch analyze (1 process)", ()),
            ("wildwatch analyze --no-segment", ("--no-segment",)),
            (f"wildwatch analyze --workers {args.workers}", ("--workers", str(args.workers))),
        ]
        for label, extra in [] if args.split_only else runs:
            seconds = run_cli(corpus, out, *extra)
            print(
                f"{label:<40} {seconds:7.1f} s  {len(docs) / seconds:8.0f} docs/s  "
                f"{syllables / seconds:9.0f} syllables/s"
            )
    sample = docs[: min(len(docs), 3000)]
    sample_syllables = sum(len(_SYLLABLE.findall(d["text"])) for d in sample)
    loading, rest, segmentation = split_costs(sample)
    print(f"in-process split over {len(sample)} documents ({sample_syllables} syllables):")
    print(f"  loading models and vocabularies (once per process) {loading:6.2f} s")
    print(
        f"  everything except segmentation                     {rest:6.2f} s "
        f"({1e6 * rest / sample_syllables:.1f} ms per 1,000 syllables)"
    )
    print(
        f"  word segmentation (underthesea)                    {segmentation:6.2f} s "
        f"({1e6 * segmentation / sample_syllables:.1f} ms per 1,000 syllables)"
    )
    verdict = "below" if rest < segmentation else "ABOVE"
    print(f"  everything else is {verdict} the cost of segmentation ({rest / segmentation:.2f}x)")


if __name__ == "__main__":
    main()
