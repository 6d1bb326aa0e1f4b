"""The forecasting methods on tiny series checked by hand, and back-testing on synthetic series:
a seasonal one and an intermittent one, where the method back-testing picks beats the
seasonal-naive baseline, in the back-test and on buckets it never saw."""

import pytest

from tests.planning.conftest import intermittent_series, seasonal_series
from zhongshu.planning import forecasting as f


def test_seasonal_naive_repeats_the_last_season():
    assert f.seasonal_naive([1, 2, 3, 4, 5, 6], 4, 3).forecast == [4, 5, 6, 4]
    # less than a season of history: the last value
    assert f.seasonal_naive([7, 9], 2, 12).forecast == [9, 9]


def test_ses_picks_alpha_by_one_step_error_and_forecasts_the_level():
    # y = 10, 20, 10. One-step SSE: α=0.1 → 10² + (10 − 11)² = 101; α=0.3 → 100 + 3² = 109;
    # α=0.6 → 100 + 6² = 136. Best α = 0.1, level 10 → 11 → 10.9
    fit = f.ses([10, 20, 10], 3)
    assert fit.params == {"alpha": 0.1}
    assert fit.forecast == pytest.approx([10.9, 10.9, 10.9])


def test_holt_winters_recursion_by_hand():
    # m = 2, α = β = γ = 0.5, y = 1 3 2 4 3 5. Start: ℓ = 2, b = (3 − 2)/2 = 0.5, s = −1, 1.
    # t=2: ℓ = .5(2+1) + .5(2.5) = 2.75, b = .5(.75) + .5(.5) = .625, s = .5(2−2.75) + .5(−1)
    # = −.875; t=3: ℓ = 3.1875, b = .53125, s = .90625; t=4: ℓ = 3.796875, b = .5703125,
    # s = −.8359375; t=5: ℓ = 4.23046875, b = .501953125, s = .837890625
    level, trend, seasonal, sse = f._hw_pass([1, 3, 2, 4, 3, 5], 2, 0.5, 0.5, 0.5)
    assert (level, trend) == pytest.approx((4.23046875, 0.501953125))
    assert seasonal == pytest.approx([-0.8359375, 0.837890625])
    # one-step errors .5, −.375, .15625, −.2734375
    assert sse == pytest.approx(0.25 + 0.140625 + 0.0244140625 + 0.07476806640625)
    # ŷ(n+1) = ℓ + b + s(n−1), ŷ(n+2) = ℓ + 2b + s(n)
    assert level + trend + seasonal[0] == pytest.approx(3.896484375)


def test_holt_winters_needs_two_seasons_else_falls_back_to_ses():
    fit = f.holt_winters([10, 20, 10], 2, 12)
    assert fit.params["fallback"] == "ses"
    assert fit.forecast == pytest.approx([10.9, 10.9])


def test_croston_and_sba_by_hand():
    # y = 0 0 6 0 2: first demand 6 after 3 buckets → z = 6, p = 3 (forecast 2). Then 0, then 2
    # after 2 buckets; with α = 0.1: z = 6 + .1(2 − 6) = 5.6, p = 3 + .1(2 − 3) = 2.9.
    # Every α has the same one-step SSE here (2² + 0²), so the first (0.1) is kept.
    y = [0, 0, 6, 0, 2]
    assert f.croston(y, 2).forecast == pytest.approx([5.6 / 2.9] * 2)
    # SBA: × (1 − α/2) = 0.95
    assert f.sba(y, 1).forecast == pytest.approx([0.95 * 5.6 / 2.9])
    assert f.croston([0, 0, 0], 2).forecast == [0, 0]


def test_wape_and_intermittence():
    assert f.wape([10, 0, 30], [12, 1, 25]) == pytest.approx((2 + 1 + 5) / 40)
    assert f.wape([0, 0], [1, 2]) is None
    assert f.is_intermittent([0, 5, 0, 0, 3, 0]) is True  # 6 buckets / 2 with demand = 3
    assert f.is_intermittent([4, 5, 0, 6, 3, 2]) is False  # 6 / 5 = 1.2


def test_backtest_uses_rolling_origins():
    # monthly plan: origins n−12, n−9, n−6, n−3, three buckets ahead each; a series that is
    # constant from the start is forecast perfectly by SES (level = y0)
    assert f.backtest([5.0] * 30, f.ses, f.MONTHLY) == 0
    # too short for the holdout plus the minimum training length
    assert f.backtest([5.0] * 17, f.ses, f.MONTHLY) is None


def _out_of_sample(series, plan, n, h):
    """Σ|error| of the chosen method and of seasonal naive on the h buckets after n."""
    chosen = naive = 0.0
    for y in series:
        hist, future = y[:n], y[n : n + h]
        pick = f.choose(hist, h, plan).forecast
        base = f.seasonal_naive(hist, h, plan.season).forecast
        chosen += sum(abs(a - b) for a, b in zip(future, pick, strict=True))
        naive += sum(abs(a - b) for a, b in zip(future, base, strict=True))
    return chosen, naive


def test_seasonal_series_gets_holt_winters_which_beats_naive():
    # four years of monthly demand with trend, a yearly cycle and noise
    choice = f.choose(seasonal_series(0, 48), 6, f.MONTHLY)
    assert choice.method == "holt_winters"
    assert choice.wape < choice.naive_wape
    assert set(choice.scores) == {"seasonal_naive", "ses", "holt_winters"}
    # and on buckets the back-test never saw, over 20 such series
    chosen, naive = _out_of_sample([seasonal_series(s, 54) for s in range(20)], f.MONTHLY, 48, 6)
    assert chosen < 0.95 * naive


def test_intermittent_series_gets_a_croston_method_which_beats_naive():
    # two and a half years of weekly demand: a quarter of the weeks have an order
    choice = f.choose(intermittent_series(3, 130), 13, f.WEEKLY)
    assert choice.intermittent is True
    assert choice.method in {"croston", "sba"}
    assert choice.wape < choice.naive_wape
    chosen, naive = _out_of_sample(
        [intermittent_series(s, 143) for s in range(20)], f.WEEKLY, 130, 13
    )
    assert chosen < 0.95 * naive


def test_no_history_to_back_test_falls_back_by_shape_and_never_forecasts_below_zero():
    assert f.choose([0, 0, 3, 0, 0, 4], 2, f.MONTHLY).method == "sba"
    falling = f.choose([50, 40, 30, 20, 10, 5, 5, 5], 2, f.MONTHLY)
    assert falling.method == "ses" and falling.wape is None
    assert min(f.choose([100, 0, 100, 0] * 10, 3, f.MONTHLY).forecast) >= 0


@pytest.mark.parametrize("plan", [f.MONTHLY, f.WEEKLY], ids=["month", "week"])
def test_one_pass_backtest_equals_refitting_at_every_origin(plan):
    # backtest_all keeps each method's state at the origins of one pass over the series; its
    # scores are exactly (not approximately) those of refitting on every prefix, for every method
    # (forced onto every series), on every length around the plan's thresholds
    import random

    rng = random.Random(11)
    lengths = sorted({1, 5, 6, 7, 13, 19, 20, 30, 37, 48, 60, 127, 128, 129, 156})
    checked = 0
    for n in lengths:
        for y in (
            seasonal_series(rng.randrange(12), n),
            intermittent_series(rng.randrange(12), n),
            [float(max(0, round(rng.gauss(80, 25)))) for _ in range(n)],
            [float(rng.choice((0, 0, 0, 7, 30))) for _ in range(n)],
        ):
            y = [float(v) for v in y]
            names = list(f.METHODS)
            refit = {name: f.backtest(y, f.METHODS[name], plan) for name in names}
            assert f.backtest_all(y, names, plan) == refit
            checked += any(v is not None for v in refit.values())
    assert checked > 20
