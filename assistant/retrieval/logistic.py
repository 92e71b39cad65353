"""A small L2-regularised logistic regression in numpy, and its versioned file format.

The selector (selection.py) scores retrieved papers with it; scripts/calibrate.py fits it
on the eval set's dev split and writes ``data/models/selector.json``. Features are
standardised with the training mean and scale, which are stored with the weights.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class LogisticModel:
    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    cut: float = 0.5  # cite when the probability reaches this
    extra: dict = field(default_factory=dict)  # e.g. max papers for non-list questions

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        z = (np.asarray(rows, dtype=np.float64) - self.mean) / self.scale
        return 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.coef) + self.intercept)))

    def to_dict(self) -> dict:
        return {"features": self.features, "mean": self.mean, "scale": self.scale, "coef": self.coef,
                "intercept": self.intercept, "cut": self.cut, "extra": self.extra}

    @classmethod
    def from_dict(cls, data: dict, where: str) -> "LogisticModel":
        try:
            model = cls(list(data["features"]), list(map(float, data["mean"])), list(map(float, data["scale"])),
                        list(map(float, data["coef"])), float(data["intercept"]), float(data.get("cut", 0.5)),
                        dict(data.get("extra", {})))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{where}: not a logistic model ({type(exc).__name__}: {exc})") from None
        sizes = {len(model.features), len(model.mean), len(model.scale), len(model.coef)}
        if len(sizes) != 1:
            raise ValueError(f"{where}: features, mean, scale and coef differ in length")
        return model


def fit(rows: np.ndarray, labels: np.ndarray, features: list[str], l2: float = 1.0, weights: np.ndarray | None = None,
        iterations: int = 50) -> LogisticModel:
    """Newton's method (IRLS) on standardised features; ``l2`` penalises the coefficients only."""
    x = np.asarray(rows, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(z @ beta)))
        gradient = z.T @ (w * (p - y)) + penalty * beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(len(beta))
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return LogisticModel(features, mean.tolist(), scale.tolist(), beta[:-1].tolist(), float(beta[-1]))


@dataclass
class SelectorFile:
    """The versioned selector: one model per question kind and reranker setting."""

    version: int
    models: dict[str, LogisticModel]
    meta: dict

    def model(self, key: str) -> LogisticModel:
        if key not in self.models:
            raise KeyError(f"the selector file has no model {key!r} (it has {', '.join(sorted(self.models))})")
        return self.models[key]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"version": self.version, "meta": self.meta,
                "models": {k: m.to_dict() for k, m in sorted(self.models.items())}}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "SelectorFile":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValueError(f"{path}: cannot read the selector model ({exc.strerror})") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{exc.lineno}: the selector model is not valid JSON ({exc.msg})") from None
        if not isinstance(data, dict) or "models" not in data:
            raise ValueError(f"{path}: the selector model has no 'models' field")
        models = {k: LogisticModel.from_dict(v, f"{path} [models.{k}]") for k, v in data["models"].items()}
        return cls(int(data.get("version", 0)), models, dict(data.get("meta", {})))
