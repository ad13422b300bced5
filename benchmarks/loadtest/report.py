"""The figures of a run: requests, latencies, the shared items and the checks, as printed."""

from collections import Counter

from benchmarks.loadtest.browser import shown
from benchmarks.loadtest.checks import Check, ItemState
from benchmarks.loadtest.dataset import Dataset
from benchmarks.loadtest.users import Outcome

READ_TARGET_MS = 300


def percentile(ordered: list[float], percent: int) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not ordered:
        return 0.0
    return ordered[max(0, -(-len(ordered) * percent // 100) - 1)]


def report(outcome: Outcome, *, states: dict[int, ItemState], dataset: Dataset, checks: list[Check], target: str) -> str:
    reads, writes = outcome.latencies(kind="read"), outcome.latencies(kind="write")
    lines = [
        (
            f"load test: {outcome.users} users ({outcome.readers} readers, {outcome.accountants} accountants) "
            f"for {outcome.duration:.0f} s against {target}, think time {outcome.think:.2f} s (±50 %)"
        ),
        f"logins: {outcome.users} in {outcome.login_seconds:.1f} s (before the clock starts)",
        f"requests: {outcome.issued:,} in {outcome.elapsed:.1f} s = {outcome.throughput:.1f} req/s"
        + (" (stopped by the request cap)" if outcome.capped else ""),
        (
            f"  reads {len(reads):,}; writes {len(writes):,}: {outcome.accepted_count:,} accepted "
            f"({shown(outcome.accepted_total)} yuan), {outcome.refused_count:,} refused (item ran dry)"
        ),
        f"  errors {len(outcome.errors)}",
        f"  the simulated users' own CPU: {outcome.client_cpu:.1f} s ({outcome.client_cpu / outcome.elapsed if outcome.elapsed else 0:.0%} of one core)",
    ]
    for (page, description), count in Counter(outcome.errors).most_common(10):
        lines.append(f"    {count} × {page}: {description}")
    lines.append(f"latency (ms)            {'count':>6} {'p50':>8} {'p95':>8} {'max':>8}")
    rows = [("reads", reads), ("writes", writes)]
    rows += [(f"  {page}", outcome.latencies(page=page)) for page in sorted({page for _, page, _ in outcome.samples})]
    for name, ordered in rows:
        if ordered:
            lines.append(
                f"  {name:<22}{len(ordered):>6} {percentile(ordered, 50) * 1000:>8.1f} "
                f"{percentile(ordered, 95) * 1000:>8.1f} {ordered[-1] * 1000:>8.1f}"
            )
    lines.append(f"shared items (budget {shown(dataset.item_budget)} each)   committed          left  accepted  refused  dry after")
    for pk, state in sorted(states.items(), key=lambda pair: pair[1].code):
        dry = f"{outcome.dry_after[pk]:.1f} s" if pk in outcome.dry_after else "-"
        lines.append(
            f"  {state.code:<36}{shown(state.committed):>12}  {shown(state.left):>12}  "
            f"{len(outcome.accepted.get(pk, [])):>8}  {outcome.refused[pk]:>7}  {dry:>9}"
        )
    lines.append("checks:")
    lines += [f"  {'PASS' if check.passed else 'FAIL'} {check.name}: {check.detail}" for check in checks]
    p95_reads = percentile(reads, 95) * 1000
    lines.append(f"target: 0 errors, 0 overspent items, p95 of reads ≤ {READ_TARGET_MS} ms: p95 of reads {p95_reads:.1f} ms "
                 + ("(met)" if p95_reads <= READ_TARGET_MS else "(missed)"))  # fmt: skip
    return "\n".join(lines)


def passed(outcome: Outcome, checks: list[Check]) -> bool:
    return not outcome.errors and all(check.passed for check in checks)


def side_by_side(runs: list[tuple[Outcome, list[Check]]]) -> str:
    """One line per run: users, throughput, read and write latencies, errors and the checks."""
    lines = [
        "summary:",
        f"  {'users':>5} {'req/s':>7} {'reads p50':>10} {'reads p95':>10} {'writes p95':>11} {'errors':>7}  checks  target (reads p95 ≤ {READ_TARGET_MS} ms)",
    ]
    for outcome, checks in runs:
        reads, writes = outcome.latencies(kind="read"), outcome.latencies(kind="write")
        p95 = percentile(reads, 95) * 1000
        lines.append(
            f"  {outcome.users:>5} {outcome.throughput:>7.1f} {percentile(reads, 50) * 1000:>10.1f} {p95:>10.1f} "
            f"{percentile(writes, 95) * 1000:>11.1f} {len(outcome.errors):>7}  {'pass' if all(c.passed for c in checks) else 'FAIL':>6}  "
            + ("met" if p95 <= READ_TARGET_MS else "missed")
        )
    return "\n".join(lines)
