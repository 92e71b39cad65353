"""Numbers of a generated sentence must be the cited evidence's numbers, paired the same way.

The support judge compares meaning, so "A has X training and Y test images" looks supported when the abstract
gives Y to another dataset. Each claim number (1,000 == 1000, 1.5B == 1.5 billion, 50 % == 50%) must be a source
number, or one rounded to fewer decimals, and must not be paired with a word (train/test, top-1, a metric, a name)
that the source gives to another number while giving this one a rival word of that kind. Years, citation and
list markers and names with digits (ResNet-50, VOC 2007) are not numbers; a name's digits must match (GPT-3/4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from typing import Sequence

from ..text.sentences import split_sentences


@dataclass(frozen=True)
class NumberCheck:
    ok: bool
    problems: list[str] = field(default_factory=list)


_GROUPS = {  # words that tell numbers apart, by kind ("canonical/other spellings")
    "split": "train/training test/testing val/validation dev test-dev pre-training/pretraining fine-tuning/finetuning",
    "rank": "top-1/top1 top-5/top5", "det": "box/bbox mask/segm",
    "metric": "accuracy/acc/accuracies error/err f1/f1-score perplexity/ppl precision recall auroc auc map ap miou "
              "iou bleu rouge fid ndcg psnr ssim kappa mae mse rmse wer dice",
    "cost": "param/parameter/params/parameters flops/flop/gflops/mflops/macs speed/speedup latency fps memory",
    "count": "image sample example token layer class/classes category/categories video frame pair node edge epoch "
             "step hour language task benchmark dataset user article document patch question instance word",
}
_VOCAB = {f: (forms.split("/")[0], g) for g, words in _GROUPS.items() for forms in words.split()
          for s in forms.split("/") for f in (s, s + "s" if g == "count" and s[-1] != "s" else s)}
_UNITS = {s: u.split("/")[0] for u in "%/percent/pp/points/point/pts x/×/times/fold s/sec/seconds min/minutes h/hours "
          "d/days ms gb mb tb fps db flops gflops mflops tflops".split() for s in u.split("/")}
_SCALES = {w: 1000 ** (i // 2 + 1) for i, w in enumerate("k thousand m million b billion t trillion".split())}
_SCALES["hundred"] = 100
_WORDNUM = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                       "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())}
_STOP = set("a an the of on in at for with by to from and or is are was were be been its it their our this that "
            "these which as only about around up than also respectively has have while whereas but although versus vs"
            .split())
_CLAUSE_WORDS = {"while", "whereas", "but", "although", "than", "versus", "vs"}  # end a clause, like , ; :
_STRONG = {";", "while", "whereas", "but", "although"}  # end the reach of a leading name
_WIDE = Context(prec=80)  # room to round large numbers to many decimals
_K = 3  # content words on each side of a number that pair with it
_PIECE = re.compile(r"(?:[^\s()\[\]{};:,|\"“”]|(?<=\d),(?=\d{3}(?!\d)))+|[()\[\]{};:,|]")
_NUM = re.compile(r"[<>≤≥~≈]*([+\-−±]?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)([A-Za-z%×]*)")
_RANGE = re.compile(r"(.*\d[%A-Za-z×]*)([-–—~±])([.\d].*)")


@dataclass(eq=False)
class _Num:
    text: str
    mant: Decimal  # absolute value as written, before the scale
    dec: int  # decimals as written
    sign: str = ""
    scale: int = 1
    unit: str = ""
    ctx: set[str] = field(default_factory=set)  # words and name keys paired with the number


@dataclass(eq=False)
class _Tok:
    kind: str  # num, named (a number inside a name), name, word, punct, skip
    text: str
    key: str = ""
    num: _Num | None = None


def _clean(text: str) -> str:
    text = re.sub(r"https?://\S+|\b[\w.-]+\.(?:com|org|io|net|edu|ai)(?:/\S*)?", " ", text)
    text = re.sub(r"\[\s*\d+(?:\s*[-–,;]\s*\d+)*\s*\]", " ", text)  # citation markers [1], [2-4]
    text = text.replace("\\%", "%").replace("\\times", "×").replace("$", "")
    text = re.sub(r"(?<=\d)times\b", "×", re.sub(r"\bsim(?=\d)", "~", text))
    text = re.sub(r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+(?![\d,])",  # 1 000 000
                  lambda m: re.sub(r"\s", ",", m[0]), text)
    return re.sub(r"(?<=\w)\+(?=[A-Za-z])", " + ", text)  # RetinaNet+PVT


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())  # "ResNet-50" -> "resnet50"


def _group(key: str) -> str:
    return _VOCAB[key][1] if key in _VOCAB else "name"


def _number(sign: str, digits: str, suffix: str, text: str) -> list[_Tok] | None:
    """A number written as one piece ("-1.5", "2,999", "45.2%", "7B", "2x", "10ms"), or None for a name."""
    num = _Num(text, Decimal(digits.replace(",", "")), len(digits.partition(".")[2]), sign.replace("−", "-"))
    low, extra = suffix.lower(), []
    if low in _SCALES and len(low) == 1:
        num.scale = _SCALES[low]
    elif low in _UNITS:
        num.unit = _UNITS[low]
    elif low in _VOCAB:  # 3.5AP
        extra = [_Tok("word", suffix, _VOCAB[low][0])]
    elif suffix:  # 3D, 3080ti
        return None
    return [_Tok("num", text, num=num), *extra]


def _piece(text: str, first: bool, following: str) -> list[_Tok]:
    if not re.search(r"[\w%×]", text):
        return [_Tok("punct", text, text)]
    if m := _RANGE.fullmatch(text):  # 3-5, 1.6x-4.1x, 54.4±0.3
        a, b = _NUM.fullmatch(m[1]), _NUM.fullmatch(m[3])
        if a and b and (left := _number(*a.groups(), m[1])) and (right := _number(*b.groups(), m[3])):
            if m[2] == "±":
                right[0].num.sign = "±"
            elif not a[3]:  # "2-5x": the first end shares the second's scale and unit
                left[0].num.scale, left[0].num.unit = right[0].num.scale, right[0].num.unit
            return [*left, _Tok("punct", m[2], m[2]), *right]
    if (m := _NUM.fullmatch(text)) and (toks := _number(*m.groups(), text)):
        return toks
    if m := re.fullmatch(r"(\d[\d,.]*[A-Za-z%×]{0,2})-([A-Za-z][\w-]*)", text):  # 1,156-category, 7B-parameter
        return _piece(m[1], False, "") + _piece(m[2], False, "")
    low, (head, *rest) = text.lower(), text.lower().split("-", 1)
    if low in _VOCAB:
        return [_Tok("word", text, _VOCAB[low][0])]
    if head in _WORDNUM and head != "zero" and (head != "one" or following in _SCALES):  # three, two-stage
        return [_Tok("num", head, num=_Num(head, Decimal(_WORDNUM[head]), 0)), *(_Tok("word", r, r) for r in rest)]
    if re.search(r"\d", text) and re.search(r"[A-Za-z]", text) or sum(c.isupper() for c in text) >= 2 or (
            text[:1].isupper() and not first and low not in _STOP):
        return [_Tok("name", text, _key(text))]
    return [_Tok("word", text, low)]


def _tokens(sentence: str) -> list[_Tok]:
    pieces = [m.strip(".!?'\"‘’") or m for m in _PIECE.findall(sentence)] + [""]
    toks = [t for i, p in enumerate(pieces[:-1]) for t in _piece(p, i == 0, pieces[i + 1].lower())]
    out: list[_Tok] = []
    for tok, nxt in zip(toks, [*toks[1:], _Tok("punct", "")]):
        low, prev = tok.text.lower(), out[-1] if out else None
        pnum = prev.num if prev and prev.kind == "num" else None
        if pnum and pnum.scale == 1 and low in _SCALES and len(low) > 1:  # 1.5 billion
            pnum.scale, pnum.text = _SCALES[low], f"{pnum.text} {tok.text}"
            continue
        if pnum and not pnum.unit and low in _UNITS:  # 45.2 %, 58 FPS
            pnum.unit, pnum.text = _UNITS[low], pnum.text + ("" if low == "%" else " ") + tok.text
        plain = tok.kind == "num" and tok.text.isdigit() and nxt.text.lower() not in {**_UNITS, **_SCALES}
        if tok.kind == "num" and re.fullmatch(r"\d+[KMB]?", tok.text) and nxt.text.lower() not in _UNITS \
                and prev and prev.kind == "name" and not re.search(r"\d", prev.text):  # VOC 2007, Llama 2, LLaMA 7B
            prev.text, prev.key, tok.kind = f"{prev.text} {tok.text}", prev.key + low, "named"
        elif plain and (len(low) == 4 and 1900 <= int(low) <= 2099 and nxt.key not in _VOCAB and (
                not prev or prev.text.lower() in ("in", "since", "from", "until", "by", "during", "(", ",")
                or not (nxt.text.islower() and nxt.key not in _STOP))
                or int(low) <= 20 and nxt.text == ")" and (not prev or prev.text in ("(", ";", ":", ","))):
            tok.kind = "skip"  # a year ("in 2023", "(Kim, 2020)") or a list marker "(1)"
        out.append(tok)
    return out


def _pair(toks: list[_Tok]) -> list[_Num]:
    """Give each number its context: words near it in its part of the clause, and leading names."""
    clause, seg, depth, cid, sid = [], [], 0, 0, 0
    for tok in toks:
        punct = tok.text if tok.kind == "punct" else "_"
        depth += (punct in "([{") - (punct in ")]}")
        cid += punct in ";:" or punct == "," and depth <= 0 or tok.key in _CLAUSE_WORDS
        clause.append(cid)
    nums = [i for i, t in enumerate(toks) if t.kind == "num"]
    for i, tok in enumerate(toks):  # "and"/"or" between two numbers of a clause ends a part
        sid += i > 0 and clause[i] != clause[i - 1] or tok.key in ("and", "or") and any(
            clause[j] == clause[i] and j < i for j in nums) and any(clause[j] == clause[i] and j > i for j in nums)
        seg.append(sid)
    trailing: set[int] = set()  # names right after a number: "82% (CIFAR-10)", "on ImageNet"
    for i in nums:
        for step in (-1, 1):
            j, n = i + step, 0
            while 0 <= j < len(toks) and seg[j] == seg[i] and toks[j].kind != "num" and n < _K:
                n += toks[j].kind in ("name", "word") and toks[j].key not in _STOP  # content words count
                if toks[j].kind == "name" or toks[j].key in _VOCAB:
                    toks[i].num.ctx.add(toks[j].key)
                    trailing |= {j} if step > 0 else set()
                j += step
    lead, fresh = set(), True  # a name before numbers pairs with them until the next such name
    for i, tok in enumerate(toks):
        if tok.key in _STRONG or tok.key in ("and", "or") and i > 1 and toks[i - 1].text == "," \
                and clause[i - 1] != clause[i - 2]:
            lead, fresh = set(), True
        elif tok.kind == "name" and i not in trailing:
            lead, fresh = (lead if fresh else set()) | {tok.key}, True
        elif tok.kind == "num":
            tok.num.ctx |= lead
            fresh = False
    for c in set(clause):  # "2,999 and 168 images for training and testing respectively"
        idx = [i for i in nums if clause[i] == c]
        if len(idx) > 1 and any(t.key == "respectively" and clause[i] == c for i, t in enumerate(toks)):
            after = [toks[j].key for j in range(idx[-1] + 1, len(toks)) if clause[j] == c and toks[j].key in _VOCAB]
            for group in _GROUPS:
                words = list(dict.fromkeys(w for w in after if _group(w) == group))
                for i, w in zip(idx, words) if len(words) == len(idx) else ():
                    toks[i].num.ctx = {k for k in toks[i].num.ctx if _group(k) != group} | {w}
    return [toks[i].num for i in nums]


def _read(texts: Sequence[str]) -> tuple[list[_Num], dict[str, str], list[_Num]]:
    """The numbers of the texts, their names (key: as written), and the numbers inside names ("COCO 80")."""
    nums, names, named = [], {}, []
    for sentence in (s.text for text in texts for s in split_sentences(_clean(text))):
        toks = _tokens(sentence)
        names.update((t.key, t.text) for t in toks if t.kind == "name")
        named += [t.num for t in toks if t.kind == "named"]
        nums += _pair(toks)
    for text in list(names.values()):  # CIFAR-10/100 names CIFAR-10 and CIFAR-100
        if m := re.fullmatch(r"(.*?)(\d+)((?:/\d+)+)", text):
            names.update((_key(m[1]) + d, text) for d in [m[2], *m[3][1:].split("/")])
    return nums, names, named


def _same(c: _Num, s: _Num) -> bool:
    """Same value and direction, or the source value rounded to the claim's decimals."""
    x, q = s.mant * s.scale / c.scale, Decimal(1).scaleb(-c.dec)
    return {c.sign, s.sign} != {"+", "-"} and any(  # +1.1 is not -1.1; ± and no sign match either
        x.quantize(q, rounding, _WIDE) == c.mant for rounding in (ROUND_HALF_UP, ROUND_HALF_EVEN))


def check_numbers(claim: str, sources: Sequence[str]) -> NumberCheck:
    """Check that each number of ``claim`` is in ``sources`` (sentences or abstracts) and keeps its pairing."""
    claimed, claim_names, _ = _read([claim])
    given, source_names, named = _read([sources] if isinstance(sources, str) else sources)
    show = {**{k: c for k, (c, _) in _VOCAB.items()}, **source_names, **claim_names}
    problems: list[str] = []
    for c in claimed:
        same = [s for s in given + named if _same(c, s)]  # "COCO 80" holds 80
        fit = [s for s in same if not (c.unit and s.unit and c.unit != s.unit)]
        if not fit:
            problems.append(f"{c.text} is not in the cited abstract" + (f" (it has {same[0].text})" if same else ""))
            continue
        for w in sorted(c.ctx, key=lambda k: (_group(k) == "name", -len(k), k)):
            others = [s for s in given if w in s.ctx]
            if any(w in s.ctx for s in fit) or not others:
                continue  # paired as in the source, or the source pairs the word with no number
            rivals = sorted(u for s in fit for u in s.ctx if _group(u) == _group(w) and u not in c.ctx
                            and not any(u in o.ctx for o in others))
            if rivals:
                problems.append(f"{c.text} is paired with '{show[w]}' in the claim but with '{show[rivals[0]]}' "
                                "in the source")
                break
    stems = {re.sub(r"\d+", "", k): t for k, t in source_names.items() if re.search(r"\d", k)}
    problems += [f"{text} is not in the cited abstract (it has {stems[stem]})"  # GPT-4 where it has GPT-3
                 for key, text in claim_names.items() if (stem := re.sub(r"\d+", "", key)) != key
                 and key not in source_names and len(stem) >= 2 and stem in stems]
    return NumberCheck(not problems, list(dict.fromkeys(problems)))
