"""Spike scoring on constructed series (pure: no node) and the window calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from search_api import trends as T


def test_flat_series_is_not_a_spike():
    t = T.score_series("x", [5] * 9, [100] * 9, 1, seen_before=True)
    assert t.score == 0.0 and not t.new


def test_spike_scores_higher_the_bigger_it_is():
    scores = [T.score_series("x", [5] * 8 + [k], [100] * 9, 1, seen_before=True).score for k in (8, 12, 20)]
    assert 0 < scores[0] < scores[1] < scores[2]


def test_volume_normalisation_discounts_busy_weeks():
    # Twice the count in a week with twice the volume is no spike; in an ordinary week it is.
    busy = T.score_series("x", [5] * 8 + [10], [100] * 8 + [200], 1, seen_before=True)
    quiet = T.score_series("x", [5] * 8 + [10], [100] * 9, 1, seen_before=True)
    assert busy.score < 1.0 < quiet.score


def test_new_value_gets_finite_high_score_and_flag():
    t = T.score_series("x", [0] * 8 + [6], [100] * 9, 1, seen_before=False)
    assert t.new and 3 < t.score < 100 and t.expected > 0


def test_robust_z_none_on_flat_baseline_and_positive_on_spike():
    assert T.score_series("x", [5] * 9, [100] * 9, 1, seen_before=True).z is None
    t = T.score_series("x", [4, 6, 5, 4, 6, 5, 4, 6, 20], [100] * 9, 1, seen_before=True)
    assert t.z is not None and t.z > 10


def test_minimum_support_and_order():
    a = T.score_series("a", [0] * 8 + [2], [100] * 9, 1, seen_before=False)  # huge surprise, too little support
    b = T.score_series("b", [1] * 8 + [9], [100] * 9, 1, seen_before=True)
    c = T.score_series("c", [1] * 8 + [5], [100] * 9, 1, seen_before=True)
    assert [t.value for t in T.rank([c, a, b], min_support=3)] == ["b", "c"]


def test_surprise_matches_poisson_tail():
    # P(X >= 3 | λ = 1) = 1 - e^-1 (1 + 1 + 1/2) = 0.0803...
    assert T.surprise(3, 1.0) == pytest.approx(1.0953, abs=1e-3)
    assert T.surprise(1, 2.0) == 0.0


def test_windows_calendar():
    w = T.windows(dt.date(1987, 10, 21), "week", 1, 4)  # a Wednesday
    assert (w.window_from, w.baseline_from) == (dt.date(1987, 10, 19), dt.date(1987, 9, 21))
    assert len(T.interval_starts(w)) == 5
    m = T.windows(dt.date(1987, 3, 15), "month", 2, 3)
    assert (m.window_from, m.baseline_from) == (dt.date(1987, 2, 1), dt.date(1986, 11, 1))


def test_misaligned_series_is_an_error():
    with pytest.raises(ValueError):
        T.score_series("x", [1, 2], [1], 1, seen_before=True)


def test_acronym_aliases():
    from search_api.cooccurrence import acronym_pair

    assert acronym_pair("OPEC", "Organisation of Petroleum Exporting Countries")
    assert acronym_pair("Organization of the Petroleum Exporting Countries", "OPEC")
    assert not acronym_pair("OPEC", "Saudi Press Agency") and not acronym_pair("Opec", "Opecna")
