"""Prices in their context: ranges, penalties and fees, local dollars, per-unit value in đồng.

Reads NFC text and the prices ``pipelines.prices.located_prices`` found in it; writes the prices
a reader would call the price or value of wildlife goods:

* a range is one price with ``min`` and ``max`` ("50 - 250 triệu đồng/kg", "55.000-60.000
  đồng/con", "RM1,000 to RM1,500 per kg", "between Bt900 and Bt1,200 a kilogram", "Rp 8 juta
  hingga Rp 16 juta"); its ``amount`` is the upper bound, as before ranges were read;
* penalties, statutory amounts, pay and other non-trade money are not prices: a fine or a
  legal threshold ("phạt tiền từ … đến …", "faces fines of up to …", "denda maksimal Rp5
  miliar", "并处罚金", "โทษปรับ"), a courier's or driver's pay ("tiền công 50 triệu", "was paid
  RM1,800"), a bribe, savings in a bank, salaries, tickets, fees, income, profit, revenue, and
  anything counted per month, year, day or person ("5 triệu đồng/tháng"). The cue must stand
  in the same sentence, before the amount, with no value word ("trị giá", "worth", "senilai",
  "价值", "มูลค่า") between them: "bị phạt 2 năm tù vì buôn số sừng trị giá 3 tỷ" keeps the 3 tỷ;
* the same amount written again without its unit is the same price, not a total ("3500k/lạng
  … giá 3500k" is one price per 100 g);
* "元" in a Hong Kong text is the Hong Kong dollar ("市值約18萬元"), in a Singapore one the
  Singapore dollar; a bare "$" in a Hong Kong text that never names the US dollar is local too;
* a unit price gets its value in đồng per kilogram, per individual or per piece
  (``vnd_per_kg``, ``vnd_per_individual``, ``vnd_per_piece``; ``None`` when it is not a price
  per that kind of unit), from the units table and the fixed exchange rates.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipelines.fields import Price
from pipelines.numbers import find_amounts
from pipelines.prices import load_rates, per_unit_at, per_unit_before
from pipelines.units import load_units

Located = tuple[int, int, Price]

# Words joining the bounds of a range, written between them; "từ"/"between"/"from" may open it.
_RANGE_JOIN = re.compile(
    r"\s*(?:-|–|—|~|to|đến|den|tới|toi|and|hingga|sampai|s/d|至|到|ถึง)\s*",
    re.IGNORECASE,
)
# The lower bound written bare before the join: "50 - 250 triệu", "1,000-1,500 baht".
# Chinese glues it to the word before ("每公斤300到500元"): only a Latin letter may not touch it.
_BARE_LOW = re.compile(
    r"(?<![\d.,_A-Za-z\u00c0-\u024f\u1e00-\u1eff])(\d[\d.,]*)\s*(?:-|–|—|~|to|đến|den|tới|hingga|sampai|至|到)\s*$"
)

# Penalty, statute and pay cues (lower case, matched on the sentence before the amount).
_NOT_A_PRICE = re.compile(
    r"phạt|phat tien|mức phạt|xử phạt|nộp phạt|bảo lãnh|tiền công|trả công|tiền thuê"
    r"|tiền lương|mức lương|trả lương|gửi ngân hàng|hối lộ|tiền mặt|giá vé|vé vào|học phí|"
    r"phí ship|phí vận chuyển|cước|thu nhập|thu lời|lời từ|lãi từ|tiền lời|lợi nhuận|doanh thu|"
    r"\bticket|\badmission|\bentrance fee|\brevenue|\bprofit|\bearnings|\bdividend|\bturnover"
    r"|\bpendapatan|\bkeuntungan|\btiket|收入|利润|门票|รายได้|ค่าเข้าชม|กำไร|"
    r"\bfine[ds]?\b|\bfining\b|\bpenalt|\bbail\b|punishable|\bpaid\b|\bpay\b|\bwages?\b|\bsalary"
    r"|\bbribe|\bhired\b|\bfee\b|duty paid|unpaid (?:import )?duties"
    # rewards, budgets, grants and spending are no price of goods
    r"|\breward|\bbudget|\bspent\b|\bspend[s]?\b|\bfunding\b|\bgrant\b|\bdonat"
    r"|tiền thưởng|khen thưởng|kinh phí|ngân sách|tài trợ|\banggaran\b|\bhadiah\b|奖励|奖金|经费|"
    r"ค่าตอบแทนนำจับ|งบประมาณ"
    # a courier's promised pay, a trip's costs, loans
    r"|thù lao|được trả|hứa trả|chi phí|vé máy bay|tiền vé|khoản vay|khoản nợ|\bpromised\b"
    r"|\bto earn\b|\bairfare|\bair ticket|\bloan\b|\bdebt\b|ordered to pay|\bcompensation"
    r"|\bimbalan\b|\bongkos\b|酬劳|酬勞|好处费|好處費|运费|運費|路费|路費|ค่าขน|ค่าเดินทาง"
    r"|denda\b|\bkompaun|\bjamin|\bupah\b|\bdibayar\b|uang tunai|ancaman|\bcash\b|现金|現金|เงินสด"
    r"|罚金|罚款|罰款|罰金|处罚|處罰|赔偿|賠償|报酬|報酬|工资|工資|罚|罰"
    r"|ปรับ|ค่าจ้าง|ค่าตอบแทน|สินบน"
    # (wave 4) bail, salaries and rewards in each language
    r"|ประกันตัว|หลักทรัพย์ประกัน|保释|保釋|取保候审|取保候審|保证金|保證金"
    r"|\bgaji\b|\bsalaries\b|月薪|薪水|薪酬|เงินเดือน|悬赏|懸賞|赏金|賞金",
    re.IGNORECASE,
)
# A running total over a period or over many cases is no price of the goods in the report,
# even when it is called a value ("Since October 2016, customs have seized more than 1 billion
# dollars' worth ... in 52 cases", "全年刑事立案走私犯罪案件1523起，案值437.6亿元").
_PERIOD_TOTAL = re.compile(
    r"\bsince (?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december|the start|the beginning|\d{4})|\bso far this year|^\s*in total,|\bthis year alone"
    # many attempts or cases together: "foiled several attempts to smuggle … worth …"
    r"|\bseveral (?:attempts|cases|seizures)\b|\bmany (?:cases|seizures)\b"
    r"|^\s*totalnya\b|^\s*secara keseluruhan\b"
    r"|từ đầu năm|trong năm qua|năm qua|全年|今年以来|年以来|以来，|ตั้งแต่ต้นปี|ตลอดปี"
    r"|sejak awal tahun|sepanjang tahun",
    re.IGNORECASE,
)
_MONTHS = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
)
# The period named after the amount, in the same sentence: "seized goods worth 598 million baht
# between October last year and February this year", "… in five months", "… in 11 cases".
_PERIOD_AFTER = re.compile(
    r"\bbetween " + _MONTHS + r"\b[^.;]{0,40}\band " + _MONTHS + r"\b"
    r"|\bin (?:the (?:first|past|last) )?(?:\d+|two|three|four|five|six|seven|eight|nine|ten"
    r"|eleven|twelve) months\b|\bin \d+ (?:cases|seizures)\b",
    re.IGNORECASE,
)
# Goods that are not wildlife, named right before "worth": "13.5 million cigarettes worth …".
_OTHER_GOODS_WORTH = re.compile(
    r"(?:cigarettes?|counterfeit\w*|luxur\w+ goods|drugs|heroin|cocaine|methamphetamine|yaba"
    r"(?: pills)?|alcohol\w*|liquor|beverages|fuel|petrol|diesel|thuốc lá|ma túy|hàng giả|rượu"
    r"|xăng dầu|rokok|narkoba|sabu|miras|香烟|香煙|卷烟|毒品|บุหรี่|ยาเสพติด|สุรา)"
    r"\s+(?:\S+\s+){0,2}?(?:worth|valued at|trị giá|senilai|价值|價值|มูลค่า)\s*"
    r"(?:about|around|some|over|more than|nearly|khoảng|sekitar|约|約|กว่า)?\s*$",
    re.IGNORECASE,
)
# A value word between the cue and the amount makes the amount a value again.
_VALUE_WORD = re.compile(
    r"trị giá|tri gia|giá trị|gia tri|\bgiá\b|định giá|\bworth\b|\bvalued?\b|\bprice|\bsells?\b"
    r"|\bfetch|\bsenilai\b|\bharga\b|\bnilai\b|价值|價值|市值|售价|售價|案值|价格|價格"
    r"|มูลค่า|ราคา",
    re.IGNORECASE,
)
# Fees written right after the amount: "… a load", "… each time", "… in fines", "… để vận chuyển".
_NOT_A_PRICE_AFTER = re.compile(
    r"\s*(?:\([^)]{0,30}\)|\))?\s*(?:a load|each time|per trip|a trip|in fines?|fine\b|"
    # a bribe offered "to drop the charges", "to release him"
    r"to (?:drop|release|free|let|avoid|escape)\b|"
    # pay for carrying the goods: "offered 1.2 million VND (51.7 USD) to him to transport"
    r"(?:to (?:him|her|them|me) )?to (?:transport|carry|deliver|smuggle|ferry)\b|"
    r"để vận chuyển\b|untuk (?:membawa|mengangkut|mengirim)\b|"
    r"(?:of|in) unpaid|in return for|as a bribe|tiền công|mỗi chuyến|một chuyến|trở lên|"
    # cash seized, named after the amount: "15 triệu đồng tiền mặt", "RM3,000 in cash"
    r"tiền mặt|in cash\b|cash\b|(?:uang )?tunai\b|现金|現金|เงินสด|"
    r"trở xuống|/\s*(?:tháng|năm|ngày|người|lượt|month|year|day|person)(?!\w)|"
    r"(?:a|per) (?:month|year|day|person|night)\b|mỗi tháng|mỗi năm|một tháng|một năm"
    r"|/\s*đêm|một đêm|mỗi đêm)",
    re.IGNORECASE,
)
# Legal thresholds: "săn động vật có giá trị dưới 5.000.000 đồng".
_THRESHOLD_BEFORE = re.compile(
    r"(?:có giá trị|có trị giá|trị giá|giá trị)\s+(?:dưới|trên|từ)\s*$", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?;。！？\n](?=\s|$)|[。！？；\n]")
_CONTEXT_CHARS = 160

# Hong Kong writes its dollar as 元: "市值約18萬元" in a Hong Kong text.
_HONG_KONG = re.compile(r"香港|港元|港幣|港币|抵港|本港|來港|来港|Hong Kong", re.IGNORECASE)
_MAINLAND_YUAN = re.compile(r"人民币|人民幣|RMB|CNY")
_SINGAPORE = re.compile(r"新加坡|新元|新币|新幣|星洲|Singapore")
_US_DOLLAR = re.compile(r"US\$|USD|U\.S\.|US dollar|American dollar|美元|美金")


def _sentence_before(text: str, start: int) -> str:
    window_start = max(0, start - _CONTEXT_CHARS)
    window = text[window_start:start]
    ends = list(_SENTENCE_END.finditer(window))
    return window[ends[-1].end() :] if ends else window


def _sentence_after(text: str, end: int) -> str:
    window = text[end : end + _CONTEXT_CHARS]
    first_end = _SENTENCE_END.search(window)
    return window[: first_end.start()] if first_end else window


def is_running_total(text: str, start: int, end: int) -> bool:
    """Whether the amount at ``text[start:end]`` adds up a period or many cases ("Since October
    2016 … worth …", "… between October and February", "Totalnya … setara Rp2,12 miliar")."""
    before = _sentence_before(text, start)
    return bool(_PERIOD_TOTAL.search(before) or _PERIOD_AFTER.search(_sentence_after(text, end)))


def is_penalty_or_pay(text: str, start: int, end: int) -> bool:
    """Whether the amount at ``text[start:end]`` is a fine, a statutory amount, pay or savings
    rather than the price or value of goods."""
    if _NOT_A_PRICE_AFTER.match(text, end):
        return True
    before = _sentence_before(text, start)
    if _THRESHOLD_BEFORE.search(before) or _OTHER_GOODS_WORTH.search(before):
        return True
    cues = list(_NOT_A_PRICE.finditer(before))
    if not cues:
        return False
    return _VALUE_WORD.search(before, cues[-1].end()) is None


def _lower_bound(text: str, start: int, high: Price) -> tuple[float, int] | None:
    """The bare lower bound written right before a price ("50 - 250 triệu đồng/kg")."""
    window_start = max(0, start - 24)
    m = _BARE_LOW.search(text[window_start:start])
    if not m:
        return None
    amounts = [a for a in find_amounts(m.group(1)) if a.start == 0]
    if not amounts:
        return None
    low = amounts[0].value
    bare = _bare_value(high["text"])
    if bare and low < bare < high["amount"]:
        # "50 - 250 triệu": the bound shares the multiplier written after the upper one.
        low *= high["amount"] / bare
    return low, window_start + m.start(1)


def _bare_value(written: str) -> float | None:
    """The digits of a price as written, without their multiplier ("250" of "250 triệu")."""
    m = re.search(r"\d[\d.,]*", written)
    if not m:
        return None
    amounts = find_amounts(m.group(0))
    return amounts[0].value if amounts and amounts[0].value else None


def _ranged(price: Price, low: float, text: str) -> Price:
    merged = price.copy()
    merged["min"] = low
    merged["max"] = price["amount"]
    merged["text"] = text
    return merged


def _with_unit_before(text: str, item: Located) -> Located:
    """A range whose unit is named before its lower bound ("每公斤300到500元") is per that unit."""
    start, end, price = item
    if price.get("per"):
        return item
    found = per_unit_before(text, start)
    if found is None:
        return item
    priced = price.copy()
    priced["per"] = found[0]
    priced["text"] = text[found[1] : end]
    return found[1], end, priced


def merge_ranges(text: str, located: list[Located]) -> list[Located]:
    """Pairs of prices joined by "-", "to", "đến", "hingga"… and prices whose lower bound is
    written bare before them become one price with ``min`` and ``max``."""
    merged: list[Located] = []
    index = 0
    while index < len(located):
        start, end, price = located[index]
        following = located[index + 1] if index + 1 < len(located) else None
        if following is not None:
            f_start, f_end, f_price = following
            between = text[end:f_start]
            join = _RANGE_JOIN.fullmatch(between) if len(between) <= 12 else None
            if (
                join
                and f_price["currency"] == price["currency"]
                and 0 < price["amount"] < f_price["amount"]
                and (price.get("per") in (None, f_price.get("per")))
                and (
                    between.strip().lower() not in ("and",)
                    or re.search(r"between\s*$", text[max(0, start - 10) : start], re.I)
                )
            ):
                ranged = _ranged(f_price, price["amount"], text[start:f_end])
                merged.append(_with_unit_before(text, (start, f_end, ranged)))
                index += 2
                continue
        bound = _lower_bound(text, start, price) if "min" not in price else None
        if bound and 0 < bound[0] < price["amount"]:
            ranged = _ranged(price, bound[0], text[bound[1] : end])
            merged.append(_with_unit_before(text, (bound[1], end, ranged)))
        else:
            merged.append((start, end, price))
        index += 1
    return merged


def _per_unit_after_aside(text: str, located: list[Located]) -> list[Located]:
    """ "40,000 baht (RM5,200) per kilogramme": the unit after the aside is both prices'."""
    result = list(located)
    for index, (_start, end, price) in enumerate(located[:-1]):
        n_start, n_end, n_price = located[index + 1]
        if price.get("per") or n_price.get("per"):
            continue
        aside = text[end:n_start]
        close = text[n_end : n_end + 2]
        if aside.strip() != "(" or not close.startswith(")"):
            continue
        per = per_unit_at(text, n_end + 1)
        if per is None:
            continue
        for i in (index, index + 1):
            s, e, p = result[i]
            updated = p.copy()
            updated["per"] = per
            result[i] = (s, e, updated)
    return result


@lru_cache(maxsize=1)
def _per_kinds() -> dict[str, tuple[str, float]]:
    """``per`` → (kind, how many kilograms or items one such unit is)."""
    to_kg = {"g": 0.001, "kg": 1.0, "t": 1000.0}
    kinds: dict[str, tuple[str, float]] = {}
    for form in load_units().forms.values():
        if form.per in kinds:
            continue
        if form.unit in to_kg:
            kinds[form.per] = ("kg", form.factor * to_kg[form.unit])
        elif form.unit == "individuals":
            kinds[form.per] = ("individual", form.factor)
        elif form.unit == "pieces":
            kinds[form.per] = ("piece", form.factor)
    return kinds


def with_unit_values(price: Price) -> Price:
    """``price`` with ``vnd_per_kg``, ``vnd_per_individual`` and ``vnd_per_piece``."""
    valued = price.copy()
    valued["vnd_per_kg"] = valued["vnd_per_individual"] = valued["vnd_per_piece"] = None
    per, vnd = price.get("per"), price.get("vnd")
    if per is None or vnd is None:
        return valued
    kind = _per_kinds().get(per)
    if kind is None:
        return valued
    name, size = kind
    value = round(vnd / size, 2) if size else None
    if name == "kg":
        valued["vnd_per_kg"] = value
    elif name == "individual":
        valued["vnd_per_individual"] = value
    else:
        valued["vnd_per_piece"] = value
    return valued


def _local_dollars(text: str, price: Price) -> Price:
    written = price["text"]
    if price["currency"] == "USD" and written.startswith("$"):
        # A bare "$" in a Hong Kong text that names neither the US dollar nor "HK$" is the
        # local dollar (a customs release: "The seizure was worth about $5 million").
        if _HONG_KONG.search(text) and not _US_DOLLAR.search(text) and "HK$" not in text:
            return _in_currency(price, "HKD")
        return price
    if price["currency"] != "CNY" or _MAINLAND_YUAN.search(text):
        return price
    if not written.endswith(("元", "元)")):
        return price
    if _HONG_KONG.search(text):
        return _in_currency(price, "HKD")
    if _SINGAPORE.search(text):
        return _in_currency(price, "SGD")  # "價值5230萬元" in a Singapore report
    return price


def _in_currency(price: Price, currency: str) -> Price:
    rate = load_rates().get(currency)
    local = price.copy()
    local["currency"] = currency
    local["vnd"] = round(price["amount"] * rate, 2) if rate is not None else None
    return local


def contextual_prices(text: str, located: list[Located]) -> list[Located]:
    """The prices of goods in ``text``: ranges merged, penalties and pay dropped, Hong Kong
    dollars named, per-unit values in đồng added."""
    located = _per_unit_after_aside(text, located)
    located = merge_ranges(text, located)
    # "3500k/lạng … giá 3500k": the same amount written again without its unit is the same price.
    per_unit = {(p["amount"], p["currency"]) for _, _, p in located if p.get("per")}
    kept: list[Located] = []
    for start, end, price in located:
        if is_penalty_or_pay(text, start, end):
            continue
        if not price.get("per") and is_running_total(text, start, end):
            continue  # a unit price quoted beside a total is still the going price
        if not price.get("per") and (price["amount"], price["currency"]) in per_unit:
            continue
        kept.append((start, end, with_unit_values(_local_dollars(text, price))))
    return kept
