"""How long rendering a calendar feed takes with ``app.calendars.ical.render``, against the same
feed built with the ``icalendar`` library. Not a test: it prints figures (see bench/README.md).

    .venv/bin/python -m bench.ical              # 500, 1,000 and 5,000 events; the library for all three
    .venv/bin/python -m bench.ical --quick      # fewer runs; the library skips 5,000

(``.venv/bin/python bench/ical.py ...`` works too.) No database and no app: the events are
synthetic but shaped like the real ones: a UUID, a title of 20 to 70 characters (some with
commas, some non-ASCII), a multi-line description on two events in three, a URL, and a few
cancelled; the calendar has an alarm, so every confirmed event carries a VALARM. Each figure
is the best of the runs, in milliseconds, for the whole feed as a str (the library's as bytes,
which is what it returns). Both feeds are parsed back once to check they hold the same events.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import icalendar  # noqa: E402

from app.calendars.ical import REFRESH, Calendar, Event, render  # noqa: E402

SIZES = (500, 1_000, 5_000)
CALENDAR = Calendar("My calendar — Countersign", "Milestones, tasks and promised dates", alarm=timedelta(hours=9))
WORDS = ("Launch", "spring", "campaign", "review", "budget", "sign-off", "Zürich", "offsite", "Q3,", "draft",
         "press kit", "Café", "partners;", "rollout", "final", "copy")


@dataclass
class Figures:
    events: int
    ours_ms: float
    library_ms: float | None
    octets: int


def synthetic(count: int) -> list[Event]:
    """Deterministic events (a fixed UUID namespace), one to three a day from 2030-01-01."""
    start = date(2030, 1, 1)
    modified = datetime(2029, 12, 1, 8, 30, 15)
    events = []
    for n in range(count):
        title = " ".join(WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(3 + n % 8))
        description = "" if n % 3 == 0 else (
            f"Campaign {n // 10}: {title}\nOwner: Person {n % 50}\nStatus: open, 3 of 5 tasks done")
        events.append(Event(
            uid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"countersign:milestone:{n}")),
            day=start + timedelta(days=n // 2),
            summary=title,
            modified=modified + timedelta(minutes=n),
            description=description,
            url=f"https://countersign.example/campaigns/{n // 10}/milestones/{n}",
            sequence=n % 4,
            cancelled=n % 17 == 0,
        ))
    return events


def with_library(calendar: Calendar, events: list[Event]) -> bytes:
    """The same feed built with icalendar's own components and serialiser."""
    feed = icalendar.Calendar()
    feed.add("version", "2.0")
    feed.add("prodid", "-//Countersign//Calendar feeds v1//EN")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", calendar.name)
    feed.add("name", calendar.name)
    if calendar.description:
        feed.add("x-wr-caldesc", calendar.description)
    feed.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    feed.add("x-published-ttl", "PT1H")
    for event in events:
        vevent = icalendar.Event()
        stamp = event.modified.replace(tzinfo=UTC)
        vevent.add("uid", event.uid)
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", event.day)
        vevent.add("dtend", event.day + timedelta(days=1))
        vevent.add("summary", event.summary)
        if event.description:
            vevent.add("description", event.description)
        if event.url:
            vevent.add("url", event.url)
        vevent.add("sequence", event.sequence)
        vevent.add("last-modified", stamp)
        vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
        vevent.add("transp", "TRANSPARENT")
        if calendar.alarm is not None and not event.cancelled:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", calendar.alarm)
            alarm.add("description", event.summary)
            vevent.add_component(alarm)
        feed.add_component(vevent)
    return feed.to_ical()


def best_ms(run: Callable[[], object], repeat: int) -> float:
    """The best of ``repeat`` runs after one warm-up, with the collector off while timing."""
    run()
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        finally:
            gc.enable()
    return min(times) * 1000


def _same_events(ours: str, theirs: bytes, count: int) -> None:
    """A sanity check, not a timing: both feeds parse to the same UIDs and titles."""
    def summary(feed: str | bytes) -> list[tuple[str, str]]:
        return [(str(e["UID"]), str(e["SUMMARY"])) for e in icalendar.Calendar.from_ical(feed).walk("VEVENT")]

    mine = summary(ours)
    if len(mine) != count or mine != summary(theirs):
        raise SystemExit("the two feeds differ: the comparison would be meaningless")


def measure(size: int, repeat: int, library: bool, library_repeat: int) -> Figures:
    events = synthetic(size)
    ours = render(CALENDAR, events)
    ours_ms = best_ms(lambda: render(CALENDAR, events), repeat)
    library_ms = None
    if library:
        _same_events(ours, with_library(CALENDAR, events), size)
        library_ms = best_ms(lambda: with_library(CALENDAR, events), library_repeat)
    return Figures(size, ours_ms, library_ms, len(ours.encode()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer runs; no library run at 5,000 events")
    parser.add_argument("--sizes", help=f"event counts, comma-separated (default {','.join(map(str, SIZES))})")
    parser.add_argument("--repeat", type=int, help="runs of render per size (default 25, 5 with --quick)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(SIZES)
    repeat = args.repeat or (5 if args.quick else 25)
    library_repeat = 1 if args.quick else 3
    results = []
    for size in sizes:
        library = not (args.quick and size > 1_000)
        print(f"… {size:,} events{' (and the icalendar library)' if library else ''}", flush=True)
        results.append(measure(size, repeat, library, library_repeat))
    _report(results, repeat, library_repeat)
    return 0


def _report(results: list[Figures], repeat: int, library_repeat: int) -> None:
    print()
    print(f"Rendering a feed; best of {repeat} runs (render) and {library_repeat} (icalendar {icalendar.__version__}), "
          f"Python {sys.version.split()[0]}; alarm on every confirmed event")
    header = (f"{'events':>7} {'KiB':>7} {'render ms':>10} {'µs/event':>9} {'icalendar ms':>13} "
              f"{'µs/event':>9} {'icalendar/render':>17}")
    print(header)
    print("-" * len(header))
    for f in results:
        line = f"{f.events:>7,} {f.octets / 1024:>7.0f} {f.ours_ms:>10.2f} {f.ours_ms * 1000 / f.events:>9.1f}"
        if f.library_ms is None:
            line += f" {'(skipped)':>13} {'':>9} {'':>17}"
        else:
            line += (f" {f.library_ms:>13.1f} {f.library_ms * 1000 / f.events:>9.1f} "
                     f"{f.library_ms / f.ours_ms:>16.0f}x")
        print(line)


if __name__ == "__main__":
    sys.exit(main())
