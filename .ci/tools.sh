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

# The console's browser test drives Debian's chromium with chromium-driver. They are installed (as
# root, where apt-get works) in the background while the build runs: the test waits for the
# .done/.failed marker, and skips with one line when they cannot be had.
browser_from_debian() {
  local cache="$PWD/.ci/cache"
  mkdir -p "$cache"
  rm -f "$cache/chromium.done" "$cache/chromium.failed"
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    touch "$cache/chromium.done"
    return 0
  fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium cannot be installed here (not root, or no apt-get): the console's browser test will skip" >&2
    touch "$cache/chromium.failed"
    return 0
  fi
  touch "$cache/chromium.pending"
  (
    export DEBIAN_FRONTEND=noninteractive
    if apt-get install -y -q chromium chromium-driver > "$cache/chromium.log" 2>&1 \
      || { apt-get update -qq >> "$cache/chromium.log" 2>&1 \
        && apt-get install -y -q chromium chromium-driver >> "$cache/chromium.log" 2>&1; }; then
      touch "$cache/chromium.done"
    else
      echo "chromium could not be installed (see .ci/cache/chromium.log): the console's browser test will skip" >&2
      touch "$cache/chromium.failed"
    fi
    rm -f "$cache/chromium.pending"
  ) &
}

browser_from_debian
