"""Safe file output shared by every stage that writes files.

* :func:`atomic_write` writes to a temporary file in the target folder and renames it into
  place, so a reader never sees a half-written file and a failure leaves nothing behind.
* :func:`atomic_dir` does the same for a set of files written into a folder: they are built
  in a hidden staging folder beside it and moved into place only when all are complete.
* :func:`escape_formulas` neutralises spreadsheet formulas: a text cell whose first
  character after any leading whitespace is ``=``, ``+``, ``-`` or ``@`` (or that begins with
  a tab or carriage return) gets a leading apostrophe, as OWASP's CSV-injection guidance
  recommends, so a sample list opened in Excel runs nothing.
* :func:`write_csv` writes a table escaped that way, with CRLF line ends (as Excel writes
  CSV), so every field holding a carriage return, a line feed, a comma or a quote is quoted
  and no cell can split its row.
* :func:`file_lock` holds an exclusive lock on a lock file beside a file while it is read and
  rewritten, so two writers at once (two ``sampling substitute`` runs on one workbook) take
  turns and neither change is lost. It uses ``fcntl.flock`` (POSIX) or ``msvcrt.locking``
  (Windows); where neither exists it does not lock.
* :func:`atomic_path` refuses to replace a read-only file, keeps the mode of the file it
  replaces, uses a short temporary name (so any legal file name can be written) and flushes
  the new file to disk (``fsync``) before renaming it into place.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd

from ..errors import OutputError

__all__ = ["atomic_write", "atomic_path", "atomic_dir", "escape_formulas", "escape_cell", "write_csv",
           "ensure_writable_dir", "default_mode", "file_lock",
           "remove_stale_temps"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """``value`` with a leading apostrophe if it is text that a spreadsheet could read as a
    formula: starting with a tab or CR, or with ``=``, ``+``, ``-``, ``@`` after any
    leading whitespace (spreadsheets trim it).

    >>> [escape_cell(v) for v in ("=1+1", " @SUM(1)", "Yes", 3)]
    ["'=1+1", "' @SUM(1)", 'Yes', 3]
    """
    if isinstance(value, str) and (value.startswith(_FORMULA_START) or value.lstrip().startswith(_FORMULA_START)):
        return "'" + value
    return value


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose text cells (and column names) cannot start a
    spreadsheet formula (see :func:`escape_cell`)."""
    esc = escape_cell

    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[column] = series.map(esc, na_action="ignore").astype(object)
    # Column names are cells too.
    out.columns = [esc(c) if isinstance(c, str) else c for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``frame`` (formula-escaped, without its index) as UTF-8 CSV with CRLF line ends:
    the csv module then quotes every field holding CR, LF, a comma or a quote, so a cell can
    neither split its row nor start a formula."""
    escape_formulas(frame).to_csv(path, index=False, encoding="utf-8", lineterminator="\r\n")


def default_mode(*, directory: bool = False) -> int:
    """The permission bits an ordinary ``open()`` (or ``mkdir``) would give under the umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask


def ensure_writable_dir(directory: str | os.PathLike) -> Path:
    """Create ``directory`` if needed and check that files can be created in it."""
    path = Path(directory)
    if path.exists() and not path.is_dir():
        raise OutputError(f"output path {str(path)!r} exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output directory {str(path)!r}: {exc.strerror or exc}") from None
    if not path.is_dir():
        raise OutputError(f"output path {str(path)!r} exists and is not a directory")
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"output directory {str(path)!r} is not writable")
    return path


def _lock_name(target: Path) -> Path:
    """The lock file beside ``target``: hidden, and short enough for any legal name."""
    import hashlib

    digest = hashlib.sha256(target.name.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return target.parent / f".sampling-{digest}.lock"


@contextlib.contextmanager
def file_lock(path: str | os.PathLike) -> Iterator[None]:
    """Hold an exclusive lock for ``path`` (a lock file beside it) until the block ends.

    Every rewrite of a file a user keeps (a draw workbook through fieldwork) runs under this
    lock and reads the file again inside it, so concurrent writers apply their changes one
    after the other. The lock is advisory: it orders our writers, not other programs.
    """
    target = Path(path)
    if not target.parent.is_dir():  # nothing to rewrite; the caller's read says so
        yield
        return
    lock = _lock_name(target)
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise OutputError(f"cannot lock {str(target)!r} for writing: {exc.strerror or exc}") from None
    try:
        _acquire(fd)
        yield
    finally:
        _release(fd)
        os.close(fd)


def _acquire(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: msvcrt; elsewhere no lock (documented)
        if sys.platform == "win32":
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                    return
                except OSError:
                    continue
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _release(fd: int) -> None:
    try:
        import fcntl
    except ImportError:
        if sys.platform == "win32":
            with contextlib.suppress(ImportError, OSError):
                import msvcrt

                os.lseek(fd, 0, 0)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


def _replace_mode(target: Path) -> int:
    """The mode the new file gets: the replaced file's, or an ordinary open()'s; a read-only
    file is refused."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return default_mode()
    except OSError as exc:
        raise OutputError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
    if not st.st_mode & 0o222 or not os.access(target, os.W_OK):  # no write bit, even for root
        raise OutputError(f"{str(target)!r} is read-only; it was not replaced (make it writable, or give "
                          "another output name)")
    import stat

    return stat.S_IMODE(st.st_mode)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    On any exception the temporary file is removed and ``path`` is left untouched. A
    read-only ``path`` is refused; the new file keeps the mode of the one it replaces and is
    flushed to disk before the rename.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"cannot write {str(target)!r}: folder {str(directory)!r} does not exist")
    mode = _replace_mode(target)
    remove_stale_temps(directory)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".sampling-", suffix=".tmp" + target.suffix[:16], dir=directory)
    except OSError as exc:
        raise OutputError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, mode)
        _fsync(tmp_path)
        os.replace(tmp_path, target)
    except BaseException as exc:
        release_archives(exc)
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


#: a temporary file or staging folder of ours older than this was left by a killed run
STALE_SECONDS = 3600


def remove_stale_temps(directory: str | os.PathLike) -> int:
    """Remove our temporary files and staging folders (``.sampling-*.tmp*``) in ``directory``
    that are older than :data:`STALE_SECONDS` (left by a run that was killed); return how
    many. Another run's temporaries, younger than that, are left alone."""
    import time

    gone = 0
    now = time.time()
    with contextlib.suppress(OSError):
        for p in Path(directory).glob(".sampling-*.tmp*"):
            with contextlib.suppress(OSError):
                if now - p.lstat().st_mtime < STALE_SECONDS:
                    continue
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p)
                else:
                    p.unlink()
                gone += 1
    return gone


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp_path)`` then move the result onto ``path`` atomically."""
    with atomic_path(path) as tmp:
        write(tmp)
    return Path(path)


def _prepare_parent(out: Path) -> Path:
    """Check that ``out`` can be a folder and create its parent; return the parent."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"cannot write to {str(out)!r}: it exists and is not a folder")
    for ancestor in [out, *out.parents]:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise OutputError(f"cannot write to {str(out)!r}: {str(ancestor)!r} is a file, not a folder")
            break
    parent = out.parent if str(out.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {str(parent)!r}: {exc.strerror or exc}") from None
    if not os.access(parent, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK | os.X_OK)):
        raise OutputError(f"cannot write to {str(out)!r}: the folder is not writable")
    remove_stale_temps(parent)
    return parent


def _commit(staging: Path, out: Path) -> None:
    """Move the staged files into ``out`` (renaming the whole folder when ``out`` is new)."""
    if not out.exists():
        os.chmod(staging, default_mode(directory=True))
        try:
            os.rename(staging, out)
            return
        except OSError:
            if not out.is_dir():
                raise
            # created meanwhile: fall through and move file by file
    for entry in sorted(staging.iterdir()):
        os.replace(entry, out / entry.name)
    staging.rmdir()


def release_archives(exc: BaseException | None) -> None:
    """Close, quietly, the zip archives a failed workbook write left open in the frames of
    ``exc``'s traceback (openpyxl leaves its archive unclosed when a write fails, and closing
    it later on a full disk prints an "Exception ignored" traceback after our one-line error):
    the half-written file is ours and is removed anyway."""
    import zipfile

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        tb = exc.__traceback__
        while tb is not None:
            for value in list(tb.tb_frame.f_locals.values()):
                for archive in (value, getattr(value, "_archive", None)):
                    if isinstance(archive, zipfile.ZipFile) and archive.fp is not None:
                        fp, archive.fp = archive.fp, None  # close() is then a no-op
                        with contextlib.suppress(Exception):
                            fp.close()
                for book in (value, getattr(value, "workbook", None), getattr(value, "book", None)):
                    with contextlib.suppress(Exception):  # cleaning up never hides the error itself
                        _close_sheet_writers(book)
            tb = tb.tb_next
        exc = exc.__context__


def _close_sheet_writers(book: object) -> None:
    """Close, here and quietly, the row writers a write-only workbook's sheets hold open
    (left suspended by a failed save, they would fail again, loudly, when collected)."""
    import inspect

    try:
        from openpyxl.workbook.workbook import Workbook
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        return
    if not isinstance(book, Workbook):
        return
    for sheet in list(book.worksheets):
        writer = getattr(sheet, "_writer", None)
        for gen in (getattr(sheet, "_rows", None), getattr(writer, "xf", None)):
            if inspect.isgenerator(gen):
                with contextlib.suppress(Exception):
                    gen.close()
        with contextlib.suppress(Exception):
            out: Any = getattr(writer, "out", None)  # openpyxl's private writer state
            if hasattr(out, "close"):
                out.close()


@contextlib.contextmanager
def atomic_dir(out: str | os.PathLike) -> Iterator[Path]:
    """Yield a hidden staging folder beside ``out``; on success move its files into ``out``.

    Files already in ``out`` with other names are left alone; files of the same names are
    replaced. On any error the staging folder and everything in it are removed, and an
    ``OSError`` becomes an :class:`OutputError` naming ``out``.

    Parameters
    ----------
    out : path
        The output folder (created, with its parents, if needed).

    Yields
    ------
    Path
        The staging folder to write into.
    """
    target = Path(out)
    parent = _prepare_parent(target)
    try:
        staging = Path(tempfile.mkdtemp(prefix=".sampling-", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write to {str(target)!r}: {exc.strerror or exc}") from None
    try:
        yield staging
        _commit(staging, target)
    except OSError as exc:
        release_archives(exc)
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write to {str(target)!r}: {exc.strerror or exc}") from None
    except BaseException as exc:
        release_archives(exc)
        shutil.rmtree(staging, ignore_errors=True)
        raise
