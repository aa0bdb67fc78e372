"""The Markdown summary of a ``bench/system.py`` result: each target as a ratio inside the run, met
or missed and by how much, and where the time went."""

from typing import Any

HOP_FACTOR = 3.0  # a hop's p99 against a raw JetStream round trip plus a raw write, both at p99
THROUGHPUT_SHARE = 0.5  # of the bound the raw write rate and the writes per request imply
SYSTEM_TIME_P99_S = 1.0  # per request, at 100 at once
QUERY_GROWTH = 1.5  # a query's p99 with 100x the history
PAGE_GROWTH = 1.5  # a console page's p99 with 100x the history
PAGE_P99_S = 0.3  # a console page's p99 server time, at any size of the history


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def p99(timing: dict[str, float]) -> str:
    # A query slower than the time the run gives each one has no second sample: say so.
    return ms(timing["p99"]) if timing.get("n") else "no answer within the query's 5 s"


def verdict(met: bool, how: str) -> str:
    return f"{'met' if met else 'MISSED'}: {how}"


def targets(result: dict[str, Any]) -> list[tuple[str, bool, str]]:
    base = result["baseline"]
    floor = base["jetstream_round_trip_s"]["p99"] + base["write"]["p99"]
    found: list[tuple[str, bool, str]] = []
    rounds = {r["requests"]: r for r in result["rounds"]}
    top = str(max(rounds))
    ratios = {}
    for load, hops in result["hops"].items():
        worst = max(hops.items(), key=lambda kv: kv[1]["p99"])
        ratios[load] = (worst[0], worst[1]["p99"], worst[1]["p99"] / floor)
    hop, slowest, ratio = ratios[top]
    found.append(
        (
            f"one automated hop, p99 <= {HOP_FACTOR:g} x (JetStream round trip + write)",
            ratio <= HOP_FACTOR,
            f"slowest hop at {top} at once, {hop}: p99 {ms(slowest)} = {ratio:.1f} x {ms(floor)}; "
            + ", ".join(f"{r[2]:.1f} x at {load}" for load, r in ratios.items() if load != top),
        )
    )
    complete = {n: r for n, r in rounds.items() if r["writes_per_request"]}
    reference = complete.get(100) or complete[max(complete)]
    bound = base["write_rate_per_s"] / reference["writes_per_request"]
    fastest = max(result["rounds"], key=lambda r: r["requests_per_s"])
    best = fastest["requests_per_s"]
    share = best / bound
    busy = fastest.get("cores_used") or {}
    # The bound counts the database's writes alone; on one machine everything shares its cores.
    cores = (
        f"; at {fastest['requests']} at once {sum(busy.values()):.2f} of {result['machine']['cpus']} cores "
        f"were busy, the database's {busy.get('database', 0):.2f}"
        if busy
        else ""
    )
    found.append(
        (
            f"throughput >= {THROUGHPUT_SHARE:.0%} of the write-rate bound",
            share >= THROUGHPUT_SHARE,
            f"best {best:.2f} requests/s; bound {base['write_rate_per_s']:.0f} writes/s / "
            f"{reference['writes_per_request']:.0f} writes per request = {bound:.1f} requests/s; {share:.1%}" + cores,
        )
    )
    system = reference["system_per_request_s"]["p99"]
    found.append(
        (
            f"system time per request p99 < {SYSTEM_TIME_P99_S:g} s at {reference['requests']} at once",
            system < SYSTEM_TIME_P99_S,
            f"p99 {system:.2f} s ({system / SYSTEM_TIME_P99_S:.1f} x the target); at "
            f"{reference['requests_per_s']:.2f} requests/s, each of {reference['requests']} at once takes "
            f"{reference['requests'] / reference['requests_per_s']:.0f} s on average (Little's law: at once / "
            f"rate), so under {SYSTEM_TIME_P99_S:g} s needs "
            f"{reference['requests'] / SYSTEM_TIME_P99_S:.0f} requests/s, "
            f"{reference['requests'] / SYSTEM_TIME_P99_S / bound:.1f} x the write-rate bound",
        )
    )
    small, large = sorted(result["queries"], key=int)
    for query, at_small in result["queries"][small].items():
        at_large = result["queries"][large][query]
        growth = at_large["p99"] / at_small["p99"] if at_large.get("n") else float("inf")
        found.append(
            (
                f"{query}: p99 with {int(large):,} past <= {QUERY_GROWTH:g} x with {int(small):,}",
                growth <= QUERY_GROWTH,
                f"{p99(at_small)} -> {p99(at_large)} ({growth:.2f} x, {at_small['n']} and {at_large['n']} samples)",
            )
        )
    if result.get("pages"):
        verdicts = page_verdicts(result["pages"])
        missed = [v for v in verdicts if not v["met"]]
        small, large = sorted(result["pages"], key=int)
        found.append(
            (
                f"every console page: p99 with {int(large):,} past <= {PAGE_GROWTH:g} x with {int(small):,} "
                f"and <= {ms(PAGE_P99_S)}",
                not missed,
                f"{len(verdicts) - len(missed)} of {len(verdicts)} pages met both"
                + ("; missed: " + "; ".join(f"{v['label']} ({v['why']})" for v in missed) if missed else ""),
            )
        )
    return found


def page_verdicts(pages: dict[str, dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each page against both targets: its p99's growth with the history, and its p99 at the
    larger one; a page that answered other than 200 misses, whatever its time."""
    small, large = sorted(pages, key=int)
    verdicts = []
    for label, at_small in pages[small].items():
        at_large = pages[large][label]
        ratio = at_large["p99"] / at_small["p99"]
        grew_ok, fast_ok = ratio <= PAGE_GROWTH, at_large["p99"] <= PAGE_P99_S and at_small["p99"] <= PAGE_P99_S
        refused = sorted({str(s) for t in (at_small, at_large) for s in t.get("statuses", {}) if str(s) != "200"})
        why = [f"{ratio:.2f} x"] if not grew_ok else []
        why += [f"p99 {ms(at_large['p99'])}"] if not fast_ok else []
        why += [f"answered {', '.join(map(str, refused))}"] if refused else []
        verdicts.append(
            {
                "label": label,
                "officer": at_small.get("officer"),
                "small": at_small,
                "large": at_large,
                "ratio": ratio,
                "grew_ok": grew_ok,
                "fast_ok": fast_ok,
                "refused": refused,
                "met": grew_ok and fast_ok and not refused,
                "why": ", ".join(why),
            }
        )
    return verdicts


def pages_table(pages: dict[str, dict[str, dict[str, Any]]]) -> str:
    small, large = sorted(pages, key=int)
    lines = [
        f"| page | signed in as | p50 / p99 with {int(small):,} past | p50 / p99 with {int(large):,} past "
        f"| p99 ratio (p50 ratio) | <= {PAGE_GROWTH:g} x | <= {ms(PAGE_P99_S)} |",
        "|---|---|---|---|---|---|---|",
    ]
    for v in page_verdicts(pages):
        figures = []
        for t in (v["small"], v["large"]):
            others = {s: n for s, n in t.get("statuses", {}).items() if str(s) != "200"}
            said = f"; answered {', '.join(f'{s} x{n}' for s, n in others.items())}" if others else ""
            figures.append(f"{t['p50'] * 1000:.1f} / {t['p99'] * 1000:.1f} ms (n={t['n']}{said})")
        answered = "" if not v["refused"] else " (not 200)"
        lines.append(
            f"| {v['label']} | {v['officer'] or '(no sign-in)'} | {figures[0]} | {figures[1]} "
            f"| {v['ratio']:.2f} ({v['large']['p50'] / v['small']['p50']:.2f}) "
            f"| {'yes' if v['grew_ok'] else '**no**'}{answered} | {'yes' if v['fast_ok'] else '**no**'} |"
        )
    return "\n".join(lines)


def render_pages(result: dict[str, Any]) -> str:
    """bench/results/console-pages.md: the console's pages with the two sizes of history."""
    machine, pages = result["machine"], result["pages"]
    small, large = sorted(pages, key=int)
    verdicts = page_verdicts(pages)
    missed = [v for v in verdicts if not v["met"]]
    lines = [
        "# Warta console pages: server time with a growing history",
        "",
        f"Run {result['started_at'][:16]} UTC to {result.get('finished_at', '?')[:16]} UTC "
        f"({'python bench/system.py --queries' if result.get('queries_only') else 'make bench'}) "
        f"on {machine['cpus']} CPUs, {machine['memory_gb']} GB, {machine['platform']}, Python {machine['python']}, "
        f"servers: {machine['backend']}.",
        "",
        f"Target (the issue's acceptance): with {int(large):,} past requests, every console page's p99 server time "
        f"is <= {PAGE_GROWTH:g} x its p99 with {int(small):,}, and <= {ms(PAGE_P99_S)}. "
        f"**{len(verdicts) - len(missed)} of {len(verdicts)} pages met both.**",
        "",
        "Server time: a GET from the bench to the console on loopback until the whole answer is read (the HTML, "
        "not the styles and scripts it then loads), the officer signed in through the console's development "
        "sign-in (its cookie). Each page is asked up to 200 times within 5 s, and a slower page until it has 100 "
        "answers (within 30 s), in rounds of every page once; the first answer is left out. The console calls "
        "the services over HTTP as in production: all eight run as "
        "their own processes on the servers named above. "
        + (
            "Each size of the history has a system of its own (the same eight processes, its own databases and "
            "stream) on the same servers, and each round asks every page of both: whatever else loads the machine "
            "weighs on both sizes alike."
            if result.get("queries_only")
            else "One system: the smaller history is measured first, then the history grows and the pages are "
            "measured again."
        ),
        "",
        f"History: {int(small):,} past requests are 2 walked through all seven steps and the rest cloned from one "
        "of them in every service's database (archive and notifier included); beyond that, only each request's "
        "own documents, the intake's word postings, the notifier's messages and the step services' deviations "
        "(one past request in ten ran step 1 over its standard). Clones are dated 90 days to 3 years back, before "
        "the longest span a page shows by default (the calendar feeds' two months back), so those spans hold the "
        "run's own requests at both sizes. Three more requests are left in "
        "flight: at step 2 (waiting for the disposition), step 5 (waiting for the team lead's review) and step 7 "
        "(publication ready).",
        "",
        pages_table(pages),
        "",
    ]
    if load := result.get("load"):
        lines += [
            "Load average (1 minute) of the machine before and after each size's pages: "
            + "; ".join(f"{when}: {a:.2f} / {b:.2f}" for when, (a, b) in load.items())
            + f" (on {machine['cpus']} CPUs; the bench shares the machine with whatever else runs on it).",
            "",
        ]
    if missed:
        lines += ["Missed:", ""] + [f"- {v['label']}: {v['why']}" for v in missed] + [""]
    if routes := result.get("routes"):
        lines += ["## The console's GET routes", "", "| route | |", "|---|---|"]
        lines += [f"| `{route}` | {said} |" for route, said in routes.items()]
        lines.append("")
    lines += ["Versions: " + ", ".join(f"{k} {v}" for k, v in machine["versions"].items()), ""]
    return "\n".join(lines)


def cores(result: dict[str, Any]) -> list[str]:
    """What kept the machine busy in each round: CPU seconds per second, by process."""
    rounds = [r for r in result["rounds"] if r.get("cores_used")]
    if not rounds:
        return []
    # Busiest in the largest round first; a tie (processes that did not run in it) goes to the
    # rounds before it, then the name, so the order never rests on a set's hashing.
    names = sorted(
        {n for r in rounds for n in r["cores_used"]},
        key=lambda n: (*(-r["cores_used"].get(n, 0) for r in reversed(rounds)), n),
    )
    lines = [
        "",
        f"Cores kept busy in each round (CPU seconds per second; the machine has {result['machine']['cpus']}):",
        "",
        "| process | " + " | ".join(f"{r['requests']} at once" for r in rounds) + " |",
        "|---|" + "---|" * len(rounds),
    ]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(f"{r['cores_used'].get(name, 0):.2f}" for r in rounds) + " |")
    lines.append("| all | " + " | ".join(f"{sum(r['cores_used'].values()):.2f}" for r in rounds) + " |")
    return lines


def work_per_request(result: dict[str, Any], shown: int = 25) -> list[str]:
    """What one published request cost, counted in a round of its own (``accounted_round``): the
    documents each service asked to write, by collection and by the work that caused them (an
    event's type, an officer's call, the service's own work: the outbox relay, timers); the
    messages the NATS server carried, by kind; the HTTP answers, by service and route; the CPU
    seconds, by process."""
    account = result.get("per_request")
    if not account:
        return []
    at_once = f"{account['requests']} at once"

    def table(title: str, header: str, by: dict[str, float], digits: int = 1) -> list[str]:
        lines = ["", f"{title} ({sum(by.values()):.{digits}f} in all):", "", f"| {header} | per request |", "|---|---|"]
        lines += [f"| {key} | {n:.{digits}f} |" for key, n in list(by.items())[:shown]]
        if len(by) > shown:
            lines.append(f"| the other {len(by) - shown} | {sum(list(by.values())[shown:]):.{digits}f} |")
        return lines

    return [
        "",
        f"## The work one request costs ({at_once}, {account['published']} published)",
        *table("Documents written, as the services count them", "service · collection · cause", account["writes_by"]),
        *table("Messages the NATS server carried", "kind", account["bus"]),
        *table("HTTP answers given", "service · method route", account["http"]),
        *table("CPU seconds of the servers (the benchmark's own left out)", "process", account["cpu_s"], digits=3),
    ]


def render(result: dict[str, Any]) -> str:
    base, machine = result["baseline"], result["machine"]
    lines = [
        "# Warta benchmark",
        "",
        f"Run {result['started_at'][:16]} UTC on {machine['cpus']} CPUs, {machine['memory_gb']} GB, "
        f"Python {machine['python']}, servers: {machine['backend']}"
        + (" (quick run: not the full workload)" if result["quick"] else "")
        + ".",
        "",
        "## Targets",
        "",
    ]
    lines += [f"- **{name}**: {verdict(met, how)}" for name, met, how in targets(result)]
    lines += [
        "",
        "## Baselines (same run, same servers)",
        "",
        f"- JetStream publish-and-consume round trip: p50 {ms(base['jetstream_round_trip_s']['p50'])}, "
        f"p99 {ms(base['jetstream_round_trip_s']['p99'])}",
        f"- one document write (w: majority): p50 {ms(base['write']['p50'])}, p99 {ms(base['write']['p99'])}; "
        f"read: p50 {ms(base['read']['p50'])}, p99 {ms(base['read']['p99'])}",
        f"- write rate with {base['writers']} writers: {base['write_rate_per_s']:.0f} writes/s",
        "",
        "## End to end",
        "",
        "| at once | published | requests/s | wall per request p50 / p99 | system time p50 / p99 "
        "| writes per request |",
        "|---|---|---|---|---|---|",
    ]
    for r in result["rounds"]:
        wall, system = r["wall_per_request_s"], r["system_per_request_s"]
        writes = f"{r['writes_per_request']:.0f}" if r["writes_per_request"] else "— (cut off)"
        published = f"{r['published']} in {r['seconds']:.0f} s"
        lines.append(
            f"| {r['requests']} | {published} | {r['requests_per_s']:.2f} | {wall['p50']:.2f} s / {wall['p99']:.2f} s "
            f"| {system['p50']:.2f} s / {system['p99']:.2f} s | {writes} |"
        )
    lines += cores(result)
    lines += work_per_request(result)
    history = result["with_history"]
    ten = next(r for r in result["rounds"] if r["requests"] == 10)["system_per_request_s"]["p99"]
    lines += [
        "",
        f"With {history['historical_requests']:,} finished requests in the databases, 10 at once: "
        f"{history['requests_per_s']:.2f} requests/s, system time p99 {history['system_per_request_s']['p99']:.2f} s "
        f"(without them: {ten:.2f} s).",
        "",
        "## Hops (publish to applied)",
        "",
        "| hop | " + " | ".join(f"{n} at once p50 / p99" for n in result["hops"]) + " |",
        "|---|" + "---|" * len(result["hops"]),
    ]
    hops = sorted({h for per in result["hops"].values() for h in per})
    for hop in hops:
        cells = []
        for per in result["hops"].values():
            p = per.get(hop)
            cells.append(f"{ms(p['p50'])} / {ms(p['p99'])}" if p and p.get("n") else "—")
        lines.append(f"| {hop} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Queries",
        "",
        "| query | " + " | ".join(f"p99 with {int(n):,} past" for n in result["queries"]) + " |",
    ]
    lines.append("|---|" + "---|" * len(result["queries"]))
    for query in next(iter(result["queries"].values())):
        lines.append(f"| {query} | " + " | ".join(p99(result["queries"][n][query]) for n in result["queries"]) + " |")
    if result.get("pages"):
        lines += ["", "## Console pages (server time)", ""]
        lines.append(pages_table(result["pages"]))
    if result.get("profile"):
        lines += ["", "## Where the time goes at the highest load (py-spy, share of samples on top of the stack)", ""]
        lines += profile_lines(result["profile"])
    lines += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in result["machine"]["versions"].items()), ""]
    return "\n".join(lines)


def profile_lines(profile: dict[str, Any]) -> list[str]:
    """Each process's hottest frames, each with the call paths that led to it when the run kept
    them (a run before that kept a list of frames and shares per process)."""
    lines = []
    found = {name: kept["frames"] if isinstance(kept, dict) else kept for name, kept in profile.items()}
    if any(isinstance(f, dict) for frames in found.values() for f in frames):
        lines += [
            "Each top frame with the two call paths that most often led to it (nearest caller first, and "
            "the nearest frame of Warta's own code beyond them) and their shares of the process's samples.",
            "",
        ]
    for name, frames in found.items():
        kept = profile[name]
        samples = f" ({kept['samples']:,} samples, its threads' together)" if isinstance(kept, dict) else ""
        lines.append(f"- **{name}**{samples}")
        if isinstance(kept, dict) and kept.get("packages"):  # kept from 2026-12-07 on
            shares = ", ".join(f"{package} {share:.0%}" for package, share in kept["packages"])
            lines.append(f"  - top frames by the code they belong to: {shares}")
        for frame in frames[:5]:
            if isinstance(frame, list):  # a run from before callers were kept: frame and share
                lines.append(f"  - {frame[0]} {frame[1]:.0%}")
                continue
            lines.append(f"  - {frame['frame']} {frame['share']:.0%}")
            lines += [f"    - ← {chain} ({share:.0%})" for chain, share in frame["callers"]]
    return lines


def render_profile(result: dict[str, Any]) -> str:
    """bench/results/profile.md: where the time goes when throughput peaks, on its own."""
    m, outcome = result["machine"], result["round"]
    return "\n".join(
        [
            "# Warta: where the time goes when throughput peaks",
            "",
            f"Run {result['started_at'][:16]} UTC (python bench/system.py --profile) on {m['platform']}, Python "
            f"{m['python']}, {m['cpus']} CPUs, servers: {m['backend']}.",
            "",
            f"{outcome['requests']} requests at once on a fresh system ({outcome['requests_per_s']:.2f} requests/s; "
            "cores each process kept busy: "
            + ", ".join(f"{name} {used:.2f}" for name, used in outcome["cores_used"].items())
            + f"). py-spy sampled every service and the database at {result['spy_rate']} Hz for the first "
            f"{result['profile_seconds']} s of the round, keeping each thread's samples py-spy did not judge "
            "idle (running, or waiting for the GIL or a lock it does not count as idle), so a process's samples "
            f"add up over its threads: {result['spy_rate'] * result['profile_seconds']:,} would be one thread "
            "never idle. "
            "Shares are of each process's samples, by the frame on top of the stack.",
            "",
            "Reading it: `Runner.run` on top is the event loop's own work in uvloop's C code (its sockets, "
            "timers and callbacks), which py-spy does not see into. A frame under `wait_for` runs in a task "
            "of its own (PyMongo times each socket write that way), so no frame of Warta's is behind it: its "
            "callers end at the library's call that started it. The database's `_recv_exactly` is SecantusDB "
            "reading requests off its sockets, a thread per connection.",
            "",
            *profile_lines(result["profile"]),
            "",
            "Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
            "",
        ]
    )
