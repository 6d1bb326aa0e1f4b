"""Demand forecasting methods and their back-test, in plain Python (no numpy).

Every method has the same small interface, ``fit(y, h, season) -> Fit``: the history ``y`` (one
float per bucket, oldest first, zeros included), the number of periods to forecast ``h`` and the
season length; it returns the forecast and the parameters it picked. A library (statsforecast,
statsmodels) can replace any of them later by wrapping its model in a function of that shape
(see docs/decisions.md).

Smoothing parameters are picked per series from a small grid by the in-sample sum of squared
one-step-ahead errors, the usual least-squares criterion for exponential smoothing
(Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §8.1).

Which method a product gets is decided by rolling-origin back-testing (Tashman 2000): fit on the
history up to an origin, forecast the next few buckets, move the origin on, and score every
method by WAPE = Σ|actual − forecast| / Σ|actual| over all those forecasts. The seasonal-naive
forecast is always scored too, as the baseline users compare against.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

INTERMITTENT_ADI = 1.32  # Syntetos–Boylan: average demand interval above this is intermittent


@dataclass
class Fit:
    forecast: list[float]
    params: dict = field(default_factory=dict)


Method = Callable[[list[float], int, int], Fit]


# --- the methods -----------------------------------------------------------------------------------


def seasonal_naive(y: list[float], h: int, season: int) -> Fit:
    """ŷ[n+k] = y[n+k−m·⌈k/m⌉]: each future bucket repeats the same bucket one season earlier
    (FPP3 §5.2). With less than a season of history it repeats the last value (naive)."""
    n = len(y)
    if n == 0:
        return Fit([0.0] * h)
    if n < season:
        return Fit([y[-1]] * h, {"fallback": "naive"})
    return Fit([y[n - season + (k % season)] for k in range(h)])


def _ses_pass(y: list[float], alpha: float) -> tuple[float, float]:
    """Final level and one-step SSE of SES with ℓ₀ = y₀."""
    level = y[0]
    sse = 0.0
    for v in y[1:]:
        e = v - level
        sse += e * e
        level += alpha * e  # ℓt = α·yt + (1−α)·ℓt−1, written as ℓt−1 + α·et
    return level, sse


SES_ALPHAS = (0.1, 0.3, 0.6)


def ses(y: list[float], h: int, season: int = 1) -> Fit:
    """Simple exponential smoothing (ETS(A,N,N), FPP3 §8.1): ℓt = α·yt + (1−α)·ℓt−1, ℓ₀ = y₀,
    flat forecast ŷ[n+k] = ℓn; α from ``SES_ALPHAS`` by least one-step SSE."""
    if not y:
        return Fit([0.0] * h)
    best: tuple[float, float, float] | None = None
    for alpha in SES_ALPHAS:
        level, sse = _ses_pass(y, alpha)
        if best is None or sse < best[0] - 1e-12:
            best = (sse, alpha, level)
    assert best is not None  # SES_ALPHAS is not empty
    _sse, alpha, level = best
    return Fit([level] * h, {"alpha": alpha})


def _hw_pass(y, m, alpha, beta, gamma):
    """Additive Holt-Winters (ETS(A,A,A) in its recursive form, FPP3 §8.3):

        ℓt = α(yt − st−m) + (1−α)(ℓt−1 + bt−1)
        bt = β(ℓt − ℓt−1) + (1−β)bt−1
        st = γ(yt − ℓt) + (1−γ)st−m        (γ applied to yt − ℓt, the textbook variant)

    Initial state from the first two seasons: ℓ = mean of season 1, b = (mean of season 2 −
    mean of season 1)/m, s_i = y_i − ℓ. Returns (ℓn, bn, last m seasonal terms, one-step SSE).
    """
    first = sum(y[:m]) / m
    second = sum(y[m : 2 * m]) / m
    level, trend = first, (second - first) / m
    seasonal = [v - first for v in y[:m]]
    sse = 0.0
    for t in range(m, len(y)):
        s = seasonal[t - m]
        v = y[t]
        e = v - (level + trend + s)
        sse += e * e
        new_level = alpha * (v - s) + (1 - alpha) * (level + trend)
        trend = beta * (new_level - level) + (1 - beta) * trend
        level = new_level
        seasonal.append(gamma * (v - level) + (1 - gamma) * s)
    return level, trend, seasonal[-m:], sse


HW_GRID = ((0.2, 0.0, 0.2), (0.4, 0.05, 0.3), (0.1, 0.0, 0.5), (0.6, 0.1, 0.2))


def holt_winters(y: list[float], h: int, season: int) -> Fit:
    """Additive Holt-Winters; ŷ[n+k] = ℓn + k·bn + s[n+k−m(⌊(k−1)/m⌋+1)]. Needs two full seasons
    of history (else: SES). (α, β, γ) from ``HW_GRID`` by least one-step SSE."""
    m = season
    if len(y) < 2 * m or m < 2:
        fit = ses(y, h)
        fit.params["fallback"] = "ses"
        return fit
    best: tuple[float, tuple[float, float, float], float, float, list[float]] | None = None
    for alpha, beta, gamma in HW_GRID:
        level, trend, seas, sse = _hw_pass(y, m, alpha, beta, gamma)
        if best is None or sse < best[0] - 1e-12:
            best = (sse, (alpha, beta, gamma), level, trend, seas)
    assert best is not None  # HW_GRID is not empty
    _sse, (alpha, beta, gamma), level, trend, seas = best
    forecast = [level + (k + 1) * trend + seas[k % m] for k in range(h)]
    return Fit(forecast, {"alpha": alpha, "beta": beta, "gamma": gamma})


def _croston_pass(y: list[float], alpha: float) -> tuple[float | None, float | None, float]:
    """Croston (1972): smooth the non-zero demand sizes z and the intervals p between them
    separately, updating only in buckets with demand:

        zt = α·yt + (1−α)·zt−1,   pt = α·qt + (1−α)·pt−1   (qt: buckets since the last demand)

    z and p start at the first demand and its position (1-based). The one-step forecast is z/p.
    Returns (z, p, SSE of the one-step forecasts after the first demand)."""
    z: float | None = None
    p: float | None = None  # set together with z
    q = 0
    sse = 0.0
    for v in y:
        q += 1
        if z is not None and p is not None:
            e = v - z / p
            sse += e * e
        if v != 0:
            if z is None or p is None:
                z, p = v, float(q)
            else:
                z += alpha * (v - z)
                p += alpha * (q - p)
            q = 0
    return z, p, sse


CROSTON_ALPHAS = (0.1, 0.2, 0.4)


def _croston(y: list[float], h: int, factor: Callable[[float], float], name: str) -> Fit:
    best: tuple[float, float, float, float] | None = None
    for alpha in CROSTON_ALPHAS:
        z, p, sse = _croston_pass(y, alpha)
        if z is None or p is None:  # no demand yet: both are None
            return Fit([0.0] * h, {"alpha": alpha})
        if best is None or sse < best[0] - 1e-12:
            best = (sse, alpha, z, p)
    assert best is not None  # CROSTON_ALPHAS is not empty
    _sse, alpha, z, p = best
    return Fit([factor(alpha) * z / p] * h, {"alpha": alpha, "variant": name})


def croston(y: list[float], h: int, season: int = 1) -> Fit:
    """Croston's method for intermittent demand: flat forecast ŷ = zn / pn."""
    return _croston(y, h, lambda _a: 1.0, "croston")


def sba(y: list[float], h: int, season: int = 1) -> Fit:
    """Syntetos–Boylan approximation (2005): Croston's forecast times (1 − α/2), which removes
    Croston's positive bias: ŷ = (1 − α/2)·zn / pn."""
    return _croston(y, h, lambda a: 1.0 - a / 2.0, "sba")


METHODS: dict[str, Method] = {
    "seasonal_naive": seasonal_naive,
    "ses": ses,
    "holt_winters": holt_winters,
    "croston": croston,
    "sba": sba,
}
# a tie goes to the simpler method
SIMPLICITY = ("seasonal_naive", "ses", "sba", "croston", "holt_winters")


# --- scoring and choosing ------------------------------------------------------------------------


def wape(actual: list[float], forecast: list[float]) -> float | None:
    """Weighted absolute percentage error Σ|a − f| / Σ|a|; None when every actual is 0."""
    total = sum(abs(a) for a in actual)
    if total == 0:
        return None
    return sum(abs(a - f) for a, f in zip(actual, forecast, strict=True)) / total


def is_intermittent(y: list[float]) -> bool:
    """Average demand interval (buckets per non-zero bucket) above 1.32 (Syntetos et al. 2005)."""
    nonzero = sum(1 for v in y if v != 0)
    return nonzero == 0 or len(y) / nonzero > INTERMITTENT_ADI


@dataclass(frozen=True)
class BacktestPlan:
    """Rolling origins: ``folds`` origins ``step`` buckets apart, the last one ``step`` buckets
    before the end; from each origin the next ``lead`` buckets are forecast and scored."""

    season: int
    folds: int = 3
    step: int = 2
    lead: int = 3
    min_train: int = 6

    @property
    def holdout(self) -> int:
        return self.folds * self.step


MONTHLY = BacktestPlan(season=12, folds=4, step=3, lead=3, min_train=6)  # the last 12 months
WEEKLY = BacktestPlan(season=52, folds=6, step=4, lead=8, min_train=13)  # the last 24 weeks


def backtest(y: list[float], method: Method, plan: BacktestPlan) -> float | None:
    """WAPE of ``method`` over the rolling origins of ``plan`` (None: too little history or no
    demand in the scored buckets)."""
    n = len(y)
    first = n - plan.holdout
    if first < plan.min_train:
        return None
    actual: list[float] = []
    predicted: list[float] = []
    for origin in range(first, n, plan.step):
        h = min(plan.lead, n - origin)
        actual += y[origin : origin + h]
        predicted += method(y[:origin], h, plan.season).forecast
    return wape(actual, predicted)


# --- the back-test in one pass per method and parameter --------------------------------------------
#
# Fitting a method on y[:origin] runs the same recursion, in the same order, as the first
# ``origin`` steps of the run over the whole of y: the state after step ``origin`` of one pass is
# exactly (bit for bit) the fit on that prefix. So each method and grid point runs once over the
# series, keeping its state at the back-test origins, instead of once per origin. ``backtest``
# above stays the plain definition; ``backtest_all`` gives the same figures.


def _ses_states(y: list[float], origins: set[int]) -> dict[int, list[tuple[float, float]]]:
    """{origin: [(ℓ, SSE) per α of SES_ALPHAS]} of SES fitted on y[:origin]."""
    out: dict[int, list[tuple[float, float]]] = {o: [] for o in origins}
    for alpha in SES_ALPHAS:
        level, sse = y[0], 0.0
        if 1 in out:
            out[1].append((level, sse))
        for t in range(1, len(y)):
            e = y[t] - level
            sse += e * e
            level += alpha * e
            if t + 1 in out:
                out[t + 1].append((level, sse))
    return out


def _ses_from(states: list[tuple[float, float]], h: int) -> list[float]:
    best_sse, best_level = states[0][1], states[0][0]
    for level, sse in states[1:]:
        if sse < best_sse - 1e-12:
            best_sse, best_level = sse, level
    return [best_level] * h


def _hw_states(y: list[float], m: int, origins: set[int]) -> dict[int, list[tuple]]:
    """{origin: [(ℓ, b, seasonal terms, SSE) per HW_GRID point]} of Holt-Winters on y[:origin]
    (origins of at least two seasons)."""
    out: dict[int, list[tuple]] = {o: [] for o in origins}
    first = sum(y[:m]) / m
    second = sum(y[m : 2 * m]) / m
    for alpha, beta, gamma in HW_GRID:
        level, trend = first, (second - first) / m
        seasonal = [v - first for v in y[:m]]
        sse = 0.0
        for t in range(m, len(y)):
            s = seasonal[t - m]
            v = y[t]
            e = v - (level + trend + s)
            sse += e * e
            new_level = alpha * (v - s) + (1 - alpha) * (level + trend)
            trend = beta * (new_level - level) + (1 - beta) * trend
            level = new_level
            seasonal.append(gamma * (v - level) + (1 - gamma) * s)
            if t + 1 in out:
                out[t + 1].append((level, trend, seasonal[t + 1 - m : t + 1], sse))
    return out


def _hw_from(states: list[tuple], h: int, m: int) -> list[float]:
    best = None
    for level, trend, seas, sse in states:
        if best is None or sse < best[0] - 1e-12:
            best = (sse, level, trend, seas)
    assert best is not None  # one state per HW_GRID entry
    _sse, level, trend, seas = best
    return [level + (k + 1) * trend + seas[k % m] for k in range(h)]


def _croston_states(y: list[float], origins: set[int]) -> dict[int, list[tuple]]:
    """{origin: [(z, p) per α of CROSTON_ALPHAS, SSE last]} of Croston on y[:origin]."""
    out: dict[int, list[tuple]] = {o: [] for o in origins}
    for alpha in CROSTON_ALPHAS:
        z: float | None = None
        p: float | None = None  # set together with z
        q = 0
        sse = 0.0
        for t, v in enumerate(y):
            q += 1
            if z is not None and p is not None:
                e = v - z / p
                sse += e * e
            if v != 0:
                if z is None or p is None:
                    z, p = v, float(q)
                else:
                    z += alpha * (v - z)
                    p += alpha * (q - p)
                q = 0
            if t + 1 in out:
                out[t + 1].append((alpha, z, p, sse))
    return out


def _croston_from(states: list[tuple], h: int, sba: bool) -> list[float]:
    best = None
    for alpha, z, p, sse in states:
        if z is None:
            return [0.0] * h
        if best is None or sse < best[0] - 1e-12:
            best = (sse, alpha, z, p)
    assert best is not None  # one state per CROSTON_ALPHAS entry
    _sse, alpha, z, p = best
    factor = 1.0 - alpha / 2.0 if sba else 1.0
    return [factor * z / p] * h


def _forecasters(y: list[float], names: list[str], plan: BacktestPlan, origins: set[int]):
    """{method: forecast(origin, h)} giving what METHODS[method](y[:origin], h, season) gives."""
    m = plan.season
    out: dict[str, Callable[[int, int], list[float]]] = {
        "seasonal_naive": lambda o, h: seasonal_naive(y[:o], h, m).forecast
    }
    if "ses" in names or "holt_winters" in names:
        ses_at = _ses_states(y, origins)
        out["ses"] = lambda o, h: _ses_from(ses_at[o], h)
    if "holt_winters" in names:
        long = {o for o in origins if o >= 2 * m}
        hw_at = _hw_states(y, m, long) if m >= 2 and long else {}
        out["holt_winters"] = lambda o, h: (
            _hw_from(hw_at[o], h, m) if o in hw_at else _ses_from(ses_at[o], h)
        )
    if "croston" in names or "sba" in names:
        cr_at = _croston_states(y, origins)
        out["croston"] = lambda o, h: _croston_from(cr_at[o], h, False)
        out["sba"] = lambda o, h: _croston_from(cr_at[o], h, True)
    return out


def backtest_all(y: list[float], names: list[str], plan: BacktestPlan) -> dict[str, float | None]:
    """{method: backtest(y, METHODS[method], plan)} for ``names``, one pass per parameter."""
    n = len(y)
    first = n - plan.holdout
    if first < plan.min_train:
        return dict.fromkeys(names)
    origins = range(first, n, plan.step)
    methods = _forecasters(y, names, plan, set(origins))
    scores: dict[str, float | None] = {}
    for name in names:
        actual: list[float] = []
        predicted: list[float] = []
        for origin in origins:
            h = min(plan.lead, n - origin)
            actual += y[origin : origin + h]
            predicted += methods[name](origin, h)
        scores[name] = wape(actual, predicted)
    return scores


@dataclass
class Choice:
    method: str
    wape: float | None
    naive_wape: float | None
    scores: dict[str, float | None]
    intermittent: bool
    forecast: list[float]
    params: dict
    history: list[float] = field(default_factory=list)


def candidates(y: list[float], plan: BacktestPlan) -> tuple[list[str], bool]:
    """The methods worth trying on this series: Croston/SBA for intermittent demand, Holt-Winters
    when the earliest back-test origin has two seasons of history, SES always."""
    intermittent = is_intermittent(y)
    names = ["seasonal_naive", "ses"]
    if intermittent:
        names += ["croston", "sba"]
    elif len(y) - plan.holdout >= 2 * plan.season:
        names.append("holt_winters")
    return names, intermittent


def choose(y: list[float], h: int, plan: BacktestPlan) -> Choice:
    """Back-test every candidate, keep the lowest WAPE (ties: the simpler), fit it on the whole
    history and forecast ``h`` buckets. Without enough history to back-test: SBA for
    intermittent series, SES otherwise. Forecasts are never negative."""
    names, intermittent = candidates(y, plan)
    scores = backtest_all(y, names, plan)
    scored = [(s, SIMPLICITY.index(name), name) for name, s in scores.items() if s is not None]
    fallback = "sba" if intermittent and any(y) else "ses"
    name = min(scored)[2] if scored else fallback
    fit = METHODS[name](y, h, plan.season)
    forecast = [max(0.0, v) for v in fit.forecast]
    return Choice(
        name,
        scores.get(name),
        scores.get("seasonal_naive"),
        scores,
        intermittent,
        forecast,
        fit.params,
        y,
    )
