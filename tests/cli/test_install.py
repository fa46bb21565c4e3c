#!/usr/bin/env python3
"""test_install.py -- `meson install` gives a usable library.

Runs `meson install --destdir TMP` on the build directory (MESON_BUILD_ROOT),
checks that the programs, include/contam.h, the library and contam.pc were
installed, then compiles a small C program against the installed header and
library with the flags `pkg-config --cflags --libs contam` gives (pointed into
TMP with PKG_CONFIG_PATH and PKG_CONFIG_SYSROOT_DIR), runs it and compares
contam_version() with what the installed `contam --version` prints.
Skips when meson, pkg-config or a C compiler is missing.

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import glob
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import BIN, Suite, check  # noqa: E402

S = Suite("test_install")
BUILD = os.environ.get("MESON_BUILD_ROOT")

PROGRAM = r"""
#include <contam.h>
#include <stdio.h>

int main(void)
{
	contam_params p;
	double predicted;
	/* a call that goes through the library's code, not only a string */
	if (contam_plan_filter(1000000, 0.001, 0, 8, &p, &predicted, NULL) != CONTAM_OK)
		return 1;
	printf("%s %s\n", contam_version(), contam_recipe());
	return 0;
}
"""


def run(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=300, **kw)


@S.test
def install_and_link(tmp):
    cc = shutil.which("cc") or shutil.which("gcc")
    if not BUILD or not shutil.which("meson") or not shutil.which("pkg-config") or not cc:
        S.note("needs MESON_BUILD_ROOT, meson, pkg-config and cc")
        return "skip"
    dest = os.path.join(tmp, "dest")
    p = run(["meson", "install", "-C", BUILD, "--destdir", dest, "--no-rebuild"])
    check(p.returncode == 0, f"meson install: exit {p.returncode}: {p.stderr[-800:]}")
    files = [os.path.relpath(os.path.join(d, f), dest)
             for d, _, fs in os.walk(dest) for f in fs]
    names = sorted(os.path.basename(f) for f in files)
    for want in ["contam", "contam.h", "contam.pc"]:
        check(want in names, f"{want} not installed: {files}")
    check(any(n.startswith("libcontam.") for n in names), f"no library installed: {files}")
    mpi_built = os.path.exists(os.path.join(BUILD, "src", "mpi", "contam-mpi"))
    check(("contam-mpi" in names) == mpi_built,
          f"contam-mpi built {mpi_built}, installed {'contam-mpi' in names}")

    pcs = glob.glob(os.path.join(dest, "**", "contam.pc"), recursive=True)
    env = dict(os.environ)
    env["PKG_CONFIG_PATH"] = os.path.dirname(pcs[0])
    env["PKG_CONFIG_SYSROOT_DIR"] = dest
    p = run(["pkg-config", "--cflags", "--libs", "contam"], env=env)
    check(p.returncode == 0, f"pkg-config: {p.stderr}")
    flags = p.stdout.split()
    check(any(f.startswith("-I" + dest) for f in flags), f"cflags outside the destdir: {flags}")
    check("-lcontam" in flags, f"no -lcontam: {flags}")

    src = os.path.join(tmp, "v.c")
    exe = os.path.join(tmp, "v")
    with open(src, "w") as f:
        f.write(PROGRAM)
    # a sanitized build installs a library that needs the sanitizer
    # runtimes: the program is linked as the build's own programs are
    with open(BIN, "rb") as f:
        san = ["-fsanitize=address,undefined"] if b"__asan_init" in f.read() else []
    p = run([cc, "-std=c17", "-Wall", "-Werror", src, "-o", exe] + san + flags)
    check(p.returncode == 0, f"compile/link against the installed library: {p.stderr[-1500:]}")
    p = run([exe])
    check(p.returncode == 0, f"program: exit {p.returncode}: {p.stderr}")
    version = p.stdout.split()

    prog = [f for f in files if os.path.basename(f) == "contam"][0]
    q = run([os.path.join(dest, prog), "--version"])
    check(q.returncode == 0, f"installed contam --version: {q.stderr}")
    first = q.stdout.splitlines()[0]  # "contam 0.1.0 (recipe nfkc-.../v1)"
    check(first == f"contam {version[0]} (recipe {version[1]})",
          f"library says {version}, installed program {first!r}")


if __name__ == "__main__":
    sys.exit(S.run())
