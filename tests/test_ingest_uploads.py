"""Reading an uploaded article folder safely: archive and JSON forms, limits, and every unsafe member
refused before anything is written (service/claimgraph/uploads.py); and the ingestion tokens."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from claimgraph.errors import BadUpload, UnsupportedUpload, UploadTooLarge
from claimgraph.settings import Settings
from claimgraph.tokens import TokenConfigError, bearer, load_tokens
from claimgraph.uploads import UploadLimits, read_path, read_upload

LIMITS = UploadLimits(max_bytes=1 << 20, max_unpacked_bytes=1 << 20, max_files=8)
FILES = {
    "article.yaml": b"article:\n  id: x\n",
    "article.txt": b"Some text.\n",
    "claims.yaml": b"claims: []\n",
}


def zip_of(members: dict[str, bytes], **info: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            entry = zipfile.ZipInfo(name)
            for key, value in info.items():
                setattr(entry, key, value)
            archive.writestr(entry, data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def tar_of(members: list[tarfile.TarInfo | tuple[str, bytes]], compress: bool = True) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if compress else "w") as archive:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                archive.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_a_zip_of_a_folder_gives_its_files_and_slug():
    bundle = read_upload(zip_of({f"my-article/{n}": d for n, d in FILES.items()}), "application/zip", LIMITS)
    assert bundle.slug == "my-article"
    assert dict(bundle.files) == FILES


def test_a_tar_gz_and_a_plain_tar_give_the_same_files():
    members = [(f"my-article/{n}", d) for n, d in FILES.items()]
    for body, media in ((tar_of(members), "application/gzip"), (tar_of(members, False), "application/x-tar")):
        bundle = read_upload(body, media + "; charset=binary", LIMITS)
        assert (bundle.slug, dict(bundle.files)) == ("my-article", FILES)


def test_files_at_the_top_of_the_archive_name_no_slug_until_the_request_does():
    bundle = read_upload(zip_of(FILES), "application/zip", LIMITS)
    assert bundle.slug is None
    assert bundle.with_slug("other").slug == "other"
    with pytest.raises(BadUpload, match="not an article slug"):
        bundle.with_slug("../etc")


def test_the_json_document_forms():
    files = {name: data.decode() for name, data in FILES.items()}
    bundle = read_upload(json.dumps({"slug": "a-b", "files": files}).encode(), "application/json", LIMITS)
    assert (bundle.slug, dict(bundle.files)) == ("a-b", FILES)
    text = "Line one.\r\nČ 2024: 40%.\n"
    document = {
        "slug": "s",
        "article": {"article": {"id": "s", "text_file": "t.txt"}},
        "text": text,
        "claims": [],
    }
    bundle = read_upload(json.dumps(document).encode(), "application/json", LIMITS)
    assert bundle.files["t.txt"] == text.encode()  # byte for byte, line ends kept
    assert b"claims: []" in bundle.files["claims.yaml"]
    with pytest.raises(BadUpload, match="needs `article`"):
        read_upload(b'{"slug": "s", "text": "x"}', "application/json", LIMITS)
    with pytest.raises(BadUpload, match="not a JSON document"):
        read_upload(b"[" * 100000, "application/json", LIMITS)


@pytest.mark.parametrize(
    "name",
    [
        "../evil.yaml",
        "a/../../evil.yaml",
        "/etc/passwd.txt",
        "C:/x/article.yaml",
        "a\\..\\b.yaml",
        "a/b/c.yaml",
        "slug/.hidden.yaml",
        "slug/run.sh",
        "slug/a\x01.yaml",
    ],
)
def test_unsafe_member_names_are_refused(name: str):
    with pytest.raises(BadUpload):
        read_upload(zip_of({name: b"x"}), "application/zip", LIMITS)
    with pytest.raises(BadUpload):
        read_upload(tar_of([(name, b"x")]), "application/gzip", LIMITS)


def test_links_and_special_files_are_refused():
    for kind in (tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.FIFOTYPE, tarfile.CHRTYPE):
        link = tarfile.TarInfo("slug/article.yaml")
        link.type, link.linkname = kind, "/etc/passwd"
        with pytest.raises(BadUpload, match=r"link|special"):
            read_upload(tar_of([link]), "application/gzip", LIMITS)
    symlink_mode = 0o120777 << 16
    with pytest.raises(BadUpload, match="link"):
        read_upload(
            zip_of({"slug/article.yaml": b"/etc/passwd"}, external_attr=symlink_mode),
            "application/zip",
            LIMITS,
        )


def test_a_zip_bomb_stops_at_the_unpacked_limit():
    bomb = zip_of({"slug/article.txt": b"\0" * (50 << 20)})  # 50 MB of zeros: about 50 KB compressed
    assert len(bomb) < 100_000
    with pytest.raises(UploadTooLarge, match="max_ingest_unpacked_bytes"):
        read_upload(bomb, "application/zip", LIMITS)


def test_a_tar_member_announcing_more_than_the_limit_is_refused_unread():
    huge = tarfile.TarInfo("slug/article.txt")
    huge.size = 1 << 40  # a terabyte announced; the body holds none of it
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.addfile(huge)  # header only
    with pytest.raises(UploadTooLarge):
        read_upload(buffer.getvalue(), "application/gzip", LIMITS)


def test_a_gzip_bomb_stops_at_the_unpacked_limit():
    bomb = tar_of([("slug/article.txt", b"\0" * (40 << 20))])
    with pytest.raises(UploadTooLarge):
        read_upload(bomb, "application/gzip", LIMITS)


def test_too_many_members_and_too_large_a_body_are_413():
    many = {f"slug/f{n}.yaml": b"x" for n in range(9)}
    with pytest.raises(UploadTooLarge, match="max_ingest_files"):
        read_upload(zip_of(many), "application/zip", LIMITS)
    with pytest.raises(UploadTooLarge, match="max_ingest_files"):
        read_upload(tar_of(list(many.items())), "application/gzip", LIMITS)
    with pytest.raises(UploadTooLarge, match="max_ingest_bytes"):
        read_upload(b"x" * (LIMITS.max_bytes + 1), "application/zip", LIMITS)


def test_broken_archives_and_other_types():
    with pytest.raises(BadUpload, match="zip"):
        read_upload(b"PK\x03\x04 not really", "application/zip", LIMITS)
    with pytest.raises(BadUpload, match=r"tar\.gz"):
        read_upload(b"\x1f\x8b\x08 nope", "application/gzip", LIMITS)
    with pytest.raises(UnsupportedUpload, match="application/zip"):
        read_upload(b"x", "text/plain", LIMITS)
    with pytest.raises(BadUpload, match="one article folder"):
        read_upload(zip_of({"a/article.yaml": b"x", "b/claims.yaml": b"y"}), "application/zip", LIMITS)


def test_a_folder_on_disk_refuses_links(tmp_path: Path):
    folder = tmp_path / "my-article"
    folder.mkdir()
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    assert read_path(folder, LIMITS).slug == "my-article"
    (folder / "notes.txt").symlink_to("/etc/passwd")
    with pytest.raises(BadUpload, match="regular files"):
        read_path(folder, LIMITS)


TOKEN = "s3cret-token-0123456789"


def test_tokens_from_the_setting_and_a_file_and_who_holds_one(tmp_path: Path):
    file = tmp_path / "tokens"
    file.write_text(f"# the desk\nbob:{'b' * 20}\n", encoding="utf-8")
    tokens = load_tokens(f"alice:{TOKEN}", str(file))
    assert tokens.names == ("alice", "bob")
    assert tokens.holder(TOKEN) == "alice"
    assert tokens.holder("b" * 20) == "bob"
    assert tokens.holder(TOKEN[:-1]) is None
    assert tokens.holder("") is None
    assert TOKEN not in repr(tokens)


def test_a_bad_token_configuration_stops_the_start_and_never_shows_a_token():
    for inline in (
        f"alice:{TOKEN},alice:{'x' * 20}",
        f"alice:{TOKEN},bob:{TOKEN}",
        "alice:short",
        "no-colon",
    ):
        with pytest.raises(TokenConfigError) as caught:
            load_tokens(inline, None)
        assert TOKEN not in str(caught.value)
    with pytest.raises(ValueError, match="ingestion tokens"):
        Settings.from_mapping({"ingest_tokens": "alice:short"}, environ={})
    settings = Settings.from_mapping({"ingest_tokens": f"alice:{TOKEN}"}, environ={})
    assert TOKEN not in repr(settings)


def test_the_bearer_header():
    assert bearer(f"Bearer {TOKEN}") == TOKEN
    assert bearer(f"bearer {TOKEN}") == TOKEN
    assert bearer(f"Basic {TOKEN}") is None
    assert bearer("Bearer ") is None
