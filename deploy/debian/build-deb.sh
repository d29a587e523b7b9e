#!/usr/bin/env bash
# Builds data-action_VERSION_ARCH.deb with dpkg-deb from the files `make install-files` installs.
#
#   deploy/debian/build-deb.sh VERSION BINARY OUTPUT-DIRECTORY
#
# The binary should be a release build with the Swift runtime linked statically; Depends comes
# from dpkg-shlibdeps on it, plus systemd (the units) and nginx (the snippets).
set -euo pipefail
version=${1:?version}
binary=${2:?binary}
output=${3:?output directory}
repo=$(cd "$(dirname "$0")/../.." && pwd)
here="$repo/deploy/debian"
arch=$(dpkg --print-architecture)
maintainer=${DEB_MAINTAINER:-data-action maintainers <data-action@example.org>}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
make -s -C "$repo" install-files DESTDIR="$root" PREFIX=/usr UNITDIR=/lib/systemd/system BINARY="$binary"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/data-action"

doc="$root/usr/share/doc/data-action"
install -m 0644 "$here/copyright" "$doc/copyright"
gzip -9n <"$here/changelog" >"$doc/changelog.gz"
install -d -m 0755 "$root/usr/share/man/man1"
gzip -9n <"$here/data-action.1" >"$root/usr/share/man/man1/data-action.1.gz"
chmod 0644 "$doc/changelog.gz" "$root/usr/share/man/man1/data-action.1.gz"

install -D -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/data-action"
install -d -m 0755 "$root/DEBIAN"
for script in postinst prerm postrm; do install -m 0755 "$here/$script" "$root/DEBIAN/$script"; done
(cd "$root" && find etc -type f | sed 's|^|/|' | sort) >"$root/DEBIAN/conffiles"
chmod 0644 "$root/DEBIAN/conffiles"
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

# dpkg-shlibdeps wants a source package's debian/control beside it.
mkdir -p "$stage/debian"
printf 'Source: data-action\n\nPackage: data-action\nArchitecture: any\n' >"$stage/debian/control"
shlibs=$(cd "$stage" && dpkg-shlibdeps -O "root/usr/bin/data-action" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@SIZE@|$size|" -e "s|@SHLIBS@|$shlibs|" \
    -e "s|@MAINTAINER@|$maintainer|" \
    "$here/control.in" >"$root/DEBIAN/control"
find "$root" -type d -exec chmod 0755 {} +
mkdir -p "$output"
dpkg-deb --root-owner-group -Zxz --build "$root" "$output/data-action_${version}_${arch}.deb" >/dev/null
echo "$output/data-action_${version}_${arch}.deb"
