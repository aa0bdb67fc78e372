"""The coverage's uploads spoken as tus 1.0 (core, creation, termination), as a tus client speaks
it: the file's kind comes from its first bytes, a dropped connection resumes from the offset HEAD
gives, and what a tus client must be told (Tus-Resumable, Location, Upload-Offset) is there."""

import base64
import contextlib
import hashlib

from warta.devstack.samples import jpeg, mp4

from .test_coverage_api import DEWI, OUTSIDER, Dropped, bench, dropped_after  # noqa: F401  (the fixture)

TUS = {"Tus-Resumable": "1.0.0"}


def metadata(filename: str) -> str:
    return f"filename {base64.b64encode(filename.encode()).decode()},filetype {base64.b64encode(b'x/y').decode()}"


async def created(bench, size: int, filename: str = "pidato.mp4", officer=DEWI) -> str:  # noqa: F811
    answer = await bench.call(
        officer,
        "POST",
        f"/coverage/{bench.rid}/tus",
        headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": metadata(filename)},
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["tus-resumable"] == "1.0.0"
    return answer.headers["location"]


async def patch(bench, location: str, content, offset: int, officer=DEWI):  # noqa: F811
    headers = {**TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}
    return await bench.call(officer, "PATCH", location, content=content, headers=headers)


async def test_a_tus_client_uploads_a_video_across_a_dropped_connection_typed_by_its_bytes(bench):  # noqa: F811
    await bench.open()
    content = mp4(2 * 1024 * 1024 + 777, width=1280, height=720, seconds=30)
    # The metadata's filetype says nothing useful ("x/y"): the bytes decide it is a video.
    location = await created(bench, len(content))
    assert location.startswith(f"/coverage/{bench.rid}/tus/")
    cut = 700_000
    with contextlib.suppress(Dropped):
        await patch(bench, location, dropped_after(content, cut), 0)
    head = await bench.call(DEWI, "HEAD", location, headers=TUS)
    assert head.status_code == 200
    # The JSON API sees the same upload, its kind now told by its first bytes.
    status = await bench.ok(DEWI, "GET", location.replace("/tus/", "/uploads/"))
    assert (status["kind"], status["offset"], status["state"]) == ("video", cut, "receiving")
    assert (head.headers["upload-offset"], head.headers["upload-length"]) == (str(cut), str(len(content)))
    assert head.headers["cache-control"] == "no-store"
    stale = await patch(bench, location, content[:10], 0)
    assert stale.status_code == 409  # a client that lost track is told where the upload stands
    done = await patch(bench, location, content[cut:], cut)
    assert done.status_code == 204, done.text
    assert done.headers["upload-offset"] == str(len(content))
    assert done.headers["tus-resumable"] == "1.0.0"

    view = await bench.ok(DEWI, "GET", f"/coverage/{bench.rid}")
    [asset] = view["assets"]
    assert (asset["kind"], asset["filename"]) == ("video", "pidato.mp4")
    assert asset["sha256"] == hashlib.sha256(content).hexdigest()


async def test_a_photo_over_the_photo_limit_is_refused_when_its_bytes_say_photo(bench):  # noqa: F811
    await bench.open()
    # Declared at creation only by its length, which a video may have: its first bytes make it a
    # photo, and a photo that large is refused then, with nothing of it kept.
    big = jpeg(64, 64) + bytes(6 * 1024 * 1024)
    location = await created(bench, len(big), "besar.jpg")
    refused = await patch(bench, location, big, 0)
    assert refused.status_code == 413, refused.text
    assert refused.json()["fields"][0]["type"] == "file_too_large"
    assert await bench.db["media.chunks"].count_documents({}) == 0
    assert (await bench.call(DEWI, "HEAD", location, headers=TUS)).status_code == 404


async def test_what_is_not_tus_or_not_the_teams_is_refused_and_an_upload_can_be_given_up(bench):  # noqa: F811
    await bench.open()
    path = f"/coverage/{bench.rid}/tus"
    no_version = await bench.call(DEWI, "POST", path, headers={"Upload-Length": "10"})
    assert no_version.status_code == 422
    assert no_version.json()["fields"][0]["field"] == "Tus-Resumable"
    assert (await bench.call(DEWI, "POST", path, headers=TUS)).status_code == 422  # no Upload-Length
    location = await created(bench, 20, "a.jpg")
    wrong_type = await bench.call(
        DEWI, "PATCH", location, content=b"x" * 20, headers={**TUS, "Upload-Offset": "0", "Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    assert (await bench.call(OUTSIDER, "HEAD", location, headers=TUS)).status_code == 403  # not on the team
    gone = await bench.call(DEWI, "DELETE", location, headers=TUS)
    assert gone.status_code == 204
    assert gone.headers["tus-resumable"] == "1.0.0"
    assert (await bench.call(DEWI, "HEAD", location, headers=TUS)).status_code == 404


async def test_a_filename_that_turns_its_text_around_is_refused_and_nothing_is_started(bench):  # noqa: F811
    """What the console's uploads send: the name in Upload-Metadata, under the text policy of
    every name typed into Warta (a right-to-left override would show "foto\u202egpj.exe" as an image)."""
    await bench.open()
    path = f"/coverage/{bench.rid}/tus"
    for name, rule in (("foto\u202egpj.exe", "bidi_control"), ("foto\x00.jpg", "control_character")):
        refused = await bench.call(
            DEWI, "POST", path, headers={**TUS, "Upload-Length": "20", "Upload-Metadata": metadata(name)}
        )
        assert refused.status_code == 422, refused.text
        [problem] = refused.json()["fields"]
        assert problem["field"] == "header.upload-metadata.filename"
        assert problem["type"] == rule
    assert await bench.db.uploads.count_documents({}) == 0
    # A name in any script, NFC, is kept as typed.
    await created(bench, 20, "Peresmian Taman — 公園.jpg")
    assert [d["filename"] for d in await bench.db.uploads.find({}).to_list()] == ["Peresmian Taman — 公園.jpg"]
