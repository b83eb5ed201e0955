"""Builds the chatflow wheel: the package plus the loadable extension.

The version is the repository's VERSION file.  build_py copies the loadable
into the package (chatflow/chatflow.so inside the wheel): the file named by
the environment variable CHATFLOW_SO (a relative path is taken from the
repository's root), by default dist/chatflow.so (run `make` first).  The wheel is tagged for this platform,
since it carries a native library; the library does not depend on the
Python version (py3-none-<platform>).
"""
import os
import shutil

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py
from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def read_version():
    with open(os.path.join(ROOT, "VERSION"), encoding="utf-8") as f:
        return f.read().strip()


class BuildPyWithLoadable(build_py):
    """build_py, then the loadable copied next to the package's modules."""

    def run(self):
        super().run()
        src = os.path.join(ROOT, os.environ.get("CHATFLOW_SO") or "dist/chatflow.so")
        if not os.path.isfile(src):
            raise SystemExit("chatflow: %s not found: run make in %s first (or set CHATFLOW_SO)"
                             % (src, ROOT))
        dst = os.path.join(self.build_lib, "chatflow", "chatflow.so")
        self.mkpath(os.path.dirname(dst))
        shutil.copyfile(src, dst)
        os.chmod(dst, 0o755)


class BinaryDistribution(Distribution):
    """Carries a native library: installed as platform-specific (platlib)."""

    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    """A wheel for this platform that any Python 3 can use."""

    def get_tag(self):
        _, _, plat = super().get_tag()
        return "py3", "none", plat


setup(version=read_version(),
      packages=["chatflow"],
      distclass=BinaryDistribution,
      cmdclass={"build_py": BuildPyWithLoadable, "bdist_wheel": PlatformWheel})
