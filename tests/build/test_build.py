#!/usr/bin/python3
"""Build, packaging and first-run tests of chatflow (make test-build).

FreshMachine — the README's first command on a machine without the
packages.  The repository's files (what a clone has, plus uncommitted
changes: `git ls-files --cached --others --exclude-standard`) are copied to
a temporary directory and `make demo` runs there with a clean environment
whose PATH has every program of /usr/bin, /usr/sbin and /usr/local/bin
except pkg-config, and with scripts/setup replaced by a stand-in that
"installs" pkg-config by linking it into that PATH directory.  What it
proves:
  - make notices the missing pkg-config while reading the Makefile, runs
    scripts/setup then (once; the `all` target's own setup check runs it a
    second time and finds everything present), and reads the compiler and
    linker flags only after it: the loadable is linked with -Wl,-z,defs, so
    it only links when the flags from pkg-config (-ljson-c -lcurl
    -lutf8proc) reached the link;
  - the build is quiet: `make demo` prints four short lines (GEN, GEN, LD,
    AR) and no compiler command, then the demo, whose whole output must
    equal tests/build/demo.expected (its explanations, the expected
    refusal, the end);
  - `make V=1` shows the commands, with pkg-config's flags in them; plain
    `make` prints "  CC  <object>" lines; `make -s` prints nothing;
  - when scripts/setup cannot install the libraries, make stops at once with
    a message that says so (and compiles nothing).
What it does not prove: that apt-get installs the packages (the stand-in
does not call it).  SetupPackages checks the link between the two: every
library the Makefile asks pkg-config for (and the sqlite3 shell) belongs
to a Debian package that the real scripts/setup installs.

Docs — README.md, CHANGELOG.md and docs/*.md link only to files of the
repository and cite no issue tracker; LICENSE is MIT.

Exports — dist/chatflow.so exports exactly sqlite3_chatflow_init (nm -D);
libchatflow.a keeps its internal functions global, so its files link with
each other (and the embedding program below links).

Install / InstallDestdir — make install into a temporary PREFIX: exactly
the documented files with their modes; chatflow.h's version is VERSION's;
`pkg-config --cflags --libs chatflow` (PKG_CONFIG_PATH at the prefix)
builds tests/build/embed.c against the static library, which registers
chatflow with sqlite3_auto_extension and runs a session; the sqlite3 shell's
`.load chatflow` finds the installed loadable by its bare name when
LD_LIBRARY_PATH names PREFIX/lib (as a user of a non-system PREFIX does;
ldconfig cannot help: it only indexes lib*.so names) and not without it;
the installed chatflow-cleanup finds the installed extension by itself.
With DESTDIR, the files are staged under DESTDIR while chatflow.pc names
the real PREFIX; make uninstall removes exactly what make install put
there and leaves other files alone.

Run: SO=dist/chatflow.so LIB=dist/libchatflow.a /usr/bin/python3 tests/build/test_build.py
(make test-build passes the build's SO, LIB and SAN).  UPDATE_EXPECTED=1
rewrites tests/build/demo.expected (then read the diff).
The output ends with "build: N passed, M failed".
"""
import difflib
import glob
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
HERE = os.path.join(ROOT, "tests", "build")
SO = os.path.join(ROOT, os.environ.get("SO", "dist/chatflow.so"))
LIB = os.path.join(ROOT, os.environ.get("LIB", "dist/libchatflow.a"))
SAN = os.environ.get("SAN", "").split()
SQLITE3 = os.environ.get("SQLITE3", "sqlite3")
MAKE = os.environ.get("MAKE", "make")
VERSION = open(os.path.join(ROOT, "VERSION")).read().strip()
PKGS = ["json-c", "libcurl", "libutf8proc", "sqlite3"]
MIGRATIONS = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "sql", "[0-9][0-9][0-9]_*.sql")))
DOC_PAGES = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))
UPDATE = os.environ.get("UPDATE_EXPECTED") == "1"

# What make install puts under PREFIX, with its mode.
INSTALLED = dict(
    [("lib/chatflow.so", 0o755), ("lib/libchatflow.a", 0o644), ("include/chatflow.h", 0o644),
     ("lib/pkgconfig/chatflow.pc", 0o644), ("bin/chatflow-cleanup", 0o755),
     ("share/chatflow/demo.sql", 0o644),
     ("share/doc/chatflow/README.md", 0o644), ("share/doc/chatflow/CHANGELOG.md", 0o644),
     ("share/doc/chatflow/LICENSE", 0o644)]
    + [("share/chatflow/" + m, 0o644) for m in MIGRATIONS]
    + [("share/doc/chatflow/docs/" + d, 0o644) for d in DOC_PAGES])

# Files that belong to others, put into a prefix before make install: make
# uninstall must leave them (and their directories) alone.
SENTINELS = ["lib/libother.so", "include/other.h", "bin/other", "share/doc/other/README",
             "lib/pkgconfig/other.pc"]

FAKE_SETUP = r"""#!/bin/sh
# Stand-in for scripts/setup (tests/build/test_build.py): "installs"
# pkg-config by linking the real one into the test's PATH directory.
set -eu
if [ -e "$FAKE_BIN/pkg-config" ]; then echo "nothing to do" >> "$FAKE_SETUP_LOG"; exit 0; fi
case "$FAKE_SETUP" in
  install)
    echo "scripts/setup: installing: pkg-config" >&2
    ln -s /usr/bin/pkg-config "$FAKE_BIN/pkg-config"
    echo "installed pkg-config" >> "$FAKE_SETUP_LOG" ;;
  *)
    echo "scripts/setup: need root to install: pkg-config" >&2
    echo "could not install" >> "$FAKE_SETUP_LOG"
    exit 1 ;;
esac
"""


def sh(args, **kw):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    return p.returncode, p.stdout, p.stderr


def pkg_config(*args, env=None):
    rc, out, err = sh(["pkg-config"] + list(args), env=env)
    if rc != 0:
        raise AssertionError("pkg-config %s: %s" % (" ".join(args), err))
    return out.split()


def files_under(top):
    """Relative paths of the files (not directories) under top."""
    found = []
    for d, _, names in os.walk(top):
        for n in names:
            found.append(os.path.relpath(os.path.join(d, n), top))
    return sorted(found)


def host_env(**extra):
    """The caller's environment minus what would point make or the loader
    elsewhere (make asan's preloaded sanitizer runtime stays)."""
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "LD_LIBRARY_PATH", "CHATFLOW_EXT",
              "PKG_CONFIG_PATH"):
        env.pop(k, None)
    env.update(extra)
    return env


class FreshMachine(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="chatflow-fresh.")
        cls.bin = os.path.join(cls.tmp, "bin")
        os.mkdir(cls.bin)
        hidden = {"pkg-config", "pkgconf", "x86_64-linux-gnu-pkg-config", "x86_64-linux-gnu-pkgconf"}
        for d in ("/usr/local/bin", "/usr/bin", "/usr/sbin"):
            for n in sorted(os.listdir(d)):
                p = os.path.join(d, n)
                if n in hidden or os.path.exists(os.path.join(cls.bin, n)):
                    continue
                if os.path.isfile(p) and os.access(p, os.X_OK):
                    os.symlink(p, os.path.join(cls.bin, n))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def fresh_tree(self, name, setup_mode):
        """A copy of the repository's files (no dist/), with the stand-in
        scripts/setup; pkg-config not on PATH."""
        src = os.path.join(self.tmp, name)
        rc, out, err = sh(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                          cwd=ROOT)
        self.assertEqual((rc, err), (0, ""))
        for rel in out.split("\0"):
            if rel and os.path.lexists(os.path.join(ROOT, rel)):
                os.makedirs(os.path.join(src, os.path.dirname(rel)), exist_ok=True)
                shutil.copy2(os.path.join(ROOT, rel), os.path.join(src, rel), follow_symlinks=False)
        self.assertFalse(os.path.exists(os.path.join(src, "dist")))
        with open(os.path.join(src, "scripts", "setup"), "w") as f:
            f.write(FAKE_SETUP)
        link = os.path.join(self.bin, "pkg-config")
        if os.path.lexists(link):
            os.remove(link)
        log = os.path.join(self.tmp, name + ".setup.log")
        env = {"PATH": self.bin, "HOME": self.tmp, "LANG": "C.UTF-8", "FAKE_BIN": self.bin,
               "FAKE_SETUP": setup_mode, "FAKE_SETUP_LOG": log}
        rc, out, err = sh(["sh", "-c", "command -v pkg-config"], env=env)
        self.assertEqual((rc, out), (127, ""))   # /bin/sh (dash): not found
        return src, env, log

    def setup_log(self, log):
        if not os.path.exists(log):
            return []
        with open(log) as f:
            return f.read().splitlines()

    def test_first_make_demo_installs_then_builds_quietly(self):
        src, env, log = self.fresh_tree("demo", "install")
        rc, out, err = sh([MAKE, "demo"], cwd=src, env=env)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.setup_log(log), ["installed pkg-config", "nothing to do"])
        self.assertEqual(err, "scripts/setup: installing: pkg-config\n")
        expected_file = os.path.join(HERE, "demo.expected")
        if UPDATE:
            with open(expected_file, "w") as f:
                f.write(out)
        with open(expected_file) as f:
            expected = f.read()
        if out != expected:
            self.fail("make demo's output differs from tests/build/demo.expected:\n"
                      + "".join(difflib.unified_diff(expected.splitlines(True), out.splitlines(True),
                                                     "demo.expected", "make demo")))
        self.assertTrue(os.path.isfile(os.path.join(src, "dist", "chatflow.so")))
        self.assertTrue(os.path.isfile(os.path.join(src, "dist", "libchatflow.a")))

        # Verbose, quiet and silent rebuilds of one object in that tree.
        cflags = " ".join(pkg_config("--cflags", *PKGS))
        libs = " ".join(pkg_config("--libs", "json-c", "libcurl", "libutf8proc"))
        rc, out, err = sh([MAKE, "V=1", "-W", "ext/json.c", "dist/chatflow.so"], cwd=src, env=env)
        self.assertEqual((rc, err), (0, ""))
        lines = out.splitlines()
        self.assertEqual(len(lines), 3, out)
        self.assertTrue(lines[0].startswith("cc -std=c11 "), lines[0])
        self.assertIn(" " + cflags + " ", lines[0])
        self.assertTrue(lines[0].endswith(" -c ext/json.c -o dist/obj/json.o"), lines[0])
        self.assertTrue(lines[1].startswith("cc -shared ") and "-Wl,-z,defs" in lines[1], lines[1])
        self.assertEqual(lines[2].split()[-len(libs.split()) - 1:], libs.split() + ["-lm"])
        rc, out, err = sh([MAKE, "-W", "ext/json.c", "dist/chatflow.so"], cwd=src, env=env)
        self.assertEqual((rc, out, err), (0, "  CC      dist/obj/json.o\n  LD      dist/chatflow.so\n", ""))
        rc, out, err = sh([MAKE, "-s", "-W", "ext/json.c", "dist/chatflow.so"], cwd=src, env=env)
        self.assertEqual((rc, out, err), (0, "", ""))
        self.assertEqual(self.setup_log(log), ["installed pkg-config", "nothing to do"])

    def test_setup_that_cannot_install_stops_make(self):
        src, env, log = self.fresh_tree("noroot", "fail")
        rc, out, err = sh([MAKE], cwd=src, env=env)
        self.assertEqual(rc, 2)
        self.assertEqual(out, "")
        with open(os.path.join(src, "Makefile")) as f:
            line = [i for i, l in enumerate(f, 1) if "$(error pkg-config cannot find" in l]
        self.assertEqual(len(line), 1)
        self.assertEqual(err, "scripts/setup: need root to install: pkg-config\n"
                              "Makefile:%d: *** pkg-config cannot find json-c libcurl libutf8proc "
                              "sqlite3 after scripts/setup; install the packages scripts/setup names "
                              "(as root or with sudo) and run make again.  Stop.\n" % line[0])
        self.assertEqual(self.setup_log(log), ["could not install"])
        self.assertFalse(os.path.exists(os.path.join(src, "dist")))


class SetupPackages(unittest.TestCase):
    def setUp(self):
        text = open(os.path.join(ROOT, "scripts", "setup")).read()
        # the first PKGS= line: what the build needs (later lines add the
        # toolchains of other suites)
        line = [l for l in text.splitlines() if l.startswith("PKGS=\"") and "$PKGS" not in l]
        self.assertEqual(len(line), 1)
        self.packages = set(line[0][len("PKGS=\""):-1].split())

    def owner(self, path):
        rc, out, err = sh(["dpkg-query", "-S", path])
        self.assertEqual((rc, err), (0, ""))
        return out.split(":")[0]

    def test_every_library_comes_from_a_package_setup_installs(self):
        owners = {}
        for p in PKGS + ["cmocka"]:
            pcdir = pkg_config("--variable=pcfiledir", p)[0]
            owners[p] = self.owner(os.path.join(pcdir, p + ".pc"))
        self.assertEqual(owners, {"json-c": "libjson-c-dev", "libcurl": "libcurl4-openssl-dev",
                                  "libutf8proc": "libutf8proc-dev", "sqlite3": "libsqlite3-dev",
                                  "cmocka": "libcmocka-dev"})
        self.assertLessEqual(set(owners.values()), self.packages)
        self.assertEqual(self.owner(shutil.which("sqlite3")), "sqlite3")
        self.assertLessEqual({"gcc", "make", "pkg-config", "sqlite3", "python3"}, self.packages)


class Exports(unittest.TestCase):
    def test_loadable_exports_only_the_entry_point(self):
        rc, out, err = sh(["nm", "-D", "--defined-only", SO])
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual([l.split()[-1] for l in out.splitlines()], ["sqlite3_chatflow_init"])
        self.assertEqual(out.split()[1], "T")

    def test_static_library_keeps_internal_functions_global(self):
        rc, out, err = sh(["nm", "-g", "--defined-only", LIB])
        self.assertEqual((rc, err), (0, ""))
        names = {l.split()[-1] for l in out.splitlines() if len(l.split()) == 3}
        self.assertLessEqual({"sqlite3_chatflow_init", "cfRegisterSchema", "cfArgText",
                              "cfBeginWrite"}, names)
        rc, out, err = sh(["nm", "--defined-only", SO])
        self.assertIn(" t cfRegisterSchema\n", out)


class InstallBase(unittest.TestCase):
    PREFIX = None    # set by setUpClass
    DESTDIR = ""

    @classmethod
    def install(cls, *goal):
        args = [MAKE, "--no-print-directory", "-s", "PREFIX=" + cls.PREFIX, "DESTDIR=" + cls.DESTDIR]
        return sh(args + list(goal), cwd=ROOT, env=host_env())

    @classmethod
    def put_sentinels(cls, top):
        for rel in SENTINELS:
            os.makedirs(os.path.dirname(os.path.join(top, rel)), exist_ok=True)
            with open(os.path.join(top, rel), "w") as f:
                f.write("not chatflow's\n")


class Install(InstallBase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="chatflow-install.")
        cls.PREFIX = os.path.join(cls.tmp, "prefix")
        cls.put_sentinels(cls.PREFIX)
        cls.result = cls.install("install")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.assertEqual(self.result[0], 0, self.result[1] + self.result[2])

    def path(self, rel):
        return os.path.join(self.PREFIX, rel)

    def test_installed_files_and_modes(self):
        self.assertEqual(files_under(self.PREFIX), sorted(list(INSTALLED) + SENTINELS))
        modes = {rel: stat.S_IMODE(os.stat(self.path(rel)).st_mode) for rel in INSTALLED}
        self.assertEqual(modes, INSTALLED)
        with open(SO, "rb") as a, open(self.path("lib/chatflow.so"), "rb") as b:
            self.assertTrue(a.read() == b.read())
        with open(self.path("share/doc/chatflow/docs/README.md")) as a, \
                open(os.path.join(ROOT, "docs", "README.md")) as b:
            self.assertEqual(a.read(), b.read())

    def test_header_version_is_versions(self):
        with open(self.path("include/chatflow.h")) as f:
            text = f.read()
        major, minor, patch = (int(x) for x in VERSION.split("."))
        self.assertIn('\n#define CHATFLOW_VERSION "%s"\n' % VERSION, text)
        self.assertIn("\n#define CHATFLOW_VERSION_NUMBER %d\n" % (major * 1000000 + minor * 1000 + patch),
                      text)
        self.assertIn("\nint sqlite3_chatflow_init(sqlite3 *db, char **pzErrMsg, "
                      "const sqlite3_api_routines *pApi);\n", text)

    def pc_env(self):
        return host_env(PKG_CONFIG_PATH=self.path("lib/pkgconfig"))

    def test_pkg_config_file(self):
        env = self.pc_env()
        self.assertEqual(pkg_config("--modversion", "chatflow", env=env), [VERSION])
        self.assertEqual(pkg_config("--variable=prefix", "chatflow", env=env), [self.PREFIX])
        cflags = pkg_config("--cflags", "chatflow", env=env)
        self.assertEqual(cflags[0], "-I" + self.path("include"))
        self.assertEqual(sorted(set(cflags[1:])), sorted(set(pkg_config("--cflags", *PKGS))))
        libs = pkg_config("--libs", "chatflow", env=env)
        self.assertEqual(libs[:3], ["-L" + self.path("lib"), "-lchatflow", "-lm"])
        self.assertEqual(sorted(libs[3:]), sorted(pkg_config("--libs", *PKGS)))
        static = pkg_config("--static", "--libs", "chatflow", env=env)
        self.assertEqual(static[:3], libs[:3])
        self.assertLessEqual(set(libs), set(static))

    def test_program_linked_with_pkg_config_flags(self):
        env = self.pc_env()
        flags = pkg_config("--cflags", "--libs", "chatflow", env=env)
        prog = os.path.join(self.tmp, "embed")
        rc, out, err = sh(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror"] + SAN
                          + ["-o", prog, os.path.join(HERE, "embed.c")] + flags, env=env)
        self.assertEqual((rc, out, err), (0, "", ""))
        rc, out, err = sh(["ldd", prog])
        self.assertEqual(rc, 0)
        self.assertNotIn("chatflow", out)   # linked statically
        major, minor, patch = (int(x) for x in VERSION.split("."))
        rc, out, err = sh([prog], cwd=self.tmp, env=host_env())
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out, "CHATFLOW_VERSION %s, CHATFLOW_VERSION_NUMBER %d\n"
                              "%s|1\n"
                              "1\n"
                              "2026-01-01T00:00:00.000Z\n"
                              "1\n"
                              "1|2\n"
                              "1|user|Hello from C|2026-01-01T00:00:00.000Z\n"
                              "2|assistant|Hello, static library|2026-01-01T00:00:00.000Z\n"
                              "Embedded|2\n"
                         % (VERSION, major * 1000000 + minor * 1000 + patch, VERSION))

    def shell(self, env):
        return sh([SQLITE3, "-bail", ":memory:", "-cmd", ".load chatflow",
                   "SELECT chatflow_version();"], cwd=self.tmp, env=env)

    def test_shell_loads_by_bare_name_from_prefix_lib(self):
        rc, out, err = self.shell(host_env(LD_LIBRARY_PATH=self.path("lib")))
        self.assertEqual((rc, out, err), (0, VERSION + "\n", ""))
        # The control: without the path the bare name is not found (nothing
        # else on this machine answers to chatflow.so).
        rc, out, err = self.shell(host_env())
        self.assertEqual((rc, out, err),
                         (1, "", "Error: chatflow.so: cannot open shared object file: "
                                 "No such file or directory\n"))

    def test_installed_cleanup_finds_installed_extension(self):
        db = os.path.join(self.tmp, "chat.db")
        env = host_env(LD_LIBRARY_PATH=self.path("lib"))
        rc, out, err = sh([SQLITE3, "-bail", db, "-cmd", ".load chatflow",
                           "SELECT chatflow_init() > 0, create_conversation('acme', 'Old') > 0;"],
                          env=env)
        self.assertEqual((rc, out, err), (0, "1|1\n", ""))
        rc, out, err = sh([self.path("bin/chatflow-cleanup"), db, "--archive-days", "0"],
                          cwd=self.tmp, env=host_env())
        self.assertEqual((rc, err), (0, ""))
        first, rest = out.split("\n", 1)
        self.assertTrue(first.startswith("archive_old_conversations(0, 200): archived 1 conversation "
                                         "in 1 batch, "), first)
        self.assertEqual(rest, "\n"
                               "statistic               before  after  change\n"
                               "total_conversations          1      1\n"
                               "active_conversations         1      0      -1\n"
                               "archived_conversations       0      1      +1\n"
                               "deleted_conversations        0      0\n"
                               "total_messages               0      0\n"
                               "total_tokens                 0      0\n"
                               "old_conversations            0      0\n"
                               "messages_last_30_days        0      0\n")


class InstallDestdir(InstallBase):
    """make install DESTDIR=stage PREFIX=/usr, then make uninstall."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="chatflow-destdir.")
        cls.PREFIX = "/usr"
        cls.DESTDIR = os.path.join(cls.tmp, "stage")
        cls.put_sentinels(cls.DESTDIR + cls.PREFIX)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_staged_install_and_uninstall(self):
        top = self.DESTDIR + self.PREFIX
        before = files_under(self.DESTDIR)
        rc, out, err = self.install("install")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(files_under(top), sorted(list(INSTALLED) + SENTINELS))
        self.assertEqual(files_under(self.DESTDIR), sorted("usr/" + r for r in list(INSTALLED) + SENTINELS))
        with open(os.path.join(top, "lib/pkgconfig/chatflow.pc")) as f:
            pc = f.read()
        self.assertIn("\nprefix=/usr\nlibdir=/usr/lib\nincludedir=/usr/include\n", pc)
        self.assertNotIn(self.DESTDIR, pc)
        rc, out, err = self.install("uninstall")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(files_under(self.DESTDIR), before)
        for gone in ("share/chatflow", "share/doc/chatflow"):
            self.assertFalse(os.path.exists(os.path.join(top, gone)), gone)
        self.assertTrue(os.path.isdir(os.path.join(top, "share/doc/other")))
        # Uninstalling again finds nothing to remove and is no error.
        rc, out, err = self.install("uninstall")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(files_under(self.DESTDIR), before)


class Docs(unittest.TestCase):
    """The documents make install ships stand on their own: every link in
    README.md, CHANGELOG.md and docs/*.md that is not a URL names a file of
    this repository, and no text cites an issue tracker."""
    PAGES = ["README.md", "CHANGELOG.md"] + ["docs/" + d for d in DOC_PAGES]

    def text(self, page):
        with open(os.path.join(ROOT, page)) as f:
            return f.read()

    def test_links_stay_in_the_repository(self):
        bad = []
        for page in self.PAGES:
            for target in re.findall(r"\]\(([^)\s]+)\)", self.text(page)):
                if re.match(r"[a-z]+:", target):
                    continue
                path = target.split("#")[0]
                full = os.path.realpath(os.path.join(ROOT, os.path.dirname(page), path) if path
                                        else os.path.join(ROOT, page))
                if not full.startswith(ROOT + os.sep) or not os.path.exists(full):
                    bad.append("%s: %s" % (page, target))
        self.assertEqual(bad, [])

    def test_no_tracker_references(self):
        bad = []
        for page in self.PAGES:
            for n, line in enumerate(self.text(page).splitlines(), 1):
                if re.search(r"(?i)\b(issues?|tracker|pull request|PR)\s*#?\d+|(?<!UAX )#\d+\b"
                             r"|shared/DESIGN", line):
                    bad.append("%s:%d: %s" % (page, n, line))
        self.assertEqual(bad, [])

    def test_license(self):
        text = self.text("LICENSE")
        self.assertTrue(text.startswith("MIT License\n\nCopyright (c) 2026 The chatflow authors\n"))


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    bad = {getattr(t, "test_case", t).id() for t, _ in res.failures + res.errors + res.skipped}
    bad |= {t.id() for t in res.unexpectedSuccesses}
    print("build: %d passed, %d failed" % (res.testsRun - len(bad), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
