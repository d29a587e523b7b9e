# data-action: build, test and demo on Debian.
#
#   make demo    build a release binary and run real Data Action calls against sample users
#   make test    install what is missing, build, run every test and the format lint
#
# Targets install missing Debian packages with apt-get (as root, or through sudo).

SWIFT      ?= swift
BUILD_DIR  ?= .build
PACKAGES   := libfcgi-dev libfcgi-bin spawn-fcgi systemd nginx-light pkg-config python3
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build release test lint format demo clean

all: build

## Install the Debian packages the build, the tests and the demo use, when missing.
deps:
	@missing=""; for package in $(PACKAGES); do \
	  dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## Every test (Swift Testing, real libfcgi, real sockets, real upstream) and the format lint.
test: deps lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

format:
	$(SWIFT) format format --in-place --recursive Sources Tests Package.swift

## The main job: real Data Action calls over FastCGI against the sample users.
demo: release
	deploy/demo/demo.sh $$($(SWIFT) build -c release --show-bin-path)/data-action

clean:
	rm -rf $(BUILD_DIR)
