"""CPU to parse one event that carries a press release, as every consumer of it does
(``model_validate_json``, the text policy's checks included): a release of about 7 KB, the size
of an ordinary one. Prints microseconds of CPU per parse, the median of five runs of 2,000.
``python bench/event_parsing.py``."""

import statistics
import time
from datetime import UTC, datetime

from warta.contracts import AssetKind, AssetRef, CoverageSubmitted, CoverageSubmittedData, PressRelease

PARAGRAPH = "Wali Kota Tangerang meresmikan Taman Literasi di Kecamatan Cipondoh, Sabtu pagi. " * 30


def main() -> None:
    event = CoverageSubmitted.occurred(
        data=CoverageSubmittedData(
            request_id="req-1",
            version=1,
            press_release=PressRelease(
                title="Wali Kota Resmikan Taman Literasi", body="\n\n".join([PARAGRAPH.strip()] * 3)
            ),
            assets=(AssetRef(kind=AssetKind.PHOTO, uri="http://coverage/assets/1", sha256="a" * 64),),
            submitted_by="dewi",
            contributors=("dewi",),
        ),
        request_id="req-1",
        time=datetime.now(UTC),
    )
    raw = event.model_dump_json()
    runs = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(2000):
            CoverageSubmitted.model_validate_json(raw)
        runs.append((time.process_time() - started) / 2000 * 1e6)
    median = statistics.median(runs)
    print(f"parsing a CoverageSubmitted of {len(raw):,} bytes: {median:.0f} µs of CPU (median of 5 runs)")


if __name__ == "__main__":
    main()
