# Tools the suite checks its files with, fetched when missing (sourced by .ci/run). Each is taken
# from its Debian package without installing it (nothing starts, nothing is configured), kept in
# .ci/cache and put on PATH; when it cannot be had, the test that needs it skips and says why.

tool_from_debian() { # tool package
  local tool=$1 package=$2 dir
  dir="$PWD/.ci/cache/$package"
  if command -v "$tool" >/dev/null 2>&1; then
    return 0
  fi
  if [ ! -x "$dir/usr/bin/$tool" ] && command -v apt-get >/dev/null 2>&1; then
    mkdir -p "$dir"
    (cd "$dir" && apt-get download -q "$package" >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && apt-get download -q "$package" >/dev/null 2>&1; }) \
      && dpkg-deb -x "$dir"/"$package"_*.deb "$dir" \
      && rm -f "$dir"/"$package"_*.deb
  fi
  if [ -x "$dir/usr/bin/$tool" ]; then
    export PATH="$dir/usr/bin:$PATH"
  else
    echo "$tool could not be fetched (package $package): the tests that need it will skip" >&2
  fi
}

tool_from_debian promtool prometheus
