#!/usr/bin/env bash
# install.sh - make install: the programs, the plugin and the header land under DESTDIR/PREFIX,
# and the installed server finds its plugin in PREFIX/lib/nodegate/ with no --plugin.
# It installs what make built in $B, so under make asan it installs the sanitizer build.
. "$(dirname "$0")/lib.sh"

STAGE=$T/stage

# submake ARGS...: make in the repo, for $B. A make started from make test's recipe must not
# inherit its parent's jobserver and flags (make asan's SAN= would be among them).
submake() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory B="$B" "$@"
}

# install_into DESTDIR [MAKE-ARGS...]: make install of $B; sets RC and OUT.
install_into() {
    local dest=$1
    shift
    OUT=$(submake install DESTDIR="$dest" "$@" 2>&1)
    RC=$?
}

# make install builds what is missing first, with this make's flags: the build in $B must be
# complete, or a sanitizer build would get plain objects mixed in.
if ! submake -q all; then
    fail "the build in $B is up to date before make install" "run make (or make asan) first"
    finish
fi

# same_file NAME BUILT INSTALLED MODE: one check that the installed file is the built one, with MODE.
same_file() {
    local verdict
    if [ ! -f "$3" ]; then
        verdict=missing
    else
        verdict="$(cmp -s "$2" "$3" && echo same || echo differs) $(stat -c %a "$3")"
    fi
    check "installs $1" "same $4" "$verdict"
}

install_into "$STAGE" PREFIX=/usr
check "make install B=$B DESTDIR=\$T/stage PREFIX=/usr succeeds" "0" "$RC$([ "$RC" -eq 0 ] || echo " ($OUT)")"
same_file "bin/nodegate-server" "$B/nodegate-server" "$STAGE/usr/bin/nodegate-server" 755
same_file "bin/nodegate-replay" "$B/nodegate-replay" "$STAGE/usr/bin/nodegate-replay" 755
same_file "bin/nodegate" "$B/nodegate" "$STAGE/usr/bin/nodegate" 755
same_file "lib/nodegate/libnodegate.so" "$B/libnodegate.so" "$STAGE/usr/lib/nodegate/libnodegate.so" 755
same_file "include/nodegate.h" include/nodegate.h "$STAGE/usr/include/nodegate.h" 644
check "nothing else is installed" "5" "$(find "$STAGE" -type f | wc -l)"

stage=$(cd "$STAGE" && pwd -P)
SERVER=$STAGE/usr/bin/nodegate-server
if start_server --nodes examples/demo-cluster.json; then
    check_has "the installed server loads PREFIX/lib/nodegate/libnodegate.so by itself" \
        "(plugin $stage/usr/lib/nodegate/libnodegate.so," "$(<"$SERVER_LOG")"
    req GET /healthz
    check "installed server: GET /healthz" '200 {"status":"ok"}' "$STATUS $BODY"
    req GET /version
    check "installed server: GET /version" \
        "200 {\"version\":\"$VERSION\",\"abi\":1,\"plugin\":\"nodegate $VERSION\"}" "$STATUS $BODY"
    req POST /filter examples/requests/filter-names.json
    check_has "installed server: filter works" '"NodeNames":["worker","spot-1"]' "$STATUS $BODY"
    out=$("$STAGE/usr/bin/nodegate" --server "$URL" describe node master 2>&1)
    check_has "the installed nodegate finds its plugin and the server" "Name:               master" "$out"
    stop_server
fi

out=$("$STAGE/usr/bin/nodegate-replay" --help 2>&1)
check "the installed nodegate-replay runs" "0 usage" "$? $([[ $out == Usage:* ]] && echo usage || echo "$out")"

# A plugin beside the binary still comes first.
cp "$B/libnodegate.so" "$STAGE/usr/bin/"
if start_server; then
    check_has "a libnodegate.so beside the installed binary comes first" \
        "(plugin $stage/usr/bin/libnodegate.so," "$(<"$SERVER_LOG")"
    stop_server
fi

# With the plugin in neither place, the one line of refusal names both.
mkdir -p "$T/lone/bin"
cp "$B/nodegate-server" "$T/lone/bin/"
lone=$(cd "$T/lone" && pwd -P)
timeout 5 "$T/lone/bin/nodegate-server" --listen 127.0.0.1:0 >/dev/null 2>"$T/err"
rc=$?
err=$(<"$T/err")
check "no plugin in either default place: fails with one line naming both" "fails 1-line both" \
    "$([ $rc -ne 0 ] && [ $rc -ne 124 ] && echo fails || echo "rc=$rc") $(wc -l <"$T/err")-line $(
        [[ $err == *"$lone/lib/nodegate/libnodegate.so"* && $err == *"$lone/bin/libnodegate.so"* ]] &&
            echo both || echo "[$err]")"

# PREFIX defaults to /usr/local.
install_into "$T/stage2"
local_prefix=$T/stage2/usr/local
check "make install without PREFIX: under /usr/local" "0 yes" "$RC $(
    [ -x "$local_prefix/bin/nodegate-server" ] && [ -f "$local_prefix/lib/nodegate/libnodegate.so" ] &&
        echo yes || echo "no ($OUT)")"
# The Dockerfile's runtime stage is make install's output plus the packages it names: every shared
# library the installed server and plugin load must come from one of them or from what apt pulls
# in for them (Pre-Depends and Depends, first alternative, as dpkg records them here). A sanitizer
# build loads its runtime too, which the image never has: checked on the plain build only.
runtime_pkgs=$(awk '/^FROM/ {stage++} stage == 2 && /--no-install-recommends/ {go = 1; next}
    go && /rm -rf/ {go = 0} go {gsub(/[\\&]/, ""); print}' Dockerfile | xargs)
if ldd "$local_prefix/bin/nodegate-server" | grep -q 'lib[at]san'; then
    echo "#   the Dockerfile's runtime libraries: not checked under a sanitizer build"
else
    closure=" " todo=$runtime_pkgs
    while [ -n "$todo" ]; do
        read -r p todo <<<"$todo"
        [[ $closure == *" $p "* ]] && continue
        closure+="$p "
        todo+=" $(dpkg-query -W -f='${Pre-Depends}, ${Depends}' "$p" 2>/dev/null | tr ',' '\n' |
            sed 's/|.*//; s/(.*)//; s/:any//; s/[[:space:]]//g' | xargs)"
    done
    missing=''
    for lib in $(ldd "$local_prefix/bin/nodegate-server" "$local_prefix/lib/nodegate/libnodegate.so" |
                 awk '/=>/ {print $3} /ld-linux/ {print $1}' | sort -u); do
        real=$(realpath "$lib")
        pkg=$({ dpkg -S "$lib" || dpkg -S "$real" || dpkg -S "$(dirname "$lib")/$(basename "$real")"; } 2>/dev/null |
            head -1 | cut -d: -f1)
        [[ $closure == *" $pkg "* ]] || missing+=" $lib (${pkg:-no package})"
    done
    check "the Dockerfile's runtime packages ($runtime_pkgs) provide every library the server and plugin load" \
        "" "$missing"
fi
finish
