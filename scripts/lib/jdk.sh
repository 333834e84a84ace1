# Sourced by ./molia, scripts/test and .ci/run: picks a JDK >= 21 and exports JAVA_HOME and JAVA.
# Order: $JAVA_HOME, then the JDKs installed under /usr/lib/jvm (newest first), then `java` on PATH.
# The release launcher (bin/molia of the tarball and the .deb) ships a copy and asks for `runtime`: a JRE will do.

# Prints the field $2 of the JDK's release file beside the java binary $1 (e.g. JAVA_VERSION="25.0.3"), or fails
# when there is none. The file says it without starting a JVM (each start costs ~100 ms, more on a loaded machine).
molia_java_release_field() {
  local release
  release="$(dirname "$(dirname "$(readlink -f "$1")")")/release"
  [ -f "$release" ] || return 1
  sed -n "s/^$2=\"\(.*\)\"/\1/p" "$release" | head -n 1
}

molia_java_major() { # prints the feature version of the java binary $1, or nothing
  local version
  if version=$(molia_java_release_field "$1" JAVA_VERSION); then
    echo "${version%%[!0-9]*}"
    return
  fi
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

molia_java_version() { # the full runtime version of the java binary $1 (e.g. 25.0.3+9-LTS), for naming caches
  molia_java_release_field "$1" JAVA_RUNTIME_VERSION && return
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.runtime\.version = \(.*\)/\1/p' | head -n 1
}

molia_select_jdk() { # $1 = runtime: java alone is enough (no javac: nothing is compiled)
  local candidates=() dir major need_javac=1
  [ "${1:-}" = runtime ] && need_javac=0
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for dir in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -V -r); do candidates+=("${dir%/}"); done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for dir in "${candidates[@]}"; do
    [ -x "$dir/bin/java" ] || continue
    [ "$need_javac" = 0 ] || [ -x "$dir/bin/javac" ] || continue
    major=$(molia_java_major "$dir/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      export JAVA_HOME="$dir"
      export JAVA="$dir/bin/java"
      return 0
    fi
  done
  echo "molia: no JDK 21 or newer found (looked at \$JAVA_HOME, /usr/lib/jvm/*, and java on PATH)." >&2
  echo "molia: install one, e.g. 'apt-get install openjdk-21-jdk' or a Temurin JDK 21+, or set JAVA_HOME." >&2
  return 1
}

# Debian's Maven 3.8 bundles a Guava that warns about sun.misc.Unsafe on JDK 24+; the warning is noise.
molia_quiet_maven() {
  local major
  major=$(molia_java_major "$JAVA")
  if [ -n "$major" ] && [ "$major" -ge 24 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}
