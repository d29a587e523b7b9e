# data-action: build, test and demo on Debian.
#
#   make demo    build a release binary and run real Data Action calls against sample users
#   make test    install what is missing, build, run every test and the format lint
#   make bench   wrk through nginx: the service against nginx's ceiling and a C libfcgi floor
#   make bench-loop  the service's own work per call in one thread, without the network
#   make fuzz    libFuzzer with AddressSanitizer: the request path and the FastCGI stream, FUZZ_SECONDS each
#   make soak    10 minutes of mixed traffic and faults through nginx, checked against the contract
#   make deb     data-action_VERSION_ARCH.deb: the binary with the Swift runtime inside, units, snippets
#
# Targets install missing Debian packages with apt-get (as root, or through sudo).

SWIFT      ?= swift
PREFIX     ?= /usr/local
DESTDIR    ?=
UNITDIR    ?= /etc/systemd/system
# The one place the version is written: what `data-action --version` prints.
VERSION    := $(shell sed -n 's/.*current = "\(.*\)"/\1/p' Sources/DataAction/DataActionVersion.swift)
DEB_VERSION ?= $(VERSION)
# The binary make install copies; install-files takes it as given (tests pass a debug build).
BINARY     ?= $(shell $(SWIFT) build -c release --show-bin-path 2>/dev/null)/data-action
STATIC_BUILD_DIR ?= .build-static
# The release binary with the Swift runtime linked in: what the package ships and `make bench` measures.
STATIC_BUILD = $(SWIFT) build -c release --product data-action --static-swift-stdlib --scratch-path $(STATIC_BUILD_DIR) \
	  -Xlinker -z -Xlinker relro -Xlinker -z -Xlinker now
BUILD_DIR  ?= .build
PACKAGES   := libfcgi-dev libcurl4-openssl-dev libyaml-dev libfcgi-bin spawn-fcgi systemd nginx-light curl pkg-config python3 openssl tinyproxy prometheus
BENCH_PACKAGES := wrk gcc libc6-dev
# The other web servers the end-to-end suite puts in front of the service.
TEST_PACKAGES := apache2 lighttpd caddy
DEB_PACKAGES := dpkg-dev binutils lintian
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build release test lint format demo bench bench-loop fuzz soak install install-files deb deb-check clean

all: build

## Install the Debian packages the build, the tests and the demo use, when missing (a package
## removed with its configuration left is missing too).
deps:
	@missing=""; for package in $(PACKAGES) $(EXTRA_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product data-action

## Every test (Swift Testing, real libfcgi, real sockets, real upstream) and the format lint.
test: EXTRA_PACKAGES = $(TEST_PACKAGES)
test: deps lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests fuzz/Sources fuzz/Package.swift bench/loop/Sources bench/loop/Package.swift Package.swift

format:
	$(SWIFT) format format --in-place --recursive Sources Tests fuzz/Sources fuzz/Package.swift bench/loop/Sources bench/loop/Package.swift Package.swift

## The main job: real Data Action calls over FastCGI against the sample users.
demo: release
	deploy/demo/demo.sh $$($(SWIFT) build -c release --show-bin-path)/data-action

## The benchmark (not a test: nothing here asserts a time). Writes bench/RESULTS.md.
## BENCH_DURATION, BENCH_CONNECTIONS, BENCH_ROUNDS, ... : see bench/run.sh.
## It measures the binary the Debian package ships (the Swift runtime linked in), not `make release`'s.
bench: EXTRA_PACKAGES = $(BENCH_PACKAGES)
bench: deps
	$(STATIC_BUILD)
	bench/run.sh $(abspath $(STATIC_BUILD_DIR))/release/data-action

## The service's own work per call in one thread, the upstream exchange replaced by a file's bytes
## (not a test): nanoseconds per call, warm, with the demo's user and the 4 KiB contact. See bench/loop.
BENCH_LOOP_BIN = $$($(SWIFT) build -c release --package-path bench/loop --show-bin-path)/bench-loop
bench-loop: deps
	$(SWIFT) build -c release --package-path bench/loop
	$(BENCH_LOOP_BIN) deploy/demo/users/1
	$(BENCH_LOOP_BIN) bench/users-4k/1

## Fuzzing (not a test): builds the libFuzzer targets in fuzz/ with AddressSanitizer and runs
## each for FUZZ_SECONDS from its seed corpus; crashes go to fuzz/crashes/. See fuzz/run.sh.
FUZZ_SECONDS ?= 120
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) SWIFT=$(SWIFT) fuzz/run.sh

## The soak (not a test either): SOAK_SECONDS (600) of mixed traffic through nginx, every answer
## checked against the contract, then the report. SOAK_RATE, SOAK_CALLERS: see soak/run.sh.
soak: release
	soak/run.sh $$($(SWIFT) build -c release --show-bin-path)/data-action

## Install the binary, the systemd units, the nginx snippets and an example env file.
## PREFIX (default /usr/local) places the binary and docs; DESTDIR stages the whole tree.
## An existing /etc/data-action/env or allowlist is never overwritten.
install: release install-files

install-files:
	install -D -m 0755 $(BINARY) $(DESTDIR)$(PREFIX)/bin/data-action
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/bin/data-action|$(PREFIX)/bin/data-action|; s|/usr/local/share/doc|$(PREFIX)/share/doc|' \
	  deploy/systemd/data-action.service > $(DESTDIR)$(UNITDIR)/data-action.service
	sed 's|/usr/local/share/doc|$(PREFIX)/share/doc|' \
	  deploy/systemd/data-action.socket > $(DESTDIR)$(UNITDIR)/data-action.socket
	chmod 0644 $(DESTDIR)$(UNITDIR)/data-action.service $(DESTDIR)$(UNITDIR)/data-action.socket
	install -D -m 0644 deploy/nginx/data-action-http.conf $(DESTDIR)/etc/nginx/conf.d/data-action-http.conf
	install -D -m 0644 deploy/nginx/data-action.conf $(DESTDIR)/etc/nginx/data-action/data-action.conf
	install -D -m 0644 deploy/nginx/data-action-server.conf.example $(DESTDIR)/etc/nginx/data-action/data-action-server.conf.example
	[ -e $(DESTDIR)/etc/nginx/data-action/genesys-allowlist.conf ] || \
	  install -D -m 0644 deploy/nginx/genesys-allowlist.conf $(DESTDIR)/etc/nginx/data-action/genesys-allowlist.conf
	[ -e $(DESTDIR)/etc/nginx/data-action/monitoring-allow.conf ] || \
	  install -D -m 0644 deploy/nginx/monitoring-allow.conf $(DESTDIR)/etc/nginx/data-action/monitoring-allow.conf
	[ -e $(DESTDIR)/etc/data-action/env ] || \
	  install -D -m 0600 deploy/systemd/data-action.env.example $(DESTDIR)/etc/data-action/env
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/data-action/README.md
	install -D -m 0644 deploy/actions.schema.json $(DESTDIR)$(PREFIX)/share/doc/data-action/actions.schema.json
	install -D -m 0644 deploy/actions.example.yaml $(DESTDIR)$(PREFIX)/share/doc/data-action/examples/actions.example.yaml
	install -D -m 0644 deploy/grafana/data-action.json $(DESTDIR)$(PREFIX)/share/doc/data-action/examples/grafana-dashboard.json
	install -D -m 0644 deploy/prometheus/data-action.rules.yml $(DESTDIR)$(PREFIX)/share/doc/data-action/examples/prometheus-rules.yml
	for server in apache lighttpd caddy; do \
	  install -d -m 0755 $(DESTDIR)$(PREFIX)/share/doc/data-action/examples/$$server && \
	  install -m 0644 deploy/$$server/* $(DESTDIR)$(PREFIX)/share/doc/data-action/examples/$$server/ || exit 1; \
	done
	install -d -m 0755 $(DESTDIR)$(PREFIX)/share/doc/data-action/recipes
	install -m 0644 deploy/recipes/*.yaml $(DESTDIR)$(PREFIX)/share/doc/data-action/recipes/

## The Debian package, built with dpkg-deb from what install-files installs, then checked by
## lintian. The Swift runtime is linked in, so the package runs where no toolchain is.
deb: EXTRA_PACKAGES = $(DEB_PACKAGES)
deb: deps
	$(STATIC_BUILD)
	deploy/debian/build-deb.sh $(DEB_VERSION) $(STATIC_BUILD_DIR)/release/data-action .
	lintian --fail-on error,warning data-action_$(DEB_VERSION)_$$(dpkg --print-architecture).deb

## The package on a real Debian 12 host under systemd (debootstrap + systemd-nspawn): install,
## configure, call through nginx, upgrade under load, purge. See deploy/debian/deb-check.sh.
## (deb's own package list applies to its prerequisites, so this target installs its own first.)
DEB_CHECK_PACKAGES := $(DEB_PACKAGES) debootstrap systemd-container openssl curl
deb-check: deb
	$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(DEB_CHECK_PACKAGES)"
	deploy/debian/build-deb.sh $(DEB_VERSION)~older $(STATIC_BUILD_DIR)/release/data-action .
	deploy/debian/deb-check.sh data-action_$(DEB_VERSION)~older_$$(dpkg --print-architecture).deb \
	  data-action_$(DEB_VERSION)_$$(dpkg --print-architecture).deb

clean:
	rm -rf $(BUILD_DIR) $(STATIC_BUILD_DIR)
