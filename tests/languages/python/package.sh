# The chatflow package: the wheel built offline from bindings/python (Debian's
# setuptools and wheel; the build copies dist/chatflow.so in), installed into
# a venv of Debian's python3 and used from there.
set -e
out=dist/languages/python
rm -rf "$out" && mkdir -p "$out"
export CHATFLOW_SO="${CHATFLOW_EXT:-dist/chatflow}.so"  # the loadable the wheel carries
/usr/bin/python3 -m pip wheel -q --no-index --no-build-isolation --no-deps -w "$out" bindings/python
/usr/bin/python3 -m venv --system-site-packages "$out/venv"
"$out/venv/bin/pip" install -q --root-user-action=ignore --no-index --no-build-isolation "$out"/chatflow-*.whl
"$out/venv/bin/python" tests/languages/python/example_package.py
