"""The suite's own set-up: what `make test` relies on to stay fast."""

import pytest


def test_each_xdist_group_runs_on_one_worker(request):
    """The Makefile runs `--dist loadgroup`, so that the tests marked `xdist_group` (the demo data,
    the form fuzz, the worked cases) share one worker and build their costly state once. pytest-xdist
    3.8 groups them by adding the group to the test's id, which pytest 9.2 no longer lets it change
    (pytest-xdist issue #1386): the groups were then spread over every worker, silently, and each
    built its state on each. pyproject.toml holds pytest at 9.1 until xdist has a fix."""
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("runs under pytest-xdist with --dist loadgroup, as `make test` does")
    grouped = [item for item in request.session.items if item.get_closest_marker("xdist_group")]
    ungrouped = [item.nodeid for item in grouped if "@" not in item.nodeid]

    assert grouped
    assert not ungrouped, f"{len(ungrouped)} tests marked xdist_group were not grouped, the first: {ungrouped[0]}"
