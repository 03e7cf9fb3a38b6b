"""A/B variant weights and their deterministic choice (shared/domain/composition/variants.py)."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.composition.variants import VariantWeight, check_weights, choose_variant, unit_interval

AB = [VariantWeight("A", 1.0), VariantWeight("B", 1.0)]


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([], "at least one"),
        ([VariantWeight("A", -1.0), VariantWeight("B", 2.0)], "negative"),
        ([VariantWeight("A", math.nan)], "finite"),
        ([VariantWeight("A", math.inf)], "finite"),
        ([VariantWeight("A", 0.0), VariantWeight("B", 0)], "weight 0"),
        ([VariantWeight("A", 1.0), VariantWeight("A", 2.0)], "twice"),
        ([VariantWeight(chr(65 + i % 26) + str(i), 1.0) for i in range(27)], "at most 26"),
        ([VariantWeight("", 1.0)], "key"),
        ([VariantWeight("a b", 1.0)], "key"),
    ],
)
def test_bad_weights_are_refused(weights: list[VariantWeight], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_weights(weights)
    with pytest.raises(ValueError):
        choose_variant(weights, enrollment_id="e1", step=1)


def test_good_weights_pass() -> None:
    check_weights([VariantWeight(chr(65 + i), float(i)) for i in range(26)])
    check_weights([VariantWeight("control", 0), VariantWeight("new-subject_2", 3)])


@given(enrollment_id=st.text(min_size=1, max_size=40), step=st.integers(1, 20))
def test_the_choice_is_deterministic_and_independent_of_list_order(enrollment_id: str, step: int) -> None:
    weights = [VariantWeight("A", 2.0), VariantWeight("B", 1.0), VariantWeight("C", 0.5)]
    first = choose_variant(weights, enrollment_id=enrollment_id, step=step)
    assert choose_variant(weights, enrollment_id=enrollment_id, step=step) == first
    assert choose_variant(list(reversed(weights)), enrollment_id=enrollment_id, step=step) == first
    assert 0.0 <= unit_interval(enrollment_id, step) < 1.0


@settings(max_examples=40, deadline=None)
@given(
    weights=st.lists(st.sampled_from([0.0, 0.0, 0.5, 1.0, 2.0, 3.0, 7.5]), min_size=1, max_size=6).filter(
        lambda ws: any(w > 0 for w in ws)
    ),
    salt=st.text(max_size=8),
)
def test_frequencies_follow_the_weights_and_zero_is_never_chosen(weights: list[float], salt: str) -> None:
    variants = [VariantWeight(chr(65 + i), w) for i, w in enumerate(weights)]
    n = 4000
    counts = Counter(choose_variant(variants, enrollment_id=f"{salt}-enr-{i}", step=1) for i in range(n))
    total = sum(weights)
    for variant in variants:
        share = variant.weight / total
        if variant.weight == 0:
            assert counts[variant.key] == 0
        else:
            # 5 standard deviations of a binomial share: a false failure is ~1 in 3 million per variant
            tolerance = 5 * math.sqrt(share * (1 - share) / n) + 1e-9
            assert abs(counts[variant.key] / n - share) <= tolerance, (variant, counts)


def test_the_step_is_part_of_the_choice() -> None:
    choices = {step: [choose_variant(AB, enrollment_id=f"e{i}", step=step) for i in range(200)] for step in (1, 2)}
    assert choices[1] != choices[2]  # the same enrollments split differently at another step
    assert Counter(choices[1])["A"] not in (0, 200)


def test_a_single_variant_is_always_chosen() -> None:
    assert {choose_variant([VariantWeight("only", 0.1)], enrollment_id=f"e{i}", step=3) for i in range(50)} == {"only"}
