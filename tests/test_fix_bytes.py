"""`lint --fix` changes only the bytes of its edits (issue 22): the file's
encoding (PEP 263 cookie, UTF-8 BOM), its line endings, its mode and a
symbolic link to it are kept; a second run and a run on a clean file change
nothing. Each case is a user's file as an editor on another system writes it."""

import os
import shutil

import pytest
from click.testing import CliRunner
from conftest import ROOT

from cnnaudit.cli import main
from cnnaudit.load.source import SourceEncodingError, read_source

BAD = (ROOT / "rules" / "CNA202" / "bad.py").read_text()
GOOD = ROOT / "rules" / "CNA202" / "good.py"
EDIT = (b"nn.Conv2d(3, 16, 3, padding=1)", b"nn.Conv2d(3, 16, 3, padding=1, bias=False)")
EDIT2 = (b"nn.Conv2d(16, 32, 3, padding=1)", b"nn.Conv2d(16, 32, 3, padding=1, bias=False)")
LATIN = "# -*- coding: latin-1 -*-\n# Réseau de démonstration: café crème\n"

CASES = {
    "crlf": BAD.replace("\n", "\r\n").encode(),
    "bom": b"\xef\xbb\xbf" + BAD.encode(),
    "bom-crlf": b"\xef\xbb\xbf" + BAD.replace("\n", "\r\n").encode(),
    "latin-1 cookie": (LATIN + BAD).encode("latin-1"),
    "latin-1 cookie, crlf": (LATIN + BAD).replace("\n", "\r\n").encode("latin-1"),
}


def _fix(path, *flags):
    return CliRunner().invoke(main, ["lint", f"{path}:Net", "--input-size", "3,32,32", *flags])


def _expected(raw: bytes) -> bytes:
    return raw.replace(*EDIT).replace(*EDIT2)


@pytest.mark.parametrize("case", CASES)
def test_fix_changes_only_the_edited_bytes(case, tmp_path):
    raw = CASES[case]
    path = tmp_path / "net.py"
    path.write_bytes(raw)
    result = _fix(path, "--fix")
    assert result.exit_code == 1, result.output  # a warning no fix removes remains
    assert "internal error" not in result.output
    assert "Applied 2 fixes" in result.output
    after = path.read_bytes()
    assert after == _expected(raw)
    changed = [a for a, b in zip(raw.split(b"\n"), after.split(b"\n")) if a != b]
    assert len(changed) == 2 and len(raw.split(b"\n")) == len(after.split(b"\n"))


@pytest.mark.parametrize("case", CASES)
def test_diff_reads_the_file_as_python_does_and_writes_nothing(case, tmp_path):
    raw = CASES[case]
    path = tmp_path / "net.py"
    path.write_bytes(raw)
    result = _fix(path, "--diff")
    assert "internal error" not in result.output and result.exit_code == 1, result.output
    assert "+            nn.Conv2d(3, 16, 3, padding=1, bias=False),  # expect: CNA202" \
        in result.output.replace("\r", "")
    assert path.read_bytes() == raw


def test_a_link_stays_a_link_and_the_mode_is_kept(tmp_path):
    target = tmp_path / "real" / "net.py"
    target.parent.mkdir()
    target.write_text(BAD)
    os.chmod(target, 0o640)
    link = tmp_path / "net.py"
    link.symlink_to(target)
    assert _fix(link, "--fix").exit_code == 1
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == _expected(BAD.encode())
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert not [p for p in target.parent.iterdir() if p.name != "net.py"]  # no temporaries


def test_a_second_fix_and_a_fix_of_a_clean_file_change_nothing(tmp_path):
    path = tmp_path / "net.py"
    path.write_bytes(CASES["latin-1 cookie, crlf"])
    _fix(path, "--fix")
    once = path.read_bytes()
    stamp = path.stat().st_mtime_ns
    result = _fix(path, "--fix")
    assert "Applied" not in result.output or "Applied 0" in result.output
    assert path.read_bytes() == once and path.stat().st_mtime_ns == stamp
    clean = tmp_path / "good.py"
    shutil.copy(GOOD, clean)
    before = clean.read_bytes()
    _fix(clean, "--fix")
    assert clean.read_bytes() == before


def test_text_the_encoding_cannot_hold_is_refused(tmp_path):
    path = tmp_path / "net.py"
    path.write_bytes(CASES["latin-1 cookie"])
    source = read_source(path)
    assert source.encoding == "iso-8859-1" and "café" in source.text
    with pytest.raises(SourceEncodingError, match="cannot hold '€'"):
        source.encode(source.text + "# 5 €\n")
    bom = tmp_path / "bom.py"
    bom.write_bytes(CASES["bom"])
    assert read_source(bom).has_bom and read_source(bom).encode("x = 1\n")[:3] == b"\xef\xbb\xbf"


def test_a_read_only_file_is_not_rewritten(tmp_path):
    """A rename goes through a folder's permission, not the file's: --fix
    replaced files their owner had marked read-only (and, as root, always)."""
    path = tmp_path / "net.py"
    path.write_text(BAD)
    os.chmod(path, 0o444)
    result = _fix(path, "--fix")
    assert path.read_text() == BAD and oct(path.stat().st_mode & 0o777) == oct(0o444)
    assert "the file is read-only: not written" in result.output
    assert result.exit_code == 1 and "2 refused" in result.output
