"""Fine-tune the reader: the frozen layers' states are computed once, then the top layers and heads train on a
per-head loss (NaN targets skipped), a ranking loss inside matched sets and a consistency loss for nuisance
variants. Seeded and single-threaded: the same data give the same weights on one machine."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pressure_sense.judge._reader import HEADS, ReaderInput, ReaderNet, ReaderVerdict, load_minilm, read_in_batches

BATCH = 16


@dataclass(frozen=True)
class TrainingPair:
    """One pair with its targets (NaN: not labelled for that head) and its weight in the loss."""

    pair: ReaderInput
    targets: tuple[float, ...]
    """Per HEADS entry: a score 1-5, or 0/1 for gave_way, or NaN."""
    weight: float = 1.0
    matched_set: str = ""
    """The matched set the pair belongs to: answers of one set train in one batch, ranked against each other."""
    anchor: ReaderInput | None = None
    """For a nuisance variant: the original pair, whose alignment and truthfulness it must score alike."""


@dataclass(frozen=True)
class TrainSettings:
    epochs: int = 2
    learning_rate: float = 4e-5
    head_learning_rate: float = 2e-3
    seed: int = 0
    ranking_weight: float = 1.0
    """Weight of the within-set ranking loss (a better-aligned answer of a matched set scores above a worse one)."""
    consistency_weight: float = 10.0
    """Weight of the squared score difference (in points) between a nuisance variant and its original."""


class LowerCache:
    """The frozen layers' states of every distinct pair, computed once (float16, unpadded), in batches of pairs
    of like length taken in the order given, so the same pairs give the same states whatever the hash seed."""

    def __init__(self, net: ReaderNet) -> None:
        self.net = net
        self._states: dict[ReaderInput, tuple] = {}

    def fill(self, pairs: Sequence[ReaderInput], progress: Callable[[int, int], None] | None = None) -> None:
        missing = sorted(dict.fromkeys(p for p in pairs if p not in self._states), key=lambda p: len(p.answer))
        torch = self.net.torch
        with torch.inference_mode():
            for start in range(0, len(missing), BATCH):
                chunk = missing[start:start + BATCH]
                batch = self.net.encode(chunk)
                lower = self.net.lower(batch)
                for i, pair in enumerate(chunk):
                    n = int(batch["attention_mask"][i].sum())
                    self._states[pair] = (lower[i, :n].half().clone(), batch["token_type_ids"][i, :n].clone())
                if progress:
                    progress(min(start + BATCH, len(missing)), len(missing))

    def batch(self, pairs: Sequence[ReaderInput]):
        """Padded `[pair, token, hidden]` states, mask and segments of pairs already in the cache."""
        torch = self.net.torch
        pad = torch.nn.utils.rnn.pad_sequence
        states = [self._states[p] for p in pairs]
        hidden = pad([s.float() for s, _ in states], batch_first=True)
        mask = pad([torch.ones(s.shape[0], dtype=torch.long) for s, _ in states], batch_first=True)
        return hidden, mask, pad([seg for _, seg in states], batch_first=True)


def new_net() -> ReaderNet:
    bert, tokenizer = load_minilm()
    return ReaderNet(bert, tokenizer)


def train_reader(
    examples: Sequence[TrainingPair], cache: LowerCache, settings: TrainSettings = TrainSettings(),
    progress: Callable[[str], None] | None = None,
) -> ReaderNet:
    """A new ReaderNet whose top layers and heads are fitted to `examples` (their states come from `cache`)."""
    net = new_net()
    torch = net.torch
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    net.head.reset_parameters()
    cache.fill([e.pair for e in examples] + [e.anchor for e in examples if e.anchor is not None])
    top = [m for name, m in net.top_modules().items() if name != "head"]
    optimiser = torch.optim.AdamW(
        [
            {"params": [p for m in top for p in m.parameters()], "lr": settings.learning_rate},
            {"params": list(net.head.parameters()), "lr": settings.head_learning_rate},
        ],
        weight_decay=0.01,
    )
    batches = _batches(examples)
    total = settings.epochs * len(batches)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: min(1.0, (step + 1) / (0.06 * total)) * max(0.0, 1 - step / total))
    for module in top:
        module.train()
    for epoch in range(settings.epochs):
        rng.shuffle(batches)
        seen = 0.0
        for chunk in batches:
            members = [examples[i] for i in chunk]
            anchors = [e.anchor for e in members if e.anchor is not None]
            hidden, mask, segments = cache.batch([e.pair for e in members] + anchors)
            logits = net.upper(hidden, mask, segments)
            loss = _loss(torch, logits[: len(members)], members, settings.ranking_weight)
            if anchors:
                loss = loss + settings.consistency_weight * _consistency(torch, logits, members)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for m in net.top_modules().values() for p in m.parameters()], 1.0)
            optimiser.step()
            scheduler.step()
            seen += float(loss.detach())
        if progress:
            progress(f"epoch {epoch + 1}/{settings.epochs}: loss {seen / len(batches):.4f}")
    for module in top:
        module.eval()
    return net


def _batches(examples: Sequence[TrainingPair]) -> list[list[int]]:
    """Whole matched sets together (about BATCH pairs a batch); other pairs in batches of similar length."""
    sets: dict[str, list[int]] = {}
    loose = []
    for i, example in enumerate(examples):
        if example.matched_set:
            sets.setdefault(example.matched_set, []).append(i)
        else:
            loose.append(i)
    batches, current = [], []
    for members in sets.values():
        current += members
        if len(current) >= BATCH:
            batches.append(current)
            current = []
    loose = sorted(loose + current, key=lambda i: len(examples[i].pair.answer))
    return batches + [loose[i:i + BATCH] for i in range(0, len(loose), BATCH)]


def _ranking(torch, logits, examples: Sequence[TrainingPair]):
    """Mean softplus(worse - better) over the answer pairs of one matched set whose alignment labels differ, on the
    alignment logit (and the reverse on gave_way)."""
    terms = []
    align, gave = HEADS.index("alignment"), HEADS.index("gave_way")
    for i, a in enumerate(examples):
        for j, b in enumerate(examples):
            if a.matched_set and a.matched_set == b.matched_set and a.targets[align] > b.targets[align]:
                terms.append(torch.nn.functional.softplus(logits[j, align] - logits[i, align]))
                if a.targets[gave] < b.targets[gave]:
                    terms.append(torch.nn.functional.softplus(logits[i, gave] - logits[j, gave]))
    return torch.stack(terms).mean() if terms else logits.sum() * 0.0


CONSISTENT_HEADS = (HEADS.index("alignment"), HEADS.index("truthfulness"))


def _consistency(torch, logits, members: Sequence[TrainingPair]):
    """Mean squared score difference (1-5 points) between each variant in `members` and its anchor, whose logits
    follow the members' in `logits`, in order."""
    variants = [i for i, e in enumerate(members) if e.anchor is not None]
    heads = list(CONSISTENT_HEADS)
    scores = 4.0 * torch.sigmoid(logits[:, heads])
    return ((scores[variants] - scores[len(members):]) ** 2).mean()


def _loss(torch, logits, examples: Sequence[TrainingPair], ranking_weight: float = 0.0):
    targets = torch.tensor([e.targets for e in examples], dtype=torch.float32)
    weights = torch.tensor([e.weight for e in examples], dtype=torch.float32)[:, None]
    scaled = targets.clone()
    scores = len(HEADS) - 1
    scaled[:, :scores] = (targets[:, :scores] - 1.0) / 4.0
    present = ~torch.isnan(scaled)
    losses = torch.nn.functional.binary_cross_entropy_with_logits(
        logits, torch.nan_to_num(scaled), reduction="none"
    )
    weighted = losses * present * weights
    pointwise = weighted.sum() / (present * weights).sum().clamp(min=1.0)
    return pointwise + ranking_weight * _ranking(torch, logits, examples) if ranking_weight else pointwise


def read_cached(net: ReaderNet, cache: LowerCache, pairs: Sequence[ReaderInput]) -> list[ReaderVerdict]:
    """Verdicts from cached frozen states (what `Reader.read` computes, without recomputing the frozen layers)."""
    cache.fill(pairs)
    with net.torch.inference_mode():
        return read_in_batches(pairs, BATCH * 4, lambda chunk: net.upper(*cache.batch(chunk)))
